"""Zaplist choice: per-file, then per-beam, then per-MJD (loose or in zaplists.tar.gz), default."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from palfa.errors import SearchError
from palfa.presto.zaplist import choose_zaplist

FILES = [Path("/data/p2030.20261126.G45.00+0.00.b3s0g0.00100.fits"),
         Path("/data/p2030.20261126.G45.00+0.00.b3s1g0.00100.fits")]
PER_FILE = "p2030.20261126.G45.00+0.00.b3s0g0.00100.zaplist"
PER_BEAM = "p2030.20261126.b3.zaplist"
PER_MJD = "p2030.20261126.all.zaplist"


@pytest.fixture
def zapdir(tmp_path: Path) -> Path:
    d = tmp_path / "zaplists"
    d.mkdir()
    return d


def _tarball(directory: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(directory / "zaplists.tar.gz", "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"zaplists/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_order_of_preference(zapdir, tmp_path):
    default = tmp_path / "PALFA.zaplist"
    default.write_text("60.0 0.2\n")
    assert choose_zaplist(FILES, zapdir, default).kind == "default"
    (zapdir / PER_MJD).write_text("1 0.1\n")
    assert choose_zaplist(FILES, zapdir, default).kind == "per-MJD"
    (zapdir / PER_BEAM).write_text("2 0.1\n")
    assert choose_zaplist(FILES, zapdir, default).kind == "per-beam"
    (zapdir / PER_FILE).write_text("3 0.1\n")
    choice = choose_zaplist(FILES, zapdir, default)
    assert (choice.kind, choice.name, choice.text) == ("per-file", PER_FILE, b"3 0.1\n")


def test_custom_zaplists_inside_the_survey_tarball(zapdir):
    _tarball(zapdir, {PER_MJD: b"1 0.1\n", PER_BEAM: b"2 0.1\n", "other.zaplist": b"9 9\n"})
    choice = choose_zaplist(FILES, zapdir, None)
    assert (choice.kind, choice.text) == ("per-beam", b"2 0.1\n")
    written = choice.write(zapdir.parent)
    assert written is not None and written.read_bytes() == b"2 0.1\n"


def test_no_zaplist_at_all_means_no_zapping(zapdir):
    choice = choose_zaplist(FILES, zapdir, None)
    assert choice.kind == "none" and choice.write(zapdir) is None


def test_non_mock_file_names_only_have_a_per_file_zaplist(zapdir):
    (zapdir / "fx.zaplist").write_text("5 1\n")
    (zapdir / PER_MJD).write_text("1 0.1\n")
    assert choose_zaplist([Path("fx.fits")], zapdir, None).kind == "per-file"
    assert choose_zaplist([Path("fy.fits")], zapdir, None).kind == "none"


def test_missing_default_is_an_error_naming_it(tmp_path):
    with pytest.raises(SearchError, match="default_zaplist"):
        choose_zaplist(FILES, None, tmp_path / "gone.zaplist")


def test_broken_tarball_is_an_error_naming_it(zapdir):
    (zapdir / "zaplists.tar.gz").write_bytes(b"not a tarball")
    with pytest.raises(SearchError, match=r"zaplists\.tar\.gz"):
        choose_zaplist(FILES, zapdir, None)
