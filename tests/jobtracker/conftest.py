"""Job-tracker fixtures: a fresh SQLite tracker per test, and a throwaway PostgreSQL server."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

from palfa.jobtracker import JobTracker

# tests/ holds shared helpers (pgserver) and must be importable in spawned workers too; the
# importlib import mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pgserver import create_empty_database, running_postgres

_database_names = itertools.count()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return str(tmp_path / "jobtracker.db")


@pytest.fixture
def tracker(sqlite_url):
    tracker = JobTracker(sqlite_url)
    yield tracker
    tracker.close()


@pytest.fixture(scope="session")
def postgres_server():
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """An empty database of its own for each test."""
    return create_empty_database(postgres_server, f"jobtracker_{next(_database_names)}")
