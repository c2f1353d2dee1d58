"""Folding a candidate from the cleaned raw data, with a local period and DM search (prepfold).

The data are dedispersed into subbands at the candidate DM and folded into a
(sub-integration, subband, phase bin) cube; trial DMs and periods near the candidate are then
tried by rotating the cube's profiles, keeping the one with the highest profile S/N.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from palfa.search.dedisperse import delays_s, form_subbands
from palfa.search.rfi import CleanBeam

NBINS = 64
NPART = 32
NSUB = 32
NTRIAL = 41  # trial DMs and trial periods each


@dataclass
class FoldResult:
    period_s: float  # best folded period
    dm: float  # best folded DM
    snr: float  # profile S/N at the best period and DM
    profile: np.ndarray  # (nbins,) in units of the per-bin noise
    cube: np.ndarray  # (npart, nsub, nbins) aligned at the best period and DM
    sub_freqs_mhz: np.ndarray
    part_times_s: np.ndarray
    dm_trials: np.ndarray
    dm_snrs: np.ndarray
    period_trials: np.ndarray
    period_snrs: np.ndarray

    def save(self, path: Path, **meta: float) -> None:
        np.savez_compressed(path, **{k: v for k, v in vars(self).items()}, **meta)


@numba.njit(cache=True)
def _fold(sub, dt, freq, npart, nbins):  # pragma: no cover - compiled
    nsub, n = sub.shape
    sums = np.zeros((npart, nsub, nbins))
    counts = np.zeros((npart, nbins))
    per_part = n / npart
    for t in range(n):
        phase = (t + 0.5) * dt * freq
        b = int((phase - np.floor(phase)) * nbins) % nbins
        p = min(int(t / per_part), npart - 1)
        counts[p, b] += 1
        for s in range(nsub):
            sums[p, s, b] += sub[s, t]
    return sums, counts


def profile_snr(profile: np.ndarray, noise_per_bin: np.ndarray) -> float:
    """Best boxcar (any width, any phase) S/N of a profile, off-pulse mean as baseline."""
    z = profile / noise_per_bin
    n = len(z)
    total = z.sum()
    best = 0.0
    wrapped = np.concatenate([z, z])
    csum = np.concatenate([[0.0], np.cumsum(wrapped)])
    for w in range(1, n // 2 + 1):
        window = csum[w:w + n] - csum[:n]
        off_mean = (total - window) / (n - w)
        snr = (window - w * off_mean) / np.sqrt(w * (1 + w / (n - w)))
        best = max(best, float(snr.max()))
    return best


def _rotate(spec: np.ndarray, shifts_bins: np.ndarray, nbins: int) -> np.ndarray:
    """Rotate profiles (given as rfft along the last axis) left by ``shifts_bins``."""
    k = np.arange(spec.shape[-1])
    return spec * np.exp(2j * np.pi * k * shifts_bins[..., None] / nbins)


class _Cube:
    """A folded cube and what is needed to re-align it at nearby periods and DMs."""

    def __init__(self, beam: CleanBeam, period_s: float, dm: float):
        self.freq, self.dm = 1.0 / period_s, dm
        self.nbins = int(max(8, min(NBINS, period_s / beam.tsamp_s)))
        sub, self.ref = form_subbands(beam.data, beam.freqs_mhz, dm, beam.tsamp_s, NSUB)
        npart = NPART if beam.nsamp >= 100 * NPART else 4
        self.sums, counts = _fold(sub, beam.tsamp_s, self.freq, npart, self.nbins)
        self.noise = np.sqrt(counts.sum(axis=0) * float(sub.var(axis=1).sum()))
        self.noise = np.where(self.noise > 0, self.noise, 1.0)
        obs = beam.nsamp * beam.tsamp_s
        self.times = (np.arange(npart) + 0.5) * obs / npart - obs / 2
        self.spec = np.fft.rfft(self.sums, axis=-1)

    def aligned(self, ddm: float, dfreq: float) -> np.ndarray:
        sub_shift = delays_s(self.ref, self.dm + ddm, float(self.ref.max())) * self.freq
        part_shift = -dfreq * self.times
        shifts = (sub_shift[None, :] + part_shift[:, None]) * self.nbins
        return np.fft.irfft(_rotate(self.spec, shifts, self.nbins), n=self.nbins, axis=-1)

    def snr(self, ddm: float, dfreq: float) -> float:
        return profile_snr(self.aligned(ddm, dfreq).sum(axis=(0, 1)), self.noise)


def fold_candidate(beam: CleanBeam, period_s: float, dm: float, dm_step: float) -> FoldResult:
    cube = _Cube(beam, period_s, dm)
    obs = beam.nsamp * beam.tsamp_s
    ddms = np.linspace(-dm_step, dm_step, NTRIAL)
    ddms = ddms[dm + ddms >= 0]
    dfreqs = np.linspace(-2.0 / obs, 2.0 / obs, NTRIAL)
    best_ddm, best_df = 0.0, 0.0
    for _ in range(2):  # alternate DM and period searches
        dm_snrs = np.array([cube.snr(d, best_df) for d in ddms])
        best_ddm = float(ddms[np.argmax(dm_snrs)])
        p_snrs = np.array([cube.snr(best_ddm, f) for f in dfreqs])
        best_df = float(dfreqs[np.argmax(p_snrs)])
    aligned = cube.aligned(best_ddm, best_df)
    profile = aligned.sum(axis=(0, 1))
    return FoldResult(
        period_s=1.0 / (cube.freq + best_df), dm=dm + best_ddm,
        snr=profile_snr(profile, cube.noise), profile=profile / cube.noise, cube=aligned,
        sub_freqs_mhz=cube.ref, part_times_s=cube.times + obs / 2,
        dm_trials=dm + ddms, dm_snrs=dm_snrs,
        period_trials=1.0 / (cube.freq + dfreqs), period_snrs=p_snrs,
    )
