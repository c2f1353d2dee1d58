"""Restore flow: ask the archive to stage beams, wait until staged, register the files."""

from __future__ import annotations

from prefect import flow, get_run_logger

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.errors import PalfaError
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.request_plan import plan_request
from tasks.restore import register_staged_files, request_restore, wait_for_staging


@flow(name="restore", log_prints=True)
def restore_flow(config_block: str = DEFAULT_BLOCK_NAME, num_beams: int | None = None) -> int:
    """Request as many beams as backlog, disk budget and download rate allow (at most
    ``num_beams``); returns the files staged."""
    config = load_config(config_block)
    logger = get_run_logger()
    tracker = JobTracker(config.settings.background.jobtracker_db)
    tracker.fail_stale_requests(config.settings.download.request_timeout_s)
    plan = plan_request(tracker, config.settings.download, wanted=num_beams)
    logger.info("restore request size: %s", plan.describe())
    if plan.beams == 0:
        return 0
    request_id, guid = request_restore(config, plan.beams)
    try:
        wait_for_staging(config, guid)
        return register_staged_files(config, request_id, guid)
    except PalfaError as exc:
        tracker.fail_request(request_id, str(exc))
        raise
