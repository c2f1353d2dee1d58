"""The downloader's disk budget (manual 4.5.4: ``space_to_use``, plus a minimum free space).

A download may start only if, once it and every transfer already in flight have finished, the
data folder still holds at most ``space_to_use`` bytes and the disk keeps ``min_free_space``
free. Bytes in flight are counted as what is still to arrive (the ``.part`` already on disk is
counted as used), so a resumed file is charged only for its missing part.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from palfa.errors import DownloadError
from palfa.transfer.ftp_download import PART_SUFFIX


class SizedFile(Protocol):
    """A tracked file: its local path and the size the archive gave (None: unknown)."""

    filename: str
    size: int | None


@dataclass(frozen=True)
class DiskState:
    """What the budget is checked against, measured at one moment."""

    used: int  # bytes in the data folder now, partial downloads included
    committed: int  # bytes still to arrive for the transfers in flight
    free: int  # free bytes on the data folder's file system


@dataclass(frozen=True)
class DiskBudget:
    space_to_use: int
    min_free_space: int

    def room(self, disk: DiskState) -> int:
        """Bytes that may still be committed without breaking either limit (may be negative)."""
        return min(
            self.space_to_use - disk.used - disk.committed,
            disk.free - disk.committed - self.min_free_space,
        )

    def admits(self, need: int, disk: DiskState) -> bool:
        return need <= self.room(disk)

    def check_can_ever_fit(self, file: SizedFile) -> None:
        """A file larger than the whole budget would wait forever: that is a settings error."""
        if (file.size or 0) > self.space_to_use:
            raise DownloadError(
                f"file {file.filename} ({file.size} bytes)",
                f"is larger than download.space_to_use ({self.space_to_use} bytes), so it can "
                "never be downloaded",
                "raise download.space_to_use above the largest beam file",
            )


def still_to_fetch(file: SizedFile) -> int:
    """Bytes of ``file`` not yet on disk (its size less any partial download of it)."""
    if file.size is None or Path(file.filename).exists():
        return 0
    return max(0, file.size - size_on_disk(Path(file.filename + PART_SUFFIX)))


def bytes_in_folder(folder: Path) -> int:
    """Bytes of every regular file under ``folder`` (0 if it does not exist yet)."""
    total = 0
    for root, _dirs, names in os.walk(folder):
        total += sum(size_on_disk(Path(root, name)) for name in names)
    return total


def measure_disk(datadir: Path, in_flight: Iterable[SizedFile]) -> DiskState:
    probe = datadir if datadir.exists() else datadir.parent
    return DiskState(
        used=bytes_in_folder(datadir),
        committed=sum(still_to_fetch(f) for f in in_flight),
        free=shutil.disk_usage(probe).free,
    )


def admits_download(
    budget: DiskBudget, datadir: Path, candidate: SizedFile, in_flight: Iterable[SizedFile]
) -> bool:
    """Whether ``candidate`` may start now, given the transfers ``in_flight``."""
    budget.check_can_ever_fit(candidate)
    return budget.admits(still_to_fetch(candidate), measure_disk(datadir, in_flight))


def size_on_disk(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # removed between listing and stat (a download finishing)
        return 0
