"""One download attempt of a claimed file: the transfer, the size check and the attempt's rows.

The ``download-file`` task and the throughput benchmark both run this, so the benchmark measures
the pipeline's own path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from palfa.errors import DownloadError
from palfa.jobtracker.models import DownloadAttempt
from palfa.jobtracker.tracker import DownloadClaim, JobTracker
from palfa.transfer.ftp_download import FtpSource
from palfa.transfer.progress import TransferMeter, TransferProgress

PROGRESS_EVERY_S = 5.0


def download_claimed(
    tracker: JobTracker,
    source: FtpSource,
    claim: DownloadClaim,
    log: Callable[[str], None] | None = None,
    every_s: float = PROGRESS_EVERY_S,
) -> Path:
    """Transfer, then verify the size; the attempt ends ``downloaded`` or failed with the reason.

    Progress (bytes, rate) goes to ``log`` and, while the transfer runs, to the attempt row so that
    ``palfa status`` shows it; the final count is written once, with the attempt's outcome. Any
    failure is recorded before it is raised, so no attempt is ever left ``downloading``.
    """
    file, attempt = claim.file, claim.attempt
    local = Path(file.filename)

    def report(progress: TransferProgress, moved: int) -> None:
        if log is not None:
            log(progress.describe())
        if progress.done < (progress.total or 0):
            tracker.record_download_progress(attempt.id, moved)

    try:
        moved = source.download(file.remote_filename, local, expected_size=file.size,
                                progress=TransferMeter(local.name, report, every_s))
    except Exception as exc:
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
    return local
