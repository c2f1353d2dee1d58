"""One FTP transfer of one claimed file, recorded as a download attempt."""

from __future__ import annotations

import time
from pathlib import Path

from prefect import get_run_logger, task

from blocks.config import PipelineConfig
from palfa.errors import DownloadError
from palfa.jobtracker.models import DownloadAttempt
from palfa.jobtracker.tracker import DownloadClaim, JobTracker
from tasks.restore import ftp_source


class _ProgressLog:
    """Logs bytes and rate at most every ``every_s`` seconds, so logs stay readable."""

    def __init__(self, name: str, every_s: float = 5.0) -> None:
        self.name, self.every_s = name, every_s
        self.start = self.last = time.monotonic()
        self.logger = get_run_logger()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every_s and done < total:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9) / 2**20
        self.logger.info("%s: %.1f/%.1f MiB (%.0f%%) at %.1f MiB/s", self.name, done / 2**20,
                         total / 2**20, 100 * done / max(total, 1), rate)


@task(name="download-file", task_run_name="download-{claim.file.id}")
def download_file(config: PipelineConfig, claim: DownloadClaim) -> str:
    """Transfer, then verify the size; the attempt ends ``downloaded`` or failed with the reason."""
    tracker = JobTracker(config.settings.background.jobtracker_db)
    file, attempt = claim.file, claim.attempt
    local = Path(file.filename)
    try:
        moved = ftp_source(config).download(file.remote_filename, local, expected_size=file.size,
                                            progress=_ProgressLog(local.name))
    except Exception as exc:  # any failure is a failed attempt: never leave it 'downloading'
        tracker.transition(DownloadAttempt, attempt.id, "download_failed",
                           str(exc) if isinstance(exc, DownloadError) else f"{type(exc).__name__}: {exc}")
        raise
    tracker.transition(DownloadAttempt, attempt.id, "complete", f"{moved} bytes transferred",
                       bytes_transferred=moved)
    on_disk = local.stat().st_size
    if file.size is not None and on_disk != file.size:
        problem = f"{local} has {on_disk} bytes, the archive listed {file.size}"
        tracker.transition(DownloadAttempt, attempt.id, "verification_failed", problem)
        raise DownloadError(str(local), problem, "it will be downloaded again")
    tracker.transition(DownloadAttempt, attempt.id, "downloaded", f"{on_disk} bytes verified")
    return str(local)
