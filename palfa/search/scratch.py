"""Scratch space for a search: the cleaned beam and its downsampled copies live in files there.

The files are memory-mapped, so the stages read them through the OS page cache and a beam larger
than memory can be searched; they are created unlinked (``tempfile.TemporaryFile``), so their
space comes back when the arrays are dropped or the process ends, killed or not.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from palfa.errors import SearchError


def check_scratch_base(base: Path) -> None:
    if not Path(base).is_dir():
        raise SearchError("searching.base_tmp_dir", f"directory {base} does not exist",
                          f"create it (mkdir -p {base}) or point the setting elsewhere")


@contextmanager
def scratch_dir(base: Path, name: str) -> Iterator[Path]:
    """A directory under ``base`` named after the beam, removed on leaving, also on error."""
    check_scratch_base(base)
    with tempfile.TemporaryDirectory(prefix=f"{name}_", suffix="_scratch", dir=base) as path:
        yield Path(path)


def float32_array(shape: tuple[int, ...], scratch: Path | None) -> np.ndarray:
    """An uninitialised float32 array: in memory, or memory-mapped to an unlinked file in
    ``scratch`` (its pages are then page cache the OS can write out and drop)."""
    if scratch is None:
        return np.empty(shape, dtype=np.float32)
    with tempfile.TemporaryFile(dir=scratch) as handle:  # the mapping outlives the handle
        return np.memmap(handle, dtype=np.float32, mode="w+", shape=shape)
