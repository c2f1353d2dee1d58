"""Incoherent harmonic summing over a half-bin sampled spectrum (1, 2, 4, 8, 16... harmonics).

For a top harmonic at half-bin index i, stage h sums the powers at round(i*k/h), k = 1..h. The
even terms of stage 2h are exactly the terms of stage h, so each stage adds only its odd
harmonics to the previous one (PRESTO's way): 16 gathers per index for five stages instead of 31.
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


@numba.njit(parallel=True, cache=True)
def _stage_sums(powers, nstages):  # pragma: no cover - compiled
    n = powers.shape[0]
    out = np.empty((nstages, n), np.float32)
    for i in numba.prange(n):
        acc = np.float32(powers[i])
        out[0, i] = acc
        for s in range(1, nstages):
            half = 1 << (s - 1)  # stage 2**s adds round(i*k / 2**s) for odd k
            for k in range(1, 2 * half, 2):
                acc += powers[(i * k + half) >> s]
            out[s, i] = acc
    return out


def stage_sums(powers: np.ndarray, numharm: int) -> np.ndarray:
    """(stage, top-harmonic half-bin index) summed powers for the stages up to ``numharm``;
    the fundamental of index i in stage h is at r = i / (2 h)."""
    return _stage_sums(np.ascontiguousarray(powers, np.float32), len(harmonic_stages(numharm)))


def harmonic_powers(powers: np.ndarray, index: int, numharm: int) -> np.ndarray:
    """Individual powers of the harmonics of a stage-``numharm`` hit at ``index``."""
    return powers[(index * np.arange(1, numharm + 1) + numharm // 2) // numharm]
