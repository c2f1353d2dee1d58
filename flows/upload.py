"""Upload flow: every processed beam into the common database, verified, all or nothing."""

from __future__ import annotations

from prefect import flow, get_run_logger

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.commondb import DatabaseUnavailable
from palfa.errors import PalfaError
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.notify import JobFailure
from palfa.queue.pooler import attempts_of
from tasks.notify import job_failure_reporter
from tasks.upload import upload_results


@flow(name="upload", log_prints=True)
def upload_flow(config_block: str = DEFAULT_BLOCK_NAME) -> dict[str, int]:
    """Upload each processed submission.

    Results that fail (a bad file, a value read back wrong) send the job back for reprocessing:
    submission ``upload_failed``, job ``failed``. An unavailable database (lost connection,
    deadlock, lock timeout) is nobody's fault: the submission goes back to ``processed``, the job
    keeps its attempts, and this run stops, leaving the rest for the next run.
    """
    config = load_config(config_block)
    logger = get_run_logger()
    tracker = JobTracker(config.settings.background.jobtracker_db)
    report_failure = job_failure_reporter(config)
    outcome = {"uploaded": 0, "upload_failed": 0, "deferred": 0}
    while (claim := tracker.claim_submit_for_upload()) is not None:
        try:
            upload_results(config, claim.submit.output_dir)
        except DatabaseUnavailable as exc:
            tracker.transition(JobSubmit, claim.submit.id, "processed", f"upload deferred: {exc}")
            logger.warning("common database unavailable, %s left for the next run: %s",
                           claim.job.obs_name, exc)
            outcome["deferred"] += 1
            break
        except PalfaError as exc:
            tracker.transition(JobSubmit, claim.submit.id, "upload_failed", str(exc))
            logger.error("upload of %s failed: %s", claim.job.obs_name, exc)
            report_failure(JobFailure(
                job_id=claim.job.id, obs_name=claim.job.obs_name, stage="upload", error=str(exc),
                attempt=attempts_of(tracker, claim.job.id), queue_id=claim.submit.queue_id,
                max_attempts=config.settings.jobpooler.max_attempts))
            outcome["upload_failed"] += 1
            continue
        except BaseException as exc:  # not the results' fault: hand the claim back, not stuck
            tracker.transition(JobSubmit, claim.submit.id, "processed",
                               f"upload interrupted ({type(exc).__name__}: {exc})")
            raise
        tracker.transition(JobSubmit, claim.submit.id, "uploaded", "verified and committed")
        outcome["uploaded"] += 1
        if config.settings.basic.delete_rawdata:
            delete_raw_files(tracker, tracker.files_of_job(claim.job.id), "uploaded")
    return outcome
