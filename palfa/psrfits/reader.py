"""Read PSRFITS search-mode beams: check the files, merge the Mock halves, calibrate samples.

Reading goes through ``read_rows`` (one file, a range of SUBINT rows); ``open_beam`` gives a
``BeamStream`` that reads the beam in merged-band blocks of rows on each pass, so a beam larger
than memory can be processed block by block, and ``read_beam`` is that stream gathered into one
array.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.io import fits

from palfa.errors import BadInputError
from palfa.psrfits.filterbank import Filterbank, samples_per_block
from palfa.psrfits.header import BeamHeader
from palfa.psrfits.names import parse_mock_name

REQUIRED_COLUMNS = ("DAT_FREQ", "DAT_WTS", "DAT_OFFS", "DAT_SCL", "DATA")
REQUIRED_KEYWORDS = ("TBIN", "NCHAN", "NBITS", "NSBLK")
SUPPORTED_NBITS = (4, 8, 16)
_FITS_MAGIC = b"SIMPLE  ="
_FIX_REDOWNLOAD = "download or restore the file again (it is incomplete or damaged)"
_FIX_SEARCH_MODE = "give the raw search-mode (OBS_MODE=SEARCH) file, not a folded or processed product"
FITS_BLOCK = 2880


@dataclass(frozen=True)
class SearchFile:
    """One validated search-mode file: what is needed to read its samples."""

    path: Path
    primary: fits.Header
    nrows: int
    nsblk: int
    nchan: int
    nbits: int
    tsamp_s: float
    zero_off: float
    freqs_mhz: np.ndarray  # DAT_FREQ of the first row, in file order

    @property
    def nsamp(self) -> int:
        return self.nrows * self.nsblk


def _bad(path: Path, problem: str, fix: str = _FIX_REDOWNLOAD) -> BadInputError:
    return BadInputError(str(path), problem, fix)


def _find_subint(hdul: fits.HDUList) -> fits.BinTableHDU | None:
    for hdu in hdul[1:]:
        if isinstance(hdu, fits.BinTableHDU) and hdu.name == "SUBINT":
            return hdu
    return None


def validate_psrfits(path: str | Path) -> SearchFile:
    """Check that ``path`` is a complete PSRFITS search-mode file we can read."""
    path = Path(path)
    if not path.is_file():
        raise _bad(path, "does not exist or is not a file", "check the path and file name")
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(len(_FITS_MAGIC)) != _FITS_MAGIC:
            raise _bad(path, "is not a FITS file (no SIMPLE card at its start)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # truncation is checked explicitly, with a clear message
        try:
            hdul = fits.open(path, memmap=True)
        except (OSError, ValueError) as error:
            raise _bad(path, f"is not a readable FITS file ({error})") from error
        with hdul:
            return _check_search_file(path, size, hdul)


def _check_search_file(path: Path, size: int, hdul: fits.HDUList) -> SearchFile:
    primary = hdul[0].header
    subint = _find_subint(hdul)
    if subint is None:
        if size % FITS_BLOCK:
            raise _bad(path, f"is truncated ({size} bytes, not a whole number of FITS blocks)")
        raise _bad(
            path,
            "has no SUBINT table, so it is not PSRFITS search-mode data",
            _FIX_SEARCH_MODE,
        )
    mode = str(primary.get("OBS_MODE", "")).strip()
    if mode != "SEARCH":
        raise _bad(
            path,
            f"is not search-mode PSRFITS (OBS_MODE={mode or 'missing'})",
            _FIX_SEARCH_MODE,
        )
    header = subint.header
    layout = hdul.fileinfo(hdul.index(subint))
    expected = layout["datLoc"] + layout["datSpan"]  # data padded to whole FITS blocks
    if size < expected:
        raise _bad(path, f"is truncated: {size} bytes, but its headers promise {expected}")
    missing = [name for name in REQUIRED_COLUMNS if name not in subint.columns.names]
    missing += [key for key in REQUIRED_KEYWORDS if key not in header]
    if missing:
        raise _bad(
            path,
            f"lacks the PSRFITS SUBINT columns/keywords {', '.join(missing)}",
            "write the file with a PSRFITS-conformant recorder or converter",
        )
    nbits, npol = int(header["NBITS"]), int(header.get("NPOL", 1))
    if nbits not in SUPPORTED_NBITS or npol != 1:
        raise _bad(
            path,
            f"has NBITS={nbits}, NPOL={npol}; only {SUPPORTED_NBITS}-bit total-intensity data "
            "are read",
            "convert the file to 4, 8 or 16-bit total intensity (NPOL=1) first",
        )
    nchan = int(header["NCHAN"])
    return SearchFile(
        path=path,
        primary=primary.copy(),
        nrows=int(header["NAXIS2"]),
        nsblk=int(header["NSBLK"]),
        nchan=nchan,
        nbits=nbits,
        tsamp_s=float(header["TBIN"]),
        zero_off=float(header.get("ZERO_OFF", 0.0)),
        freqs_mhz=np.array(subint.data["DAT_FREQ"][0], dtype=np.float64).reshape(nchan),
    )


def unpack_samples(stored: np.ndarray, nbits: int) -> np.ndarray:
    """Stored values (nspectra, nvalues) -> one integer sample per channel (high nibble first)."""
    if nbits != 4:
        return stored
    unpacked = np.empty((stored.shape[0], stored.shape[1] * 2), dtype=np.uint8)
    unpacked[:, 0::2] = stored >> 4
    unpacked[:, 1::2] = stored & 0x0F
    return unpacked


def read_rows(search_file: SearchFile, start: int, stop: int) -> np.ndarray:
    """Calibrated float32 samples (nsamp, nchan) of SUBINT rows [start, stop) of one file.

    Applies PSRFITS calibration ``((raw - ZERO_OFF) * DAT_SCL + DAT_OFFS) * DAT_WTS`` per row.
    """
    nrows = stop - start
    with fits.open(search_file.path, memmap=True) as hdul:
        rows = _find_subint(hdul).data[start:stop]
        stored = np.asarray(rows["DATA"]).reshape(nrows * search_file.nsblk, -1)
        scales = np.asarray(rows["DAT_SCL"], dtype=np.float32).reshape(nrows, 1, -1)
        offsets = np.asarray(rows["DAT_OFFS"], dtype=np.float32).reshape(nrows, 1, -1)
        weights = np.asarray(rows["DAT_WTS"], dtype=np.float32).reshape(nrows, 1, -1)
        raw = unpack_samples(stored, search_file.nbits)
        samples = raw.astype(np.float32).reshape(nrows, search_file.nsblk, search_file.nchan)
    samples -= np.float32(search_file.zero_off)
    samples *= scales * weights
    samples += offsets * weights
    return samples.reshape(nrows * search_file.nsblk, search_file.nchan)


@dataclass(frozen=True)
class _Beam:
    """The validated files of one beam and where each file's channels go in the merged band."""

    files: tuple[SearchFile, ...]
    columns: tuple[np.ndarray, ...]  # merged-band column of each file's channels
    freqs_mhz: np.ndarray  # merged band, descending


def _open_beam(paths: Sequence[str | Path], skip_rows: int) -> _Beam:
    if not paths:
        raise BadInputError("beam file list", "is empty", "give the s0 and s1 files of one beam")
    files = tuple(validate_psrfits(p) for p in paths)
    first = files[0]
    for other in files[1:]:
        for what, a, b in (
            ("sample time TBIN", first.tsamp_s, other.tsamp_s),
            ("number of samples", first.nsamp, other.nsamp),
            ("NSBLK", first.nsblk, other.nsblk),
            ("NBITS", first.nbits, other.nbits),
        ):
            if a != b:
                raise BadInputError(
                    f"{first.path.name} and {other.path.name}",
                    f"disagree on the {what} ({a} vs {b}), so they are not halves of one beam",
                    "pair each s0 file with the s1 file of the same beam and scan",
                )
    if not 0 <= skip_rows < first.nrows:
        raise BadInputError(
            f"skip_rows={skip_rows}",
            f"must be between 0 and {first.nrows - 1} (rows in {first.path.name})",
            "lower the number of rows skipped at the start of the beam",
        )
    all_freqs = np.concatenate([f.freqs_mhz for f in files])
    if len(np.unique(all_freqs)) != len(all_freqs):
        raise BadInputError(
            ", ".join(f.path.name for f in files),
            "contain the same channel frequencies twice",
            "give each sub-band file of the beam once",
        )
    order = np.argsort(-all_freqs, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    bounds = np.cumsum([0] + [f.nchan for f in files])
    columns = tuple(position[a:b] for a, b in itertools.pairwise(bounds))
    return _Beam(files=files, columns=columns, freqs_mhz=all_freqs[order])


def _obs_name(files: Sequence[SearchFile]) -> str:
    parsed = [parse_mock_name(f.path) for f in files]
    names = {p.obs_name for p in parsed if p is not None}
    if len(names) == 1 and None not in parsed:
        return names.pop()
    return files[0].path.name.removesuffix(".fits")


def _beam_id(primary: fits.Header, path: Path) -> int:
    value = str(primary.get("IBEAM", "")).strip()
    if value.isdigit():
        return int(value)
    parsed = parse_mock_name(path)
    return parsed.beam if parsed is not None else 0


def _beam_header(beam: _Beam, skip_rows: int) -> BeamHeader:
    first = beam.files[0]
    primary = first.primary
    try:
        coord = SkyCoord(primary["RA"], primary["DEC"], unit=(u.hourangle, u.deg), frame="icrs")
        mjd = primary["STT_IMJD"] + (primary["STT_SMJD"] + primary["STT_OFFS"]) / 86400.0
    except (KeyError, ValueError) as error:
        raise _bad(
            first.path,
            f"has a missing or unreadable RA/DEC/STT_* primary keyword ({error})",
            "fix the primary header (RA 'hh:mm:ss.s', DEC '+dd:mm:ss.s', STT_IMJD/SMJD/OFFS)",
        ) from error
    freqs = beam.freqs_mhz
    chan_bw = float(freqs[1] - freqs[0]) if len(freqs) > 1 else 0.0
    nsamp = (first.nrows - skip_rows) * first.nsblk
    galactic = coord.galactic
    return BeamHeader(
        obs_name=_obs_name(beam.files),
        beam_id=_beam_id(primary, first.path),
        source_name=str(primary.get("SRC_NAME", "")).strip(),
        project_id=str(primary.get("PROJID", "")).strip(),
        observers=str(primary.get("OBSERVER", "")).strip(),
        telescope=str(primary.get("TELESCOP", "")).strip(),
        backend=str(primary.get("BACKEND", "")).strip(),
        mjd=float(mjd + skip_rows * first.nsblk * first.tsamp_s / 86400.0),
        tsamp_s=first.tsamp_s,
        nsamp=nsamp,
        obs_time_s=nsamp * first.tsamp_s,
        nchan=len(freqs),
        fctr_mhz=float((freqs.max() + freqs.min()) / 2),
        chan_bw_mhz=chan_bw,
        bandwidth_mhz=abs(chan_bw) * len(freqs),
        nbits=first.nbits,
        ra_str=str(coord.ra.to_string(unit=u.hourangle, sep=":", precision=4, pad=True)),
        dec_str=str(coord.dec.to_string(sep=":", precision=3, pad=True, alwayssign=True)),
        ra_deg=float(coord.ra.deg),
        dec_deg=float(coord.dec.deg),
        gal_l=float(galactic.l.deg),
        gal_b=float(galactic.b.deg),
        file_names=tuple(f.path.name for f in beam.files),
        data_size_bytes=sum(f.path.stat().st_size for f in beam.files),
    )


def read_header(paths: Sequence[str | Path], skip_rows: int = 0) -> BeamHeader:
    """Metadata of the merged beam made of ``paths`` (its s0/s1 files), after ``skip_rows``."""
    return _beam_header(_open_beam(paths, skip_rows), skip_rows)


def _blocks(beam: _Beam, skip_rows: int, rows_per_block: int) -> Iterator[np.ndarray]:
    nrows, nsblk = beam.files[0].nrows, beam.files[0].nsblk
    for start in range(skip_rows, nrows, rows_per_block):
        stop = min(start + rows_per_block, nrows)
        block = np.empty(((stop - start) * nsblk, len(beam.freqs_mhz)), dtype=np.float32)
        for search_file, columns in zip(beam.files, beam.columns, strict=True):
            block[:, columns] = read_rows(search_file, start, stop)
        yield block


@dataclass(frozen=True)
class BeamStream:
    """A beam whose samples are read from its files, ``rows_per_block`` SUBINT rows at a time,
    each time ``blocks`` is called: memory holds one block, whatever the size of the beam."""

    header: BeamHeader
    beam: _Beam
    skip_rows: int
    rows_per_block: int

    @property
    def freqs_mhz(self) -> np.ndarray:
        return self.beam.freqs_mhz

    @property
    def tsamp(self) -> float:
        return self.header.tsamp_s

    @property
    def nsamp(self) -> int:
        return self.header.nsamp

    @property
    def nchan(self) -> int:
        return self.header.nchan

    def blocks(self) -> Iterator[np.ndarray]:
        """The samples (nsamp, nchan) in time order, merged into one descending band."""
        return _blocks(self.beam, self.skip_rows, self.rows_per_block)


def open_beam(
    paths: Sequence[str | Path], skip_rows: int = 0, rows_per_block: int | None = None
) -> BeamStream:
    """Validate the files of one beam and read its header; no samples are read yet.

    ``rows_per_block`` defaults to as many rows as fit ``palfa.psrfits.filterbank.BLOCK_BYTES``.
    The first ``skip_rows`` SUBINT rows (Mock calibration) are dropped.
    """
    beam = _open_beam(paths, skip_rows)
    first = beam.files[0]
    if rows_per_block is None:
        rows_per_block = max(1, samples_per_block(len(beam.freqs_mhz)) // first.nsblk)
    if rows_per_block < 1:
        raise BadInputError(
            f"rows_per_block={rows_per_block}", "must be at least 1",
            "read at least one SUBINT row per block",
        )
    return BeamStream(_beam_header(beam, skip_rows), beam, skip_rows, rows_per_block)


def read_beam(paths: Sequence[str | Path], skip_rows: int = 0) -> Filterbank:
    """All samples of one beam in memory, the sub-band files merged into one descending band.

    The first ``skip_rows`` SUBINT rows (Mock calibration) are dropped.
    """
    stream = open_beam(paths, skip_rows)
    data = np.empty((stream.nsamp, stream.nchan), dtype=np.float32)
    start = 0
    for block in stream.blocks():
        data[start:start + len(block)] = block
        start += len(block)
    return Filterbank(header=stream.header, data=data, freqs_mhz=stream.freqs_mhz)
