"""Engines: SQLite set up for many processes, PostgreSQL URLs, bad URLs named with a fix."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from palfa.errors import ConfigError
from palfa.jobtracker import JobTracker, NewFile, create_database, make_engine
from palfa.jobtracker.database import database_url


def test_sqlite_pragmas(tmp_path):
    engine = create_database(tmp_path / "jt.db")
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() >= 10_000
    engine.dispose()


def test_create_database_is_idempotent_and_makes_its_directory(tmp_path):
    path = tmp_path / "deeper" / "jt.db"
    tracker = JobTracker(path)
    tracker.add_files([NewFile("/data/a.fits")])
    tracker.close()
    engine = create_database(f"sqlite:///{path}")
    assert set(inspect(engine).get_table_names()) == {
        "requests",
        "files",
        "download_attempts",
        "jobs",
        "job_files",
        "job_submits",
    }
    engine.dispose()
    again = JobTracker(path)
    assert again.counts_by_status()["files"] == {"new": 1}
    again.close()


def test_foreign_keys_are_enforced(tmp_path):
    tracker = JobTracker(tmp_path / "jt.db")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        tracker.add_files([NewFile("/data/a.fits")], request_id=999)
    tracker.close()


def test_postgres_url_without_driver_uses_psycopg(postgres_url):
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    assert database_url(plain) == postgres_url
    engine = create_database(plain)
    create_database(plain)  # second call harmless
    assert "job_submits" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("sqlite://", "in-memory SQLite"),
        ("/no/such/dir/jt.db", "its directory does not exist"),
        ("sqlite:////no/such/dir/jt.db", "its directory does not exist"),
        ("://no-scheme", "Could not parse"),
    ],
)
def test_bad_urls_are_named_with_a_fix(url, problem):
    with pytest.raises(ConfigError) as refused:
        make_engine(url)
    assert problem in str(refused.value)
    assert "Fix:" in str(refused.value)
