"""Periodicity search of one dedispersed series: PRESTO's accelsearch (Ransom et al. 2002).

Each pass matched-filters the normalised spectrum over Fourier frequency (half-bin steps) and
frequency drift z (steps of 2 bins up to its zmax; zmax = 0 is a plain Fourier-interpolated
search), sums harmonics across the (r, z) plane and keeps the peaks above the pass's sigma.
Passes with the same zmax share one plane.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from palfa.config.settings import SearchingSettings
from palfa.search.fftw import Transform
from palfa.search.harmonics import harmonic_positions, harmonic_stages, stage_max
from palfa.search.significance import candidate_sigma, independent_trials, power_threshold
from palfa.search.spectrum import normalised_spectrum
from palfa.search.zaplist import Zaplist
from palfa.search.zplane import plane_shape, plane_transforms, power_plane
from palfa.search.zresponse import z_grid


@dataclass
class RawCandidate:
    """One harmonic-summed peak at one DM, before sifting."""

    dm: float
    r: float  # mid-observation Fourier frequency in bins of the observation
    freq_hz: float
    sigma: float
    numharm: int
    ipow: float  # summed normalised power
    cpow: float  # power of the harmonics added in phase: (sum of amplitudes)**2
    max_harm_pow: float  # largest single-harmonic power
    z: float = 0.0  # Fourier drift of the fundamental over the observation (bins)
    fdot_hz_s: float = 0.0  # z / T**2

    @property
    def period_s(self) -> float:
        return 1.0 / self.freq_hz


@dataclass(frozen=True)
class AccelParams:
    numharm: int
    sigma: float
    flo_hz: float
    zmax: float = 0.0


def palfa_passes(settings: SearchingSettings) -> list[AccelParams]:
    """PALFA's two passes: low (zmax 0, 16 harmonics) and high (zmax 50, 8 harmonics)."""
    return [
        AccelParams(settings.lo_accel_numharm, settings.lo_accel_sigma, settings.lo_accel_flo,
                    settings.lo_accel_zmax),
        AccelParams(settings.hi_accel_numharm, settings.hi_accel_sigma, settings.hi_accel_flo,
                    settings.hi_accel_zmax),
    ]


def search_transforms(nsamp: int, passes: list[AccelParams]) -> list[Transform]:
    """The FFTs ``search_series`` runs on a series of ``nsamp`` samples."""
    zmaxes = sorted({p.zmax for p in passes})
    return [("rfft", (nsamp,)), *(t for zmax in zmaxes for t in plane_transforms(zmax))]


def _peaks(index: np.ndarray, values: np.ndarray, gap: int) -> list[int]:
    """Positions (into the arrays) of the largest value of each run of nearby indices."""
    if len(index) == 0:
        return []
    order = np.argsort(index, kind="stable")
    breaks = np.flatnonzero(np.diff(index[order]) > gap) + 1
    return [int(run[np.argmax(values[run])]) for run in np.split(order, breaks)]


_buffers = threading.local()  # per thread: the planes of the last series searched


def _plane_buffer(shape: tuple[int, int]) -> np.ndarray:
    """A float32 array of ``shape``, the same one as for the previous trial of this length (one
    per pass: lo and hi); the next call of the same thread overwrites it."""
    planes: dict[tuple[int, int], np.ndarray] = _buffers.__dict__.setdefault("planes", {})
    if shape not in planes:
        if len(planes) >= 2:
            planes.pop(next(iter(planes)))
        planes[shape] = np.empty(shape, np.float32)
    return planes[shape]


def search_series(
    series: np.ndarray, dt: float, dm: float, passes: list[AccelParams],
    zaplist: Zaplist | None = None,
) -> list[RawCandidate]:
    """Candidates of every search pass (e.g. PALFA's lo and hi passes) over one spectrum."""
    spectrum = normalised_spectrum(series, dt, zaplist)
    obs_time = len(series) * dt
    planes: dict[float, np.ndarray] = {}
    out: list[RawCandidate] = []
    for params in passes:
        if params.zmax not in planes:
            shape = plane_shape(len(spectrum), params.zmax)
            planes[params.zmax] = power_plane(spectrum, params.zmax, out=_plane_buffer(shape))
        out += search_plane(planes[params.zmax], obs_time, dm, params)
    return out


def search_plane(
    plane: np.ndarray, obs_time: float, dm: float, params: AccelParams
) -> list[RawCandidate]:
    """One pass over the ``power_plane`` of a spectrum searched up to ``params.zmax``."""
    nz, nhalf = plane.shape
    zs = z_grid(params.zmax)
    rlo = max(1.0, params.flo_hz * obs_time)
    best_sums, best_rows = stage_max(plane, params.numharm, first=int(2 * rlo))
    best: dict[int, RawCandidate] = {}
    for s, h in enumerate(harmonic_stages(params.numharm)):
        ntrials = independent_trials(nhalf // 2, rlo, h, nz)
        first = max(int(2 * rlo), 1) * h
        sums = best_sums[s]
        index = np.flatnonzero(sums[first:] > power_threshold(params.sigma, h, ntrials)) + first
        for pos in _peaks(index, sums[index], gap=2 * h):
            i = int(index[pos])
            ipow, row = float(sums[i]), int(best_rows[s, i])
            sigma = candidate_sigma(ipow, h, ntrials)
            if sigma < params.sigma:
                continue
            harm = plane[harmonic_positions(i, row, nz, h)]
            r, z = i / (2.0 * h), float(zs[row]) / h
            cand = RawCandidate(
                dm=float(dm), r=r, freq_hz=r / obs_time, sigma=sigma, numharm=h,
                ipow=ipow, cpow=float(np.sqrt(np.maximum(harm, 0)).sum() ** 2),
                max_harm_pow=float(harm.max()), z=z, fdot_hz_s=z / obs_time**2,
            )
            key = int(r // 2)  # one candidate per fundamental (2 bins): keep the best stage
            if key not in best or best[key].sigma < sigma:
                best[key] = cand
    return sorted(best.values(), key=lambda c: c.sigma, reverse=True)
