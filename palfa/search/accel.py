"""Periodicity search of one dedispersed series (accelsearch with zmax = 0)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from palfa.search.harmonics import harmonic_powers, harmonic_stages, stage_sums
from palfa.search.significance import candidate_sigma, power_threshold
from palfa.search.spectrum import half_bin_powers
from palfa.search.zaplist import Zaplist


@dataclass
class RawCandidate:
    """One harmonic-summed peak at one DM, before sifting."""

    dm: float
    r: float  # Fourier frequency in bins of the observation
    freq_hz: float
    sigma: float
    numharm: int
    ipow: float  # summed normalised power
    cpow: float  # power of the harmonics added in phase: (sum of amplitudes)**2
    max_harm_pow: float  # largest single-harmonic power

    @property
    def period_s(self) -> float:
        return 1.0 / self.freq_hz


@dataclass(frozen=True)
class AccelParams:
    numharm: int
    sigma: float
    flo_hz: float


def _peaks(index: np.ndarray, values: np.ndarray, gap: int) -> list[int]:
    """Positions (into the arrays) of the largest value of each run of nearby indices."""
    if len(index) == 0:
        return []
    order = np.argsort(index, kind="stable")
    breaks = np.flatnonzero(np.diff(index[order]) > gap) + 1
    return [int(run[np.argmax(values[run])]) for run in np.split(order, breaks)]


def search_series(
    series: np.ndarray, dt: float, dm: float, passes: list[AccelParams],
    zaplist: Zaplist | None = None,
) -> list[RawCandidate]:
    """Candidates of every search pass (e.g. PALFA's lo and hi passes) over one spectrum; the
    harmonic sums are computed once for all passes."""
    powers = half_bin_powers(series, dt, zaplist)
    sums = stage_sums(powers, max(p.numharm for p in passes))
    obs_time = len(series) * dt
    return [c for params in passes for c in search_spectrum(powers, sums, obs_time, dm, params)]


def search_spectrum(
    powers: np.ndarray, sums: np.ndarray, obs_time: float, dm: float, params: AccelParams
) -> list[RawCandidate]:
    """One pass over a spectrum whose ``stage_sums`` are ``sums``."""
    nbins = len(powers) // 2  # integer Fourier bins
    rlo = max(1.0, params.flo_hz * obs_time)
    best: dict[int, RawCandidate] = {}
    for s, h in enumerate(harmonic_stages(params.numharm)):
        ntrials = max(1.0, nbins / h - rlo)
        first = max(int(2 * rlo), 1) * h
        index = np.flatnonzero(sums[s, first:] > power_threshold(params.sigma, h, ntrials)) + first
        for pos in _peaks(index, sums[s, index], gap=2 * h):
            i, ipow = int(index[pos]), float(sums[s, index[pos]])
            r = i / (2.0 * h)
            sigma = candidate_sigma(ipow, h, ntrials)
            if sigma < params.sigma:
                continue
            harm = harmonic_powers(powers, i, h)
            cand = RawCandidate(
                dm=float(dm), r=r, freq_hz=r / obs_time, sigma=sigma, numharm=h,
                ipow=ipow, cpow=float(np.sqrt(np.maximum(harm, 0)).sum() ** 2),
                max_harm_pow=float(harm.max()),
            )
            key = int(r // 2)  # one candidate per fundamental (2 bins): keep the best stage
            if key not in best or best[key].sigma < sigma:
                best[key] = cand
    return sorted(best.values(), key=lambda c: c.sigma, reverse=True)
