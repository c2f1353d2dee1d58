"""Servers on 127.0.0.1 for the transfer clients to talk to."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from palfa.archive import ArchiveFtpServer, LocalArchive
from palfa.psrfits.names import MockFileName
from palfa.transfer import FtpSource

USER, PASSWORD = "palfadata", "s3cret"


@pytest.fixture
def beam_files(tmp_path: Path) -> list[Path]:
    """Two beams (four files) of random bytes, a few hundred kB each so transfers take blocks."""
    root = tmp_path / "archive"
    root.mkdir()
    rng = random.Random(1)
    files = []
    for scan in (1, 2):
        for subband in (0, 1):
            path = root / MockFileName(4, "p2030", "20261126", "G45.00+0.00", 0, subband, scan).format()
            path.write_bytes(rng.randbytes(200_000 + 12_345 * scan + subband))
            files.append(path)
    return files


@pytest.fixture
def archive(beam_files: list[Path]) -> Iterator[LocalArchive]:
    with LocalArchive(
        beam_files[0].parent, USER, PASSWORD, stage_delay_s=0.3, auth_failed_timeout=0
    ) as running:
        yield running


def _serving(ftp_root: Path, **options) -> Iterator[FtpSource]:
    server = ArchiveFtpServer(ftp_root, USER, PASSWORD, auth_failed_timeout=0, **options)
    server.start()
    try:
        yield FtpSource(server.host, server.port, USER, PASSWORD, timeout=5)
    finally:
        server.stop()


@pytest.fixture
def serve_ftp():
    """``for source in serve_ftp(root, faults=...)``: an FTP server on 127.0.0.1 for the loop's body."""
    return _serving
