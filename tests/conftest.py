"""Shared fixtures: one Prefect test server per session, isolated result storage."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MPLBACKEND", "Agg")


_LOOPBACK_NAMES = {"localhost", "ip6-localhost", "::1"}


def _loopback_only(connect):
    """Tests talk to servers on 127.0.0.1 only: any other address is a bug, refused loudly."""

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0])
            if not (host.startswith("127.") or host in _LOOPBACK_NAMES):
                raise ConnectionRefusedError(f"test tried to reach {address}: loopback only")
        return connect(sock, address)

    return guarded


def pytest_configure(config) -> None:
    socket.socket.connect = _loopback_only(socket.socket.connect)
    socket.socket.connect_ex = _loopback_only(socket.socket.connect_ex)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real (temporary) Prefect API for tests that run flows or save blocks."""
    from prefect.testing.utilities import prefect_test_harness

    results = tmp_path_factory.mktemp("prefect-results")
    os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str(results)
    with prefect_test_harness(server_startup_timeout=120):
        yield


PRESTO_FIXTURES = Path(os.environ.get("PALFA_PRESTO_FIXTURES",
                                      Path(__file__).resolve().parents[2] / "shared" / "presto-fixtures"))
PRESTO_PROGRAMS = ("rfifind", "prepsubband", "single_pulse_search.py", "realfft", "zapbirds",
                   "rednoise", "accelsearch", "prepfold", "convert")


@pytest.fixture(scope="session")
def fx(tmp_path_factory) -> Path:
    """A private copy of the real PRESTO outputs in ../shared/presto-fixtures (never modified)."""
    if not PRESTO_FIXTURES.is_dir():
        reason = f"PRESTO fixtures not found at {PRESTO_FIXTURES} (set PALFA_PRESTO_FIXTURES)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(reason)  # CI has ../shared beside the clone: their absence is a broken run
        pytest.skip(reason)
    copy = tmp_path_factory.mktemp("presto-fixtures")
    for path in PRESTO_FIXTURES.iterdir():
        shutil.copy(path, copy / path.name)
    return copy


@pytest.fixture
def fake_presto(tmp_path, fx, monkeypatch) -> Path:
    """A bin/ directory, first on PATH, where every PRESTO program is a real process that replays
    the fixture outputs (``FAKE_PRESTO_BREAK=program:exit|silent`` makes one fail)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "fake_presto.py"
    script.write_text(f"#!{sys.executable}\n" + (Path(__file__).parent / "presto" / "fake_presto.py")
                      .read_text())
    script.chmod(0o755)
    for name in PRESTO_PROGRAMS:
        (bindir / name).symlink_to(script)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PRESTO_FIXTURES", str(fx))
    monkeypatch.delenv("FAKE_PRESTO_BREAK", raising=False)
    return bindir
