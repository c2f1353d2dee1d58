"""The job tracker's operations, each one transaction, safe with many processes at once.

Claims lock the row they take (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so two workers never claim the same file, job or upload. Moving a download attempt or
a submission moves its file or job in the same transaction (rules in ``states``), so no row is ever
left half-moved. Rows come back detached: plain objects usable after the session is gone.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from palfa.errors import IllegalTransition, PalfaError
from palfa.jobtracker.database import create_database
from palfa.jobtracker.models import (
    DownloadAttempt,
    File,
    Job,
    JobFile,
    JobSubmit,
    Request,
    StatusRow,
    utcnow,
)
from palfa.jobtracker.states import (
    FILE_STATUS_AFTER_ATTEMPT,
    JOB_STATUS_AFTER_SUBMIT,
    MACHINES,
    REPROCESSABLE,
    SUBMITS_NOT_COUNTED,
)

log = logging.getLogger(__name__)

Row = TypeVar("Row", bound=StatusRow)
STATUS_TABLES: tuple[type[StatusRow], ...] = (Request, File, DownloadAttempt, Job, JobSubmit)
_NOT_SETTABLE = frozenset({"id", "status", "details", "created_at", "updated_at"})


@dataclass(frozen=True)
class NewFile:
    """A file to start tracking; ``filename`` is its local path (now, or once downloaded)."""

    filename: str
    remote_filename: str | None = None
    size: int | None = None
    file_type: str | None = None


@dataclass(frozen=True)
class DownloadClaim:
    file: File
    attempt: DownloadAttempt


@dataclass(frozen=True)
class SubmitClaim:
    job: Job
    submit: JobSubmit
    files: tuple[File, ...]


@dataclass(frozen=True)
class UploadClaim:
    job: Job
    submit: JobSubmit


class JobTracker:
    """The job-tracking database at ``url`` (a path, ``sqlite:///...`` or ``postgresql://...``).

    The tables are created if they do not exist yet.
    """

    def __init__(self, url: str | Path) -> None:
        self.engine = create_database(url)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # --- requests ---------------------------------------------------------------------------

    def add_request(
        self,
        guid: str,
        numrequested: int,
        file_type: str,
        bits: int | None = None,
        details: str = "",
    ) -> Request:
        """Record a restore asked of the archive, in state ``waiting``."""
        with self._transaction() as session:
            existing = session.exec(select(Request).where(Request.guid == guid)).first()
            if existing is not None:
                raise PalfaError(
                    f"restore request {guid}",
                    f"already tracked as {_label(existing)}",
                    "use the existing request; a GUID names one restore only",
                )
            request = Request(
                guid=guid,
                numrequested=numrequested,
                file_type=file_type,
                bits=bits,
                status="waiting",
                details=details,
            )
            session.add(request)
            session.flush()
            return request

    def finish_request(self, request_id: int, size: int | None = None, details: str = "") -> Request:
        return self.transition(Request, request_id, "finished", details, size=size)

    def fail_request(self, request_id: int, details: str) -> Request:
        return self.transition(Request, request_id, "failed", details)

    # --- files and downloads ----------------------------------------------------------------

    def add_files(
        self, files: Iterable[NewFile], request_id: int | None = None, status: str = "new"
    ) -> list[File]:
        """Start tracking files: ``new`` ones to download, or ``added`` ones already on disk.

        Refuses the whole batch if any file name is already tracked or given twice.
        """
        with self._transaction() as session:
            return _add_files(session, list(files), request_id, status)

    def register_restore(self, request_id: int, files: Iterable[NewFile], details: str = "") -> list[File]:
        """A staged restore's files become ``new`` rows and the request ``finished``, together.

        One transaction: a crash between the two can neither strand files of a failed request nor
        finish a request whose files were never tracked.
        """
        wanted = list(files)
        with self._transaction() as session:
            request = _locked(session, Request, request_id)
            rows = _add_files(session, wanted, request_id, "new")
            _move(session, request, "finished", details)
            request.size = sum(f.size or 0 for f in wanted)
            return rows

    def fail_stale_requests(self, timeout_s: float) -> list[Request]:
        """Requests ``waiting`` longer than ``timeout_s`` (e.g. left by a stopped run) fail."""
        cutoff = utcnow() - timedelta(seconds=timeout_s)
        with self._transaction() as session:
            stale = session.exec(
                select(Request).where(Request.status == "waiting", col(Request.created_at) < cutoff)
                .with_for_update()
            ).all()
            for request in stale:
                _move(session, request, "failed", f"still waiting after {timeout_s:g} s")
            return list(stale)

    def claim_file_for_download(
        self, admit: Callable[[File, list[File]], bool] | None = None
    ) -> DownloadClaim | None:
        """Take the oldest ``new`` or ``retrying`` file: it becomes ``downloading`` with an attempt.

        ``admit(file, files_downloading)`` may refuse it (e.g. no disk room yet); it is asked
        inside the claim's transaction, so no other claim can change what it sees meanwhile.
        """
        with self._transaction() as session:
            file = _claim_one(
                session,
                select(File).where(col(File.status).in_(["new", "retrying"])).order_by(File.id),
            )
            if file is None:
                return None
            if admit is not None:
                flying = session.exec(select(File).where(File.status == "downloading")).all()
                if not admit(file, list(flying)):
                    return None
            _move(session, file, "downloading", "claimed for download")
            attempt = DownloadAttempt(file_id=file.id, status="downloading")
            session.add(attempt)
            session.flush()
            return DownloadClaim(file, attempt)

    def record_download_progress(self, attempt_id: int, bytes_transferred: int) -> None:
        """Note how far a running attempt has got (``palfa status`` shows it with its rate)."""
        with self._transaction() as session:
            attempt = _locked(session, DownloadAttempt, attempt_id)
            attempt.bytes_transferred, attempt.updated_at = bytes_transferred, utcnow()

    def finish_download(
        self, attempt_id: int, bytes_transferred: int, verified: bool, details: str
    ) -> DownloadAttempt:
        """A transfer ended: its attempt goes ``complete`` then ``downloaded`` (or
        ``verification_failed``), and its file along, in one transaction (one commit per file)."""
        with self._transaction() as session:
            attempt = _locked(session, DownloadAttempt, attempt_id)
            file = _locked(session, File, attempt.file_id)
            attempt.bytes_transferred = bytes_transferred
            for status in ("complete", "downloaded" if verified else "verification_failed"):
                _move(session, attempt, status, details)
                _follow(session, file, FILE_STATUS_AFTER_ATTEMPT[status], details)
            return attempt

    def downloads_in_flight(self) -> list[DownloadClaim]:
        """Running attempts with their files, oldest first."""
        with self._transaction() as session:
            rows = session.exec(
                select(File, DownloadAttempt)
                .join(DownloadAttempt, col(DownloadAttempt.file_id) == File.id)
                .where(DownloadAttempt.status == "downloading")
                .order_by(DownloadAttempt.id)
            ).all()
            return [DownloadClaim(file, attempt) for file, attempt in rows]

    def recent_transfers(self, limit: int = 100) -> list[tuple[int, float]]:
        """``(bytes, seconds)`` of the latest ``limit`` successful attempts, for rate estimates."""
        with self._transaction() as session:
            attempts = session.exec(
                select(DownloadAttempt)
                .where(DownloadAttempt.status == "downloaded")
                .order_by(col(DownloadAttempt.id).desc())
                .limit(limit)
            ).all()
            return [
                (a.bytes_transferred or 0, (a.updated_at - a.created_at).total_seconds())
                for a in attempts
            ]

    def mean_file_size(self) -> float | None:
        """Average size of the files tracked so far (None before the first)."""
        with self._transaction() as session:
            mean = session.exec(select(func.avg(File.size)).where(col(File.size).is_not(None))).one()
            return None if mean is None else float(mean)

    def staging_to_delete(self) -> list[Request]:
        """Finished restores whose files are all past downloading, staging not yet freed."""
        busy = ("new", "downloading", "unverified", "failed", "retrying")
        with self._transaction() as session:
            return list(
                session.exec(
                    select(Request)
                    .where(Request.status == "finished", col(Request.staging_deleted_at).is_(None))
                    .where(
                        ~select(File)
                        .where(File.request_id == Request.id, col(File.status).in_(busy))
                        .exists()
                    )
                    .order_by(Request.id)
                ).all()
            )

    def mark_staging_deleted(self, request_id: int) -> Request:
        with self._transaction() as session:
            request = _locked(session, Request, request_id)
            request.staging_deleted_at = request.updated_at = utcnow()
            return request

    def mark_interrupted_downloads(self) -> list[DownloadAttempt]:
        """Attempts still ``downloading`` when no downloader runs were cut off by a crash: they
        become ``unknown`` (their files ``failed``, so retried, resuming the partial file).

        Call only where no other downloader can be running (the download deployment has a
        concurrency limit of 1), as the original downloader did at start-up.
        """
        with self._transaction() as session:
            stale = session.exec(
                select(DownloadAttempt).where(DownloadAttempt.status == "downloading").with_for_update()
            ).all()
            for attempt in stale:
                _move(session, attempt, "unknown", "downloader stopped during the transfer")
                file = _locked(session, File, attempt.file_id)
                _follow(session, file, FILE_STATUS_AFTER_ATTEMPT["unknown"], attempt.details)
            return list(stale)

    def retry_failed_files(self, max_attempts: int) -> list[File]:
        """Failed files go to ``retrying``, or ``terminal_failure`` after ``max_attempts``."""
        with self._transaction() as session:
            attempts = _counts(session, DownloadAttempt.file_id)
            failed = session.exec(select(File).where(File.status == "failed").with_for_update())
            return [_retry_or_give_up(session, f, attempts.get(f.id, 0), max_attempts) for f in failed.all()]

    # --- jobs -------------------------------------------------------------------------------

    def create_jobs(self, group_fn: Callable[[str], str | None], files_per_job: int) -> list[Job]:
        """Make a ``new`` job of each complete beam among downloaded/added files not in a job.

        ``group_fn`` maps a file's base name to its beam's name (None: not a beam file). A beam
        becomes a job only once exactly ``files_per_job`` of its files are present.
        """
        with self._transaction() as session:
            ready = session.exec(
                select(File)
                .where(col(File.status).in_(["downloaded", "added"]))
                .where(~select(JobFile).where(JobFile.file_id == File.id).exists())
                .order_by(File.id)
                .with_for_update()
            ).all()
            # Re-read after the locks are held: a concurrent caller may just have used some.
            taken = set(
                session.exec(
                    select(JobFile.file_id).where(col(JobFile.file_id).in_([f.id for f in ready]))
                ).all()
            )
            beams: dict[str, list[File]] = defaultdict(list)
            for file in ready:
                beam = group_fn(Path(file.filename).name)
                if beam is not None and file.id not in taken:
                    beams[beam].append(file)
            jobs = []
            for beam, members in beams.items():
                if len(members) > files_per_job:
                    log.warning(
                        "beam %s has %d files, expected %d: no job made",
                        beam,
                        len(members),
                        files_per_job,
                    )
                if len(members) != files_per_job:
                    continue
                job = Job(obs_name=beam, status="new")
                session.add(job)
                session.flush()
                session.add_all(JobFile(file_id=f.id, job_id=job.id) for f in members)
                jobs.append(job)
            session.flush()
            return jobs

    def claim_job_for_submit(self) -> SubmitClaim | None:
        """Take the oldest ``new`` or ``retrying`` job: it becomes ``submitted`` with a ``running``
        submission (set its queue id with ``record_queue_submission``)."""
        with self._transaction() as session:
            job = _claim_one(
                session,
                select(Job).where(col(Job.status).in_(["new", "retrying"])).order_by(Job.id),
            )
            if job is None:
                return None
            _move(session, job, "submitted", "claimed for submission")
            submit = JobSubmit(job_id=job.id, status="running")
            session.add(submit)
            session.flush()
            return SubmitClaim(job, submit, tuple(_files_of(session, job.id)))

    def resubmit_job(self, job_id: int, details: str) -> SubmitClaim:
        """An operator's reprocessing: an uploaded or abandoned job is ``submitted`` again with a
        new ``running`` submission (its earlier submissions stay as they were)."""
        with self._transaction() as session:
            job = _locked(session, Job, job_id)
            if job.status not in REPROCESSABLE:
                raise IllegalTransition(
                    _label(job), f"is '{job.status}': only {', '.join(sorted(REPROCESSABLE))} jobs "
                    "are reprocessed on request", "let the job pooler finish it, or kill it first")
            job.status, job.details, job.updated_at = "submitted", details, utcnow()
            session.add(job)
            submit = JobSubmit(job_id=job.id, status="running", details=details)
            session.add(submit)
            session.flush()
            return SubmitClaim(job, submit, tuple(_files_of(session, job.id)))

    def record_queue_submission(self, submit_id: int, queue_id: str, output_dir: str) -> JobSubmit:
        """Note where a submission went in the queue and where it writes its results."""
        with self._transaction() as session:
            submit = _locked(session, JobSubmit, submit_id)
            submit.queue_id, submit.output_dir = queue_id, output_dir
            submit.updated_at = utcnow()
            return submit

    def claim_submit_for_upload(self) -> UploadClaim | None:
        """Take the oldest processed submission of a processed job: it becomes ``uploading``."""
        with self._transaction() as session:
            submit = _claim_one(
                session,
                select(JobSubmit)
                .join(Job, col(Job.id) == JobSubmit.job_id)
                .where(JobSubmit.status == "processed", Job.status == "processed")
                .order_by(JobSubmit.id),
                of=JobSubmit,
            )
            if submit is None:
                return None
            _move(session, submit, "uploading", "claimed for upload")
            return UploadClaim(session.get_one(Job, submit.job_id), submit)

    def retry_failed_jobs(self, max_attempts: int) -> list[Job]:
        """Failed jobs go to ``retrying``, or ``terminal_failure`` after ``max_attempts``
        submissions (stopped submissions do not count)."""
        with self._transaction() as session:
            counted = col(JobSubmit.status).not_in(SUBMITS_NOT_COUNTED)
            submits = _counts(session, JobSubmit.job_id, counted)
            failed = session.exec(select(Job).where(Job.status == "failed").with_for_update())
            return [_retry_or_give_up(session, j, submits.get(j.id, 0), max_attempts) for j in failed.all()]

    def files_of_job(self, job_id: int) -> list[File]:
        with self._transaction() as session:
            return _files_of(session, job_id)

    # --- any table --------------------------------------------------------------------------

    def transition(
        self, model: type[Row], row_id: int, to_status: str, details: str = "", **fields: Any
    ) -> Row:
        """Move one row to ``to_status`` (also setting ``fields``), or raise IllegalTransition.

        A download attempt drags its file along, and a submission its job (see ``states``).
        """
        bad = sorted(set(fields) - (set(model.model_fields) - _NOT_SETTABLE))
        if bad:
            raise PalfaError(
                f"{model.__tablename__} column {bad[0]}",
                "cannot be set by a transition",
                "set only the table's data columns",
            )
        with self._transaction() as session:
            row = _locked(session, model, row_id)
            _move(session, row, to_status, details)
            for name, value in fields.items():
                setattr(row, name, value)
            if isinstance(row, DownloadAttempt):
                file = _locked(session, File, row.file_id)
                _follow(session, file, FILE_STATUS_AFTER_ATTEMPT.get(to_status), details)
            if isinstance(row, JobSubmit):
                job = _locked(session, Job, row.job_id)
                _follow(session, job, JOB_STATUS_AFTER_SUBMIT.get(to_status), details)
            return row

    def get(self, model: type[Row], row_id: int) -> Row:
        with self._transaction() as session:
            return _existing(session, model, row_id)

    def with_status(self, model: type[Row], *statuses: str) -> list[Row]:
        """Rows of ``model`` in any of ``statuses`` (all rows if none given), oldest first."""
        machine = MACHINES[model.__tablename__]
        unknown = sorted(set(statuses) - machine.states)
        if unknown:
            raise PalfaError(
                f"{machine.table} status '{unknown[0]}'",
                "no such status",
                f"use one of: {', '.join(sorted(machine.states))}",
            )
        query = select(model).order_by(model.id)
        if statuses:
            query = query.where(col(model.status).in_(statuses))
        with self._transaction() as session:
            return list(session.exec(query).all())

    def counts_by_status(self) -> dict[str, dict[str, int]]:
        """``{table: {status: rows}}`` for every table with a status (for ``palfa status``)."""
        with self._transaction() as session:
            return {
                model.__tablename__: dict(
                    session.exec(
                        select(model.status, func.count()).group_by(model.status).order_by(model.status)
                    ).all()
                )
                for model in STATUS_TABLES
            }


def _label(row: StatusRow) -> str:
    name = getattr(row, "filename", None) or getattr(row, "obs_name", None)
    suffix = f" ({name})" if name else ""
    return f"{row.__tablename__} row {row.id}{suffix}"


def _move(session: Session, row: StatusRow, to_status: str, details: str) -> None:
    MACHINES[row.__tablename__].check(_label(row), row.status, to_status)
    row.status, row.details, row.updated_at = to_status, details, utcnow()
    session.add(row)


def _follow(session: Session, row: StatusRow, to_status: str | None, details: str) -> None:
    """Move a row dragged along by another, unless it is there already or in a final state."""
    if to_status is None or row.status == to_status:
        return
    if MACHINES[row.__tablename__].allowed(row.status):
        _move(session, row, to_status, details)


def _retry_or_give_up(session: Session, row: Row, tries: int, max_tries: int) -> Row:
    if tries < max_tries:
        _move(session, row, "retrying", f"retry after {tries} of {max_tries} attempts")
    else:
        _move(session, row, "terminal_failure", f"gave up after {tries} attempts")
    return row


def _claim_one(session: Session, query, of: type[StatusRow] | None = None):
    return session.exec(query.limit(1).with_for_update(skip_locked=True, of=of)).first()


def _existing(session: Session, model: type[Row], row_id: int, lock: bool = False) -> Row:
    row = session.get(model, row_id, with_for_update=lock)
    if row is None:
        raise PalfaError(
            f"{model.__tablename__} row {row_id}",
            "does not exist",
            "check the id (palfa status lists the rows)",
        )
    return row


def _locked(session: Session, model: type[Row], row_id: int) -> Row:
    return _existing(session, model, row_id, lock=True)


def _counts(session: Session, key, *conditions) -> dict[int, int]:
    """Rows per value of ``key`` (e.g. attempts per file) among rows meeting ``conditions``."""
    return dict(session.exec(select(key, func.count()).where(*conditions).group_by(key)).all())


def _add_files(session: Session, wanted: list[NewFile], request_id: int | None, status: str) -> list[File]:
    if status not in MACHINES["files"].initial:
        raise PalfaError(
            f"files status '{status}'",
            "new files cannot start in this state",
            "use 'new' (to be downloaded) or 'added' (already on disk)",
        )
    names = [f.filename for f in wanted]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PalfaError(f"file {twice[0]}", "given more than once in one batch", "list each file once")
    clash = session.exec(select(File).where(col(File.filename).in_(names))).first()
    if clash is not None:
        raise PalfaError(
            f"file {clash.filename}",
            f"already tracked as {_label(clash)} (status '{clash.status}')",
            "do not add a file twice; delete its row first if it really is a new copy",
        )
    rows = [File(request_id=request_id, status=status, **vars(new)) for new in wanted]
    session.add_all(rows)
    session.flush()
    return rows


def _files_of(session: Session, job_id: int) -> list[File]:
    return list(
        session.exec(
            select(File)
            .join(JobFile, col(JobFile.file_id) == File.id)
            .where(JobFile.job_id == job_id)
            .order_by(File.id)
        ).all()
    )
