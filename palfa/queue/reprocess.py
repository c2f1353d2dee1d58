"""Reprocessing on an operator's request: a finished beam is submitted to the queue again."""

from __future__ import annotations

from pathlib import Path

from palfa.errors import PalfaError, QueueError
from palfa.jobtracker.models import Job, JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.queue.interface import PipelineQueueManager
from palfa.queue.pooler import results_dir


def find_job(tracker: JobTracker, ref: str) -> Job:
    """The job with id ``ref``, or the latest job of the beam named ``ref``."""
    jobs = tracker.with_status(Job)
    found = [j for j in jobs if str(j.id) == ref] or [j for j in jobs if j.obs_name == ref]
    if not found:
        raise PalfaError(f"job {ref!r}", "no job has this id or beam name",
                         "give a job id or beam name that palfa status lists")
    return found[-1]


def reprocess_job(tracker: JobTracker, queue: PipelineQueueManager, ref: str,
                  base_results_directory: Path) -> JobSubmit:
    """Submit the job named by ``ref`` again (it must be uploaded or abandoned and still have its
    raw files); returns the new, running submission with its queue id."""
    job = find_job(tracker, ref)
    files = tracker.files_of_job(job.id)
    gone = [f for f in files if not Path(f.filename).is_file()]
    if gone:
        raise PalfaError(f"beam {job.obs_name}", f"raw file {gone[0].filename} is gone "
                         f"(tracked as '{gone[0].status}')",
                         "restore and download the beam again, or copy it back and use palfa add-files")
    claim = tracker.resubmit_job(job.id, "reprocessing requested")
    outdir = results_dir(base_results_directory, job.obs_name, claim.submit.id)
    try:
        queue_id = queue.submit([f.filename for f in claim.files], outdir, job.obs_name)
    except QueueError as exc:
        tracker.transition(JobSubmit, claim.submit.id, "submission_failed", str(exc))
        raise
    return tracker.record_queue_submission(claim.submit.id, queue_id, str(outdir))
