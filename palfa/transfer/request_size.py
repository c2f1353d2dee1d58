"""How many beams to ask the archive for, as the original downloader decided (manual 4.5.4).

Three limits, the smallest wins:

- ``numrestored``: files requested or waiting to be downloaded never exceed it;
- space: the beams must fit in what the disk budget has left once every pending file and every
  beam already requested (at the average beam size seen so far) has arrived;
- rate: no more beams than the downloads seen so far can fetch within ``horizon_s`` (the
  original used one day), so restored data do not sit in the archive's staging area for long.

Before any beam has been seen there is no average size or rate, and only ``numrestored`` and a
positive room apply (as the original, which then asked for its smallest request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class IntakeHistory:
    """What the downloads so far say about the beams to come (None: nothing seen yet)."""

    beam_bytes: float | None  # average size of one beam (all its files)
    rate_bytes_s: float | None  # aggregate download rate


def aggregate_rate(transfers: Iterable[tuple[int, float]], parallel: int) -> float | None:
    """Bytes/s of ``parallel`` transfers at the mean rate of past ``(bytes, seconds)`` transfers."""
    done = [(size, seconds) for size, seconds in transfers if size > 0 and seconds > 0]
    if not done:
        return None
    return parallel * sum(size for size, _ in done) / sum(seconds for _, seconds in done)


def beams_to_request(
    numrestored: int,
    files_pending: int,
    files_per_beam: int = 2,
    wanted: int | None = None,
    *,
    room_bytes: int | None = None,
    history: IntakeHistory | None = None,
    horizon_s: float = 86400.0,
) -> int:
    """Beams to request now; ``room_bytes`` is the disk budget left after all pending data."""
    limits = [max(0, numrestored - files_pending) // files_per_beam]
    if wanted is not None:
        limits.append(wanted)
    beam_bytes = history.beam_bytes if history else None
    if room_bytes is not None and room_bytes <= 0:
        limits.append(0)
    elif room_bytes is not None and beam_bytes:
        limits.append(int(room_bytes // beam_bytes))
    if beam_bytes and history and history.rate_bytes_s:
        # At least one: a slow link still deserves data, just not a backlog of it.
        limits.append(max(1, int(history.rate_bytes_s * horizon_s // beam_bytes)))
    return max(0, min(limits))
