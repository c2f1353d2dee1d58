"""Download flow: FTP transfers of staged files, ``numdownloads`` at a time, within the disk budget."""

from __future__ import annotations

import queue
import time
from logging import Logger, LoggerAdapter

from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.jobtracker.cleanup import remove_partial_download
from palfa.jobtracker.models import File
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.disk_budget import DiskBudget, admits_download, measure_disk
from tasks.download import download_file
from tasks.restore import delete_staging

THREAD_CEILING = 64  # threads start on demand; numdownloads is the real bound


@flow(name="download", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=THREAD_CEILING))
def download_flow(config_block: str = DEFAULT_BLOCK_NAME, wait_for_space_s: float = 0.0) -> dict[str, int]:
    """Download every new or retrying file; returns the outcome counts.

    A transfer starts as soon as another ends and the disk budget has room for it. Files that do
    not fit wait while transfers run; once none runs, the flow waits up to ``wait_for_space_s``
    for space to be freed elsewhere (e.g. by the uploader), then leaves them for the next run
    (counted as ``waiting_for_space``).
    """
    config = load_config(config_block)
    settings = config.settings.download
    logger = get_run_logger()
    tracker = JobTracker(config.settings.background.jobtracker_db)
    budget = DiskBudget(settings.space_to_use, settings.min_free_space)
    for attempt in tracker.mark_interrupted_downloads():
        logger.warning("download attempt %d was cut off by a stopped run; its file will be resumed",
                       attempt.id)

    def admit(file: File, flying: list[File]) -> bool:
        return admits_download(budget, settings.datadir, file, flying)

    outcome = dict.fromkeys(("downloaded", "failed", "terminal_failure", "waiting_for_space"), 0)
    finished: queue.Queue[PrefectFuture] = queue.Queue()
    in_flight: set[PrefectFuture] = set()
    blocked_since: float | None = None
    while True:
        outcome["terminal_failure"] += _retry_or_abandon(tracker, settings.numretries, logger)
        while len(in_flight) < settings.numdownloads and (claim := tracker.claim_file_for_download(admit)):
            future = download_file.submit(config, claim)
            future.add_done_callback(finished.put)
            in_flight.add(future)
        waiting = len(tracker.with_status(File, "new", "retrying"))
        if len(in_flight) == settings.numdownloads or not waiting:
            blocked_since = None
        elif blocked_since is None:
            blocked_since = time.monotonic()
            logger.info("%d file(s) wait for disk space (space_to_use %d bytes, min_free_space %d)",
                        waiting, settings.space_to_use, settings.min_free_space)
        if not in_flight:
            if not waiting:
                break
            if time.monotonic() - blocked_since >= wait_for_space_s:
                outcome["waiting_for_space"] = waiting
                logger.warning("%d file(s) left for a later run: no room in the disk budget "
                               "(download.space_to_use %d, download.min_free_space %d, %d bytes "
                               "free)", waiting, settings.space_to_use, settings.min_free_space,
                               measure_disk(settings.datadir, []).free)
                break
            time.sleep(settings.poll_s)
            continue
        try:
            done = finished.get(timeout=settings.poll_s)
        except queue.Empty:
            continue  # look at the budget again: space may have been freed elsewhere
        in_flight.discard(done)
        done.wait()
        outcome["downloaded" if done.state.is_completed() else "failed"] += 1
    delete_staging(config)
    return outcome


def _retry_or_abandon(tracker: JobTracker, numretries: int, logger: Logger | LoggerAdapter) -> int:
    """Failed files are retried, or abandoned with their partial download removed; returns the
    number abandoned."""
    abandoned = [f for f in tracker.retry_failed_files(numretries) if f.status == "terminal_failure"]
    for file in abandoned:
        logger.error("%s gave up after %d attempts: %s", file.filename, numretries, file.details)
        remove_partial_download(file)  # the row stays terminal_failure
    return len(abandoned)
