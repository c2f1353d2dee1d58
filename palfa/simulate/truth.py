"""Judging a search against the pulsars a simulated beam really holds."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Protocol

import numpy as np

from palfa.simulate.pulsar import DISPERSION_S, InjectedPulsar, smearing_s

PERIOD_RTOL = 1e-3  # "period within 0.1%"
DM_SIGMAS = 3.0  # a DM is "right" within max(plan step, DM_SIGMAS x the best achievable error)


class PeriodicCandidate(Protocol):
    period_s: float
    dm: float
    sigma: float


@dataclass(frozen=True)
class BeamTruth:
    obs_name: str
    pulsars: tuple[InjectedPulsar, ...]


def load_truth(path: Path) -> BeamTruth:
    raw = json.loads(Path(path).read_text())
    names = {f.name for f in fields(InjectedPulsar)}
    pulsars = tuple(InjectedPulsar(**{k: v for k, v in p.items() if k in names})
                    for p in raw["pulsars"])
    return BeamTruth(raw["obs_name"], pulsars)


def find_match(pulsar: InjectedPulsar, candidates: list[PeriodicCandidate], dm_tol: float,
               period_rtol: float = PERIOD_RTOL) -> PeriodicCandidate | None:
    """The most significant candidate at the pulsar's period and DM (fundamental only), if any."""
    hits = [c for c in candidates
            if abs(c.period_s - pulsar.period_s) <= period_rtol * pulsar.period_s
            and abs(c.dm - pulsar.dm) <= dm_tol]
    return max(hits, key=lambda c: c.sigma, default=None)


def dm_precision(pulsar: InjectedPulsar, freqs_mhz: np.ndarray, chan_bw_mhz: float) -> float:
    """Cramér-Rao bound on the DM error of the pulsar's Gaussian pulse at its S/N.

    Each channel's arrival time is uncertain by ~0.6 FWHM / S/N, and only the spread of the
    channels' f**-2 turns that into DM: a slow, wide pulse cannot be placed within a plan step
    of a fraction of a DM unit by any estimator, so judging it so would only measure noise.
    """
    freqs = np.asarray(freqs_mhz, dtype=float)
    smear = float(smearing_s(pulsar.dm, np.array([np.median(freqs)]), chan_bw_mhz)[0])
    fwhm = float(np.hypot(pulsar.duty_cycle * pulsar.period_s, smear))
    return 0.6 * fwhm / (pulsar.snr * DISPERSION_S * float(np.std(freqs**-2.0)))


def dm_tolerance(pulsar: InjectedPulsar, freqs_mhz: np.ndarray, chan_bw_mhz: float,
                 plan_step: float) -> float:
    """The plan's DM step, widened only where the pulse is too wide to be placed that well."""
    return max(plan_step, DM_SIGMAS * dm_precision(pulsar, freqs_mhz, chan_bw_mhz))
