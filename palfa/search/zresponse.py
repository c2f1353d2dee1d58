"""Fourier-domain response templates of a constantly accelerated signal (Ransom et al. 2002).

A sinusoid whose Fourier frequency drifts linearly by ``z`` bins over the observation, centred
on the (mid-observation) frequency ``r``, leaves in bin ``k`` the complex response
``A_z(k - r) = integral_0^1 exp(2 pi i ((-z/2 - q) u + z u^2 / 2)) du`` with ``q = k - r``.
Correlating the spectrum with ``conj(A_z)`` is the matched filter for that drift.

The templates are sampled every half bin, as convolution kernels over a spectrum "spread" to
half-bin spacing (bins at even positions, zeros between), so one convolution yields both the
integer and the half-integer frequencies. Each parity of a kernel is scaled to unit energy, so a
noise spectrum of unit mean power correlates to unit mean power at every (r, z).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.fft

EXTRA_HALFWIDTH = 12  # bins beyond |z|/2 kept in a template (the tails fall as 1/q)
INTEGRATION_STEPS = 4096  # midpoint-rule samples of the response integral
ACCEL_DZ = 2.0  # z step of the search grid (PRESTO's ACCEL_DZ)


def z_grid(zmax: float) -> np.ndarray:
    """The searched z values: -zmax..zmax in ACCEL_DZ steps (just 0 for zmax = 0)."""
    nhalf = int(np.floor(zmax / ACCEL_DZ + 1e-9))
    return ACCEL_DZ * np.arange(-nhalf, nhalf + 1, dtype=float)


def halfwidth(z: float) -> int:
    """Bins either side of the centre a template keeps."""
    return int(np.ceil(abs(z) / 2.0)) + EXTRA_HALFWIDTH


def response(z: float, offsets_bins: np.ndarray) -> np.ndarray:
    """``A_z(q)`` at the given offsets ``q`` (bins from the mid-observation frequency)."""
    u = (np.arange(INTEGRATION_STEPS) + 0.5) / INTEGRATION_STEPS
    phase = np.multiply.outer(-z / 2.0 - np.asarray(offsets_bins, float), u) + 0.5 * z * u**2
    return np.exp(2j * np.pi * phase).mean(axis=-1)


def template(z: float, half_taps: int) -> np.ndarray:
    """Convolution kernel ``v[e]``, e = -half_taps..half_taps (half bins), with
    ``C[i] = sum_e S[i - e] v[e]`` the matched-filter output at r = i/2 of spread spectrum S."""
    e = np.arange(-half_taps, half_taps + 1)
    kernel = np.conj(response(z, -e / 2.0))
    kernel[np.abs(e) > 2 * halfwidth(z)] = 0.0
    for parity in (0, 1):
        sel = (e % 2) == parity
        kernel[sel] /= np.sqrt(np.sum(np.abs(kernel[sel]) ** 2))
    return kernel


def bank_half_taps(zmax: float) -> int:
    """Half bins either side of centre that the templates of a search up to ``zmax`` span."""
    return 2 * halfwidth(float(np.abs(z_grid(zmax)).max()))


@lru_cache(maxsize=16)
def kernel_bank(zmax: float, nfft: int) -> np.ndarray:
    """FFTs (nz, nfft) of the templates of every searched z, zero-padded to ``nfft`` and scaled
    by 1/nfft for an unnormalised inverse transform. With ``h = bank_half_taps(zmax)``, a
    block's input starts ``h`` half bins before its first output, and that output is sample
    ``2 h`` of the circular convolution (overlap-save)."""
    zs = z_grid(zmax)
    half_taps = bank_half_taps(zmax)
    padded = np.zeros((len(zs), nfft), np.complex64)
    padded[:, : 2 * half_taps + 1] = [template(z, half_taps) for z in zs]
    return (scipy.fft.fft(padded, axis=-1) / nfft).astype(np.complex64)
