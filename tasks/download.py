"""One FTP transfer of one claimed file, recorded as a download attempt."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task

from blocks.config import PipelineConfig
from palfa.errors import DownloadError
from palfa.jobtracker.models import DownloadAttempt
from palfa.jobtracker.tracker import DownloadClaim, JobTracker
from palfa.transfer.progress import TransferMeter, TransferProgress
from tasks.restore import ftp_source

PROGRESS_EVERY_S = 5.0


@task(name="download-file", task_run_name="download-{claim.file.id}")
def download_file(config: PipelineConfig, claim: DownloadClaim) -> str:
    """Transfer, then verify the size; the attempt ends ``downloaded`` or failed with the reason.

    Progress (bytes, rate) goes to the run's log and to the attempt row (``palfa status``).
    """
    tracker = JobTracker(config.settings.background.jobtracker_db)
    file, attempt = claim.file, claim.attempt
    local = Path(file.filename)
    logger = get_run_logger()

    def report(progress: TransferProgress, moved: int) -> None:
        logger.info(progress.describe())
        if progress.done < (progress.total or 0):  # the final count comes with finish_download
            tracker.record_download_progress(attempt.id, moved)

    try:
        moved = ftp_source(config).download(file.remote_filename, local, expected_size=file.size,
                                            progress=TransferMeter(local.name, report, PROGRESS_EVERY_S))
    except Exception as exc:  # any failure is a failed attempt: never leave it 'downloading'
        tracker.transition(DownloadAttempt, attempt.id, "download_failed",
                           str(exc) if isinstance(exc, DownloadError) else f"{type(exc).__name__}: {exc}")
        raise
    on_disk = local.stat().st_size
    verified = file.size is None or on_disk == file.size
    problem = f"{local} has {on_disk} bytes, the archive listed {file.size}"
    tracker.finish_download(attempt.id, moved, verified,
                            f"{moved} bytes transferred, {on_disk} on disk" if verified else problem)
    if not verified:
        raise DownloadError(str(local), problem, "it will be downloaded again")
    return str(local)
