"""The disk budget's arithmetic, and what it measures on a real folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from palfa.errors import DownloadError
from palfa.transfer.disk_budget import (
    DiskBudget,
    DiskState,
    admits_download,
    bytes_in_folder,
    measure_disk,
    still_to_fetch,
)

GIB = 2**30


@dataclass
class Tracked:
    filename: str
    size: int | None


BUDGET = DiskBudget(space_to_use=100, min_free_space=20)


@pytest.mark.parametrize(
    ("disk", "room"),
    [
        (DiskState(used=0, committed=0, free=1000), 100),  # space_to_use binds
        (DiskState(used=30, committed=50, free=1000), 20),  # bytes in flight count as used
        (DiskState(used=0, committed=10, free=60), 30),  # the free-space floor binds
        (DiskState(used=90, committed=20, free=1000), -10),  # over budget: no room at all
    ],
)
def test_room_is_the_tighter_of_the_two_limits(disk: DiskState, room: int) -> None:
    assert BUDGET.room(disk) == room
    assert BUDGET.admits(room, disk) and not BUDGET.admits(room + 1, disk)


def test_a_file_larger_than_the_whole_budget_is_a_settings_error() -> None:
    BUDGET.check_can_ever_fit(Tracked("/d/a.fits", 100))
    with pytest.raises(DownloadError, match=r"a\.fits \(101 bytes\).*Fix: raise download\.space_to_use"):
        BUDGET.check_can_ever_fit(Tracked("/d/a.fits", 101))


def test_a_resumed_file_is_charged_only_for_its_missing_part(tmp_path: Path) -> None:
    fresh = Tracked(str(tmp_path / "fresh.fits"), 1000)
    resumed = Tracked(str(tmp_path / "resumed.fits"), 1000)
    (tmp_path / "resumed.fits.part").write_bytes(b"x" * 400)
    done = Tracked(str(tmp_path / "done.fits"), 1000)
    (tmp_path / "done.fits").write_bytes(b"x" * 1000)
    assert [still_to_fetch(f) for f in (fresh, resumed, done)] == [1000, 600, 0]
    assert still_to_fetch(Tracked(str(tmp_path / "unknown.fits"), None)) == 0


def test_measure_counts_the_folder_and_what_is_still_to_arrive(tmp_path: Path) -> None:
    datadir = tmp_path / "data"
    (datadir / "sub").mkdir(parents=True)
    (datadir / "a.fits").write_bytes(b"x" * 300)
    (datadir / "sub" / "b.fits.part").write_bytes(b"x" * 200)
    flying = [Tracked(str(datadir / "sub" / "b.fits"), 500)]
    disk = measure_disk(datadir, flying)
    assert (disk.used, disk.committed) == (500, 300)
    assert disk.free > 0
    assert bytes_in_folder(tmp_path / "absent") == 0


def test_admits_download_uses_the_real_folder(tmp_path: Path) -> None:
    (tmp_path / "a.fits").write_bytes(b"x" * 600)
    budget = DiskBudget(space_to_use=1000, min_free_space=0)
    candidate = Tracked(str(tmp_path / "c.fits"), 300)
    assert admits_download(budget, tmp_path, candidate, [])
    assert not admits_download(budget, tmp_path, candidate, [Tracked(str(tmp_path / "b.fits"), 200)])
    no_floor_room = DiskBudget(space_to_use=1000, min_free_space=1 << 62)  # more than any disk
    assert not admits_download(no_floor_room, tmp_path, candidate, [])
