"""Periodicity search of one dedispersed series (accelsearch with zmax = 0)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from palfa.search.harmonics import harmonic_powers, harmonic_stages, harmonic_sums_above
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
    """Candidates of every search pass (e.g. PALFA's lo and hi passes) over one spectrum."""
    powers = half_bin_powers(series, dt, zaplist)
    obs_time = len(series) * dt
    return [c for params in passes for c in search_spectrum(powers, obs_time, dm, params)]


def search_spectrum(
    powers: np.ndarray, obs_time: float, dm: float, params: AccelParams
) -> list[RawCandidate]:
    nbins = len(powers) // 2  # integer Fourier bins
    rlo = max(1.0, params.flo_hz * obs_time)
    stages = harmonic_stages(params.numharm)
    ntrials = [max(1.0, nbins / h - rlo) for h in stages]
    thresholds = np.array(
        [power_threshold(params.sigma, h, n) for h, n in zip(stages, ntrials, strict=True)]
    )
    index, stage, total = harmonic_sums_above(powers, int(2 * rlo), stages, thresholds)
    best: dict[int, RawCandidate] = {}
    for s, h in enumerate(stages):
        sel = stage == s
        for pos in _peaks(index[sel], total[sel], gap=2 * h):
            i, ipow = int(index[sel][pos]), float(total[sel][pos])
            r = i / (2.0 * h)
            sigma = candidate_sigma(ipow, h, ntrials[s])
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
