"""The parent flow: restore → download → search each beam → upload, as the original's three
background scripts did, but as one observable run."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from blocks.config import DEFAULT_BLOCK_NAME, PipelineConfig, load_config
from flows.beam_search import beam_search_flow
from flows.download import download_flow
from flows.restore import restore_flow
from flows.upload import upload_flow
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.psrfits.names import SUBBANDS, parse_mock_name


def beam_of(file_name: str) -> str | None:
    parsed = parse_mock_name(file_name)
    return parsed.obs_name if parsed else None


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
        outdir = (Path(settings.jobpooler.base_results_directory) / claim.job.obs_name
                  / f"submit-{claim.submit.id}")
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


@flow(name="pipeline", log_prints=True)
def pipeline_flow(config_block: str = DEFAULT_BLOCK_NAME, num_beams: int | None = None) -> dict:
    """One pass of every stage; returns (and publishes) what each stage did."""
    config = load_config(config_block)
    restore = restore_flow(config_block, num_beams, return_state=True)
    if restore.is_failed():  # beams staged earlier still deserve to be downloaded and searched
        get_run_logger().error("restore failed, carrying on with what is staged: %s", restore.message)
    summary = {
        "files staged": restore.result() if restore.is_completed() else 0,
        **{f"files {k}": v for k, v in download_flow(config_block).items()},
        **{f"beams {k}": v for k, v in process_jobs(config, config_block).items()},
        **{f"beams {k}": v for k, v in upload_flow(config_block).items()},
    }
    create_table_artifact(key="pipeline-summary", description="What this pipeline run did",
                          table=[{"stage": k, "count": v} for k, v in summary.items()])
    return summary
