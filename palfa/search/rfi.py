"""RFI mask in the spirit of PRESTO's rfifind, and the cleaned data the search runs on.

Statistics per channel x time block (mean, standard deviation, largest normalised FFT power)
are compared with robust (median/MAD) expectations; outlying cells are masked, then whole
channels with too many bad blocks and whole blocks with too many bad channels.

Both stages take the beam as a stream of blocks (``BeamSamples``): the statistics in one pass,
the cleaning in a second that writes the cleaned beam block by block (to a scratch file for a
beam read from disk), so memory holds a few blocks whatever the size of the beam. A beam in
memory goes through the same code and gives the same numbers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.fft
from scipy.special import log_ndtr

from palfa.errors import SearchError
from palfa.psrfits.filterbank import BeamSamples
from palfa.search.scratch import float32_array

TIME_SIGMA = 10.0  # rfifind -timesig
FREQ_SIGMA = 4.0  # rfifind -freqsig
BAD_BLOCK_FRAC_FOR_CHANNEL = 0.3  # rfifind -intfrac
BAD_CHANNEL_FRAC_FOR_BLOCK = 0.7  # rfifind -chanfrac
CLIP_SIGMA = 6.0  # prepsubband -clip: zero-DM samples further out than this are blanked
STATS_CHANNELS = 32  # channels whose float64 statistics and FFTs are computed at once


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
    """Masked, zero-mean, unit-variance data, (nchan, nsamp) with frequency ascending.

    ``scratch`` is where copies of the data as large as it go (``data`` itself is mapped from a
    file there); None keeps them in memory."""

    data: np.ndarray
    freqs_mhz: np.ndarray
    tsamp_s: float
    good: np.ndarray  # bool per channel (ascending order)
    scratch: Path | None = None

    @property
    def nsamp(self) -> int:
        return int(self.data.shape[1])


def _robust_z(values: np.ndarray) -> np.ndarray:
    """Deviation from each channel's median in units of the global MAD-based sigma."""
    dev = values - np.median(values, axis=0, keepdims=True)
    scale = 1.4826 * np.median(np.abs(dev))
    return dev / scale if scale > 0 else np.where(dev == 0, 0.0, np.inf)


def _check_finite(block: np.ndarray, fb: BeamSamples) -> None:
    if not np.isfinite(block).all():
        raise SearchError(
            fb.header.obs_name, "the data contain NaN or infinite samples",
            "re-download the beam's files; they are corrupt",
        )


def _cell_stats(cells: np.ndarray) -> np.ndarray:
    """Mean, standard deviation and largest normalised FFT power of each channel of one time
    block (block_len, nchan), a few channels at a time so the float64 copies stay small."""
    block_len, nchan = cells.shape
    stats = np.empty((3, nchan))
    for lo in range(0, nchan, STATS_CHANNELS):
        block = cells[:, lo:lo + STATS_CHANNELS].astype(np.float64)
        mean, std = block.mean(axis=0), block.std(axis=0)
        power = np.abs(scipy.fft.rfft(block - mean, axis=0)[1:]) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            stats[:, lo:lo + STATS_CHANNELS] = mean, std, power.max(axis=0) / (block_len * std**2)
    return stats


def _block_stats(fb: BeamSamples, nblocks: int, block_len: int) -> np.ndarray:
    """(3, nblocks, nchan) statistics from one pass over the stream; time blocks are gathered
    across the stream's blocks (samples past nblocks * block_len are only checked)."""
    stats = np.empty((3, nblocks, fb.nchan))
    cells = np.empty((block_len, fb.nchan), dtype=np.float32)  # the time block being filled
    done, filled = 0, 0
    for block in fb.blocks():
        _check_finite(block, fb)
        used = 0
        while used < len(block) and done < nblocks:
            take = min(block_len - filled, len(block) - used)
            cells[filled:filled + take] = block[used:used + take]
            filled, used = filled + take, used + take
            if filled == block_len:
                stats[:, done] = _cell_stats(cells)
                done, filled = done + 1, 0
    return stats


def compute_mask(fb: BeamSamples, chunk_time_s: float) -> RfiMask:
    nblocks = max(1, round(fb.nsamp * fb.tsamp / chunk_time_s))
    block_len = fb.nsamp // nblocks
    means, stds, maxpow = _block_stats(fb, nblocks, block_len)
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


def apply_mask(fb: BeamSamples, mask: RfiMask, zero_dm: bool = False,
               scratch: Path | None = None) -> CleanBeam:
    """Normalise each channel, replace masked cells by the channel median (zero after
    normalisation), optionally subtract the zero-DM series (broadband RFI), and clip broadband
    bursts; one pass over the stream, writing into memory or (``scratch``) a scratch file."""
    order = np.argsort(fb.freqs_mhz)
    good = ~mask.bad_channels[order]
    median, bad = mask.chan_median[order], mask.bad[:, order]
    scale = np.where(mask.chan_std > 0, mask.chan_std, 1.0)[order]
    data = float32_array((fb.nchan, fb.nsamp), scratch)
    band_sum = np.empty(fb.nsamp)  # the zero-DM series of the normalised data, for clipping
    start = 0
    for block in fb.blocks():
        stop = start + len(block)
        values = (block[:, order] - median) / scale
        values[bad[np.minimum(np.arange(start, stop) // mask.block_len, len(bad) - 1)]] = 0.0
        rows = values.T.astype(np.float32)
        band_sum[start:stop] = rows[good].sum(axis=0, dtype=np.float64)
        if zero_dm and good.any():
            rows[good] -= rows[good].mean(axis=0)
        data[:, start:stop] = rows
        start = stop
    if good.any():
        data[:, _broadband_bursts(band_sum)] = 0.0
    return CleanBeam(data, fb.freqs_mhz[order].astype(np.float64), fb.tsamp, good, scratch)


def _broadband_bursts(band_sum: np.ndarray) -> np.ndarray:
    """The samples whose band sum (at DM 0) is a CLIP_SIGMA outlier, to be blanked in every
    channel: PRESTO's default time-domain clipping. Undispersed broadband bursts are too short
    for the rfifind blocks to notice, yet they raise the low-frequency power spectrum of every
    dedispersed series many-fold and bury the slow pulsars. (Blanking after the zero-DM
    subtraction gives what blanking before it does: a blanked sample has a zero band mean.)"""
    centre = np.median(band_sum)
    spread = 1.4826 * np.median(np.abs(band_sum - centre))
    if spread > 0:
        return np.abs(band_sum - centre) > CLIP_SIGMA * spread
    return np.zeros(len(band_sum), dtype=bool)


def plot_mask(mask: RfiMask, fb: BeamSamples, path: Path) -> None:
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
