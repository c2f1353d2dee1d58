"""The job pooler (manual 3.1.3): beams become jobs, jobs go to the queue, ended runs are judged.

One ``run_once`` is one pass of the original's loop: make jobs of complete beams, follow every
running submission to its end (processed, or processing_failed with its error log), retry
failed jobs up to ``max_attempts`` (then terminal_failure, raw data deleted when asked), and
submit new work while the queue has room. Everything it knows lives in the job tracker, so a
pooler can be stopped and restarted at any time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from palfa.config.settings import JobPoolerSettings
from palfa.errors import QueueError
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import Job, JobSubmit, utcnow
from palfa.jobtracker.states import SUBMITS_NOT_COUNTED
from palfa.jobtracker.tracker import JobTracker
from palfa.notify.notices import JobFailure
from palfa.psrfits.names import SUBBANDS, parse_mock_name
from palfa.queue.interface import PipelineQueueManager

log = logging.getLogger(__name__)

# A claimed submission with no queue id after this long lost its pooler between claim and submit.
UNSUBMITTED_AFTER = timedelta(minutes=5)


def beam_of(file_name: str) -> str | None:
    """The beam a Mock file belongs to (its s0/s1 pair makes one job); None for other files."""
    parsed = parse_mock_name(file_name)
    return parsed.obs_name if parsed else None


def results_dir(base: Path, obs_name: str, submit_id: int) -> Path:
    """Each submission writes apart, so a retry never mixes with what a failed run left."""
    return Path(base) / obs_name / f"submit-{submit_id}"


def attempts_of(tracker: JobTracker, job_id: int) -> int:
    """Submissions that count towards ``max_attempts`` (stopped ones do not)."""
    return sum(s.job_id == job_id and s.status not in SUBMITS_NOT_COUNTED
               for s in tracker.with_status(JobSubmit))


@dataclass
class PoolerPass:
    """What one pass did (counts of jobs)."""

    created: int = 0
    submitted: int = 0
    processed: int = 0
    processing_failed: int = 0
    submission_failed: int = 0
    retried: int = 0
    terminal_failure: int = 0
    waiting: int = 0
    in_queue: int = 0
    running_in_queue: int = 0
    queued_in_queue: int = 0
    @property
    def busy(self) -> bool:
        """Whether this tracker's jobs are still in the queue or waiting for it."""
        return bool(self.waiting or self.in_queue)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}

    def outcomes(self) -> dict[str, int]:
        """What happened to jobs in this pass (the counts that add up over passes)."""
        snapshot = ("waiting", "in_queue", "running_in_queue", "queued_in_queue")
        return {k: v for k, v in self.counts().items() if k not in snapshot}


class JobPooler:
    """Follows the job tracker's jobs through one queue manager."""

    def __init__(self, tracker: JobTracker, queue: PipelineQueueManager, settings: JobPoolerSettings,
                 delete_rawdata: bool, on_failure: Callable[[JobFailure], None] | None = None) -> None:
        self.tracker, self.queue, self.settings = tracker, queue, settings
        self.delete_rawdata = delete_rawdata
        self.on_failure = on_failure or (lambda failure: None)

    def run_once(self) -> PoolerPass:
        done = PoolerPass()
        done.created = len(self.tracker.create_jobs(beam_of, files_per_job=len(SUBBANDS)))
        self.follow_submissions(done)
        self.retry_or_abandon(done)
        self.submit_jobs(done)
        done.waiting = len(self.tracker.with_status(Job, "new", "retrying"))
        done.in_queue = len(self.tracker.with_status(JobSubmit, "running"))
        done.running_in_queue, done.queued_in_queue = self.queue.status()
        return done

    def follow_submissions(self, done: PoolerPass) -> None:
        """Every running submission whose queue job ended becomes processed or processing_failed."""
        for submit in self.tracker.with_status(JobSubmit, "running"):
            if submit.queue_id is None:
                if utcnow() - submit.created_at > UNSUBMITTED_AFTER:
                    self._fail(submit, "submission_failed", "claimed but never reached the queue")
                    done.submission_failed += 1
                continue
            settled = self.settle(submit)
            if settled is not None:
                setattr(done, settled, getattr(done, settled) + 1)

    def settle(self, submit: JobSubmit) -> str | None:
        """Judge one submission whose queue job ended; its new status (None while it runs)."""
        if self.queue.is_running(submit.queue_id):
            return None
        if self.queue.had_errors(submit.queue_id):
            self._fail(submit, "processing_failed", self.queue.get_errors(submit.queue_id))
            return "processing_failed"
        self.tracker.transition(JobSubmit, submit.id, "processed", "search completed")
        return "processed"

    def retry_or_abandon(self, done: PoolerPass) -> None:
        """Failed jobs are retried until ``max_attempts`` submissions, then abandoned."""
        for job in self.tracker.retry_failed_jobs(self.settings.max_attempts):
            if job.status == "retrying":
                done.retried += 1
                continue
            done.terminal_failure += 1
            if self.delete_rawdata:
                delete_raw_files(self.tracker, self.tracker.files_of_job(job.id), "terminal failure")
            last = self._submits_of(job.id)[-1:]
            self._notify(job.id, job.obs_name, last[0].details if last else job.details,
                         last[0].queue_id if last else None, terminal=True)

    def submit_jobs(self, done: PoolerPass) -> None:
        """Submit waiting jobs, oldest first, while the queue has room."""
        while self.queue.can_submit():
            claim = self.tracker.claim_job_for_submit()
            if claim is None:
                return
            outdir = results_dir(self.settings.base_results_directory, claim.job.obs_name, claim.submit.id)
            try:
                queue_id = self.queue.submit([f.filename for f in claim.files], outdir, claim.job.obs_name)
            except QueueError as exc:
                self._fail(claim.submit, "submission_failed", str(exc))
                done.submission_failed += 1
                return  # the queue is unwell: try again next pass
            self.tracker.record_queue_submission(claim.submit.id, queue_id, str(outdir))
            done.submitted += 1

    def _fail(self, submit: JobSubmit, status: str, error: str) -> None:
        self.tracker.transition(JobSubmit, submit.id, status, error)
        job = self.tracker.get(Job, submit.job_id)
        self._notify(job.id, job.obs_name, error, submit.queue_id, terminal=False)

    def _notify(self, job_id: int, obs_name: str, error: str, queue_id: str | None, terminal: bool) -> None:
        self.on_failure(JobFailure(job_id=job_id, obs_name=obs_name,
                                   attempt=attempts_of(self.tracker, job_id),
                                   max_attempts=self.settings.max_attempts, error=error,
                                   terminal=terminal, queue_id=queue_id))

    def _submits_of(self, job_id: int) -> list[JobSubmit]:
        return [s for s in self.tracker.with_status(JobSubmit) if s.job_id == job_id]
