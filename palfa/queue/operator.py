"""What an operator does to jobs by hand (manual 4.3.2): kill jobs, stop queued submissions."""

from __future__ import annotations

from palfa.errors import PalfaError
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import Job, JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.queue.interface import PipelineQueueManager

FINAL_JOBS = frozenset({"uploaded", "terminal_failure"})


def kill_job(tracker: JobTracker, queue: PipelineQueueManager, job_id: int, delete_rawdata: bool) -> Job:
    """``kill_jobs.py``: stop the job's runs, mark it ``terminal_failure``, delete its raw files
    (when ``delete_rawdata``)."""
    job = tracker.get(Job, job_id)
    if job.status in FINAL_JOBS:
        raise PalfaError(f"job {job_id} ({job.obs_name})", f"is already '{job.status}'",
                         "nothing to kill; palfa reprocess searches it again")
    for submit in tracker.with_status(JobSubmit, "running"):
        if submit.job_id == job_id:
            if submit.queue_id:
                queue.delete(submit.queue_id)
            tracker.transition(JobSubmit, submit.id, "stopped", "job killed by the operator")
    killed = tracker.transition(Job, job_id, "terminal_failure", "killed by the operator")
    if delete_rawdata:
        delete_raw_files(tracker, [f for f in tracker.files_of_job(job_id) if f.status != "deleted"],
                         "job killed")
    return killed


def job_of_file(tracker: JobTracker, filename: str) -> Job:
    """The job a file (its path, or its name) belongs to."""
    for job in tracker.with_status(Job):
        if any(filename in (f.filename, f.filename.rsplit("/", 1)[-1]) for f in tracker.files_of_job(job.id)):
            return job
    raise PalfaError(f"file {filename}", "belongs to no job", "give a file palfa status lists in a job")


def stop_submission(tracker: JobTracker, queue: PipelineQueueManager, queue_id: str, fail: bool) -> JobSubmit:
    """``stop_processing_jobs.py``: remove a submission from the queue. By default it does not
    count towards the job's attempts (``stopped``, job retried); ``fail`` makes it count."""
    running = [s for s in tracker.with_status(JobSubmit, "running") if s.queue_id == queue_id]
    if not running:
        raise PalfaError(f"queue id {queue_id}", "is not a running submission",
                         "give a queue id of a running job (palfa status lists them)")
    queue.delete(queue_id)
    if fail:
        return tracker.transition(JobSubmit, running[0].id, "processing_failed",
                                  "stopped by the operator (counts as a failed attempt)")
    return tracker.transition(JobSubmit, running[0].id, "stopped", "stopped by the operator")
