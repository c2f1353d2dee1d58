"""Open the common database from one URL string.

``sqlite:///path/to/common.db`` uses the standard library (no server: the embedded default);
``odbc:<connection string>`` goes through pyodbc and unixODBC, which is how the survey's
SQL Server is reached (FreeTDS). Both drivers take ``?`` parameter markers, so every statement in
this package is written once. Autocommit is off: the uploader decides when a beam is committed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from palfa.commondb.availability import DatabaseUnavailable, is_transient
from palfa.commondb.schema import Dialect
from palfa.errors import ConfigError, UploadError

SQLITE_PREFIX = "sqlite:///"
ODBC_PREFIX = "odbc:"
SQLITE_BUSY_TIMEOUT_S = 60.0

# Substrings of an ODBC driver name (lower case) and the SQL dialect they speak.
_DRIVER_DIALECTS: tuple[tuple[str, Dialect], ...] = (
    ("sqlite", "sqlite"),
    ("postgres", "postgresql"),
    ("freetds", "mssql"),
    ("sql server", "mssql"),
    ("tds", "mssql"),
)


def database_errors() -> tuple[type[Exception], ...]:
    """The DB-API error classes of every driver that can be loaded here."""
    errors: list[type[Exception]] = [sqlite3.Error]
    try:
        import pyodbc
    except ImportError:
        return tuple(errors)
    errors.append(pyodbc.Error)
    return tuple(errors)


def odbc_dialect(connection_string: str) -> Dialect:
    match = re.search(r"DRIVER\s*=\s*\{?([^};]+)\}?", connection_string, re.IGNORECASE)
    if not match:
        raise ConfigError(
            "common database URL", "the ODBC connection string names no DRIVER",
            "write it as odbc:DRIVER={FreeTDS};SERVER=...;DATABASE=...;UID=...;PWD=...",
        )
    driver = match.group(1).strip().lower()
    for needle, dialect in _DRIVER_DIALECTS:
        if needle in driver:
            return dialect
    raise ConfigError(
        f"ODBC driver {match.group(1)!r}", "its SQL dialect is unknown",
        "use a FreeTDS/SQL Server, PostgreSQL or SQLite3 ODBC driver",
    )


def _connect_sqlite(path: str) -> sqlite3.Connection:
    if not path:
        raise ConfigError(
            "common database URL", "sqlite:/// is missing the file path",
            "write it as sqlite:///path/to/commondb.sqlite3",
        )
    parent = Path(path).parent
    if not parent.is_dir():
        raise ConfigError(
            f"common database file {path}", f"its folder {parent} does not exist",
            "create the folder or point the URL elsewhere",
        )
    # IMMEDIATE: the write lock is taken when a transaction starts, so two uploaders never
    # interleave inside one beam's transaction.
    return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level="IMMEDIATE")


def _connect_odbc(connection_string: str):
    try:
        import pyodbc
    except ImportError as exc:
        raise ConfigError(
            "pyodbc", f"cannot be loaded ({exc})",
            "install the unixODBC library (Debian package unixodbc)",
        ) from exc
    try:
        return pyodbc.connect(connection_string, autocommit=False)
    except pyodbc.Error as exc:
        error = DatabaseUnavailable if is_transient(exc) else UploadError
        raise error(
            "common database (ODBC)", f"connection failed ({exc})",
            "check the driver is listed in odbcinst.ini and the server, user and password",
        ) from exc


def connect(url: str) -> tuple[object, Dialect]:
    """Return an open DB-API connection (autocommit off) and the SQL dialect it speaks."""
    if url.startswith(SQLITE_PREFIX):
        return _connect_sqlite(url.removeprefix(SQLITE_PREFIX)), "sqlite"
    if url.startswith(ODBC_PREFIX):
        connection_string = url.removeprefix(ODBC_PREFIX)
        dialect = odbc_dialect(connection_string)
        return _connect_odbc(connection_string), dialect
    raise ConfigError(
        f"common database URL {url!r}", "unknown scheme",
        "use sqlite:///path/to/file.sqlite3 or odbc:<ODBC connection string>",
    )
