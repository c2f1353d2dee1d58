"""Incoherent harmonic summing over a half-bin sampled spectrum (1, 2, 4, 8, 16... harmonics).

For a fundamental at half-bin index i the k-th harmonic sits exactly at index k*i, so the sum is
a strided gather; a point is reported when the sum of any stage passes that stage's threshold.
"""

from __future__ import annotations

import numba
import numpy as np


def harmonic_stages(numharm: int) -> tuple[int, ...]:
    stages, h = [], 1
    while h <= numharm:
        stages.append(h)
        h *= 2
    return tuple(stages)


@numba.njit(cache=True)
def _sum_above(powers, lo, stages, thresholds, max_hits):  # pragma: no cover - compiled
    """Stage h is indexed by its top harmonic's half-bin i; harmonic k sits at round(i*k/h)."""
    n = powers.shape[0]
    idx = np.empty(max_hits, np.int64)
    stage = np.empty(max_hits, np.int64)
    total = np.empty(max_hits, np.float32)
    nhits = 0
    for s in range(stages.shape[0]):
        h = stages[s]
        for i in range(lo * h, n):
            acc = 0.0
            for k in range(1, h + 1):
                acc += powers[(i * k + h // 2) // h]
            if acc > thresholds[s] and nhits < max_hits:
                idx[nhits] = i
                stage[nhits] = s
                total[nhits] = acc
                nhits += 1
    return idx[:nhits], stage[:nhits], total[:nhits]


def harmonic_sums_above(
    powers: np.ndarray, lo: int, stages: tuple[int, ...], thresholds: np.ndarray,
    max_hits: int = 200_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(top-harmonic half-bin index, stage number, summed power) of every point above its stage
    threshold; the fundamental of a hit at index i in stage h is at r = i / (2 h)."""
    return _sum_above(
        powers, max(int(lo), 1), np.asarray(stages, np.int64),
        np.asarray(thresholds, np.float64), max_hits,
    )


def harmonic_powers(powers: np.ndarray, index: int, numharm: int) -> np.ndarray:
    """Individual powers of the harmonics of a stage-``numharm`` hit at ``index``."""
    return powers[(index * np.arange(1, numharm + 1) + numharm // 2) // numharm]
