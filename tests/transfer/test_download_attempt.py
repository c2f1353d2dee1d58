"""One download attempt of a claimed file, against a real FTP server and job tracker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from palfa.archive import FtpFaults
from palfa.errors import DownloadError
from palfa.jobtracker.models import DownloadAttempt, File
from palfa.jobtracker.tracker import DownloadClaim, JobTracker, NewFile
from palfa.transfer import FtpSource
from palfa.transfer.download_attempt import download_claimed

USER, PASSWORD, GUID = "palfadata", "s3cret", "guid"


@pytest.fixture
def ftp_root(tmp_path: Path, beam_files: list[Path]) -> Path:
    root = tmp_path / "ftp"
    (root / GUID).mkdir(parents=True)
    shutil.copy(beam_files[-1], root / GUID / beam_files[-1].name)  # one file of ~225 kB
    return root


@pytest.fixture
def tracker(tmp_path: Path) -> JobTracker:
    return JobTracker(tmp_path / "jt.db")


def _claim(tracker: JobTracker, source: FtpSource, datadir: Path) -> DownloadClaim:
    """Register the staged file (as a restore does) or, once registered, claim it again."""
    if not tracker.with_status(File):
        staged = source.list_files(GUID)
        tracker.add_files([NewFile(str(datadir / f.name), f.path, size=f.size) for f in staged])
    claim = tracker.claim_file_for_download()
    assert claim is not None
    return claim


def test_a_claimed_file_ends_downloaded_with_its_bytes_and_one_final_progress_line(
    ftp_root: Path, tracker: JobTracker, tmp_path: Path, beam_files: list[Path], serve_ftp) -> None:
    lines: list[str] = []
    for source in serve_ftp(ftp_root):
        claim = _claim(tracker, source, tmp_path / "data")
        local = download_claimed(tracker, source, claim, lines.append)
    size = beam_files[-1].stat().st_size
    assert local.read_bytes() == beam_files[-1].read_bytes()
    attempt = tracker.get(DownloadAttempt, claim.attempt.id)
    assert (attempt.status, attempt.bytes_transferred) == ("downloaded", size)
    assert tracker.get(File, claim.file.id).status == "downloaded"
    assert lines == [lines[-1]] and "(100%)" in lines[-1]


def test_a_cut_attempt_is_recorded_failed_and_the_next_one_moves_only_the_rest(
    ftp_root: Path, tracker: JobTracker, tmp_path: Path, beam_files: list[Path], serve_ftp) -> None:
    cut_at = 100_000
    for source in serve_ftp(ftp_root, faults=FtpFaults(cut_after_bytes=cut_at, cuts=1)):
        first = _claim(tracker, source, tmp_path / "data")
        with pytest.raises(DownloadError, match="transfer aborted"):
            download_claimed(tracker, source, first)
        failed = tracker.get(DownloadAttempt, first.attempt.id)
        assert (failed.status, tracker.get(File, first.file.id).status) == ("download_failed", "failed")
        assert Path(first.file.filename + ".part").stat().st_size == cut_at

        tracker.retry_failed_files(max_attempts=3)
        second = _claim(tracker, source, tmp_path / "data")
        download_claimed(tracker, source, second)
    size = beam_files[-1].stat().st_size
    assert tracker.get(DownloadAttempt, second.attempt.id).bytes_transferred == size - cut_at
    assert Path(second.file.filename).read_bytes() == beam_files[-1].read_bytes()
    assert [a.status for a in tracker.with_status(DownloadAttempt)] == ["download_failed", "downloaded"]


def test_a_running_attempt_notes_its_progress_in_its_row(
    ftp_root: Path, tracker: JobTracker, tmp_path: Path, serve_ftp) -> None:
    """What ``palfa status`` shows: the attempt row's bytes grow while the transfer runs."""
    seen: list[int | None] = []
    for source in serve_ftp(ftp_root, faults=FtpFaults(bytes_per_s=400_000)):
        claim = _claim(tracker, source, tmp_path / "data")

        def log(_line: str, attempt_id: int = claim.attempt.id) -> None:
            seen.append(tracker.get(DownloadAttempt, attempt_id).bytes_transferred)  # last report's

        download_claimed(tracker, source, claim, log, every_s=0.1)
    assert seen[0] is None and len(seen) >= 3
    assert all(0 < moved < claim.file.size for moved in seen[1:])
    assert seen[1:] == sorted(seen[1:])
