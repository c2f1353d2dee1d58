"""A small, reproducible set of beams for the demo: singles, a double, and pure noise."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord

from palfa.errors import ConfigError
from palfa.simulate.beam import BeamSpec, SimulatedBeam, simulate_beam
from palfa.simulate.pulsar import InjectedPulsar, smearing_s

# Beam contents, in order; beams past the list get one pulsar each.
BEAM_PLAN = ("single", "double", "noise")
PERIOD_RANGE_S = (0.003, 1.0)
DM_RANGE = (20.0, 250.0)
SNR_RANGE = (20.0, 60.0)
MAX_SMEARING_TURNS = 0.25  # keep fast pulsars detectable in the demo's coarse channels


def _draw_pulsar(rng: np.random.Generator, spec: BeamSpec) -> InjectedPulsar:
    """Log-uniform period; DM capped so mid-band smearing stays a fraction of the period."""
    period = float(np.exp(rng.uniform(*np.log(PERIOD_RANGE_S))))
    mid_mhz = (spec.fmin_mhz + spec.fmax_mhz) / 2
    smear_per_dm = float(smearing_s(1.0, np.array([mid_mhz]), spec.chan_bw_mhz)[0])
    max_dm = min(DM_RANGE[1], MAX_SMEARING_TURNS * period / smear_per_dm)
    return InjectedPulsar(
        period_s=round(period, 6),
        dm=round(float(rng.uniform(DM_RANGE[0], max(max_dm, DM_RANGE[0]))), 2),
        duty_cycle=round(float(rng.uniform(0.02, 0.08)), 3),
        snr=round(float(rng.uniform(*SNR_RANGE)), 1),
        phase=round(float(rng.uniform(0.0, 1.0)), 3),
    )


def _pointing(rng: np.random.Generator) -> dict:
    """A position in the PALFA inner-Galaxy region, named like Mock sources (Gll.ll+b.bb)."""
    gal_l, gal_b = float(rng.uniform(32.0, 77.0)), float(rng.uniform(-1.0, 1.0))
    coord = SkyCoord(l=gal_l * u.deg, b=gal_b * u.deg, frame="galactic").icrs
    return {
        "source_name": f"G{gal_l:05.2f}{gal_b:+.2f}",
        "ra_str": str(coord.ra.to_string(unit=u.hourangle, sep=":", precision=2, pad=True)),
        "dec_str": str(coord.dec.to_string(sep=":", precision=1, pad=True, alwayssign=True)),
    }


def simulate_survey(
    outdir: str | Path, nbeams: int = 3, seed: int = 2030, **overrides
) -> list[SimulatedBeam]:
    """Simulate ``nbeams`` beams into ``outdir``; ``overrides`` are BeamSpec fields for all beams.

    The same seed gives the same beams (pulsars, noise and RFI).
    """
    rng = np.random.default_rng(seed)
    overrides = {"rfi": True, **overrides}
    beams = []
    for index in range(nbeams):
        kind = BEAM_PLAN[index] if index < len(BEAM_PLAN) else "single"
        spec = BeamSpec(
            beam=index % 7, scan=100 + index, seed=seed * 1000 + index, **_pointing(rng)
        )
        try:
            spec = dataclasses.replace(spec, **overrides)
        except TypeError as error:
            raise ConfigError(
                f"survey overrides {sorted(overrides)}",
                f"are not all BeamSpec fields ({error})",
                f"use only these names: {', '.join(f.name for f in dataclasses.fields(BeamSpec))}",
            ) from error
        npulsars = {"single": 1, "double": 2, "noise": 0}[kind]
        pulsars = tuple(_draw_pulsar(rng, spec) for _ in range(npulsars))
        beams.append(simulate_beam(dataclasses.replace(spec, pulsars=pulsars), outdir))
    return beams
