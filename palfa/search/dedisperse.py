"""Two-stage (subband) dedispersion, numba-compiled, float32 and bounded in memory.

Stage one shifts the channels of each subband to a common DM and sums them; stage two shifts
the subbands for each DM trial near it. Both stages are the same kernel: sum of shifted rows.
Series keep their full length (zero-padded at the end: the data are zero-mean). The input may be
memory-mapped (a scratch file): the kernels read it through the page cache.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numba
import numpy as np

from palfa.psrfits.filterbank import samples_per_block
from palfa.search.plan import K_DM
from palfa.search.scratch import float32_array

DEFAULT_NSUB = 32


@numba.njit(parallel=True, cache=True, fastmath=True)
def _sum_shifted(data, lo, hi, shifts, out):  # pragma: no cover - compiled
    n = data.shape[1]
    for j in numba.prange(out.shape[0]):
        for t in range(n):
            out[j, t] = 0.0
        for r in range(lo[j], hi[j]):
            s = shifts[j, r]
            for t in range(n - s):
                out[j, t] += data[r, t + s]


def delays_s(freqs_mhz: np.ndarray, dm: float, ref_mhz: float) -> np.ndarray:
    return K_DM * dm * (np.asarray(freqs_mhz, dtype=np.float64) ** -2 - ref_mhz**-2)


def downsample(data: np.ndarray, factor: int, scratch: Path | None = None) -> np.ndarray:
    """Sum ``factor`` consecutive samples of each row (rows are channels), a block of samples at
    a time into memory or (``scratch``) a scratch file, so no copy of ``data`` is ever made."""
    if factor == 1:
        return data
    nrows, n = data.shape[0], data.shape[1] // factor
    out = float32_array((nrows, n), scratch)
    step = max(1, samples_per_block(nrows) // factor)
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        out[:, lo:hi] = data[:, lo * factor:hi * factor].reshape(nrows, hi - lo, factor).sum(
            axis=2, dtype=np.float32)
    return out


def subband_edges(nchan: int, nsub: int) -> np.ndarray:
    return np.linspace(0, nchan, min(nsub, nchan) + 1).round().astype(np.int64)


def form_subbands(
    data: np.ndarray, freqs_mhz: np.ndarray, dm: float, dt: float, nsub: int = DEFAULT_NSUB
) -> tuple[np.ndarray, np.ndarray]:
    """Dedisperse channels (ascending frequency) into subbands at ``dm``.

    Returns the subbands and their reference (highest) frequencies.
    """
    edges = subband_edges(data.shape[0], nsub)
    ref = freqs_mhz[edges[1:] - 1]
    shifts = np.zeros((len(ref), data.shape[0]), dtype=np.int64)
    for s in range(len(ref)):
        chans = slice(edges[s], edges[s + 1])
        shifts[s, chans] = np.round(delays_s(freqs_mhz[chans], dm, ref[s]) / dt)
    out = np.empty((len(ref), data.shape[1]), dtype=np.float32)
    _sum_shifted(data, edges[:-1], edges[1:], np.minimum(shifts, data.shape[1]), out)
    return out, ref


def dedisperse_subbands(
    subbands: np.ndarray, ref_mhz: np.ndarray, dms: np.ndarray, dt: float
) -> np.ndarray:
    """Dedispersed series (ndm, nsamp) for trial DMs near the DM the subbands were formed at."""
    top = float(ref_mhz.max())
    shifts = np.stack([np.round(delays_s(ref_mhz, dm, top) / dt) for dm in dms])
    shifts = np.clip(shifts, 0, subbands.shape[1]).astype(np.int64)
    ndm, nsub = len(dms), subbands.shape[0]
    out = np.empty((ndm, subbands.shape[1]), dtype=np.float32)
    _sum_shifted(subbands, np.zeros(ndm, np.int64), np.full(ndm, nsub, np.int64), shifts, out)
    return out


def dms_per_subband_dm(freqs_mhz: np.ndarray, nsub: int, dt: float, dm_step: float) -> int:
    """How many trials may share one subband DM with at most one sample of smearing."""
    edges = subband_edges(len(freqs_mhz), nsub)
    widest = max(
        K_DM * (freqs_mhz[a] ** -2 - freqs_mhz[b - 1] ** -2) for a, b in pairwise(edges)
    )
    if widest <= 0:
        return 1_000_000
    return max(1, int(2.0 * dt / widest / dm_step))


def dedisperse(
    data: np.ndarray, freqs_mhz: np.ndarray, dms: np.ndarray, dt: float, nsub: int = DEFAULT_NSUB
):
    """Yield (dm, series) for every trial, a group of trials sharing one subband DM at a time."""
    dms = np.asarray(dms, dtype=np.float64)
    step = float(np.median(np.diff(dms))) if len(dms) > 1 else 1.0
    group = dms_per_subband_dm(freqs_mhz, nsub, dt, step)
    for start in range(0, len(dms), group):
        trial = dms[start:start + group]
        sub_dm = float(0.5 * (trial[0] + trial[-1]))
        subbands, ref = form_subbands(data, freqs_mhz, sub_dm, dt, nsub)
        yield from zip(trial, dedisperse_subbands(subbands, ref, trial, dt), strict=True)
