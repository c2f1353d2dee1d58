from __future__ import annotations

from pathlib import Path

import pytest

from palfa.archive.catalog import STATE_FILE_NAME, ArchiveCatalog
from palfa.errors import ArchiveError

BEAMS_4BIT = 3  # in the archive_root fixture


def test_beams_pair_s0_s1_and_skip_incomplete_or_foreign_files(archive_root: Path) -> None:
    beams = ArchiveCatalog(archive_root).beams()
    assert [(b.obs_name, b.bits) for b in beams] == [
        ("p2030.20261126.G45.00+0.00.b3.00000", 4),
        ("p2030.20261126.G45.00+0.00.b3.00001", 4),
        ("p2030.20261126.G45.00+0.00.b3.00002", 4),
        ("p2030.20261126.G45.00+0.00.b3.00050", 16),
    ]
    first = beams[0]
    assert [p.name for p in first.files] == [
        "4bit-p2030.20261126.G45.00+0.00.b3s0g0.00000.fits",
        "4bit-p2030.20261126.G45.00+0.00.b3s1g0.00000.fits",
    ]
    assert first.size_bytes == 2 * 500 + 2 * 600


def test_hidden_folders_are_not_beams(archive_root: Path) -> None:
    staged = archive_root / ".ftp-staging" / "guid"
    staged.mkdir(parents=True)
    for path in ArchiveCatalog(archive_root).beams()[0].files:
        (staged / path.name).write_bytes(path.read_bytes())
    assert len(ArchiveCatalog(archive_root).beams()) == BEAMS_4BIT + 1


def test_claim_never_serves_a_beam_twice_even_after_a_restart(archive_root: Path) -> None:
    catalog = ArchiveCatalog(archive_root)
    first = catalog.claim("alice", 2, bits=4, file_type="Mock")
    assert len(first) == 2
    restarted = ArchiveCatalog(archive_root)
    rest = restarted.claim("alice", 5, bits=4, file_type="mock")
    assert len(rest) == BEAMS_4BIT - 2
    assert not {b.obs_name for b in first} & {b.obs_name for b in rest}
    assert restarted.claim("alice", 5, bits=4) == []
    assert len(restarted.claim("bob", 5, bits=4)) == BEAMS_4BIT  # served per user
    assert (archive_root / STATE_FILE_NAME).is_file()


def test_claim_filters_on_bits_and_file_type(archive_root: Path) -> None:
    catalog = ArchiveCatalog(archive_root)
    assert [b.obs_name for b in catalog.claim("alice", 10, bits=16)] == [
        "p2030.20261126.G45.00+0.00.b3.00050"
    ]
    assert catalog.claim("alice", 10, file_type="wapp") == []


def test_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"archive root .*nowhere: is not a directory\. Fix:"):
        ArchiveCatalog(tmp_path / "nowhere")


def test_corrupt_state_file_names_the_file_and_the_fix(archive_root: Path) -> None:
    (archive_root / STATE_FILE_NAME).write_text("{not json")
    with pytest.raises(ArchiveError, match=f"{STATE_FILE_NAME}: cannot be read.*delete it"):
        ArchiveCatalog(archive_root).claim("alice", 1)
