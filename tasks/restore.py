"""Tasks that ask the archive to stage beams and register what it staged."""

from __future__ import annotations

from prefect import get_run_logger, task

from blocks.config import PipelineConfig
from palfa.errors import PalfaError
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.transfer.ftp_download import FtpSource
from palfa.transfer.restore_client import RestoreClient


def restore_client(config: PipelineConfig) -> RestoreClient:
    creds = config.archive
    return RestoreClient(creds.api_service_url, creds.username, creds.password.get_secret_value())


def ftp_source(config: PipelineConfig) -> FtpSource:
    creds = config.ftp
    return FtpSource(creds.host, creds.port, creds.username, creds.password.get_secret_value())


@task(name="request-restore")
def request_restore(config: PipelineConfig, num_beams: int) -> tuple[int, str]:
    """Ask for ``num_beams`` beams; the request is tracked as ``waiting``.

    No task retries: the client already retries what is safe to repeat, a ``fail`` answer is a
    considered refusal, and repeating a Restore that reached the server would stage beams twice.
    """
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
    tracker.register_restore(
        request_id,
        [NewFile(filename=str(datadir / f.name), remote_filename=f.path, size=f.size,
                 file_type=config.settings.download.request_datatype) for f in remote],
        details=f"{len(remote)} file(s) staged",
    )
    logger = get_run_logger()
    if remote:
        logger.info("restore %s: %d file(s) staged", guid, len(remote))
    else:
        logger.warning("restore %s staged no files: the archive has no more beams of this kind "
                       "(download.request_numbits / request_datatype) for this user", guid)
    return len(remote)


@task(name="delete-staging")
def delete_staging(config: PipelineConfig) -> int:
    """Free the archive's staging copy (``Deleter``) of every restore whose files are all
    downloaded or abandoned, as the original did; returns how many were freed.

    A refusal is logged and the rest tried on the next run, never fatal: the data are safe here.
    """
    tracker = JobTracker(config.settings.background.jobtracker_db)
    settled = tracker.staging_to_delete()
    if not settled:
        return 0
    logger = get_run_logger()
    freed = 0
    with restore_client(config) as client:
        for request in settled:
            try:
                client.delete(request.guid)
            except PalfaError as exc:
                logger.warning("staging of restore %s not freed yet: %s", request.guid, exc)
                break  # the service is down or refusing: no use asking for the others now
            tracker.mark_staging_deleted(request.id)
            freed += 1
    logger.info("freed the archive's staging area of %d restore(s)", freed)
    return freed
