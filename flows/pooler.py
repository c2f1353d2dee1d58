"""Job-pooler flow: beam searches go to the work pool, one flow run per beam, and are followed
until they end (manual 3.1.3 and 4.5.6; the queue is ``flows.prefect_queue``)."""

from __future__ import annotations

import time

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact

from blocks.config import DEFAULT_BLOCK_NAME, PipelineConfig, load_config
from flows.prefect_queue import PrefectQueueManager
from palfa.jobtracker.tracker import JobTracker
from palfa.queue import JobPooler
from tasks.notify import job_failure_reporter, mail_on_crash

ENDED = ("processed", "terminal_failure")  # a job ends once, however many attempts it took


def queue_for(config: PipelineConfig, config_block: str) -> PrefectQueueManager:
    pooler = config.settings.jobpooler
    return PrefectQueueManager(pooler.search_deployment, pooler.max_jobs_running, pooler.max_jobs_queue,
                               parameters={"config_block": config_block})


@flow(name="job-pooler", log_prints=True, on_crashed=[mail_on_crash], on_failure=[mail_on_crash])
def pooler_flow(config_block: str = DEFAULT_BLOCK_NAME, continuous: bool = False,
                poll_s: float | None = None) -> dict[str, int]:
    """Submit and follow beam searches; returns what happened to the jobs.

    Once (the default) it runs until nothing waits or runs in the queue; ``continuous`` keeps
    polling every ``poll_s`` (default ``jobpooler.poll_s``) until the run is cancelled.
    """
    config = load_config(config_block)
    settings = config.settings
    logger = get_run_logger()
    queue = queue_for(config, config_block)
    pooler = JobPooler(JobTracker(settings.background.jobtracker_db), queue, settings.jobpooler,
                       settings.basic.delete_rawdata, job_failure_reporter(config))
    poll = settings.jobpooler.poll_s if poll_s is None else poll_s
    totals: dict[str, int] = {}
    late_before = 0
    shown = 0.0
    progress = create_progress_artifact(shown, description="beams ended / beams seen by this pooler run")
    while True:
        done = pooler.run_once()
        for key, value in done.outcomes().items():
            totals[key] = totals.get(key, 0) + value
        ended = sum(totals.get(k, 0) for k in ENDED)
        seen = ended + done.waiting + done.in_queue
        if (percent := 100.0 * ended / seen if seen else 100.0) != shown:  # a write only when it moved
            shown = percent
            update_progress_artifact(progress, percent)
        if done.submitted or done.processed or done.processing_failed:
            logger.info("pass: %s", done.counts())
        late = queue.late_runs()
        if late and late != late_before:
            logger.warning("%d beam-search run(s) are Late: no worker of pool %s is taking them "
                           "(start one: deployments/worker.sh)", late, settings.jobpooler.work_pool)
        late_before = late
        if not continuous and not done.busy:
            break
        time.sleep(poll)
    create_table_artifact(key="job-pooler-summary", description="What this job-pooler run did",
                          table=[{"outcome": k, "jobs": v} for k, v in totals.items()])
    return totals
