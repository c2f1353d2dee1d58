"""The local FTP server's faults, seen by a plain ftplib client."""

from __future__ import annotations

import ftplib
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from palfa.archive import ArchiveFtpServer, FtpFaults

USER, PASSWORD = "palfa", "s3cret"
SIZE = 300_000


@pytest.fixture
def ftp_root(tmp_path: Path) -> Path:
    root = tmp_path / "ftp"
    (root / "guid").mkdir(parents=True)
    (root / "guid" / "a.fits").write_bytes(bytes(range(256)) * (SIZE // 256) + b"x" * (SIZE % 256))
    return root


@contextmanager
def client(root: Path, faults: FtpFaults) -> Iterator[ftplib.FTP]:
    server = ArchiveFtpServer(root, USER, PASSWORD, auth_failed_timeout=0, faults=faults)
    server.start()
    ftp = ftplib.FTP()
    try:
        ftp.connect(server.host, server.port, timeout=10)
        ftp.login(USER, PASSWORD)
        ftp.voidcmd("TYPE I")
        yield ftp
    finally:
        ftp.close()
        server.stop()


def fetch(ftp: ftplib.FTP, rest: int | None = None) -> bytes:
    out = io.BytesIO()
    ftp.retrbinary("RETR guid/a.fits", out.write, rest=rest)
    return out.getvalue()


def test_cut_transfers_fail_mid_file_then_the_server_recovers(ftp_root: Path) -> None:
    faults = FtpFaults(cut_after_bytes=100_000, cuts=2)
    original = (ftp_root / "guid" / "a.fits").read_bytes()
    with client(ftp_root, faults) as ftp:
        received = io.BytesIO()
        with pytest.raises(ftplib.error_temp, match="426"):
            ftp.retrbinary("RETR guid/a.fits", received.write)
        first = received.getvalue()
        assert 0 < len(first) <= 100_000 and original.startswith(first)
        with pytest.raises(ftplib.error_temp, match="426"):  # a resumed transfer is cut too
            ftp.retrbinary("RETR guid/a.fits", received.write, rest=len(first))
        assert original.startswith(received.getvalue()) and len(received.getvalue()) > len(first)
        assert fetch(ftp) == original  # the third transfer is whole
    assert faults.cuts_made == 2


def test_size_lies_in_size_and_listings_but_not_in_the_bytes(ftp_root: Path) -> None:
    with client(ftp_root, FtpFaults(size_lies={"a.fits": SIZE + 10})) as ftp:
        assert ftp.size("guid/a.fits") == SIZE + 10
        facts = dict(ftp.mlsd("guid", facts=["size"]))
        ftp.voidcmd("TYPE I")
        assert facts["a.fits"]["size"] == str(SIZE + 10)
        assert len(fetch(ftp)) == SIZE


def test_slow_server_throttles_each_transfer(ftp_root: Path) -> None:
    with client(ftp_root, FtpFaults(bytes_per_s=400_000)) as ftp:
        start = time.monotonic()
        assert len(fetch(ftp)) == SIZE
        elapsed = time.monotonic() - start
    assert elapsed > 0.6  # 0.75 s at that rate; unthrottled, milliseconds
