"""The archive's beams and which of them each user has already been given.

The restore service must not hand the same beam to a user twice, even across restarts, so the
record of served beams lives in a small JSON file next to the data rather than in memory.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from palfa.errors import ArchiveError
from palfa.psrfits.names import SUBBANDS, parse_mock_name

STATE_FILE_NAME = ".palfa-archive-state.json"
MOCK_FILE_TYPE = "mock"

UNPREFIXED_BITS = 16  # the Mock's raw files carry no "Nbit-" prefix; reduced copies do ("4bit-")


@dataclass(frozen=True)
class ArchiveBeam:
    """One beam: both Mock sub-band files, named like ``BeamHeader.obs_name``."""

    obs_name: str
    bits: int
    file_type: str
    files: tuple[Path, ...]

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.files)


class ArchiveCatalog:
    """The beams under ``root`` (hidden folders such as the FTP staging area are skipped)."""

    def __init__(self, root: Path | str, state_path: Path | str | None = None) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise ArchiveError(
                f"archive root {self.root}",
                "is not a directory",
                "create it or point the archive at the folder the simulator writes beams to",
            )
        self.state_path = Path(state_path) if state_path else self.root / STATE_FILE_NAME
        self._lock = threading.Lock()

    def beams(self) -> list[ArchiveBeam]:
        """Complete beams (both sub-bands present), sorted by name so serving order is stable."""
        groups: dict[tuple[str, int], dict[int, Path]] = {}
        for path in self.root.rglob("*.fits"):
            if any(part.startswith(".") for part in path.relative_to(self.root).parts):
                continue
            name = parse_mock_name(path)
            if name is None:
                continue
            bits = UNPREFIXED_BITS if name.bits is None else name.bits
            groups.setdefault((name.obs_name, bits), {})[name.subband] = path
        # A beam with a half missing may still be being written: leave it for a later request.
        return [
            ArchiveBeam(obs_name, bits, MOCK_FILE_TYPE, tuple(halves[s] for s in SUBBANDS))
            for (obs_name, bits), halves in sorted(groups.items())
            if set(halves) == set(SUBBANDS)
        ]

    def served(self, username: str) -> set[str]:
        return set(self._load_state()["served"].get(username, []))

    def claim(
        self, username: str, number: int, bits: int | None = None, file_type: str | None = None
    ) -> list[ArchiveBeam]:
        """Up to ``number`` beams this user has not had yet, recorded as served before returning."""
        with self._lock:
            state = self._load_state()
            already = set(state["served"].get(username, []))
            fresh = [
                beam
                for beam in self.beams()
                if beam.obs_name not in already
                and (bits is None or beam.bits == bits)
                and (file_type is None or beam.file_type == file_type.lower())
            ][: max(number, 0)]
            if fresh:
                state["served"][username] = sorted(already | {b.obs_name for b in fresh})
                self._save_state(state)
            return fresh

    def _load_state(self) -> dict:
        if not self.state_path.exists():
            return {"served": {}}
        try:
            state = json.loads(self.state_path.read_text())
            if not isinstance(state.get("served"), dict):
                raise ValueError("no 'served' mapping")
        except (OSError, ValueError) as err:
            raise ArchiveError(
                f"archive state file {self.state_path}",
                f"cannot be read ({err})",
                "repair it, or delete it to serve every beam again",
            ) from err
        return state

    def _save_state(self, state: dict) -> None:
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        os.replace(tmp, self.state_path)
