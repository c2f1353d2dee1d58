"""Errors that name the thing that is wrong and how to fix it.

Every failure a user can cause (bad files, bad settings, an unreachable or failing server) is raised
as a ``PalfaError`` whose message reads ``<what>: <problem>. Fix: <fix>``, so logs, the CLI and
e-mails all say the same actionable sentence.
"""

from __future__ import annotations


class PalfaError(Exception):
    """Base class: ``what`` is the file, setting, server or row concerned."""

    def __init__(self, what: str, problem: str, fix: str = "") -> None:
        self.what = what
        self.problem = problem
        self.fix = fix
        message = f"{what}: {problem}"
        if fix:
            message += f". Fix: {fix}"
        super().__init__(message)

    def __reduce__(self):  # keep pickling (Prefect results, multiprocessing) working
        return (type(self), (self.what, self.problem, self.fix))


class BadInputError(PalfaError):
    """A data file is not what it claims to be (not PSRFITS, truncated, corrupt)."""


class ConfigError(PalfaError):
    """One or more settings are invalid; ``problems`` lists every one of them."""

    def __init__(self, what: str, problem: str, fix: str = "", problems: list | None = None):
        super().__init__(what, problem, fix)
        self.problems = list(problems or [])

    def __reduce__(self):
        return (type(self), (self.what, self.problem, self.fix, self.problems))


class IllegalTransition(PalfaError):
    """A job-tracker row was asked to move to a state its state machine does not allow."""


class ArchiveError(PalfaError):
    """The archive's restore service or FTP server refused or failed a request."""


class DownloadError(PalfaError):
    """A transfer failed or produced a file of the wrong size."""


class SearchError(PalfaError):
    """A beam could not be searched."""


class UploadError(PalfaError):
    """Results could not be written to, or verified in, the common database."""


class QueueError(PalfaError):
    """The queue manager refused or failed a submission or a removal."""


class NotifyError(PalfaError):
    """A notification could not be sent (mail server unreachable, refused login or recipient)."""
