"""Fixtures: one Prefect server with the process pool and the beam-search deployment for the
package, worker subprocesses per test, a workspace of tiny beams, and a real SMTP server."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).parent))
from prefect_cluster import (
    TINY_SEARCH,
    create_pool,
    deploy_beam_search,
    free_port,
    start_server,
    start_worker,
    stop,
)

from blocks.config import PipelineConfig
from blocks.credentials import CommonDbCredentials, SmtpCredentials
from palfa.config.settings import PalfaSettings
from palfa.config.workspace import init_workspace
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.simulate import SimulatedBeam, simulate_survey

FAST_POOLER = {"poll_s": 0.5, "max_jobs_running": 2, "max_jobs_queue": 2, "max_attempts": 2}


@dataclass
class Cluster:
    home: Path
    api_url: str


@pytest.fixture(scope="package")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

    home = tmp_path_factory.mktemp("prefect-home")
    proc, url = start_server(home)
    try:
        with temporary_settings({PREFECT_API_URL: url, PREFECT_RESULTS_LOCAL_STORAGE_PATH: home / "results"}):
            create_pool()
            deploy_beam_search(home, url)
            yield Cluster(home, url)
            APILogWorker.drain_all()  # send the last run logs while the server still listens
    finally:
        stop(proc)


@pytest.fixture
def workers(cluster) -> Iterator[Callable[..., Any]]:
    """``workers("a")`` starts a process worker on the pool; all are stopped after the test."""
    started = []

    def start(name: str, limit: int = 2):
        proc = start_worker(cluster.home, cluster.api_url, f"{name}-{uuid.uuid4().hex[:6]}", limit)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        stop(proc)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., PalfaSettings]:
    def make(**overrides: dict[str, Any]) -> PalfaSettings:
        groups = {"searching": dict(TINY_SEARCH), "jobpooler": dict(FAST_POOLER),
                  "upload": {"version_num": "pooler-test"}}
        for group, values in overrides.items():
            groups[group] = {**groups.get(group, {}), **values}
        return init_workspace(tmp_path / "workspace", groups)

    return make


@pytest.fixture
def save_config(cluster) -> Callable[..., str]:
    """``save_config(settings, smtp=None, archive=..., ftp=...)``: a PipelineConfig block saved
    under a fresh name (returned)."""

    def save(settings: PalfaSettings, smtp: SmtpCredentials | None = None, **services: Any) -> str:
        name = f"test-{uuid.uuid4().hex[:12]}"
        PipelineConfig(settings=settings, commondb=CommonDbCredentials(url=settings.commondb.url),
                       smtp=smtp or SmtpCredentials(), **services).save(name, overwrite=True)
        return name

    return save


@pytest.fixture
def add_beams() -> Callable[..., list[SimulatedBeam]]:
    """``add_beams(settings, n, seed)``: tiny beams tracked as ``added`` (as by palfa add-files)."""
    return _add_beams


def _add_beams(settings: PalfaSettings, nbeams: int, seed: int = 11) -> list[SimulatedBeam]:
    beams = simulate_survey(settings.download.datadir, nbeams=nbeams, seed=seed, nsamp=2**14, nbits=4,
                            rfi=False)
    JobTracker(settings.background.jobtracker_db).add_files(
        [NewFile(str(p)) for beam in beams for p in beam.files], status="added")
    return beams


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpCredentials, Mailbox]]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpCredentials(host="127.0.0.1", port=controller.port, password=SecretStr("")), mailbox
    finally:
        controller.stop()
