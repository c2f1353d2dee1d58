"""Tasks that ask the archive to stage beams and register what it staged."""

from __future__ import annotations

from prefect import get_run_logger, task

from blocks.config import PipelineConfig
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.transfer.ftp_download import FtpSource
from palfa.transfer.restore_client import RestoreClient


def restore_client(config: PipelineConfig) -> RestoreClient:
    creds = config.archive
    return RestoreClient(creds.api_service_url, creds.username, creds.password.get_secret_value())


def ftp_source(config: PipelineConfig) -> FtpSource:
    creds = config.ftp
    return FtpSource(creds.host, creds.port, creds.username, creds.password.get_secret_value())


@task(name="request-restore", retries=2, retry_delay_seconds=[5, 30])
def request_restore(config: PipelineConfig, num_beams: int) -> tuple[int, str]:
    """Ask for ``num_beams`` beams; the request is tracked as ``waiting``."""
    dl = config.settings.download
    with restore_client(config) as client:
        guid = client.restore(num_beams, bits=dl.request_numbits, file_type=dl.request_datatype,
                              pipeline=config.settings.basic.pipeline)
    tracker = JobTracker(config.settings.background.jobtracker_db)
    request = tracker.add_request(guid, num_beams, dl.request_datatype, bits=dl.request_numbits)
    get_run_logger().info("restore %s requested for %d beam(s)", guid, num_beams)
    return request.id, guid


@task(name="wait-for-staging")
def wait_for_staging(config: PipelineConfig, guid: str) -> None:
    dl = config.settings.download
    with restore_client(config) as client:
        client.wait_until_staged(guid, poll_s=dl.poll_s, timeout_s=dl.request_timeout_s)


@task(name="register-staged-files", retries=2, retry_delay_seconds=5)
def register_staged_files(config: PipelineConfig, request_id: int, guid: str) -> int:
    """Each staged file becomes a ``new`` files row (size from the server); request finished."""
    remote = ftp_source(config).list_files(guid)
    datadir = config.settings.download.datadir
    tracker = JobTracker(config.settings.background.jobtracker_db)
    tracker.add_files(
        [NewFile(filename=str(datadir / f.name), remote_filename=f.path, size=f.size,
                 file_type=config.settings.download.request_datatype) for f in remote],
        request_id=request_id,
    )
    tracker.finish_request(request_id, size=sum(f.size for f in remote),
                           details=f"{len(remote)} file(s) staged")
    get_run_logger().info("restore %s: %d file(s) staged", guid, len(remote))
    return len(remote)
