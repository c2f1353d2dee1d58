"""Upload one searched beam to the common database as a single verified transaction.

Order: read and check every file first (nothing is sent if a plot is missing); insert header,
candidates with their fold plot and fold archive, and diagnostics; read it all back on the same
connection and compare with disk (``readback``); commit only when nothing differs, otherwise roll
back and raise ``UploadError`` listing the differences. A lost connection, deadlock or lock
timeout rolls back and raises ``DatabaseUnavailable`` instead: the beam is fine, retry it later.

Idempotency rule: a beam is identified by (obs_name, institution, pipeline, version_num). If that
beam is already stored, its old rows are deleted in the same transaction before the new ones are
inserted, so re-uploading replaces rather than duplicates, and a failed re-upload leaves the old
upload untouched. Uploads by another institution, pipeline or version are separate beams. The
rule also makes a retry safe when a commit's fate is unknown (the connection dropped during it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from palfa.commondb.availability import connection_alive, database_error
from palfa.commondb.beam_rows import (
    CANDIDATE_FILE_TYPE_COLUMN,
    DIAGNOSTIC_TABLES,
    BeamRows,
    Row,
    beam_rows,
    check_widths,
    utc_now,
)
from palfa.commondb.connection import database_errors
from palfa.commondb.diagnostic_types import BINARY, diagnostic_type_id
from palfa.commondb.readback import REL_TOL, compare, read_back
from palfa.errors import UploadError


@dataclass(frozen=True)
class UploadReport:
    """What one committed upload stored."""

    obs_name: str
    header_id: int
    rows: dict[str, int]  # table -> rows inserted
    bytes_stored: int  # plots, fold archives and binary diagnostics
    replaced: bool  # an earlier upload of the same beam was replaced
    seconds: float
    verify_seconds: float  # reading back and comparing, inside ``seconds``


def _insert(cur, table: str, row: Row) -> None:
    columns = list(row)
    markers = ", ".join("?" for _ in columns)
    cur.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({markers})",
        [row[column] for column in columns],
    )


def _id_of(cur, table: str, **where: object) -> int | None:
    """Look a row up by its natural key: portable where lastrowid/RETURNING are not."""
    condition = " AND ".join(f"{column} = ?" for column in where)
    cur.execute(f"SELECT id FROM {table} WHERE {condition}", list(where.values()))
    found = cur.fetchone()
    return None if found is None else int(found[0])


def _insert_with_id(cur, table: str, row: Row, **key: object) -> int:
    _insert(cur, table, {**key, **row})
    new_id = _id_of(cur, table, **key)
    assert new_id is not None, f"{table} row {key} vanished after insert"
    return new_id


def _version_id(cur, version_num: str) -> int:
    found = _id_of(cur, "versions", version_num=version_num)
    return found if found is not None else _insert_with_id(cur, "versions", {}, version_num=version_num)


# Tables whose rows hang off a header directly (besides candidates).
HEADER_CHILD_TABLES = (*DIAGNOSTIC_TABLES.values(), "singlepulse_files")


def _delete_beam(cur, header_id: int) -> None:
    for table in CANDIDATE_FILE_TYPE_COLUMN:
        cur.execute(
            f"DELETE FROM {table} WHERE candidate_id IN "
            "(SELECT id FROM candidates WHERE header_id = ?)",
            (header_id,),
        )
    for table in (*HEADER_CHILD_TABLES, "candidates"):
        cur.execute(f"DELETE FROM {table} WHERE header_id = ?", (header_id,))
    cur.execute("DELETE FROM headers WHERE id = ?", (header_id,))


def _insert_beam(cur, rows: BeamRows, version_id: int) -> int:
    ((obs_name,), header), = rows["headers"].items()
    header_id = _insert_with_id(
        cur, "headers", header, obs_name=obs_name, institution=header["institution"],
        pipeline=header["pipeline"], version_id=version_id,
    )
    candidate_ids = {
        rank: _insert_with_id(cur, "candidates", {**row, "version_id": version_id},
                              header_id=header_id, rank=rank)
        for (rank,), row in rows["candidates"].items()
    }
    for table in CANDIDATE_FILE_TYPE_COLUMN:
        for (rank, _kind), row in rows[table].items():
            _insert(cur, table, {"candidate_id": candidate_ids[rank], **row})
    for kind, table in DIAGNOSTIC_TABLES.items():
        for (name,), row in rows[table].items():
            type_id = diagnostic_type_id(cur, name, kind)
            _insert(cur, table, {"header_id": header_id, "type_id": type_id, **row})
    for row in rows["singlepulse_files"].values():
        _insert(cur, "singlepulse_files", {"header_id": header_id, **row})
    return header_id


def _bytes_stored(rows: BeamRows) -> int:
    return sum(
        int(row["file_size"])
        for table in (*CANDIDATE_FILE_TYPE_COLUMN, DIAGNOSTIC_TABLES[BINARY], "singlepulse_files")
        for row in rows[table].values()
    )


def upload_beam(
    conn,
    dialect: str,
    results_dir: Path | str,
    institution: str,
    pipeline: str,
    version_num: str,
    *,
    rel_tol: float = REL_TOL,
    before_verify: Callable[[object, int], None] | None = None,
) -> UploadReport:
    """Store one beam's results, verify them, and commit; roll back and raise on any difference.

    ``before_verify(cursor, header_id)`` runs inside the transaction just before the read-back;
    it exists so the verification itself can be tested against a database that changed a value.
    ``dialect`` is accepted for symmetry with ``create_schema``; every statement here is portable.
    """
    del dialect  # all statements are portable SQL with ? markers
    start = time.perf_counter()
    rows = beam_rows(Path(results_dir), institution, pipeline, utc_now())
    check_widths("versions", {"version_num": version_num}, "pipeline version")
    ((obs_name,), _header), = rows["headers"].items()
    cur = conn.cursor()
    try:
        version_id = _version_id(cur, version_num)
        old_id = _id_of(cur, "headers", obs_name=obs_name, institution=institution,
                        pipeline=pipeline, version_id=version_id)
        if old_id is not None:
            _delete_beam(cur, old_id)
        header_id = _insert_beam(cur, rows, version_id)
        if before_verify is not None:
            before_verify(cur, header_id)
        verify_start = time.perf_counter()
        mismatches = compare(rows, read_back(cur, header_id), rel_tol)
        verify_seconds = time.perf_counter() - verify_start
        if mismatches:
            raise UploadError(
                f"upload of {obs_name}",
                f"{len(mismatches)} value(s) read back differ from disk: " + "; ".join(mismatches),
                "nothing was committed; check the database server and driver, then retry",
            )
        conn.commit()
    except BaseException as exc:
        _roll_back(conn)
        errors = database_errors()
        if isinstance(exc, errors):
            lost = not connection_alive(conn, errors)
            raise database_error(f"common database, upload of {obs_name}", exc, lost) from exc
        raise
    return UploadReport(
        obs_name=obs_name,
        header_id=header_id,
        rows={table: len(section) for table, section in rows.items()},
        bytes_stored=_bytes_stored(rows),
        replaced=old_id is not None,
        seconds=time.perf_counter() - start,
        verify_seconds=verify_seconds,
    )


def _roll_back(conn) -> None:
    """Roll back; on a lost connection the server has already dropped the transaction."""
    try:
        conn.rollback()
    except database_errors():
        pass
