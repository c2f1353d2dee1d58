"""One beam's results as the database rows they must become, built (and checked) from disk.

The same shape is what ``readback.read_back`` returns from the database, so verifying an upload
is comparing two ``BeamRows``. Everything a user can get wrong (a missing plot, an over-long
name, an infinite value) is found here, before the database is touched.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from pathlib import Path

from palfa.commondb.barycentre import doppler_factor
from palfa.commondb.diagnostic_types import BINARY, NUMERIC
from palfa.commondb.schema import text_widths
from palfa.errors import BadInputError, UploadError
from palfa.psrfits.header import BeamHeader
from palfa.search.diagnostics import SINGLEPULSE_CSV, SINGLEPULSE_PNG
from palfa.search.results import CANDIDATES_CSV, Candidate, read_results

Row = dict[str, object]
# table name -> natural key -> column values (ids and foreign keys left out)
BeamRows = dict[str, dict[tuple, Row]]

FILE_COLUMNS = ("filename", "file_data", "file_size", "sha256")
# Candidate file tables and the column naming what kind of file each row holds.
CANDIDATE_FILE_TYPE_COLUMN = {"candidate_plots": "plot_type", "candidate_binaries": "binary_type"}
PLOT_TYPE = "prepfold_png"  # Candidate.plot
FOLD_ARCHIVE_TYPE = "pfd"  # Candidate.fold_archive
DIAGNOSTIC_TABLES = {NUMERIC: "diagnostics_numeric", BINARY: "diagnostics_binary"}
NULLABLE_CANDIDATE_COLUMNS = ("snr", "coherent_power", "incoherent_power")
# singlepulse_files.file_type -> the file's name pattern: the embedded engine's event list and
# plot, the PRESTO back-end's tarball of .singlepulse lists and its (gzipped) plot.
SINGLEPULSE_FILES = {
    "singlepulse_csv": SINGLEPULSE_CSV,
    "singlepulse_png": SINGLEPULSE_PNG,
    "singlepulse_tgz": "*_singlepulse.tgz",
    "singlepulse_ps": "*_singlepulse.ps.gz",
}


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def file_row(results_dir: Path, relative: str, what: str) -> Row:
    path = results_dir / relative
    if not path.is_file():
        raise UploadError(
            f"{what} {path}", "file is missing",
            "re-run the fold for this beam, or fix the path in the results directory",
        )
    data = path.read_bytes()
    return {
        "filename": path.name,
        "file_data": data,
        "file_size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _number(what: str, value: float, nullable: bool = False) -> float | None:
    """NaN means "not measured" and is stored as NULL (SQL Server has no NaN)."""
    if isinstance(value, float) and math.isnan(value) and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UploadError(what, f"value {value!r} cannot be stored", "fix the search output")
    return value


def check_widths(table: str, row: Row, what: str) -> None:
    for column, width in text_widths(table).items():
        value = row.get(column)
        if isinstance(value, str) and len(value) > width:
            raise UploadError(
                f"{what} {column}", f"{len(value)} characters, the database holds {width}",
                "shorten it (names and paths in the results directory)",
            )


def header_row(header: BeamHeader, institution: str, pipeline: str, upload_time: str) -> Row:
    what = f"header of {header.obs_name}"
    floats = {
        "mjd": header.mjd,
        "sample_time": header.tsamp_s,
        "observation_time": header.obs_time_s,
        "center_freq": header.fctr_mhz,
        "channel_bandwidth": header.chan_bw_mhz,
        "bandwidth": header.bandwidth_mhz,
        "ra_deg": header.ra_deg,
        "dec_deg": header.dec_deg,
        "galactic_longitude": header.gal_l,
        "galactic_latitude": header.gal_b,
    }
    row: Row = {
        "obs_name": header.obs_name,
        "beam_id": header.beam_id,
        "source_name": header.source_name,
        "project_id": header.project_id,
        "observers": header.observers,
        "telescope": header.telescope,
        "backend": header.backend,
        **{name: _number(f"{what} {name}", value) for name, value in floats.items()},
        "num_samples": header.nsamp,
        "num_channels": header.nchan,
        "nbits": header.nbits,
        "ra_str": header.ra_str,
        "dec_str": header.dec_str,
        "file_names": ",".join(header.file_names),
        "file_size": header.data_size_bytes,  # the raw files on disk
        "data_size": header.nsamp * header.nchan * header.nbits // 8,  # the samples searched
        "institution": institution,
        "pipeline": pipeline,
        "upload_time": upload_time,
    }
    check_widths("headers", row, what)
    return row


def candidate_row(
    cand: Candidate, rank: int, institution: str, pipeline: str, proc_date: str, doppler: float
) -> Row:
    """``doppler`` is the beam's 1 + v/c (``barycentre.doppler_factor``)."""
    what = f"candidate {rank}"
    values = {
        "topo_period": cand.period_s,
        "topo_freq": cand.freq_hz,
        "topo_f_dot": cand.fdot_hz_s,
        "bary_period": cand.period_s * doppler,
        "bary_freq": cand.freq_hz / doppler,
        "dm": cand.dm,
        "sigma": cand.sigma,
        "snr": cand.snr,
        "coherent_power": cand.cpow,
        "incoherent_power": cand.ipow,
        "z": cand.z,
    }
    return {
        "rank": rank,
        **{
            name: _number(f"{what} {name}", value, name in NULLABLE_CANDIDATE_COLUMNS)
            for name, value in values.items()
        },
        "num_hits": cand.num_hits,
        "num_harmonics": cand.numharm,
        "institution": institution,
        "pipeline": pipeline,
        "proc_date": proc_date,
    }


def candidate_file_rows(results_dir: Path, candidates: list[Candidate]) -> BeamRows:
    rows: BeamRows = {table: {} for table in CANDIDATE_FILE_TYPE_COLUMN}
    for rank, cand in enumerate(candidates, start=1):
        named = (
            ("candidate_plots", PLOT_TYPE, cand.plot, "fold plot"),
            ("candidate_binaries", FOLD_ARCHIVE_TYPE, cand.fold_archive, "fold archive"),
        )
        for table, kind, relative, label in named:
            if relative:
                row = {CANDIDATE_FILE_TYPE_COLUMN[table]: kind,
                       **file_row(results_dir, relative, f"candidate {rank} {label}")}
                check_widths(table, row, f"candidate {rank} {label}")
                rows[table][(rank, kind)] = row
    return rows


def diagnostic_rows(results_dir: Path, diagnostics: dict[str, float | str]) -> BeamRows:
    """Numbers go to diagnostics_numeric; strings are files (images, text lists) to store."""
    rows: BeamRows = {table: {} for table in DIAGNOSTIC_TABLES.values()}
    for name, value in diagnostics.items():
        what = f"diagnostic {name!r}"
        check_widths("diagnostic_types", {"name": name}, what)
        if isinstance(value, str):
            row = file_row(results_dir, value, what)
            check_widths(DIAGNOSTIC_TABLES[BINARY], row, what)
            rows[DIAGNOSTIC_TABLES[BINARY]][(name,)] = row
        else:
            rows[DIAGNOSTIC_TABLES[NUMERIC]][(name,)] = {
                "numeric_value": _number(what, value, nullable=True)
            }
    return rows


def singlepulse_rows(results_dir: Path) -> BeamRows:
    """The single-pulse files the engine wrote (each type optional, but at most one file each)."""
    rows: dict[tuple, Row] = {}
    for file_type, pattern in SINGLEPULSE_FILES.items():
        found = sorted(path.name for path in results_dir.glob(pattern))
        if len(found) > 1:
            raise UploadError(
                f"single-pulse files {', '.join(found)} in {results_dir}",
                f"more than one {pattern}", "keep only this beam's file in its results directory",
            )
        if found:
            row = file_row(results_dir, found[0], f"single-pulse {found[0]}")
            check_widths("singlepulse_files", row, f"single-pulse {found[0]}")
            rows[(file_type,)] = {"file_type": file_type, **row}
    return {"singlepulse_files": rows}


def beam_rows(results_dir: Path, institution: str, pipeline: str, upload_time: str) -> BeamRows:
    """Every row one beam uploads; raises UploadError on anything that would not store."""
    try:
        results = read_results(results_dir)
    except BadInputError as exc:
        raise UploadError(exc.what, exc.problem, exc.fix) from exc
    header = header_row(results.header, institution, pipeline, upload_time)
    # The search finished when it wrote candidates.csv: that is the candidates' processing date.
    proc_date = datetime.fromtimestamp(
        (results_dir / CANDIDATES_CSV).stat().st_mtime, UTC
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    doppler = doppler_factor(results.header)
    candidates = {
        (rank,): candidate_row(cand, rank, institution, pipeline, proc_date, doppler)
        for rank, cand in enumerate(results.candidates, start=1)
    }
    return {
        "headers": {(header["obs_name"],): header},
        "candidates": candidates,
        **candidate_file_rows(results_dir, results.candidates),
        **diagnostic_rows(results_dir, results.diagnostics),
        **singlepulse_rows(results_dir),
    }
