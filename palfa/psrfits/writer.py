"""Write PSRFITS search-mode files laid out like the Mock files PRESTO reads.

The layout (primary keywords, SUBINT columns and TDIM) copies a file PRESTO 6 has read
(``presto-fixtures/fx.fits``), so beams we simulate can go through PRESTO as well as our own
search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.time import Time

from palfa.errors import BadInputError

# Stored integer range of each supported sample size (16-bit is stored signed, as TFORM 'I').
SAMPLE_RANGE: dict[int, tuple[int, int]] = {4: (0, 15), 8: (0, 255), 16: (-32768, 32767)}


@dataclass(frozen=True)
class ObservationInfo:
    """Primary-header facts about one file's observation."""

    source_name: str
    ra_str: str  # "hh:mm:ss.s"
    dec_str: str  # "+dd:mm:ss.s"
    mjd: float  # UTC MJD of the first sample
    beam: int = 0
    project_id: str = "P2030"
    observer: str = "palfa-sim"
    telescope: str = "Arecibo"
    backend: str = "pdev"
    frontend: str = "ALFA"


def pack_samples(samples: np.ndarray, nbits: int) -> np.ndarray:
    """Integer samples (nsamp, nchan) -> stored values; 4-bit pairs go high nibble first."""
    lo, hi = SAMPLE_RANGE[nbits]
    if samples.size and (samples.min() < lo or samples.max() > hi):
        raise BadInputError(
            "samples",
            f"have values outside the {nbits}-bit range {lo}..{hi}",
            "quantize (scale and clip) the samples before writing them",
        )
    if nbits == 16:
        return samples.astype(np.int16)
    stored = samples.astype(np.uint8)
    if nbits == 4:
        stored = (stored[:, 0::2] << 4) | stored[:, 1::2]
    return stored


def _per_row(values: np.ndarray | None, default: float, nrows: int, nchan: int) -> np.ndarray:
    """Per-channel (nchan,) or per-row (nrows, nchan) calibration -> a float32 table column."""
    if values is None:
        return np.full((nrows, nchan), default, dtype=np.float32)
    return np.broadcast_to(np.asarray(values, dtype=np.float32), (nrows, nchan)).copy()


def _primary_header(obs: ObservationInfo, freqs_mhz: np.ndarray, chan_bw: float) -> fits.Header:
    start = Time(obs.mjd, format="mjd", scale="utc")
    imjd = math.floor(obs.mjd)
    seconds = (obs.mjd - imjd) * 86400.0
    smjd = math.floor(seconds)
    header = fits.Header()
    header["FITSTYPE"] = "PSRFITS"
    header["HDRVER"] = "3.4"
    header["OBS_MODE"] = "SEARCH"
    header["TELESCOP"] = obs.telescope
    header["FRONTEND"] = obs.frontend
    header["BACKEND"] = obs.backend
    header["OBSERVER"] = obs.observer
    header["PROJID"] = obs.project_id
    header["SRC_NAME"] = obs.source_name
    header["OBSFREQ"] = float(freqs_mhz.mean())
    header["OBSBW"] = chan_bw * len(freqs_mhz)
    header["OBSNCHAN"] = len(freqs_mhz)
    header["RA"] = obs.ra_str
    header["DEC"] = obs.dec_str
    header["STT_IMJD"] = imjd
    header["STT_SMJD"] = smjd
    header["STT_OFFS"] = seconds - smjd
    header["TRK_MODE"] = "TRACK"
    header["IBEAM"] = str(obs.beam)
    header["DATE-OBS"] = start.isot[:19]
    return header


def write_psrfits(
    path: str | Path,
    samples: np.ndarray,
    freqs_mhz: np.ndarray,
    tsamp_s: float,
    obs: ObservationInfo,
    *,
    nbits: int = 8,
    nsblk: int = 2048,
    scales: np.ndarray | None = None,
    offsets: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> Path:
    """Write integer ``samples`` (nsamp, nchan), channel ``i`` at ``freqs_mhz[i]``.

    Physical values are ``samples * scales + offsets`` (DAT_SCL, DAT_OFFS), given per channel or
    per row; nsamp must be a whole number of NSBLK-sample rows.
    """
    path = Path(path)
    freqs_mhz = np.asarray(freqs_mhz, dtype=np.float64)
    nsamp, nchan = samples.shape
    if nbits not in SAMPLE_RANGE:
        raise BadInputError(f"nbits={nbits}", "is not supported", "write 4, 8 or 16-bit samples")
    if nsamp % nsblk or nsamp == 0:
        raise BadInputError(
            f"{path.name}",
            f"{nsamp} samples are not a whole number of rows of NSBLK={nsblk}",
            "pass a multiple of nsblk samples",
        )
    if len(freqs_mhz) != nchan or (nbits == 4 and nchan % 2):
        raise BadInputError(
            f"{path.name}",
            f"{nchan} channels do not match {len(freqs_mhz)} frequencies (4-bit needs even nchan)",
            "pass one frequency per channel",
        )
    nrows = nsamp // nsblk
    chan_bw = float(freqs_mhz[1] - freqs_mhz[0]) if nchan > 1 else 0.0
    stored = pack_samples(samples, nbits)
    nvalues = stored.shape[1]
    data_format = "I" if nbits == 16 else "B"
    columns = [
        fits.Column("TSUBINT", "1D", unit="s", array=np.full(nrows, nsblk * tsamp_s)),
        fits.Column(
            "OFFS_SUB", "1D", unit="s", array=(np.arange(nrows) + 0.5) * nsblk * tsamp_s
        ),
        fits.Column(
            "DAT_FREQ", f"{nchan}D", unit="MHz", array=np.tile(freqs_mhz, (nrows, 1))
        ),
        fits.Column("DAT_WTS", f"{nchan}E", array=_per_row(weights, 1.0, nrows, nchan)),
        fits.Column("DAT_OFFS", f"{nchan}E", array=_per_row(offsets, 0.0, nrows, nchan)),
        fits.Column("DAT_SCL", f"{nchan}E", array=_per_row(scales, 1.0, nrows, nchan)),
        fits.Column(
            "DATA",
            f"{nsblk * nvalues}{data_format}",
            dim=f"(1,{nvalues},1,{nsblk})",
            array=stored.reshape(nrows, nsblk, 1, nvalues, 1),
        ),
    ]
    subint = fits.BinTableHDU.from_columns(columns, name="SUBINT")
    for key, value in (
        ("TBIN", tsamp_s),
        ("NCHAN", nchan),
        ("CHAN_BW", chan_bw),
        ("NPOL", 1),
        ("POL_TYPE", "AA+BB"),
        ("NSBLK", nsblk),
        ("NBITS", nbits),
        ("NBIN", 1),
        ("ZERO_OFF", 0.0),
        ("NSUBOFFS", 0),
        ("NCHNOFFS", 0),
    ):
        subint.header[key] = value
    primary = fits.PrimaryHDU(header=_primary_header(obs, freqs_mhz, chan_bw))
    fits.HDUList([primary, subint]).writeto(path, overwrite=True)
    return path
