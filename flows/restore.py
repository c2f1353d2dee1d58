"""Restore flow: ask the archive to stage beams, wait until staged, register the files."""

from __future__ import annotations

from prefect import flow, get_run_logger

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.errors import PalfaError
from palfa.jobtracker.models import File, Request
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.request_size import beams_to_request
from tasks.restore import register_staged_files, request_restore, wait_for_staging

PENDING_FILE_STATES = ("new", "downloading", "unverified", "failed", "retrying")


@flow(name="restore", log_prints=True)
def restore_flow(config_block: str = DEFAULT_BLOCK_NAME, num_beams: int | None = None) -> int:
    """Request as many beams as the backlog allows (at most ``num_beams``); returns files staged."""
    config = load_config(config_block)
    logger = get_run_logger()
    tracker = JobTracker(config.settings.background.jobtracker_db)
    tracker.fail_stale_requests(config.settings.download.request_timeout_s)
    pending = len(tracker.with_status(File, *PENDING_FILE_STATES))
    pending += 2 * sum(r.numrequested for r in tracker.with_status(Request, "waiting"))
    number = beams_to_request(config.settings.download.numrestored, pending, wanted=num_beams)
    if number == 0:
        logger.info("no room for a restore: %d file(s) already pending", pending)
        return 0
    request_id, guid = request_restore(config, number)
    try:
        wait_for_staging(config, guid)
        return register_staged_files(config, request_id, guid)
    except PalfaError as exc:
        tracker.fail_request(request_id, str(exc))
        raise
