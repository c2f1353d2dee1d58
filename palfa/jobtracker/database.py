"""Engines for the job-tracker database: SQLite (the original's choice) or PostgreSQL.

SQLite needs care to be safe with several processes: WAL so readers never block the writer, a
busy timeout so a locked database is waited for rather than an error, and every transaction
opened with ``BEGIN IMMEDIATE``. pysqlite otherwise starts a transaction only at the first write,
so a read-then-update claim lets two processes claim the same row (measured on this machine:
87-176 double claims of 400).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from palfa.errors import ConfigError
from palfa.jobtracker.models import TABLES

BUSY_TIMEOUT_S = 60.0
_URL_FIX = "give a file path, sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DBNAME"


def database_url(url: str | Path) -> str:
    """A SQLAlchemy URL for ``url``: plain paths become SQLite files, ``postgresql://`` uses psycopg 3."""
    text = str(url)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    if text.startswith("postgresql://") or text.startswith("postgres://"):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def make_engine(url: str | Path) -> Engine:
    """An engine for the job tracker at ``url`` (see ``database_url``); nothing is created."""
    full = database_url(url)
    try:
        backend = make_url(full).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(f"job-tracker database URL {str(url)!r}", str(exc), _URL_FIX) from exc
    if backend == "sqlite":
        return _sqlite_engine(full)
    if backend == "postgresql":
        return create_engine(full, pool_pre_ping=True)
    raise ConfigError(
        f"job-tracker database URL {str(url)!r}",
        f"unsupported database '{backend}' (SQLite and PostgreSQL are supported)",
        _URL_FIX,
    )


def create_database(url: str | Path) -> Engine:
    """Create the tables that do not exist yet (a no-op on a complete database); return the engine.

    For SQLite the parent directory is created too.
    """
    full = database_url(url)
    database = make_url(full).database
    if make_url(full).get_backend_name() == "sqlite" and database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(full)
    tables = [model.__table__ for model in TABLES]
    with engine.begin() as connection:
        tables[0].metadata.create_all(connection, tables=tables, checkfirst=True)
    return engine


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ConfigError(
            f"job-tracker database URL {url!r}",
            "an in-memory SQLite database cannot be shared between the pipeline's processes",
            "give a file path",
        )
    if not Path(database).parent.is_dir():
        raise ConfigError(
            f"job-tracker database {database}",
            "its directory does not exist",
            "create the directory or run create_database (which creates it)",
        )
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN: we issue our own
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
