"""The parent flow: restore → download → search each beam → upload, as the original's three
background scripts did, but as one observable run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact

from blocks.config import DEFAULT_BLOCK_NAME, PipelineConfig, load_config
from flows.beam_search import beam_search_flow
from flows.download import download_flow
from flows.pooler import pooler_flow
from flows.restore import restore_flow
from flows.upload import upload_flow
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.psrfits.names import SUBBANDS
from palfa.queue import beam_of, results_dir
from tasks.notify import mail_on_crash


def process_jobs(config: PipelineConfig, config_block: str) -> dict[str, int]:
    """Make jobs of complete beams and search each in its own flow run, retrying failures."""
    logger = get_run_logger()
    settings = config.settings
    tracker = JobTracker(settings.background.jobtracker_db)
    tracker.create_jobs(beam_of, files_per_job=len(SUBBANDS))
    outcome = {"processed": 0, "processing_failed": 0, "terminal_failure": 0}
    while True:
        claim = tracker.claim_job_for_submit()
        if claim is None:
            retried = tracker.retry_failed_jobs(settings.jobpooler.max_attempts)
            for job in (j for j in retried if j.status == "terminal_failure"):
                outcome["terminal_failure"] += 1
                logger.error("beam %s abandoned after %d attempts", job.obs_name,
                             settings.jobpooler.max_attempts)
                if settings.basic.delete_rawdata:
                    delete_raw_files(tracker, tracker.files_of_job(job.id), "terminal failure")
            if not any(j.status == "retrying" for j in retried):
                return outcome
            continue
        outdir = results_dir(settings.jobpooler.base_results_directory, claim.job.obs_name,
                             claim.submit.id)
        state = beam_search_flow(files=[f.filename for f in claim.files], outdir=str(outdir),
                                 obs_name=claim.job.obs_name, config_block=config_block,
                                 return_state=True)
        tracker.record_queue_submission(claim.submit.id, str(state.state_details.flow_run_id),
                                        str(outdir))
        if state.is_completed():
            tracker.transition(JobSubmit, claim.submit.id, "processed", "search completed")
            outcome["processed"] += 1
        else:
            tracker.transition(JobSubmit, claim.submit.id, "processing_failed",
                               state.message or "beam search failed")
            outcome["processing_failed"] += 1


def one_cycle(config: PipelineConfig, config_block: str, num_beams: int | None, search_on: str,
              progress: UUID | None = None) -> dict[str, int]:
    """Restore, download, search, upload once; the progress artifact moves a quarter per stage."""
    restore = restore_flow(config_block, num_beams, return_state=True)
    if restore.is_failed():  # beams staged earlier still deserve to be downloaded and searched
        get_run_logger().error("restore failed, carrying on with what is staged: %s", restore.message)
    summary = {"files staged": restore.result() if restore.is_completed() else 0}
    stages: list[tuple[str, Callable[[], dict[str, int]]]] = [
        ("files", lambda: download_flow(config_block)),
        ("beams", lambda: pooler_flow(config_block) if search_on == "work-pool"
         else process_jobs(config, config_block)),
        ("beams", lambda: upload_flow(config_block)),
    ]
    for done, (unit, stage) in enumerate(stages, start=2):
        if progress is not None:
            update_progress_artifact(progress, 25.0 * (done - 1))
        summary.update({f"{unit} {k}": v for k, v in stage().items()})
    if progress is not None:
        update_progress_artifact(progress, 100.0)
    return summary


@flow(name="pipeline", log_prints=True, on_crashed=[mail_on_crash], on_failure=[mail_on_crash])
def pipeline_flow(config_block: str = DEFAULT_BLOCK_NAME, num_beams: int | None = None,
                  search_on: Literal["process", "work-pool"] = "process", continuous: bool = False,
                  max_cycles: int | None = None) -> dict:
    """Every stage once (or, with ``continuous``, again every ``background.sleep`` seconds until
    cancelled or ``max_cycles``); returns (and publishes) what the stages did, summed.

    ``search_on="work-pool"`` hands the beams to the job pooler (one beam-search run per beam on
    the deployment's work pool); ``"process"`` searches them one by one inside this run.
    """
    config = load_config(config_block)
    totals: dict[str, int] = {}
    cycles = 0
    while True:
        progress = create_progress_artifact(0.0, description=f"pipeline cycle {cycles + 1}: stages done")
        for key, value in one_cycle(config, config_block, num_beams, search_on, progress).items():
            totals[key] = totals.get(key, 0) + value
        cycles += 1
        if not continuous or (max_cycles is not None and cycles >= max_cycles):
            break
        time.sleep(config.settings.background.sleep)
    create_table_artifact(key="pipeline-summary", description="What this pipeline run did",
                          table=[{"stage": k, "count": v} for k, v in totals.items()])
    return totals
