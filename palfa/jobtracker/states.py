"""The job tracker's status machines, kept as data so the rules live in one place.

Status strings are the original pipeline's, so old queries and habits still apply; the one
addition is the ``uploading`` state of ``job_submits``, which lets an uploader claim a processed
submission atomically (the original ran a single uploader and needed no claim).

requests (a restore asked of the archive)

    ========= ==========================
    from      to
    ========= ==========================
    waiting   finished, failed
    ========= ==========================

files (one beam file; ``added`` files were copied in, not downloaded)

    ================ ==========================================
    from             to
    ================ ==========================================
    new              downloading, terminal_failure
    downloading      unverified, failed
    unverified       downloaded, failed
    failed           retrying, terminal_failure
    retrying         downloading, terminal_failure
    downloaded       deleted
    added            deleted
    terminal_failure deleted
    ================ ==========================================

download_attempts (one FTP transfer of one file)

    =========== ==========================================
    from        to
    =========== ==========================================
    downloading complete, download_failed, unknown
    complete    downloaded, verification_failed
    =========== ==========================================

jobs (one beam's worth of files, searched as a unit)

    ========= ===================================================
    from      to
    ========= ===================================================
    new       submitted, terminal_failure
    submitted processed, failed, retrying, terminal_failure
    processed uploaded, failed, terminal_failure
    failed    retrying, terminal_failure
    retrying  submitted, terminal_failure
    ========= ===================================================

    ``submitted -> retrying`` is a submission removed from the queue without counting as a
    failure; ``-> terminal_failure`` from any live state is ``kill_jobs``.
    An operator's reprocessing (``palfa reprocess``) reopens a final job (``uploaded`` or
    ``terminal_failure``) as ``submitted``: ``REPROCESSABLE`` below, outside the machine so that
    ordinary moves never drag a finished job back.

job_submits (one submission of a job to the queue)

    ========== ============================================================
    from       to
    ========== ============================================================
    running    processed, processing_failed, submission_failed, stopped
    processed  uploading
    uploading  uploaded, upload_failed, processed
    ========== ============================================================

    ``uploading -> processed`` hands a claimed upload back (the uploader stopped before trying).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from palfa.errors import IllegalTransition


@dataclass(frozen=True)
class StateMachine:
    """Allowed moves of one table's ``status`` column; ``initial`` are the states rows start in."""

    table: str
    initial: frozenset[str]
    moves: Mapping[str, frozenset[str]]

    @property
    def states(self) -> frozenset[str]:
        return self.initial.union(self.moves, *self.moves.values())

    def allowed(self, current: str) -> frozenset[str]:
        return self.moves.get(current, frozenset())

    def check(self, what: str, current: str, wanted: str) -> None:
        """Raise IllegalTransition unless ``current -> wanted`` is a legal move for ``what``."""
        if wanted in self.allowed(current):
            return
        if wanted not in self.states:
            problem = f"'{wanted}' is not a {self.table} status (known: {_listed(self.states)})"
        else:
            problem = (
                f"cannot move from '{current}' to '{wanted}'; from '{current}' the allowed moves "
                f"are: {_listed(self.allowed(current)) or 'none (final state)'}"
            )
        raise IllegalTransition(what, problem, "move the row only along the job tracker's status machine")


def _listed(states: frozenset[str]) -> str:
    return ", ".join(sorted(states))


def _machine(table: str, initial: set[str], moves: dict[str, set[str]]) -> StateMachine:
    return StateMachine(table, frozenset(initial), {src: frozenset(dst) for src, dst in moves.items()})


REQUESTS = _machine("requests", {"waiting"}, {"waiting": {"finished", "failed"}})

FILES = _machine(
    "files",
    {"new", "added"},
    {
        "new": {"downloading", "terminal_failure"},
        "downloading": {"unverified", "failed"},
        "unverified": {"downloaded", "failed"},
        "failed": {"retrying", "terminal_failure"},
        "retrying": {"downloading", "terminal_failure"},
        "downloaded": {"deleted"},
        "added": {"deleted"},
        "terminal_failure": {"deleted"},
    },
)

DOWNLOAD_ATTEMPTS = _machine(
    "download_attempts",
    {"downloading"},
    {
        "downloading": {"complete", "download_failed", "unknown"},
        "complete": {"downloaded", "verification_failed"},
    },
)

JOBS = _machine(
    "jobs",
    {"new"},
    {
        "new": {"submitted", "terminal_failure"},
        "submitted": {"processed", "failed", "retrying", "terminal_failure"},
        "processed": {"uploaded", "failed", "terminal_failure"},
        "failed": {"retrying", "terminal_failure"},
        "retrying": {"submitted", "terminal_failure"},
    },
)

JOB_SUBMITS = _machine(
    "job_submits",
    {"running"},
    {
        "running": {"processed", "processing_failed", "submission_failed", "stopped"},
        "processed": {"uploading"},
        "uploading": {"uploaded", "upload_failed", "processed"},
    },
)

MACHINES: Mapping[str, StateMachine] = {
    m.table: m for m in (REQUESTS, FILES, DOWNLOAD_ATTEMPTS, JOBS, JOB_SUBMITS)
}

# Moving a download attempt moves its file too (same transaction): attempt status -> file status.
FILE_STATUS_AFTER_ATTEMPT: Mapping[str, str] = {
    "complete": "unverified",
    "downloaded": "downloaded",
    "verification_failed": "failed",
    "download_failed": "failed",
    "unknown": "failed",
}

# Moving a submission moves its job too; None leaves the job where it is.
JOB_STATUS_AFTER_SUBMIT: Mapping[str, str | None] = {
    "processed": "processed",
    "processing_failed": "failed",
    "submission_failed": "failed",
    "stopped": "retrying",
    "uploading": None,
    "uploaded": "uploaded",
    "upload_failed": "failed",
}

# Final job states an operator may reopen for reprocessing (JobTracker.resubmit_job).
REPROCESSABLE = frozenset({"uploaded", "terminal_failure"})

# Submissions in these states do not count towards a job's retry limit.
SUBMITS_NOT_COUNTED = frozenset({"stopped"})
