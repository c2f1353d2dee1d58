"""One FTP transfer of one claimed file, recorded as a download attempt."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from prefect import get_run_logger, task

from blocks.config import PipelineConfig
from palfa.jobtracker.tracker import DownloadClaim, JobTracker
from palfa.transfer.download_attempt import PROGRESS_EVERY_S, download_claimed
from tasks.restore import ftp_source


@task(name="download-file", task_run_name="download-{claim.file.id}")
def download_file(config: PipelineConfig, claim: DownloadClaim) -> str:
    """Transfer, then verify the size; the attempt ends ``downloaded`` or failed with the reason.

    Progress (bytes, rate) goes to the run's log and to the attempt row (``palfa status``).
    """
    tracker = _tracker(config.settings.background.jobtracker_db)
    logger = get_run_logger()
    return str(download_claimed(tracker, ftp_source(config), claim, logger.info, PROGRESS_EVERY_S))


@cache
def _tracker(database: str | Path) -> JobTracker:
    """One job tracker (engine and connection pool) per database for all transfers of this
    process: opening one costs ~9 ms here, a fixed cost per file otherwise."""
    return JobTracker(database)
