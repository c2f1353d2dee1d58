"""The job-tracking database (manual sections 3.1.1 and 4.6): what to download, search and upload.

``JobTracker`` is the way in; ``states`` holds the status machines; ``models`` the six tables.
"""

from palfa.jobtracker.database import create_database, make_engine
from palfa.jobtracker.models import DownloadAttempt, File, Job, JobFile, JobSubmit, Request
from palfa.jobtracker.states import MACHINES, StateMachine
from palfa.jobtracker.tracker import (
    DownloadClaim,
    JobTracker,
    NewFile,
    SubmitClaim,
    UploadClaim,
)

__all__ = [
    "MACHINES",
    "DownloadAttempt",
    "DownloadClaim",
    "File",
    "Job",
    "JobFile",
    "JobSubmit",
    "JobTracker",
    "NewFile",
    "Request",
    "StateMachine",
    "SubmitClaim",
    "UploadClaim",
    "create_database",
    "make_engine",
]
