"""Copies of the real PRESTO outputs in ../shared/presto-fixtures (never modified in place)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(os.environ.get("PALFA_PRESTO_FIXTURES",
                               Path(__file__).resolve().parents[3] / "shared" / "presto-fixtures"))


@pytest.fixture(scope="session")
def fx(tmp_path_factory) -> Path:
    """A private copy of the fixture directory."""
    if not FIXTURES.is_dir():
        pytest.skip(f"PRESTO fixtures not found at {FIXTURES}")
    copy = tmp_path_factory.mktemp("presto-fixtures")
    for path in FIXTURES.iterdir():
        shutil.copy(path, copy / path.name)
    return copy
