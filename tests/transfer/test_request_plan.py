"""The restore's request size from a real job tracker and a real data folder."""

from __future__ import annotations

from pathlib import Path

from palfa.config.settings import DownloadSettings
from palfa.jobtracker.models import DownloadAttempt
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.transfer.request_plan import plan_request

MIB = 2**20


def settings(datadir: Path, space_to_use: int) -> DownloadSettings:
    return DownloadSettings(datadir=datadir, space_to_use=space_to_use, min_free_space=0,
                            numrestored=20, numdownloads=2)


def download(tracker: JobTracker, datadir: Path, name: str, size: int) -> None:
    """A file tracked, fetched (its bytes on disk) and its attempt ``downloaded``."""
    (datadir / name).write_bytes(b"x" * size)
    tracker.add_files([NewFile(str(datadir / name), f"g/{name}", size=size)])
    claim = tracker.claim_file_for_download()
    tracker.transition(DownloadAttempt, claim.attempt.id, "complete", "", bytes_transferred=size)
    tracker.transition(DownloadAttempt, claim.attempt.id, "downloaded", "")


def test_first_request_knows_nothing_and_is_bounded_by_numrestored(tmp_path: Path) -> None:
    plan = plan_request(JobTracker(tmp_path / "jt.db"), settings(tmp_path, 10 * MIB))
    assert plan.beams == 10 and plan.files_pending == 0
    assert plan.history.beam_bytes is None and "average beam unknown" in plan.describe()


def test_room_counts_files_on_disk_pending_files_and_beams_still_staging(tmp_path: Path) -> None:
    tracker = JobTracker(tmp_path / "jt.db")
    datadir = tmp_path / "data"
    datadir.mkdir()
    download(tracker, datadir, "a.fits", MIB)  # used: 1 MiB; average file 1 MiB, beam 2 MiB
    tracker.add_files([NewFile(str(datadir / "b.fits"), "g/b.fits", size=MIB)])  # pending 1 MiB
    budget = 10 * MIB
    plan = plan_request(tracker, settings(datadir, budget))
    assert plan.room_bytes == budget - 2 * MIB
    assert plan.beams == 4  # 8 MiB of room / 2 MiB beams
    tracker.add_request("guid-staging", 2, "mock", bits=4)  # 2 beams (4 MiB) on their way
    plan = plan_request(tracker, settings(datadir, budget))
    assert (plan.room_bytes, plan.files_pending, plan.beams) == (4 * MIB, 5, 2)
    assert plan_request(tracker, settings(datadir, budget), wanted=1).beams == 1
