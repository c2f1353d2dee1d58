"""One upload from a connection URL: what the upload task and ``palfa upload`` both do.

A fresh connection per upload: after a lost connection or a deadlock the old one is of no use,
and the caller decides when to try again (``DatabaseUnavailable``).
"""

from __future__ import annotations

from pathlib import Path

from palfa.commondb.availability import database_error
from palfa.commondb.connection import connect, database_errors
from palfa.commondb.queries import count_rows
from palfa.commondb.schema import create_schema
from palfa.commondb.uploader import UploadReport, upload_beam


def create_schema_at(url: str) -> list[str]:
    """Create the common database's missing tables at ``url``; returns the tables created."""
    conn, dialect = connect(url)
    try:
        return create_schema(conn, dialect)
    except database_errors() as exc:
        raise database_error("common database, creating the schema", exc) from exc
    finally:
        conn.close()


def upload_results_dir(
    url: str, results_dir: Path | str, institution: str, pipeline: str, version_num: str
) -> UploadReport:
    """Create any missing tables, then upload ``results_dir`` in one verified transaction."""
    create_schema_at(url)
    conn, dialect = connect(url)
    try:
        return upload_beam(conn, dialect, results_dir, institution, pipeline, version_num)
    finally:
        conn.close()


def count_rows_at(url: str) -> dict[str, int]:
    """Committed rows per table at ``url``, read on a connection of its own."""
    conn, _dialect = connect(url)
    try:
        return count_rows(conn)
    finally:
        conn.close()
