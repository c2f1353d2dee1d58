"""Freeing disk once raw data are no longer needed (after upload or terminal failure)."""

from __future__ import annotations

from pathlib import Path

from palfa.jobtracker.models import File
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.ftp_download import PART_SUFFIX


def delete_raw_files(tracker: JobTracker, files: list[File], reason: str) -> list[str]:
    """Remove each file (and any partial download) from disk, then mark its row ``deleted``.

    The row moves only after the unlink succeeded, so a row never says ``deleted`` while the
    bytes are still on disk.
    """
    removed = []
    for file in files:
        remove_partial_download(file)
        tracker.transition(File, file.id, "deleted", reason)
        removed.append(file.filename)
    return removed


def remove_partial_download(file: File) -> None:
    """Remove a file and any partial download of it from disk."""
    for path in (Path(file.filename), Path(file.filename + PART_SUFFIX)):
        path.unlink(missing_ok=True)
