"""The Fourier-frequency / frequency-derivative power plane of one spectrum (accelsearch's
f-fdot plane), by overlap-save correlation with the z templates.

The spectrum is "spread" to half-bin spacing (zeros between bins), so the transform of a block
is the half-length transform of the bins it holds, repeated twice: one small forward FFT per
block, then one inverse FFT per z row. Blocks are short and rows go a few at a time so the
working set stays in cache; FFTs are FFTW's (``palfa.search.fftw``).
"""

from __future__ import annotations

import numba
import numpy as np

from palfa.search.fftw import Transform, plan
from palfa.search.zresponse import bank_half_taps, kernel_bank, z_grid

MIN_BLOCK_FFT = 2**13  # overlap-save transform length (half bins); longer only for wide templates
ROWS_PER_PASS = 8  # z rows inverse-transformed together


@numba.njit(cache=True, fastmath=True)
def _filter_into(kernels, r0, block, out):  # pragma: no cover - compiled
    """out[j] = kernels[r0 + j] * (block repeated twice): the spread block's spectrum times each
    template's."""
    half = block.shape[0]
    for j in range(out.shape[0]):
        for k in range(out.shape[1]):
            out[j, k] = kernels[r0 + j, k] * block[k % half]


@numba.njit(cache=True, fastmath=True)
def _abs2_into(values, start, out, r0, col):  # pragma: no cover - compiled
    """Serial: a parallel region per block costs more than it saves (the FFTs are threaded)."""
    width = min(values.shape[1] - start, out.shape[1] - col)
    for j in range(values.shape[0]):
        for t in range(width):
            v = values[j, start + t]
            out[r0 + j, col + t] = v.real * v.real + v.imag * v.imag


def block_fft_length(half_taps: int) -> int:
    """Power of two at least MIN_BLOCK_FFT and 16 template widths (overlap at most ~1/8)."""
    return max(MIN_BLOCK_FFT, 1 << int(np.ceil(np.log2(16 * half_taps))))


def plane_transforms(zmax: float) -> list[Transform]:
    """The FFTs ``power_plane`` runs for ``zmax`` (to measure their plans beforehand)."""
    nfft, nz = block_fft_length(bank_half_taps(zmax)), len(z_grid(zmax))
    rows = {min(ROWS_PER_PASS, nz - r0) for r0 in range(0, nz, ROWS_PER_PASS)}
    return [("fft", (nfft // 2,)), *(("ifft", (n, nfft)) for n in sorted(rows))]


def plane_shape(nbins: int, zmax: float) -> tuple[int, int]:
    return len(z_grid(zmax)), 2 * nbins


def power_plane(spectrum: np.ndarray, zmax: float, out: np.ndarray | None = None) -> np.ndarray:
    """Matched-filter powers (nz, 2 * len(spectrum)) at r = i/2 and z = z_grid(zmax)[j], for a
    complex spectrum normalised to unit mean power (noise powers then have unit mean too).

    ``out`` (float32, ``plane_shape``) is filled instead of a new array: a plane of a PALFA
    series is ~1 GB, and touching fresh pages costs more than computing it."""
    half_taps = bank_half_taps(zmax)
    nfft = block_fft_length(half_taps)
    kernels = kernel_bank(float(zmax), nfft)
    nz, nout = plane_shape(len(spectrum), zmax)
    bins = np.zeros(half_taps // 2 + len(spectrum) + nfft // 2, np.complex64)
    bins[half_taps // 2: half_taps // 2 + len(spectrum)] = spectrum
    plane = np.empty((nz, nout), np.float32) if out is None else out
    forward = plan("fft", (nfft // 2,))
    step = nfft - 2 * half_taps  # even: blocks start on a bin
    for col in range(0, nout, step):
        forward.input_array[:] = bins[col // 2: col // 2 + nfft // 2]
        forward.execute()
        block = forward.output_array
        for r0 in range(0, nz, ROWS_PER_PASS):
            rows = min(ROWS_PER_PASS, nz - r0)
            inverse = plan("ifft", (rows, nfft))
            _filter_into(kernels, r0, block, inverse.input_array)
            inverse.execute()
            _abs2_into(inverse.output_array, 2 * half_taps, plane, r0, col)
    return plane
