"""RFI mask in the spirit of PRESTO's rfifind, and the cleaned data the search runs on.

Statistics per channel x time block (mean, standard deviation, largest normalised FFT power)
are compared with robust (median/MAD) expectations; outlying cells are masked, then whole
channels with too many bad blocks and whole blocks with too many bad channels.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.fft
from scipy.special import log_ndtr

from palfa.psrfits.filterbank import Filterbank

TIME_SIGMA = 10.0  # rfifind -timesig
FREQ_SIGMA = 4.0  # rfifind -freqsig
BAD_BLOCK_FRAC_FOR_CHANNEL = 0.3  # rfifind -intfrac
BAD_CHANNEL_FRAC_FOR_BLOCK = 0.7  # rfifind -chanfrac
CLIP_SIGMA = 6.0  # prepsubband -clip: zero-DM samples further out than this are blanked


@dataclass
class RfiMask:
    """``bad`` is (nblocks, nchan) in the file's channel order; True means masked."""

    bad: np.ndarray
    block_len: int
    chan_median: np.ndarray  # per-channel level of the good cells
    chan_std: np.ndarray  # per-channel noise of the good cells

    @property
    def masked_fraction(self) -> float:
        return float(self.bad.mean())

    @property
    def bad_channels(self) -> np.ndarray:
        return self.bad.all(axis=0)


@dataclass
class CleanBeam:
    """Masked, zero-mean, unit-variance data, (nchan, nsamp) with frequency ascending."""

    data: np.ndarray
    freqs_mhz: np.ndarray
    tsamp_s: float
    good: np.ndarray  # bool per channel (ascending order)

    @property
    def nsamp(self) -> int:
        return int(self.data.shape[1])


def _robust_z(values: np.ndarray) -> np.ndarray:
    """Deviation from each channel's median in units of the global MAD-based sigma."""
    dev = values - np.median(values, axis=0, keepdims=True)
    scale = 1.4826 * np.median(np.abs(dev))
    return dev / scale if scale > 0 else np.where(dev == 0, 0.0, np.inf)


def compute_mask(fb: Filterbank, chunk_time_s: float) -> RfiMask:
    nsamp, nchan = fb.data.shape
    nblocks = max(1, round(nsamp * fb.tsamp / chunk_time_s))
    block_len = nsamp // nblocks
    means = np.empty((nblocks, nchan))
    stds = np.empty((nblocks, nchan))
    maxpow = np.empty((nblocks, nchan))
    for b in range(nblocks):
        block = fb.data[b * block_len:(b + 1) * block_len].astype(np.float64)
        means[b] = block.mean(axis=0)
        stds[b] = block.std(axis=0)
        power = np.abs(scipy.fft.rfft(block - means[b], axis=0)[1:]) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            maxpow[b] = power.max(axis=0) / (block_len * stds[b] ** 2)
    # chance of a power this high among block_len/2 exponential powers, as Gaussian sigma
    pow_limit = np.log(block_len / 2) - log_ndtr(-FREQ_SIGMA)
    bad = (
        (np.abs(_robust_z(means)) > TIME_SIGMA)
        | (np.abs(_robust_z(stds)) > TIME_SIGMA)
        | ~(maxpow <= pow_limit)
        | (stds <= 0)
    )
    bad[:, bad.mean(axis=0) > BAD_BLOCK_FRAC_FOR_CHANNEL] = True
    bad[bad.mean(axis=1) > BAD_CHANNEL_FRAC_FOR_BLOCK, :] = True
    good_means = np.where(bad, np.nan, means)
    good_stds = np.where(bad, np.nan, stds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        chan_median = np.nan_to_num(np.nanmedian(good_means, axis=0))
        chan_std = np.nan_to_num(np.nanmedian(good_stds, axis=0))
    return RfiMask(bad, block_len, chan_median, chan_std)


def apply_mask(fb: Filterbank, mask: RfiMask, zero_dm: bool = False) -> CleanBeam:
    """Normalise each channel, replace masked cells by the channel median (zero after
    normalisation) and, optionally, subtract the zero-DM series (broadband RFI)."""
    order = np.argsort(fb.freqs_mhz)
    good = ~mask.bad_channels[order]
    scale = np.where(mask.chan_std > 0, mask.chan_std, 1.0)
    data = np.empty((fb.nchan, fb.nsamp), dtype=np.float32)
    block_of_sample = np.minimum(np.arange(fb.nsamp) // mask.block_len, mask.bad.shape[0] - 1)
    for row, chan in enumerate(order):
        values = (fb.data[:, chan] - mask.chan_median[chan]) / scale[chan]
        values[mask.bad[block_of_sample, chan]] = 0.0
        data[row] = values
    if good.any():
        clip_broadband(data, good)
    if zero_dm and good.any():
        data[good] -= data[good].mean(axis=0)
    return CleanBeam(data, fb.freqs_mhz[order].astype(np.float64), fb.tsamp, good)


def clip_broadband(data: np.ndarray, good: np.ndarray) -> None:
    """Blank, in every channel, the samples whose band sum (at DM 0) is a CLIP_SIGMA outlier.

    PRESTO's default time-domain clipping: undispersed broadband bursts are too short for the
    rfifind blocks to notice, yet they raise the low-frequency power spectrum of every
    dedispersed series many-fold and bury the slow pulsars.
    """
    zero_dm = data[good].sum(axis=0, dtype=np.float64)
    centre = np.median(zero_dm)
    spread = 1.4826 * np.median(np.abs(zero_dm - centre))
    if spread > 0:
        data[:, np.abs(zero_dm - centre) > CLIP_SIGMA * spread] = 0.0


def plot_mask(mask: RfiMask, fb: Filterbank, path: Path) -> None:
    """Channel x time image of the mask, like rfifind's summary plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = np.argsort(fb.freqs_mhz)
    block_s = mask.block_len * fb.tsamp
    fig, (ax_img, ax_frac) = plt.subplots(
        1, 2, figsize=(9, 5), gridspec_kw={"width_ratios": [4, 1]}, sharey=True
    )
    extent = (0, mask.bad.shape[0] * block_s, fb.freqs_mhz.min(), fb.freqs_mhz.max())
    ax_img.imshow(mask.bad[:, order].T, origin="lower", aspect="auto", cmap="Greys",
                  extent=extent, interpolation="nearest", vmin=0, vmax=1)
    ax_img.set_xlabel("Time (s)")
    ax_img.set_ylabel("Frequency (MHz)")
    ax_img.set_title(f"RFI mask: {100 * mask.masked_fraction:.2f}% masked")
    ax_frac.plot(mask.bad[:, order].mean(axis=0), fb.freqs_mhz[order])
    ax_frac.set_xlabel("Fraction masked")
    ax_frac.set_xlim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
