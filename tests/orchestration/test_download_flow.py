"""download_flow over real FTP: identical bytes on disk, and bad files retried then abandoned."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlmodel import Session

from flows.download import download_flow
from flows.restore import restore_flow
from palfa.jobtracker.models import DownloadAttempt, File
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.ftp_download import PART_SUFFIX


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archived_digests(archive_beams) -> dict[str, str]:
    return {p.name: sha256(p) for beam in archive_beams for p in beam.files}


def test_every_staged_file_downloads_byte_identical(make_settings, run_archive, save_config,
                                                    archive_beams):
    settings = make_settings()
    with run_archive() as archive:
        block = save_config(settings, archive)
        restore_flow(block, num_beams=2)
        outcome = download_flow(block)

    tracker = JobTracker(settings.background.jobtracker_db)
    counts = tracker.counts_by_status()
    assert outcome == {"downloaded": 4, "failed": 0, "terminal_failure": 0}
    assert counts["files"] == {"downloaded": 4}
    assert counts["download_attempts"] == {"downloaded": 4}
    assert sorted(a.file_id for a in tracker.with_status(DownloadAttempt)) == sorted(
        f.id for f in tracker.with_status(File))
    on_disk = {p.name: sha256(p) for p in settings.download.datadir.iterdir()}
    assert on_disk == archived_digests(archive_beams)  # and no .part files left over


def test_file_of_wrong_size_is_retried_then_abandoned(make_settings, run_archive, save_config,
                                                      archive_beams):
    settings = make_settings(download={"numretries": 2})
    tracker = JobTracker(settings.background.jobtracker_db)
    with run_archive() as archive:
        block = save_config(settings, archive)
        restore_flow(block, num_beams=2)
        bad = tracker.with_status(File)[1]
        with Session(tracker.engine) as session:  # the archive "listed" a different size
            row = session.get_one(File, bad.id)
            row.size += 1
            session.commit()
        stale_part = Path(bad.filename + PART_SUFFIX)
        stale_part.write_bytes(b"left by a crashed transfer")
        outcome = download_flow(block)

    counts = tracker.counts_by_status()
    assert outcome == {"downloaded": 3, "failed": 2, "terminal_failure": 1}
    assert counts["files"] == {"downloaded": 3, "terminal_failure": 1}
    assert counts["download_attempts"] == {"downloaded": 3, "download_failed": 2}
    failed = [a for a in tracker.with_status(DownloadAttempt) if a.file_id == bad.id]
    assert [a.status for a in failed] == ["download_failed"] * 2
    assert f"{bad.size + 1} were expected" in failed[0].details
    assert "gave up after 2 attempts" in tracker.get(File, bad.id).details
    assert not Path(bad.filename).exists() and not stale_part.exists()
    expected = archived_digests(archive_beams)
    del expected[Path(bad.filename).name]
    assert {p.name: sha256(p) for p in settings.download.datadir.iterdir()} == expected
