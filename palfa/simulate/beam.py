"""Simulate one PALFA beam: two Mock PSRFITS files (s0 = lower, s1 = upper half of the band).

Noise is Gaussian with unit rms per channel (in calibrated units) on a bandpass; pulsars are
dispersed, optionally accelerated Gaussian pulses whose amplitude is set numerically so their
ideal matched-filter S/N is exactly the requested one; a truth JSON records what went in.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from astropy.time import Time

from palfa.errors import ConfigError
from palfa.psrfits.names import SUBBANDS, MockFileName
from palfa.psrfits.writer import SAMPLE_RANGE, ObservationInfo, write_psrfits
from palfa.simulate.pulsar import (
    InjectedPulsar,
    channel_profiles,
    dispersion_delay_s,
    profile_at,
)
from palfa.simulate.rfi import RfiPlan, plan_rfi

# Quantization: the stored range spans this many noise rms (4-bit: 0.4 sigma per level).
RANGE_IN_SIGMA = 6.4
BANDPASS_LEVEL = 100.0  # mean of the calibrated data, shaped across the band


@dataclass(frozen=True)
class BeamSpec:
    """What to simulate; the defaults are the demo's beam (128 channels, 2**18 samples)."""

    source_name: str = "G45.00+0.00"
    ra_str: str = "19:13:42.62"
    dec_str: str = "+10:43:25.3"
    mjd: float = 61370.166666666664  # 2026-11-26 04:00 UTC
    beam: int = 3
    scan: int = 100
    project_id: str = "p2030"
    nbits: int = 8
    nchan_per_file: int = 64
    fmin_mhz: float = 1214.3
    fmax_mhz: float = 1536.8
    tsamp_s: float = 128e-6
    nsamp: int = 2**18
    nsblk: int = 2048
    seed: int = 0
    pulsars: tuple[InjectedPulsar, ...] = field(default_factory=tuple)
    rfi: bool = False

    def check(self) -> None:
        problems = []
        if self.nbits not in SAMPLE_RANGE:
            problems.append(f"nbits={self.nbits} is not one of {sorted(SAMPLE_RANGE)}")
        if self.nsamp <= 0 or self.nsamp % self.nsblk:
            problems.append(f"nsamp={self.nsamp} is not a positive multiple of nsblk={self.nsblk}")
        if self.nchan_per_file < 2 or self.nchan_per_file % 2:
            problems.append(f"nchan_per_file={self.nchan_per_file} must be even and >= 2")
        if not 0 < self.fmin_mhz < self.fmax_mhz:
            problems.append(f"band {self.fmin_mhz}-{self.fmax_mhz} MHz is not 0 < fmin < fmax")
        for p in self.pulsars:
            if p.period_s <= 0 or p.dm < 0 or not 0 < p.duty_cycle < 0.5 or p.snr < 0:
                problems.append(f"pulsar {p} needs period>0, dm>=0, 0<duty_cycle<0.5, snr>=0")
        if problems:
            raise ConfigError(
                "beam spec", "; ".join(problems), "correct the listed settings", problems
            )

    def file_name(self, subband: int) -> MockFileName:
        date = Time(self.mjd, format="mjd").strftime("%Y%m%d")
        return MockFileName(
            self.nbits, self.project_id, date, self.source_name, self.beam, subband, self.scan
        )

    @property
    def obs_name(self) -> str:
        return self.file_name(0).obs_name

    @property
    def chan_bw_mhz(self) -> float:
        """Signed channel width: negative because Mock channels descend in frequency."""
        return -(self.fmax_mhz - self.fmin_mhz) / (2 * self.nchan_per_file)

    def freqs_mhz(self, subband: int) -> np.ndarray:
        """Channel centres of one sub-band file, descending."""
        width = -self.chan_bw_mhz
        lowest = self.fmin_mhz + subband * self.nchan_per_file * width
        return lowest + (np.arange(self.nchan_per_file)[::-1] + 0.5) * width

    def observation(self) -> ObservationInfo:
        return ObservationInfo(
            source_name=self.source_name,
            ra_str=self.ra_str,
            dec_str=self.dec_str,
            mjd=self.mjd,
            beam=self.beam,
            project_id=self.project_id.upper(),
        )


@dataclass(frozen=True)
class SimulatedBeam:
    obs_name: str
    files: tuple[Path, ...]  # s0, s1
    truth_path: Path
    pulsars: tuple[InjectedPulsar, ...]


def _amplitude(pulsar: InjectedPulsar, spec: BeamSpec, freqs: np.ndarray, times: np.ndarray):
    """Per-sample peak amplitude (noise rms units) giving the pulsar its requested S/N.

    s(t) is the noise-free band sum after ideal dedispersion, i.e. the undelayed profiles
    summed, taken about its mean (a constant offset is indistinguishable from the baseline, so
    no search can detect it); the summed noise has rms sqrt(nchan).
    """
    profiles = channel_profiles(pulsar, freqs, spec.chan_bw_mhz, spec.tsamp_s)
    band_sum = profile_at(profiles.sum(axis=0), pulsar.spin_phase(times))
    band_sum -= band_sum.mean()
    energy = float(np.sqrt(np.sum(band_sum**2)))
    amplitude = pulsar.snr * np.sqrt(len(freqs)) / energy if energy > 0 else 0.0
    return amplitude, profiles


def _bandpass(freqs: np.ndarray, spec: BeamSpec) -> np.ndarray:
    x = (freqs - spec.fmin_mhz) / (spec.fmax_mhz - spec.fmin_mhz)
    return BANDPASS_LEVEL * (0.6 + 0.4 * np.sin(np.pi * x))


def _quantize(data: np.ndarray, nbits: int) -> tuple[np.ndarray, float, float]:
    """Unit-rms data (nchan, nsamp) -> stored integers (nsamp, nchan), scale, level of zero."""
    lo, hi = SAMPLE_RANGE[nbits]
    scale = RANGE_IN_SIGMA / (hi - lo + 1)
    middle = (lo + hi) / 2.0
    data *= np.float32(1.0 / scale)
    data += np.float32(middle)
    np.rint(data, out=data)
    np.clip(data, lo, hi, out=data)
    dtype = np.int16 if nbits == 16 else np.uint8
    return data.T.astype(dtype), scale, middle


def simulate_beam(spec: BeamSpec, outdir: str | Path) -> SimulatedBeam:
    """Write the beam's s0/s1 files and ``<obs_name>.truth.json`` into ``outdir``."""
    spec.check()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    noise_seed, rfi_seed = np.random.SeedSequence(spec.seed).spawn(2)
    noise_rng = np.random.default_rng(noise_seed)
    times = np.arange(spec.nsamp) * spec.tsamp_s
    all_freqs = np.concatenate([spec.freqs_mhz(s) for s in SUBBANDS])
    ref_mhz = float(all_freqs.max())
    injected = [(p, *_amplitude(p, spec, all_freqs, times)) for p in spec.pulsars]
    rfi = (
        plan_rfi(np.random.default_rng(rfi_seed), all_freqs, spec.nsamp * spec.tsamp_s)
        if spec.rfi
        else RfiPlan((), ())
    )

    files = []
    for subband in SUBBANDS:
        freqs = spec.freqs_mhz(subband)
        first = subband * spec.nchan_per_file  # this file's rows in the profiles arrays
        data = noise_rng.standard_normal((len(freqs), spec.nsamp), dtype=np.float32)
        for pulsar, amplitude, profiles in injected:
            delays = dispersion_delay_s(pulsar.dm, freqs, ref_mhz)
            for channel, delay in enumerate(delays):
                phase = pulsar.spin_phase(times - delay)
                data[channel] += amplitude * profile_at(profiles[first + channel], phase)
        rfi.add_to(data, freqs, spec.tsamp_s)
        samples, scale, middle = _quantize(data, spec.nbits)
        path = outdir / spec.file_name(subband).format()
        write_psrfits(
            path,
            samples,
            freqs,
            spec.tsamp_s,
            spec.observation(),
            nbits=spec.nbits,
            nsblk=spec.nsblk,
            scales=np.full(len(freqs), scale),
            offsets=_bandpass(freqs, spec) - middle * scale,
        )
        files.append(path)

    truth_path = outdir / f"{spec.obs_name}.truth.json"
    truth = {
        "obs_name": spec.obs_name,
        "files": [p.name for p in files],
        "spec": {k: v for k, v in asdict(spec).items() if k != "pulsars"},
        "pulsars": [
            {**p.to_dict(), "amplitude_sigma": float(amplitude)}
            for p, amplitude, _ in injected
        ],
        "rfi": rfi.to_dict(),
    }
    truth_path.write_text(json.dumps(truth, indent=2))
    return SimulatedBeam(spec.obs_name, tuple(files), truth_path, spec.pulsars)
