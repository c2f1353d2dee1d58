"""Download flow: parallel FTP transfers of staged files, size-checked and retried."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.futures import wait

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.jobtracker.cleanup import remove_partial_download
from palfa.jobtracker.tracker import JobTracker
from tasks.download import download_file


@flow(name="download", log_prints=True)
def download_flow(config_block: str = DEFAULT_BLOCK_NAME) -> dict[str, int]:
    """Download every new or retrying file, ``numdownloads`` at a time; returns the outcome counts."""
    config = load_config(config_block)
    settings = config.settings.download
    logger = get_run_logger()
    tracker = JobTracker(config.settings.background.jobtracker_db)
    outcome = {"downloaded": 0, "failed": 0, "terminal_failure": 0}
    while True:
        for file in tracker.retry_failed_files(settings.numretries):
            if file.status == "terminal_failure":
                outcome["terminal_failure"] += 1
                logger.error("%s gave up after %d attempts: %s", file.filename, settings.numretries,
                             file.details)
                remove_partial_download(file)  # the row stays terminal_failure
        claims = []
        while len(claims) < settings.numdownloads:
            claim = tracker.claim_file_for_download()
            if claim is None:
                break
            claims.append(claim)
        if not claims:
            return outcome
        futures = [download_file.submit(config, claim) for claim in claims]
        wait(futures)
        for future in futures:
            outcome["downloaded" if future.state.is_completed() else "failed"] += 1
