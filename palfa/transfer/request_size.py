"""How many beams to ask the archive for (manual 4.5.4: numrestored bounds the backlog)."""

from __future__ import annotations


def beams_to_request(numrestored: int, files_pending: int, files_per_beam: int = 2,
                     wanted: int | None = None) -> int:
    """Beams that fit in ``numrestored`` given ``files_pending`` (requested or not yet downloaded)."""
    room = max(0, numrestored - files_pending) // files_per_beam
    return room if wanted is None else min(room, wanted)
