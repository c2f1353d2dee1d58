"""Upload flow: every processed beam into the common database, verified, all or nothing."""

from __future__ import annotations

from prefect import flow, get_run_logger

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.errors import PalfaError
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import JobSubmit
from palfa.jobtracker.tracker import JobTracker
from tasks.upload import upload_results


@flow(name="upload", log_prints=True)
def upload_flow(config_block: str = DEFAULT_BLOCK_NAME) -> dict[str, int]:
    """Upload each processed submission; a failed upload sends its job back for reprocessing."""
    config = load_config(config_block)
    logger = get_run_logger()
    tracker = JobTracker(config.settings.background.jobtracker_db)
    outcome = {"uploaded": 0, "upload_failed": 0}
    while (claim := tracker.claim_submit_for_upload()) is not None:
        try:
            upload_results(config, claim.submit.output_dir)
        except PalfaError as exc:
            tracker.transition(JobSubmit, claim.submit.id, "upload_failed", str(exc))
            logger.error("upload of %s failed: %s", claim.job.obs_name, exc)
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
