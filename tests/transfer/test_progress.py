"""Transfer progress: the throttled meter, and what ``palfa status`` shows in flight."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from palfa.jobtracker.models import DownloadAttempt
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.transfer.progress import TransferMeter, TransferProgress, downloads_in_flight

MIB = 2**20


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_meter_reports_this_attempts_rate_at_most_every_period_and_at_the_end() -> None:
    clock, reports = Clock(), []
    meter = TransferMeter("f.fits", lambda p, moved: reports.append((p, moved)), every_s=5.0,
                          clock=clock)
    meter(4 * MIB, 10 * MIB)  # resumed from 4 MiB: not a report, the start
    clock.now += 1.0
    meter(5 * MIB, 10 * MIB)  # too soon
    clock.now += 4.0
    meter(6 * MIB, 10 * MIB)
    clock.now += 1.0
    meter(10 * MIB, 10 * MIB)  # the end is always reported
    assert [(p.done, moved) for p, moved in reports] == [(6 * MIB, 2 * MIB), (10 * MIB, 6 * MIB)]
    assert reports[0][0].rate_bytes_s == 2 * MIB / 5.0
    assert reports[1][0].describe() == "f.fits: 10.0/10.0 MiB (100%) at 1.0 MiB/s"


def test_progress_text_without_size_or_rate() -> None:
    assert TransferProgress("x", MIB, None, None).describe() == "x: 1.0/? MiB"


def test_in_flight_downloads_show_bytes_on_disk_and_the_recorded_rate(tmp_path: Path) -> None:
    tracker = JobTracker(tmp_path / "jt.db")
    names = [str(tmp_path / n) for n in ("a.fits", "b.fits", "c.fits")]
    tracker.add_files([NewFile(n, f"g/{Path(n).name}", size=4 * MIB) for n in names])
    first, second = tracker.claim_file_for_download(), tracker.claim_file_for_download()
    tracker.transition(DownloadAttempt, second.attempt.id, "download_failed", "cut")
    third = tracker.claim_file_for_download()
    Path(names[2] + ".part").write_bytes(b"x" * MIB)
    tracker.record_download_progress(third.attempt.id, MIB)
    with Session(tracker.engine) as session:  # the attempt started two seconds before that note
        row = session.get_one(DownloadAttempt, third.attempt.id)
        row.created_at = row.updated_at - timedelta(seconds=2)
        session.commit()

    shown = downloads_in_flight(tracker)
    assert [(p.name, p.done, p.total) for p in shown] == [("a.fits", 0, 4 * MIB), ("c.fits", MIB, 4 * MIB)]
    assert shown[0].rate_bytes_s is None
    assert shown[1].describe() == "c.fits: 1.0/4.0 MiB (25%) at 0.5 MiB/s"
    assert first.file.filename == names[0]
