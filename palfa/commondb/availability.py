"""Telling "the database is unavailable right now" apart from "these results cannot be stored".

A lost connection, a deadlock victim or a lock timeout says nothing about the beam: the
transaction was rolled back and the same upload may succeed later, so it must not cost the job a
processing attempt. Everything else (a value read back wrong, a missing table, a bad file) is
the upload's own failure. ODBC errors are told apart by SQLSTATE, which every driver reports
the same way; sqlite3 has no SQLSTATE, only its "locked"/"busy" messages.
"""

from __future__ import annotations

import sqlite3

from palfa.errors import UploadError

# SQLSTATE classes (prefixes) of trouble a later attempt can outlive:
# 08 connection exceptions (refused, lost, 08S01 link failure); 40 transaction rollback
# (40001 serialization failure / SQL Server deadlock 1205, 40P01 PostgreSQL deadlock);
# HYT timeouts (HYT00 lock or query timeout, HYT01 connection timeout); 57P operator
# intervention (57P01 admin shutdown / pg_terminate_backend, 57P03 cannot connect now).
TRANSIENT_SQLSTATES = ("08", "40", "HYT", "57P")
_SQLITE_TRANSIENT_WORDS = ("locked", "busy")
# Drivers without a precise SQLSTATE (the SQLite ODBC driver answers HY000) say it in words.
_TRANSIENT_WORDS = (*_SQLITE_TRANSIENT_WORDS, "connection has been lost", "deadlock")


class DatabaseUnavailable(UploadError):
    """The database could not be reached, or gave the transaction up; nothing was committed."""


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE a pyodbc error carries as its first argument ('' when there is none)."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, str) and len(first) == 5 else ""


def is_transient(exc: BaseException) -> bool:
    """True for errors that roll back a transaction without anything being wrong with the beam."""
    message = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return any(word in message for word in _SQLITE_TRANSIENT_WORDS)
    state = sqlstate(exc)
    if state.startswith(TRANSIENT_SQLSTATES):
        return True
    return bool(state) and any(word in message for word in _TRANSIENT_WORDS)


def connection_alive(conn, errors: tuple[type[Exception], ...]) -> bool:
    """Whether ``conn`` still answers: a driver that reports a dropped session vaguely (psqlODBC
    can answer HY000 "internal SAVEPOINT failed") is caught by asking the server once more."""
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1")
        cur.fetchall()
        conn.rollback()  # leave no transaction open behind the probe
    except errors:
        return False
    return True


def database_error(what: str, exc: BaseException, connection_lost: bool = False) -> UploadError:
    """The PalfaError for a driver error: ``DatabaseUnavailable`` when a later try may succeed."""
    problem = f"{type(exc).__name__}: {exc}"
    if connection_lost:
        problem += " (the connection is lost)"
    if connection_lost or is_transient(exc):
        return DatabaseUnavailable(
            what, problem,
            "nothing was committed and the beam is fine; the upload is retried later "
            "(check the server if this persists)",
        )
    return UploadError(
        what, problem,
        "nothing was committed; check the schema exists (palfa commondb create) and the "
        "server accepts the statements, then retry",
    )
