"""Dedispersion plan (DDplan-like): which DMs to try and at what time resolution.

The DM step is chosen so that half a step of DM error smears the pulse across the band by no more
than one (downsampled) sample; the time resolution is halved (downsampling doubled) each time the
dispersive smearing inside one channel reaches two samples, because finer samples are then wasted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from palfa.errors import SearchError

K_DM = 4.148808e3  # dispersion constant: delay (s) = K_DM * DM * f_MHz**-2
MAX_DOWNSAMP = 64
SAMPLES_PER_SMEAR = 4  # keep a time resolution while channel smearing spans fewer samples


@dataclass(frozen=True)
class DedispersionStep:
    """``ndm`` trials from ``dm_lo`` in steps of ``dm_step``, searched at ``downsamp`` x tsamp."""

    dm_lo: float
    dm_step: float
    ndm: int
    downsamp: int

    @property
    def dms(self) -> np.ndarray:
        return self.dm_lo + self.dm_step * np.arange(self.ndm)


@dataclass(frozen=True)
class DedispersionPlan:
    steps: tuple[DedispersionStep, ...]

    @property
    def dms(self) -> np.ndarray:
        """The flat list of every DM trial, ascending."""
        return np.concatenate([s.dms for s in self.steps])

    def step_at(self, dm: float) -> DedispersionStep:
        """The plan step whose DM range holds ``dm`` (the last one beyond the range)."""
        for step in self.steps:
            if dm < step.dm_lo + step.dm_step * step.ndm:
                return step
        return self.steps[-1]


def band_delay_per_dm(freqs_mhz: np.ndarray) -> float:
    """Seconds of dispersive delay between the lowest and highest channel per unit DM."""
    return K_DM * (float(np.min(freqs_mhz)) ** -2 - float(np.max(freqs_mhz)) ** -2)


def channel_smear_per_dm(freqs_mhz: np.ndarray, chan_bw_mhz: float) -> float:
    """Seconds of dispersive smearing inside the lowest channel per unit DM."""
    return 2.0 * K_DM * abs(chan_bw_mhz) / float(np.min(freqs_mhz)) ** 3


def make_plan(
    tsamp_s: float, freqs_mhz: np.ndarray, chan_bw_mhz: float, max_dm: float, nsamp: int
) -> DedispersionPlan:
    if max_dm <= 0 or len(freqs_mhz) < 2 or tsamp_s <= 0:
        raise SearchError(
            "dedispersion plan", f"cannot plan for max_dm={max_dm}, {len(freqs_mhz)} channels",
            "set searching.max_dm > 0 and give a beam with at least two channels",
        )
    band = band_delay_per_dm(freqs_mhz)
    smear = channel_smear_per_dm(freqs_mhz, chan_bw_mhz)
    steps: list[DedispersionStep] = []
    dm_lo, downsamp = 0.0, 1
    while dm_lo < max_dm:
        dt = downsamp * tsamp_s
        dm_step = 2.0 * dt / band
        last = downsamp >= MAX_DOWNSAMP or nsamp // (2 * downsamp) < 1024
        dm_hi = max_dm if last else min(max_dm, SAMPLES_PER_SMEAR * dt / smear)
        ndm = max(1, int(np.ceil((dm_hi - dm_lo) / dm_step)))
        if dm_hi > dm_lo:
            steps.append(DedispersionStep(dm_lo, dm_step, ndm, downsamp))
            dm_lo += ndm * dm_step
        downsamp *= 2
    return DedispersionPlan(tuple(steps))
