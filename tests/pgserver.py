"""A throwaway PostgreSQL server on 127.0.0.1 for tests (Debian's PostgreSQL 15 binaries).

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user in a data
directory it owns. Tests are skipped, with the reason, where the binaries or that user are absent,
except under CI (``CI=true``), where a missing system package is a failure: CI installs them all.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PALFA_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a fresh cluster, yield its URL (``postgresql+psycopg://...``), then remove it."""
    _skip_unless_available()
    data = Path(tempfile.mkdtemp(prefix="palfa-pg-"))
    port = _free_port()
    try:
        if os.geteuid() == 0:
            account = pwd.getpwnam(SUPERUSER)
            os.chown(data, account.pw_uid, account.pw_gid)
        _run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off"
        _run("pg_ctl", "-D", str(data), "-o", options, "-l", str(data / "server.log"), "-w", "start")
        try:
            yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"
        finally:
            _run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def create_empty_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server at ``server_url``; return its URL."""
    import psycopg

    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with closing(psycopg.connect(plain, autocommit=True)) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def psqlodbc_url(database_url: str) -> str:
    """The ``odbc:`` URL (psqlODBC driver) of a URL ``create_empty_database`` returned."""
    host_port, name = database_url.split("@")[1].split("/")
    host, port = host_port.split(":")
    return f"odbc:DRIVER={{PostgreSQL Unicode}};SERVER={host};PORT={port};DATABASE={name};UID={SUPERUSER}"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose system package is missing here; fail it under CI, which has them all."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI must provide this (bash bootstrap.sh installs it): {reason}")
    pytest.skip(reason)


def _skip_unless_available() -> None:
    if not (PG_BIN / "initdb").is_file():
        skip_or_fail(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql-15)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            skip_or_fail(f"running as root and there is no '{SUPERUSER}' user to run initdb as")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        skip_or_fail("the psycopg driver is not installed (pip install 'psycopg[binary]')")


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(program: str, *args: str) -> None:
    command = [str(PG_BIN / program), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", SUPERUSER, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}")
