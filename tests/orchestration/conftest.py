"""Fixtures for flow tests: a checked workspace, a live local archive of small simulated beams,
and a saved ``PipelineConfig`` block pointing at both (all on 127.0.0.1)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from blocks.config import PipelineConfig
from blocks.credentials import ArchiveCredentials, CommonDbCredentials, FtpCredentials
from palfa.archive.local import LocalArchive
from palfa.config.settings import PalfaSettings
from palfa.config.workspace import init_workspace
from palfa.simulate import SimulatedBeam, simulate_survey

USER, PASSWORD = "palfa", "s3cret"
SMALL_BEAM = {"nsamp": 2**14, "nbits": 4, "rfi": False}  # ~0.5 MiB per file
FAST_DOWNLOADS = {"poll_s": 0.2, "numdownloads": 2, "numretries": 2, "numrestored": 20}


@pytest.fixture(autouse=True)
def _prefect(prefect_server) -> None:
    """Every test here runs flows or saves blocks, so all of them need the test server."""


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., PalfaSettings]:
    """``make_settings(download={...}, basic={...})``: a fresh checked workspace's settings."""

    def make(**overrides: dict[str, Any]) -> PalfaSettings:
        groups = {"download": dict(FAST_DOWNLOADS), **{k: dict(v) for k, v in overrides.items()}}
        if "download" in overrides:
            groups["download"] = {**FAST_DOWNLOADS, **overrides["download"]}
        return init_workspace(tmp_path / "workspace", groups)

    return make


@pytest.fixture
def archive_beams(tmp_path: Path) -> list[SimulatedBeam]:
    """Two complete 4-bit beams (four files) in the archive's folder."""
    return simulate_survey(tmp_path / "archive", nbeams=2, seed=7, **SMALL_BEAM)


@pytest.fixture
def run_archive(tmp_path: Path, archive_beams) -> Callable[..., Any]:
    """``with run_archive(fail_restore=True) as archive:``: the live restore service + FTP."""

    @contextmanager
    def run(**options: Any) -> Iterator[LocalArchive]:
        options = {"stage_delay_s": 0.2, "auth_failed_timeout": 0.0, **options}
        with LocalArchive(tmp_path / "archive", USER, PASSWORD, **options) as archive:
            yield archive

    return run


@pytest.fixture
def save_config() -> Callable[..., str]:
    """``save_config(settings, archive=None)``: a block saved under a fresh name (returned)."""
    return _save_config


@pytest.fixture
def restore_and_download() -> Callable[..., tuple[dict[str, int], list[Path]]]:
    """``restore_and_download(settings, archive)``: one pass of each flow (outcome, still staged)."""
    return _restore_and_download


def _restore_and_download(settings: PalfaSettings, archive: LocalArchive,
                          num_beams: int = 2) -> tuple[dict[str, int], list[Path]]:
    """One restore then one download pass; returns the download outcome and what is still staged."""
    from flows.download import download_flow
    from flows.restore import restore_flow

    block = _save_config(settings, archive)
    restore_flow(block, num_beams=num_beams)
    return download_flow(block), list(archive.ftp_root.iterdir())


def _save_config(settings: PalfaSettings, archive: LocalArchive | None = None) -> str:
    name = f"test-{uuid.uuid4().hex[:12]}"
    services: dict[str, Any] = {}
    if archive is not None:
        services["archive"] = ArchiveCredentials(
            api_service_url=archive.restore_url, username=USER, password=SecretStr(PASSWORD))
        services["ftp"] = FtpCredentials(host=archive.ftp_host, port=archive.ftp_port,
                                         username=USER, password=SecretStr(PASSWORD))
    PipelineConfig(settings=settings, commondb=CommonDbCredentials(url=settings.commondb.url),
                   **services).save(name, overwrite=True)
    return name
