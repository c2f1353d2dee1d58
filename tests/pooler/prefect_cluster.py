"""A real Prefect server, process work pool and workers on 127.0.0.1, as a survey runs them.

One server per test package (several self-started temporary servers time out together); the
workers are ``deployments/worker.sh`` subprocesses (the preloaded process worker) that poll
every second and beat every second, so a killed worker is noticed within seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")
POOL = "palfa-pool"
# 2.1 s beams that search in about a second (the high-acceleration pass at zmax 0, as the demo
# runs it); low_T_to_search at its default (20 s) fails them.
TINY_SEARCH = {"max_dm": 20.0, "max_cands_to_fold": 1, "low_T_to_search": 1.0, "hi_accel_zmax": 0}
WORKER_ENV = {"PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "2",
              "PREFECT_WORKER_HEARTBEAT_SECONDS": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PALFA_HOME": str(ROOT),
           "PYTHONPATH": str(ROOT), "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(home / "results"),
           "PREFECT_CLI_PROMPT": "false"}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def start_server(home: Path, database_url: str | None = None,
                 timeout_s: float = 120.0) -> tuple[subprocess.Popen, str]:
    """``prefect server start`` on a free loopback port, output to ``home/server.log``; its
    database is SQLite in ``home`` unless ``database_url`` (``postgresql+asyncpg://...``)."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = base_env(home)
    env.pop("PREFECT_API_URL", None)
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=home, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"prefect server not healthy after {timeout_s} s")


def deploy_beam_search(home: Path, api_url: str) -> None:
    """Register the beam-search deployment from the project's own prefect.yaml."""
    subprocess.run([PREFECT, "--no-prompt", "deploy", "--name", "palfa-beam-search"], cwd=ROOT,
                   env=base_env(home, api_url), check=True, capture_output=True, timeout=180)


def start_worker(home: Path, api_url: str, name: str, limit: int = 2,
                 env: dict[str, str] | None = None) -> subprocess.Popen:
    """What a cluster node runs: ``deployments/worker.sh``, with WORKER_ENV and then ``env``
    (NUMBA_NUM_THREADS unless given there: the script's share of the cores)."""
    log = (home / f"worker-{name}.log").open("wb")
    environment = {**base_env(home, api_url), **WORKER_ENV, "PALFA_WORKER_NAME": name,
                   "PALFA_WORKER_LIMIT": str(limit)}
    environment.pop("NUMBA_NUM_THREADS", None)
    return subprocess.Popen(["bash", str(ROOT / "deployments" / "worker.sh")], stdout=log,
                            stderr=subprocess.STDOUT, env={**environment, **(env or {})}, cwd=ROOT,
                            start_new_session=True)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a process and everything it started (a node that dies takes all with it)."""
    for pid in [proc.pid, *descendants(proc.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    family = [proc.pid, *descendants(proc.pid)]
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=20)
    for pid in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def create_pool() -> None:
    """The process work pool with the project's job template (deployments/palfa-pool.json), on
    the server the current Prefect settings point at."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    template = json.loads((ROOT / "deployments" / "palfa-pool.json").read_text())
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process", base_job_template=template))
