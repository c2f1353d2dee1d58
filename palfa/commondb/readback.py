"""Read a beam back from the database and compare it with what is on disk.

The read-back takes every stored column (``SELECT *``) rather than the ones the uploader meant to
write, so a column the database changed, dropped or filled by itself shows up as a mismatch.
Numbers agree within ``REL_TOL`` (columns are DOUBLE PRECISION; the SQLite3 ODBC driver returns
doubles through 15-digit text, about 5e-15 relative), text must be identical, binaries must have
the same length and SHA-256.
"""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal

from palfa.commondb.beam_rows import CANDIDATE_FILE_TYPE_COLUMN, DIAGNOSTIC_TABLES, BeamRows, Row

REL_TOL = 1e-12
# Surrogate and foreign keys: they differ between uploads and are not on disk.
ID_COLUMNS = frozenset({"id", "header_id", "candidate_id", "type_id", "version_id"})


def _normalise(value: object) -> object:
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(cur, sql: str, header_id: int) -> list[tuple[tuple, Row]]:
    """Run ``sql`` (its leading ``key_*`` columns form the key) and split key from stored row."""
    cur.execute(sql, (header_id,))
    names = [str(col[0]).lower() for col in cur.description]
    out = []
    for record in cur.fetchall():
        values = dict(zip(names, map(_normalise, record), strict=True))
        key = tuple(values[name] for name in names if name.startswith("key_"))
        row = {k: v for k, v in values.items() if k not in ID_COLUMNS and not k.startswith("key_")}
        out.append((key, row))
    return out


def read_back(cur, header_id: int) -> BeamRows:
    """The rows stored for header ``header_id``, keyed like ``beam_rows.beam_rows``."""
    rows: BeamRows = {
        "headers": dict(_rows(
            cur, "SELECT h.obs_name AS key_obs, h.* FROM headers h WHERE h.id = ?", header_id)),
        "candidates": dict(_rows(
            cur, "SELECT c.rank AS key_rank, c.* FROM candidates c WHERE c.header_id = ?",
            header_id)),
        "singlepulse_files": dict(_rows(
            cur, "SELECT s.file_type AS key_type, s.* FROM singlepulse_files s "
            "WHERE s.header_id = ?", header_id)),
    }
    for table, type_column in CANDIDATE_FILE_TYPE_COLUMN.items():
        sql = (
            f"SELECT c.rank AS key_rank, f.{type_column} AS key_type, f.* FROM {table} f "
            "JOIN candidates c ON c.id = f.candidate_id WHERE c.header_id = ?"
        )
        rows[table] = dict(_rows(cur, sql, header_id))
    for table in DIAGNOSTIC_TABLES.values():
        sql = (
            f"SELECT t.name AS key_name, d.* FROM {table} d "
            "JOIN diagnostic_types t ON t.id = d.type_id WHERE d.header_id = ?"
        )
        rows[table] = dict(_rows(cur, sql, header_id))
    return rows


def _describe(value: object) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes, sha256 {hashlib.sha256(value).hexdigest()[:12]}>"
    return repr(value)


def same_value(on_disk: object, stored: object, rel_tol: float = REL_TOL) -> bool:
    if isinstance(on_disk, bytes) or isinstance(stored, bytes):
        return (
            isinstance(on_disk, bytes) and isinstance(stored, bytes)
            and len(on_disk) == len(stored)
            and hashlib.sha256(on_disk).digest() == hashlib.sha256(stored).digest()
        )
    numbers = (int, float)
    if (isinstance(on_disk, numbers) and isinstance(stored, numbers)
            and not isinstance(on_disk, bool) and not isinstance(stored, bool)):
        if isinstance(on_disk, int) and isinstance(stored, int):
            return on_disk == stored
        return math.isclose(on_disk, stored, rel_tol=rel_tol, abs_tol=0.0)
    return on_disk == stored


def compare(on_disk: BeamRows, stored: BeamRows, rel_tol: float = REL_TOL) -> list[str]:
    """Every difference, one sentence each; an empty list means the upload is verified."""
    mismatches: list[str] = []
    for table in sorted(on_disk.keys() | stored.keys()):
        expected, actual = on_disk.get(table, {}), stored.get(table, {})
        for key in sorted(expected.keys() - actual.keys(), key=repr):
            mismatches.append(f"{table} {key}: on disk but not in the database")
        for key in sorted(actual.keys() - expected.keys(), key=repr):
            mismatches.append(f"{table} {key}: in the database but not on disk")
        for key in sorted(expected.keys() & actual.keys(), key=repr):
            want, got = expected[key], actual[key]
            for column in sorted(want.keys() | got.keys()):
                if column not in want or column not in got:
                    mismatches.append(f"{table} {key} {column}: column missing on one side")
                elif not same_value(want[column], got[column], rel_tol):
                    mismatches.append(
                        f"{table} {key} {column}: on disk {_describe(want[column])}, "
                        f"in the database {_describe(got[column])}"
                    )
    return mismatches
