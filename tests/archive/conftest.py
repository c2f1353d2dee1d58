"""Tiny fake Mock beams: the archive only looks at names and bytes, never at PSRFITS content."""

from __future__ import annotations

from pathlib import Path

import pytest

from palfa.psrfits.names import MockFileName


def write_beam(root: Path, scan: int, bits: int | None = 4, subbands=(0, 1)) -> list[Path]:
    paths = []
    for subband in subbands:
        name = MockFileName(bits, "p2030", "20261126", "G45.00+0.00", 3, subband, scan)
        path = root / name.format()
        path.write_bytes(bytes([scan % 256, subband]) * (500 + 100 * subband))
        paths.append(path)
    return paths


@pytest.fixture
def archive_root(tmp_path: Path) -> Path:
    """Three 4-bit beams, one 16-bit (unprefixed) beam, a lone s0 and an unrelated file."""
    root = tmp_path / "archive"
    root.mkdir()
    for scan in range(3):
        write_beam(root, scan)
    write_beam(root, 50, bits=None)
    write_beam(root, 99, subbands=(0,))
    (root / "notes.fits").write_bytes(b"not a beam")
    return root
