"""The six job-tracker tables (manual section 4.6) as SQLModel classes.

Timestamps are stored as naive UTC (SQLite keeps no zone) and always read back as aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the backend keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class TrackedRow(SQLModel):
    """Columns every table has: a database-assigned id and creation/update times."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatusRow(TrackedRow):
    """Rows that move along a status machine (see ``states``)."""

    status: str = Field(index=True)
    details: str = ""


class Request(StatusRow, table=True):
    """A restore asked of the archive; ``guid`` names its directory on the FTP server."""

    __tablename__ = "requests"

    guid: str = Field(unique=True)
    size: int | None = None
    numrequested: int
    file_type: str
    bits: int | None = None
    # When the archive's staging copy was freed (Deleter), once every file was downloaded.
    staging_deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class File(StatusRow, table=True):
    """A beam file; ``filename`` is its local path (where it is, or will be, downloaded)."""

    __tablename__ = "files"

    filename: str = Field(unique=True)
    remote_filename: str | None = None
    request_id: int | None = Field(default=None, foreign_key="requests.id", index=True)
    size: int | None = None
    file_type: str | None = None


class DownloadAttempt(StatusRow, table=True):
    """One transfer of one file.

    The manual calls the link column ``request_id`` but it points at ``files``: here it is
    ``file_id``.
    """

    __tablename__ = "download_attempts"

    file_id: int = Field(foreign_key="files.id", index=True)
    bytes_transferred: int | None = None


class Job(StatusRow, table=True):
    """One beam's worth of files, searched as a unit; ``obs_name`` is the beam's name."""

    __tablename__ = "jobs"

    obs_name: str = Field(index=True)


class JobFile(TrackedRow, table=True):
    """Which files make up which job; a file belongs to one job only."""

    __tablename__ = "job_files"

    file_id: int = Field(foreign_key="files.id", unique=True)
    job_id: int = Field(foreign_key="jobs.id", index=True)


class JobSubmit(StatusRow, table=True):
    """One submission of a job to the queue; ``queue_id`` is the queue manager's handle."""

    __tablename__ = "job_submits"

    job_id: int = Field(foreign_key="jobs.id", index=True)
    queue_id: str | None = Field(default=None, index=True)
    output_dir: str | None = None


TABLES = (Request, File, DownloadAttempt, Job, JobFile, JobSubmit)
