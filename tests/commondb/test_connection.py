"""URLs, driver names and connection failures give ConfigError/UploadError naming the fix."""

from __future__ import annotations

import pytest

from palfa.commondb import DatabaseUnavailable, connect, upload_beam
from palfa.commondb.connection import odbc_dialect
from palfa.errors import ConfigError, UploadError


@pytest.mark.parametrize(("connection_string", "dialect"), [
    ("DRIVER={FreeTDS};SERVER=db;PORT=1433;DATABASE=palfa", "mssql"),
    ("Driver={ODBC Driver 18 for SQL Server};Server=db", "mssql"),
    ("DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1", "postgresql"),
    ("DRIVER={SQLite3};Database=/tmp/x.db", "sqlite"),
])
def test_dialect_is_guessed_from_the_odbc_driver(connection_string, dialect):
    assert odbc_dialect(connection_string) == dialect


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://db/palfa", "unknown scheme"),
    ("odbc:SERVER=db;DATABASE=palfa", "names no DRIVER"),
    ("odbc:DRIVER={Oracle 19};SERVER=db", "dialect is unknown"),
    ("sqlite:///", "missing the file path"),
    ("sqlite:///no/such/folder/common.db", "does not exist"),
])
def test_bad_url_is_a_config_error_with_a_fix(url, message):
    with pytest.raises(ConfigError, match=message) as caught:
        connect(url)
    assert caught.value.fix


def test_missing_odbc_driver_is_an_upload_error_not_a_retry(odbc_driver_manager):
    with pytest.raises(UploadError, match=r"connection failed.*odbcinst.ini") as raised:
        connect("odbc:DRIVER={FreeTDS-not-installed};SERVER=127.0.0.1;PORT=1")
    assert not isinstance(raised.value, DatabaseUnavailable)  # retrying cannot install a driver


def test_database_without_schema_fails_cleanly(tmp_path, results_dir):
    conn, dialect = connect(f"sqlite:///{tmp_path / 'empty.db'}")
    message = r"OperationalError.*Fix: nothing was committed.*palfa commondb create"
    with pytest.raises(UploadError, match=message):
        upload_beam(conn, dialect, results_dir, "McGill", "p", "v")
    assert not conn.in_transaction

