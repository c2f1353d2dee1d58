"""Progress of transfers: a throttled meter for one download, and what is in flight right now."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.disk_budget import size_on_disk
from palfa.transfer.ftp_download import PART_SUFFIX

MIB = 2**20


@dataclass(frozen=True)
class TransferProgress:
    name: str
    done: int  # bytes of the file on disk
    total: int | None
    rate_bytes_s: float | None  # of this attempt (None: not measured yet)

    def describe(self) -> str:
        total = "?" if self.total is None else f"{self.total / MIB:.1f}"
        percent = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        rate = "" if self.rate_bytes_s is None else f" at {self.rate_bytes_s / MIB:.1f} MiB/s"
        return f"{self.name}: {self.done / MIB:.1f}/{total} MiB{percent}{rate}"


class TransferMeter:
    """The ``(done, total)`` callback of ``FtpSource.download``: reports bytes and rate to
    ``report`` at most every ``every_s`` seconds, and always at the end.

    The first call gives the resume offset, so the rate counts only this attempt's bytes.
    """

    def __init__(
        self,
        name: str,
        report: Callable[[TransferProgress, int], None],
        every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.report, self.every_s, self.clock = name, report, every_s, clock
        self.start: float | None = None
        self.offset = 0
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.start is None:
            self.start, self.offset, self.last = now, done, now
            return
        if now - self.last < self.every_s and done < total:
            return
        self.last = now
        moved = done - self.offset
        rate = moved / (now - self.start) if now > self.start else None
        self.report(TransferProgress(self.name, done, total, rate), moved)


def downloads_in_flight(tracker: JobTracker) -> list[TransferProgress]:
    """Each running download: bytes on disk (its ``.part``) and the rate its attempt last noted."""
    report = []
    for claim in tracker.downloads_in_flight():
        local = Path(claim.file.filename)
        done = size_on_disk(local) or size_on_disk(local.with_name(local.name + PART_SUFFIX))
        attempt = claim.attempt
        report.append(TransferProgress(
            local.name, done, claim.file.size,
            _rate(attempt.bytes_transferred, attempt.created_at, attempt.updated_at),
        ))
    return report


def _rate(moved: int | None, since: datetime, until: datetime) -> float | None:
    seconds = (until - since).total_seconds()
    return moved / seconds if moved and seconds > 0 else None

