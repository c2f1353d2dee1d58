"""download_flow over real FTP: identical bytes on disk, and bad files retried then abandoned."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flows.download import download_flow
from flows.restore import restore_flow
from palfa.archive import FtpFaults
from palfa.jobtracker.models import DownloadAttempt, File, Request
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.ftp_download import PART_SUFFIX


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archived_digests(archive_beams) -> dict[str, str]:
    return {p.name: sha256(p) for beam in archive_beams for p in beam.files}


def test_every_staged_file_downloads_byte_identical(make_settings, run_archive, restore_and_download,
                                                    archive_beams):
    settings = make_settings()
    with run_archive() as archive:
        outcome, staging = restore_and_download(settings, archive)

    tracker = JobTracker(settings.background.jobtracker_db)
    counts = tracker.counts_by_status()
    assert outcome == {"downloaded": 4, "failed": 0, "terminal_failure": 0, "waiting_for_space": 0}
    assert counts["files"] == {"downloaded": 4}
    assert counts["download_attempts"] == {"downloaded": 4}
    assert sorted(a.file_id for a in tracker.with_status(DownloadAttempt)) == sorted(
        f.id for f in tracker.with_status(File))
    on_disk = {p.name: sha256(p) for p in settings.download.datadir.iterdir()}
    assert on_disk == archived_digests(archive_beams)  # and no .part files left over
    (request,) = tracker.with_status(Request)
    assert staging == [] and request.staging_deleted_at is not None  # Deleter freed the archive


def test_file_whose_size_the_server_misreports_is_retried_then_abandoned(
        make_settings, run_archive, save_config, archive_beams):
    settings = make_settings(download={"numretries": 2})
    tracker = JobTracker(settings.background.jobtracker_db)
    liar = archive_beams[0].files[1]
    true_size = liar.stat().st_size
    faults = FtpFaults(size_lies={liar.name: true_size + 1})
    with run_archive(ftp_faults=faults) as archive:
        block = save_config(settings, archive)
        restore_flow(block, num_beams=2)
        (bad,) = [f for f in tracker.with_status(File) if f.filename.endswith(liar.name)]
        stale_part = Path(bad.filename + PART_SUFFIX)
        stale_part.write_bytes(b"left by a crashed transfer")
        outcome = download_flow(block)

    counts = tracker.counts_by_status()
    assert bad.size == true_size + 1  # what the server listed
    assert outcome == {"downloaded": 3, "failed": 2, "terminal_failure": 1, "waiting_for_space": 0}
    assert counts["files"] == {"downloaded": 3, "terminal_failure": 1}
    assert counts["download_attempts"] == {"downloaded": 3, "download_failed": 2}
    failed = [a for a in tracker.with_status(DownloadAttempt) if a.file_id == bad.id]
    assert [a.status for a in failed] == ["download_failed"] * 2
    assert f"arrived with {true_size} of {true_size + 1} bytes" in failed[-1].details
    assert "gave up after 2 attempts" in tracker.get(File, bad.id).details
    assert not Path(bad.filename).exists() and not stale_part.exists()
    expected = archived_digests(archive_beams)
    del expected[liar.name]
    assert {p.name: sha256(p) for p in settings.download.datadir.iterdir()} == expected
