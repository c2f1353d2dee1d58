"""Fast Folding Algorithm search for long periods (riptide), where red noise hurts the FFT most.

The FFA folds a series at every trial period with no loss to scalloping or to the spread of a
narrow pulse's power over many harmonics, so it is the more sensitive search above ~0.5 s. It
runs on a thinned subset of the DM trials: at its coarser time resolution (``TSAMP_S``) the
FFT's DM step is finer than needed.

Its boxcar matched-filter S/N is converted to the FFT candidates' scale (equivalent Gaussian
sigma after the trials of the periodogram) so both kinds of candidate sift together.
"""

from __future__ import annotations

import math

import numpy as np
from riptide import TimeSeries, ffa_search, find_peaks
from scipy.special import log_ndtr, ndtri_exp

from palfa.search.accel import RawCandidate
from palfa.search.dedisperse import downsample
from palfa.search.plan import DedispersionPlan, band_delay_per_dm

PERIOD_MIN_S = 0.5
PERIOD_MAX_S = 10.0
TSAMP_S = 1e-3  # series are downsampled to about this resolution before the search
MIN_PULSES = 3  # the longest period searched fits at least this many times in the data
BINS_MIN, BINS_MAX = 128, 144  # phase bins per trial profile (riptide rescales to stay inside)
DUCY_MAX = 0.25  # widest boxcar, as a fraction of the period
RMED_WIDTH_S = 5.0  # running-median dereddening window (wider than the widest pulse searched)
PEAK_SNR = 6.0  # periodogram peaks below this S/N are not candidates
SAME_PEAK_BINS = 1.1  # peaks closer than this (Fourier bins of the observation) are one


class FfaCandidate(RawCandidate):
    """A candidate of the FFA search. Its powers (``ipow``, ``cpow``, ``max_harm_pow``) hold the
    matched-filter S/N squared: the FFT's power cuts do not apply to it."""


def ffa_sigma(snr: float, ntrials: float) -> float:
    """Equivalent Gaussian sigma of a matched-filter S/N found among ``ntrials`` trials."""
    logp = math.log(max(ntrials, 1.0)) + float(log_ndtr(-snr))
    return max(0.0, -float(ndtri_exp(min(logp, 0.0))))


def ffa_trial_mask(plan: DedispersionPlan, freqs_mhz: np.ndarray, tsamp_s: float) -> np.ndarray:
    """Which of ``plan.dms`` the FFA searches: each plan step thinned to the DM step whose band
    smearing is two FFA samples (a pulse at least ``PERIOD_MIN_S * 2 %`` wide still spans
    several of these trials, so sifting sees it at more than one DM)."""
    band = band_delay_per_dm(freqs_mhz)
    mask: list[np.ndarray] = []
    for step in plan.steps:
        dt = max(TSAMP_S, step.downsamp * tsamp_s)
        stride = max(1, int(2.0 * dt / band / step.dm_step))
        mask.append(np.arange(step.ndm) % stride == 0)
    return np.concatenate(mask)


def _distinct(peaks: list, tol_hz: float) -> list:
    """The strongest peak of each group of peaks (one per width trial) at the same frequency."""
    kept: list = []
    for peak in sorted(peaks, key=lambda p: p.snr, reverse=True):
        if all(abs(peak.freq - k.freq) > tol_hz for k in kept):
            kept.append(peak)
    return kept


def ffa_search_series(series: np.ndarray, dt: float, dm: float) -> list[FfaCandidate]:
    """Long-period candidates of one dedispersed series (sampled every ``dt`` seconds)."""
    factor = max(1, int(TSAMP_S / dt))
    data = downsample(np.asarray(series, dtype=np.float32)[None, :], factor)[0]
    tsamp = factor * dt
    tobs = len(data) * tsamp
    period_max = min(PERIOD_MAX_S, tobs / MIN_PULSES)
    period_min = max(PERIOD_MIN_S, tsamp * BINS_MIN)  # coarse (downsampled) series: longer only
    too_short = tobs < 2 * RMED_WIDTH_S  # no room to deredden: no long periods to find either
    if too_short or period_max <= period_min or not np.isfinite(data).all() or data.std() == 0:
        return []
    _, pgram = ffa_search(
        TimeSeries.from_numpy_array(data, tsamp), period_min=period_min, period_max=period_max,
        fpmin=MIN_PULSES, bins_min=BINS_MIN, bins_max=BINS_MAX, ducy_max=DUCY_MAX,
        deredden=True, rmed_width=RMED_WIDTH_S,
    )
    peaks, _ = find_peaks(pgram, smin=PEAK_SNR)
    ntrials = float(pgram.snrs.size)
    return [
        FfaCandidate(
            dm=float(dm), r=float(p.freq * tobs), freq_hz=float(p.freq),
            sigma=ffa_sigma(float(p.snr), ntrials), numharm=1,
            ipow=float(p.snr) ** 2, cpow=float(p.snr) ** 2, max_harm_pow=float(p.snr) ** 2,
        )
        for p in _distinct(peaks, SAME_PEAK_BINS / tobs)
    ]
