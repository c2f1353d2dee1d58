from __future__ import annotations

import hashlib
import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyftpdlib.filesystems import AbstractedFS

from palfa.archive import FtpFaults
from palfa.errors import DownloadError
from palfa.transfer import FtpSource

USER, PASSWORD = "palfadata", "s3cret"
GUID = "0f1e2d3c-guid"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ftp_root(tmp_path: Path, beam_files: list[Path]) -> Path:
    root = tmp_path / "ftp"
    (root / GUID).mkdir(parents=True)
    for path in beam_files:
        shutil.copy(path, root / GUID / path.name)
    return root


@pytest.fixture
def source(ftp_root: Path, serve_ftp) -> Iterator[FtpSource]:
    yield from serve_ftp(ftp_root)


@pytest.fixture
def remote(source: FtpSource, beam_files: list[Path]):
    """The largest file: (listing entry, archive copy)."""
    largest = max(beam_files, key=lambda p: p.stat().st_size)
    entry = next(f for f in source.list_files(GUID) if f.name == largest.name)
    return entry, largest


def test_listing_gives_names_paths_and_sizes(source: FtpSource, beam_files: list[Path]) -> None:
    listed = source.list_files(GUID)
    assert [(f.name, f.path, f.size) for f in listed] == [
        (p.name, f"{GUID}/{p.name}", p.stat().st_size) for p in sorted(beam_files)
    ]


def test_download_is_byte_identical(source: FtpSource, remote, tmp_path: Path) -> None:
    entry, original = remote
    local = tmp_path / "dl" / entry.name
    calls: list[tuple[int, int]] = []
    transferred = source.download(entry.path, local, entry.size, progress=lambda *a: calls.append(a))
    assert transferred == entry.size == local.stat().st_size
    assert sha256(local) == sha256(original)
    assert not local.with_name(local.name + ".part").exists()
    assert calls[0] == (0, entry.size) and calls[-1] == (entry.size, entry.size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_interrupted_download_leaves_a_part_that_resumes_with_only_the_rest(
    source: FtpSource, remote, tmp_path: Path
) -> None:
    entry, original = remote
    local = tmp_path / entry.name
    part = tmp_path / (entry.name + ".part")

    def cut(done: int, total: int) -> None:
        if done >= 100_000:
            raise ConnectionAbortedError("cable pulled")

    with pytest.raises(DownloadError, match=r"failed .*cable pulled.*resumed"):
        source.download(entry.path, local, entry.size, progress=cut)
    assert not local.exists()
    kept = part.stat().st_size
    assert 100_000 <= kept < entry.size

    calls: list[tuple[int, int]] = []
    transferred = source.download(entry.path, local, entry.size, progress=lambda *a: calls.append(a))
    assert transferred == entry.size - kept
    assert calls[0] == (kept, entry.size)  # the resume offset comes first
    assert calls[1][0] > kept and calls[-1] == (entry.size, entry.size)
    assert sha256(local) == sha256(original)
    assert not part.exists()


def test_a_part_longer_than_the_file_is_restarted(source: FtpSource, remote, tmp_path) -> None:
    entry, original = remote
    local = tmp_path / entry.name
    (tmp_path / (entry.name + ".part")).write_bytes(b"x" * (entry.size + 10))
    assert source.download(entry.path, local) == entry.size
    assert sha256(local) == sha256(original)


def test_listed_size_differing_from_the_server_is_refused(source, remote, tmp_path) -> None:
    entry, _ = remote
    with pytest.raises(DownloadError, match=rf"is {entry.size} bytes on the server but 7 were"):
        source.download(entry.path, tmp_path / "f", expected_size=7)


class _TruncatingFS(AbstractedFS):
    """Serves only the first half of every file, as a server that drops a transfer might."""

    def open(self, filename, mode):
        with super().open(filename, mode) as full:
            data = full.read()
        half = io.BytesIO(data[: len(data) // 2])
        half.name = filename
        return half


def test_short_transfer_is_detected_and_kept_for_resuming(
        ftp_root: Path, remote, tmp_path, serve_ftp) -> None:
    entry, _ = remote
    local = tmp_path / entry.name
    for cutting in serve_ftp(ftp_root, filesystem=_TruncatingFS):
        with pytest.raises(
            DownloadError,
            match=rf"arrived with {entry.size // 2} of {entry.size} bytes.*Fix: download it again",
        ):
            cutting.download(entry.path, local, entry.size)
    assert not local.exists()
    assert (tmp_path / (entry.name + ".part")).stat().st_size == entry.size // 2


class _StallingFS(AbstractedFS):
    """Sends the first 64 kB of every file, then nothing for a second (the whole server stalls)."""

    def open(self, filename, mode):
        with super().open(filename, mode) as full:
            head = full.read(65536)
        stalling = _StallingFile(head)
        stalling.name = filename
        return stalling


class _StallingFile(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data:
            time.sleep(1.0)
        return data


def test_a_stalled_transfer_fails_after_the_timeout_and_keeps_what_arrived(
    ftp_root: Path, remote, tmp_path: Path, serve_ftp) -> None:
    entry, _ = remote
    for stalling in serve_ftp(ftp_root, filesystem=_StallingFS):
        impatient = FtpSource(stalling.host, stalling.port, USER, PASSWORD, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(DownloadError, match=r"TimeoutError: no data for 0\.3 s"):
            impatient.download(entry.path, tmp_path / entry.name, entry.size)
        assert time.monotonic() - started < 0.9
    assert (tmp_path / (entry.name + ".part")).stat().st_size == 65536


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, tmp: s.list_files("no-such-guid"), "FTP folder 'no-such-guid'.*cannot be listed"),
        (lambda s, tmp: s.download(f"{GUID}/missing.fits", tmp / "m"), "missing.fits.*no size"),
    ],
)
def test_missing_remote_things_are_clear_errors(source, tmp_path, call, message) -> None:
    with pytest.raises(DownloadError, match=message):
        call(source, tmp_path)


def test_bad_password_and_absent_server(source: FtpSource) -> None:
    wrong = FtpSource(source.host, source.port, USER, "wrong", timeout=5)
    with pytest.raises(DownloadError, match=r"FTP account 'palfadata'.*refused.*ftp_password"):
        wrong.list_files(GUID)
    closed = FtpSource("127.0.0.1", 1, USER, PASSWORD, timeout=5)
    with pytest.raises(DownloadError, match=r"ftp://127\.0\.0\.1:1: cannot be reached"):
        closed.list_files(GUID)


def test_a_cut_50_mb_transfer_resumes_byte_identical(tmp_path: Path, serve_ftp) -> None:
    root = tmp_path / "big-ftp"
    (root / GUID).mkdir(parents=True)
    original = root / GUID / "big.fits"
    with original.open("wb") as out:
        for _ in range(50):
            out.write(os.urandom(2**20))
    size = original.stat().st_size
    local = tmp_path / "big.fits"
    for cutting in serve_ftp(root, faults=FtpFaults(cut_after_bytes=20 * 2**20, cuts=1)):
        with pytest.raises(DownloadError, match="426"):
            cutting.download(f"{GUID}/big.fits", local, size)
        kept = (tmp_path / "big.fits.part").stat().st_size
        assert 0 < kept <= 20 * 2**20
        assert cutting.download(f"{GUID}/big.fits", local, size) == size - kept
    assert sha256(local) == sha256(original)
