"""A database that drops the connection, is locked or is down: DatabaseUnavailable, nothing left,
and the same upload succeeds on the next try. Anything else stays a plain UploadError."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing

import pytest

from palfa.commondb import DatabaseUnavailable, connect, count_rows, create_schema, upload_beam
from palfa.commondb.availability import is_transient
from palfa.commondb.upload_url import count_rows_at
from palfa.errors import UploadError

from .conftest import postgres_odbc_url
from .test_uploader import EMPTY, INSTITUTION, PIPELINE, VERSION


def test_connection_dropped_mid_upload_leaves_nothing_and_the_retry_succeeds(
    postgres_server, results_dir
):
    url = postgres_odbc_url(postgres_server)
    conn, dialect = connect(url)
    create_schema(conn, dialect)
    killer, _dialect = connect(url)

    def drop_connection(cur, header_id):  # the server ends the uploader's session (admin, crash)
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        killer.cursor().execute("SELECT pg_terminate_backend(?)", (pid,))
        killer.commit()

    with pytest.raises(DatabaseUnavailable, match=r"Fix: nothing was committed and the beam is fine"):
        upload_beam(conn, dialect, results_dir, INSTITUTION, PIPELINE, VERSION,
                    before_verify=drop_connection)
    killer.close()
    assert count_rows_at(url) == EMPTY

    retry, dialect = connect(url)
    report = upload_beam(retry, dialect, results_dir, INSTITUTION, PIPELINE, VERSION)
    retry.close()
    assert not report.replaced
    assert count_rows_at(url)["candidates"] == 2


def test_locked_database_is_unavailable_not_a_bad_beam(tmp_path, results_dir):
    path = tmp_path / "commondb.sqlite3"
    url = f"sqlite:///{path}"
    conn, dialect = connect(url)
    create_schema(conn, dialect)
    conn.close()
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # another uploader mid-transaction
    impatient = sqlite3.connect(path, timeout=0.05, isolation_level="IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable, match="database is locked"):
            upload_beam(impatient, "sqlite", results_dir, INSTITUTION, PIPELINE, VERSION)
    finally:
        other_writer.rollback()
        other_writer.close()
    assert count_rows(impatient) == EMPTY
    upload_beam(impatient, "sqlite", results_dir, INSTITUTION, PIPELINE, VERSION)
    impatient.close()
    assert count_rows_at(url)["headers"] == 1


def test_server_that_refuses_connections_is_unavailable(odbc_driver_manager):
    with closing(socket.socket()) as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DatabaseUnavailable, match=r"connection failed.*08001"):
        connect(f"odbc:DRIVER={{PostgreSQL Unicode}};SERVER=127.0.0.1;PORT={port};DATABASE=x")


@pytest.mark.parametrize(("sqlstate", "message", "transient"), [
    ("40001", "Transaction (Process ID 57) was deadlocked on lock resources", True),  # SQL Server
    ("40P01", "deadlock detected", True),  # PostgreSQL
    ("HYT00", "Query timeout expired", True),
    ("08S01", "Communication link failure", True),
    ("HY000", "database is locked", True),  # the SQLite ODBC driver has no better SQLSTATE
    ("42S02", "Invalid object name 'headers'", False),  # no schema: retrying will not help
    ("23000", "Violation of UNIQUE KEY constraint", False),
    ("HY000", "some other failure", False),
])
def test_odbc_errors_are_told_apart_by_sqlstate(odbc_driver_manager, sqlstate, message, transient):
    import pyodbc

    assert is_transient(pyodbc.Error(sqlstate, f"[{sqlstate}] {message}")) is transient


def test_missing_table_is_an_upload_error_not_unavailability(tmp_path, results_dir):
    conn, dialect = connect(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(UploadError, match="no such table") as raised:
        upload_beam(conn, dialect, results_dir, INSTITUTION, PIPELINE, VERSION)
    conn.close()
    assert not isinstance(raised.value, DatabaseUnavailable)
