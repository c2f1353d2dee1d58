"""Complex spectrum of a dedispersed series, normalised for the harmonic search.

Red noise is removed the PRESTO way: the spectrum is divided by the square root of the local
power level (median / ln 2 over blocks that widen with frequency). Interpolation between bins
(against scalloping) is done by the matched filters of ``zplane``.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

import numba
import numpy as np

from palfa.search.fftw import rfft
from palfa.search.zaplist import Zaplist

LN2 = float(np.log(2.0))
FIRST_BLOCK = 6  # bins in the first red-noise block (PRESTO's rednoise)
LAST_BLOCK = 200  # widest red-noise block


@lru_cache(maxsize=8)
def _block_edges(nbins: int) -> np.ndarray:
    edges, width = [1], float(FIRST_BLOCK)
    while edges[-1] < nbins:
        edges.append(min(nbins, edges[-1] + int(width)))
        width = min(LAST_BLOCK, width * 1.2)
    return np.asarray(edges)


def _block_medians(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Median of each block; blocks of equal width are done in one vectorised call."""
    widths = np.diff(edges)
    runs = np.flatnonzero(np.diff(widths)) + 1
    medians = []
    for a, b in pairwise([0, *runs, len(widths)]):
        lo, width = edges[a], widths[a]
        blocks = values[lo:lo + (b - a) * width].reshape(b - a, width)
        medians.append(np.median(blocks, axis=1))
    return np.concatenate(medians)


@numba.njit(cache=True, fastmath=True)
def _divide_by_root_level(spec, mids, level):  # pragma: no cover - compiled
    """spec[k] /= sqrt(level at k), the level linearly interpolated between block centres (and
    constant beyond the first and last): np.interp, sqrt and the division in one pass."""
    block = 0
    for k in range(spec.shape[0]):
        while block < len(mids) - 1 and mids[block + 1] <= k:
            block += 1
        if k <= mids[0]:
            value = level[0]
        elif block == len(mids) - 1:
            value = level[-1]
        else:
            frac = (k - mids[block]) / (mids[block + 1] - mids[block])
            value = level[block] + frac * (level[block + 1] - level[block])
        spec[k] /= np.sqrt(value)


def local_power_level(powers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local mean power (median / ln 2 over widening blocks) and the block centres (bins) it
    is measured at."""
    edges = _block_edges(len(powers))
    mids = 0.5 * (edges[:-1] + edges[1:] - 1)
    level = _block_medians(powers, edges) / LN2
    return mids, np.where(level > 0, level, max(float(level.max()), 1e-30))


def normalised_spectrum(
    series: np.ndarray, dt: float, zaplist: Zaplist | None = None
) -> np.ndarray:
    """Complex spectrum at integer Fourier bins scaled to unit local mean power (complex64).

    Frequencies listed in ``zaplist`` (and the DC bin) are set to zero.
    """
    spec = rfft(np.asarray(series, np.float32))
    _divide_by_root_level(spec, *local_power_level(spec.real**2 + spec.imag**2))
    spec[0] = 0.0  # the mean
    if zaplist is not None:
        spec[zaplist.bin_mask(len(spec), len(series) * dt)] = 0.0
    return spec
