"""download_flow against a misbehaving archive: cut transfers, a slow server, a small disk.

Each test ends with the job tracker's states and the bytes on disk checked: every archived file
has exactly one row, and is on disk byte-identical, or abandoned with nothing left behind.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

import tasks.download
from cli.main import app
from flows.download import download_flow
from flows.restore import restore_flow
from palfa.archive import FtpFaults, LocalArchive
from palfa.jobtracker.cleanup import delete_raw_files
from palfa.jobtracker.models import DownloadAttempt, File, Request
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.psrfits.names import MockFileName
from palfa.transfer.disk_budget import bytes_in_folder
from palfa.transfer.progress import downloads_in_flight

USER, PASSWORD = "palfa", "s3cret"  # the orchestration conftest's account
MB = 10**6


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_beams(root: Path, sizes: list[tuple[int, int]]) -> dict[str, str]:
    """Beams of random bytes (the archive never reads them) with these (s0, s1) sizes."""
    root.mkdir(parents=True, exist_ok=True)
    digests = {}
    for scan, halves in enumerate(sizes):
        for subband, size in enumerate(halves):
            path = root / MockFileName(4, "p2030", "20261126", "G45.00+0.00", 0, subband, scan).format()
            path.write_bytes(os.urandom(size))
            digests[path.name] = sha256(path)
    return digests


@contextmanager
def serve(root: Path, faults: FtpFaults | None = None) -> Iterator[LocalArchive]:
    with LocalArchive(root, USER, PASSWORD, stage_delay_s=0.1, auth_failed_timeout=0,
                      ftp_faults=faults) as archive:
        yield archive


def on_disk(datadir: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in datadir.iterdir()}


def attempts_of(tracker: JobTracker, file: File) -> list[DownloadAttempt]:
    return [a for a in tracker.with_status(DownloadAttempt) if a.file_id == file.id]


def test_connection_dropped_mid_file_resumes_a_50_mb_file(make_settings, save_config, tmp_path):
    digests = write_beams(tmp_path / "big", [(50 * 2**20, 100_000)])
    settings = make_settings(download={"numdownloads": 1, "numretries": 3})
    faults = FtpFaults(cut_after_bytes=20 * 2**20, cuts=1)
    with serve(tmp_path / "big", faults) as archive:
        block = save_config(settings, archive)
        restore_flow(block, num_beams=1)
        outcome = download_flow(block)

    tracker = JobTracker(settings.background.jobtracker_db)
    assert outcome == {"downloaded": 2, "failed": 1, "terminal_failure": 0, "waiting_for_space": 0}
    assert tracker.counts_by_status()["files"] == {"downloaded": 2}
    big = max(tracker.with_status(File), key=lambda f: f.size)
    cut, resumed = attempts_of(tracker, big)
    assert (cut.status, resumed.status) == ("download_failed", "downloaded")
    assert "426" in cut.details
    assert big.size - 20 * 2**20 <= resumed.bytes_transferred < big.size  # resumed, not restarted
    assert on_disk(settings.download.datadir) == digests  # byte-identical, no .part left


def test_transfers_cut_every_time_end_in_terminal_failure(make_settings, run_archive,
                                                          restore_and_download, archive_beams):
    settings = make_settings(download={"numretries": 2})
    with run_archive(ftp_faults=FtpFaults(cut_after_bytes=100_000, cuts=10**6)) as archive:
        outcome, staging = restore_and_download(settings, archive)

    tracker = JobTracker(settings.background.jobtracker_db)
    counts = tracker.counts_by_status()
    assert outcome == {"downloaded": 0, "failed": 8, "terminal_failure": 4, "waiting_for_space": 0}
    assert counts["files"] == {"terminal_failure": 4}
    assert counts["download_attempts"] == {"download_failed": 8}
    assert list(settings.download.datadir.iterdir()) == []  # partial files removed
    (request,) = tracker.with_status(Request)
    assert staging == [] and request.staging_deleted_at is not None  # nothing left to fetch


def test_slow_server_shows_progress_and_a_free_slot_is_refilled_at_once(
        make_settings, save_config, tmp_path, monkeypatch):
    # One big file and five small ones, two transfers at a time: the small ones must all pass
    # through the second slot while the big one is still running (no batch-by-batch waiting).
    digests = write_beams(tmp_path / "slow", [(2_400_000, 50_000), (50_000, 50_000), (50_000, 50_000)])
    settings = make_settings(download={"numdownloads": 2})
    monkeypatch.setattr(tasks.download, "PROGRESS_EVERY_S", 0.2)
    tracker = JobTracker(settings.background.jobtracker_db)
    seen = []
    with serve(tmp_path / "slow", FtpFaults(bytes_per_s=MB)) as archive:
        block = save_config(settings, archive)
        restore_flow(block, num_beams=3)
        done = threading.Event()
        watcher = threading.Thread(target=lambda: _watch(tracker, seen, done))
        watcher.start()
        try:
            outcome = download_flow(block)
        finally:
            done.set()
            watcher.join()

    assert outcome["downloaded"] == 6
    assert on_disk(settings.download.datadir) == digests
    assert max(len(snapshot) for snapshot in seen) == 2
    big = max(tracker.with_status(File), key=lambda f: f.size)
    (big_attempt,) = attempts_of(tracker, big)
    small_ends = [a.updated_at for a in tracker.with_status(DownloadAttempt) if a.file_id != big.id]
    assert max(small_ends) < big_attempt.updated_at
    midway = [p for snapshot in seen for p in snapshot
              if p.total == big.size and 0 < p.done < big.size and p.rate_bytes_s]
    assert midway, "the big file's progress was never visible while it downloaded"
    assert all(0.3 * MB < p.rate_bytes_s < 2 * MB for p in midway)  # the server's 1 MB/s


def _watch(tracker: JobTracker, seen: list, done: threading.Event) -> None:
    while not done.is_set():
        seen.append(downloads_in_flight(tracker))
        time.sleep(0.05)


def test_status_lists_downloads_in_flight(make_settings, tmp_path):
    settings = make_settings()
    tracker = JobTracker(settings.background.jobtracker_db)
    local = settings.download.datadir / "a.fits"
    tracker.add_files([NewFile(str(local), "guid/a.fits", size=4 * 2**20)])
    tracker.claim_file_for_download()
    Path(str(local) + ".part").write_bytes(b"x" * 2**20)
    result = CliRunner().invoke(app, ["status", "--config", str(tmp_path / "workspace" / "palfa.toml")])
    assert result.exit_code == 0, result.output
    assert "downloading a.fits: 1.0/4.0 MiB (25%)" in result.output


def test_downloads_wait_for_space_and_resume_when_it_is_freed(make_settings, save_config,
                                                             tmp_path):
    sizes = [(300_000, 300_000), (300_000, 300_000), (300_000, 300_000)]
    digests = write_beams(tmp_path / "disk", sizes)
    budget = 700_000  # two files fit, a third does not
    settings = make_settings(download={"space_to_use": budget, "min_free_space": 0,
                                       "numdownloads": 2})
    datadir = settings.download.datadir
    tracker = JobTracker(settings.background.jobtracker_db)
    with serve(tmp_path / "disk") as archive:
        block = save_config(settings, archive)
        restore_flow(block, num_beams=3)
        first = download_flow(block)  # no one frees space: two files, the rest wait
        assert first == {"downloaded": 2, "failed": 0, "terminal_failure": 0, "waiting_for_space": 4}
        assert tracker.counts_by_status()["files"] == {"downloaded": 2, "new": 4}
        assert bytes_in_folder(datadir) == 600_000
        (request,) = tracker.with_status(Request)
        assert request.staging_deleted_at is None  # files still to fetch: staging kept
        assert (archive.ftp_root / request.guid).is_dir()

        # An "uploader" frees each downloaded file a little after it lands, while the flow waits.
        stop, peak, uploaded = threading.Event(), [0], {}
        uploader = threading.Thread(target=_upload_as_they_land,
                                    args=(tracker, datadir, stop, peak, uploaded))
        uploader.start()
        try:
            second = download_flow(block, wait_for_space_s=30)
        finally:
            stop.set()
            uploader.join()

    assert second == {"downloaded": 4, "failed": 0, "terminal_failure": 0, "waiting_for_space": 0}
    assert tracker.get(Request, request.id).staging_deleted_at is not None
    assert peak[0] <= budget
    assert tracker.counts_by_status()["download_attempts"] == {"downloaded": 6}
    files = tracker.with_status(File)
    assert len(files) == 6 and all(f.status in ("downloaded", "deleted") for f in files)
    assert {**uploaded, **on_disk(datadir)} == digests  # every file once, byte-identical


def _upload_as_they_land(tracker: JobTracker, datadir: Path, stop: threading.Event,
                         peak: list[int], uploaded: dict[str, str]) -> None:
    """Samples the disk (keeping the peak) and deletes downloaded files, as an uploader does."""
    while not stop.is_set():
        peak[0] = max(peak[0], bytes_in_folder(datadir))
        landed = tracker.with_status(File, "downloaded")
        if landed and not stop.wait(0.1):
            for file in landed:
                uploaded[Path(file.filename).name] = sha256(Path(file.filename))
            delete_raw_files(tracker, landed, "uploaded")
        time.sleep(0.01)


def test_restore_asks_only_for_what_the_disk_budget_can_hold(make_settings, save_config,
                                                             tmp_path):
    write_beams(tmp_path / "sizing", [(200_000, 200_000)] * 4)
    settings = make_settings(download={"space_to_use": 1_000_000, "min_free_space": 0,
                                       "numrestored": 20})
    tracker = JobTracker(settings.background.jobtracker_db)
    with serve(tmp_path / "sizing") as archive:
        block = save_config(settings, archive)
        assert restore_flow(block, num_beams=1) == 2  # nothing known yet: as asked
        download_flow(block)  # 400 kB used; a beam is 400 kB; room for 1 more
        assert restore_flow(block) == 2
        assert restore_flow(block) == 0  # that beam, still to download, fills the budget

    assert [r.numrequested for r in tracker.with_status(Request)] == [1, 1]
