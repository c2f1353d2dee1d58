"""The Fourier-frequency / frequency-derivative power plane of one spectrum (accelsearch's
f-fdot plane), by overlap-save correlation with the z templates: each block of the spread
spectrum is transformed once and inverse-transformed once per z."""

from __future__ import annotations

import numba
import numpy as np
import scipy.fft

from palfa.search.cores import fft_workers
from palfa.search.zresponse import kernel_bank, z_grid

BLOCK_FFT = 2**15  # overlap-save transform length (half bins)


@numba.njit(cache=True, fastmath=True)
def _abs2_into(values, start, out, col):  # pragma: no cover - compiled
    """Serial: a parallel region per block costs more than it saves (the FFTs are threaded)."""
    nz, width = out.shape[0], min(values.shape[1] - start, out.shape[1] - col)
    for j in range(nz):
        for t in range(width):
            v = values[j, start + t]
            out[j, col + t] = v.real * v.real + v.imag * v.imag


def power_plane(spectrum: np.ndarray, zmax: float) -> np.ndarray:
    """Matched-filter powers (nz, 2 * len(spectrum)) at r = i/2 and z = z_grid(zmax)[j], for a
    complex spectrum normalised to unit mean power (noise powers then have unit mean too)."""
    kernels, half_taps = kernel_bank(float(zmax), BLOCK_FFT)
    nout = 2 * len(spectrum)
    spread = np.zeros(nout + 2 * half_taps + BLOCK_FFT, np.complex64)
    spread[half_taps:half_taps + nout:2] = spectrum
    plane = np.empty((len(z_grid(zmax)), nout), np.float32)
    step = BLOCK_FFT - 2 * half_taps
    workers = fft_workers()
    for col in range(0, nout, step):
        block = scipy.fft.fft(spread[col:col + BLOCK_FFT], workers=workers)
        filtered = scipy.fft.ifft(kernels * block, axis=-1, workers=workers)
        _abs2_into(filtered, 2 * half_taps, plane, col)
    return plane
