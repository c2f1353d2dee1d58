"""PALFA Mock spectrometer file names.

Each ALFA beam is recorded by two Mock boxes, one per half of the band, so a beam arrives as a
pair of files that differ only in ``s0``/``s1``:
``[4bit-]p2030.20261126.G45.00+0.00.b3s0g0.00100.fits``. The pipeline tracks, searches and
uploads beams, so everything downstream is keyed on the name of the pair (``obs_name``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from palfa.errors import BadInputError

_MOCK_NAME = re.compile(
    r"^(?:(?P<bits>\d+)bit-)?"
    r"(?P<project>[A-Za-z0-9]+)\."
    r"(?P<date>\d{8})\."
    r"(?P<source>.+)\."
    r"b(?P<beam>\d)s(?P<subband>[01])g0\."
    r"(?P<scan>\d{5})\.fits$"
)
_EXAMPLE = "4bit-p2030.20261126.G45.00+0.00.b3s0g0.00100.fits"
SUBBANDS = (0, 1)


@dataclass(frozen=True)
class MockFileName:
    """The parts of one Mock file name; ``bits`` is None when the name has no ``Nbit-`` prefix."""

    bits: int | None
    project: str
    date: str  # YYYYMMDD
    source: str
    beam: int
    subband: int  # 0 = lower half of the band, 1 = upper half
    scan: int

    @property
    def obs_name(self) -> str:
        """Name of the beam both sub-band files belong to."""
        return f"{self.project}.{self.date}.{self.source}.b{self.beam}.{self.scan:05d}"

    def format(self) -> str:
        prefix = f"{self.bits}bit-" if self.bits is not None else ""
        return (
            f"{prefix}{self.project}.{self.date}.{self.source}."
            f"b{self.beam}s{self.subband}g0.{self.scan:05d}.fits"
        )


def parse_mock_name(name: str | Path) -> MockFileName | None:
    """Parse a file name (directories are ignored); None when it is not a Mock name."""
    match = _MOCK_NAME.match(Path(name).name)
    if match is None:
        return None
    bits = match["bits"]
    return MockFileName(
        bits=int(bits) if bits is not None else None,
        project=match["project"],
        date=match["date"],
        source=match["source"],
        beam=int(match["beam"]),
        subband=int(match["subband"]),
        scan=int(match["scan"]),
    )


def require_mock_name(name: str | Path) -> MockFileName:
    """Like ``parse_mock_name`` but a non-Mock name is a user error that says what is expected."""
    parsed = parse_mock_name(name)
    if parsed is None:
        raise BadInputError(
            str(name),
            "is not a PALFA Mock file name (expected [Nbit-]PROJ.YYYYMMDD.SOURCE.bBsSg0.SCAN.fits, "
            f"e.g. {_EXAMPLE})",
            "rename the file to the Mock pattern or leave it out of the beam list",
        )
    return parsed


def group_beam_files(paths: Iterable[str | Path]) -> dict[str, list[Path]]:
    """Group Mock files into beams: obs_name -> [s0 file, s1 file].

    A beam missing a half (or with a half given twice) cannot be merged into one band, so it is
    reported rather than searched with half its bandwidth.
    """
    halves: dict[str, dict[int, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in map(Path, paths):
        parsed = require_mock_name(path)
        halves[parsed.obs_name][parsed.subband].append(path)

    beams: dict[str, list[Path]] = {}
    for obs_name, by_subband in sorted(halves.items()):
        missing = [f"s{s}" for s in SUBBANDS if not by_subband.get(s)]
        if missing:
            present = [p.name for files in by_subband.values() for p in files]
            raise BadInputError(
                f"beam {obs_name}",
                f"has no {' or '.join(missing)} file (got only {', '.join(present)})",
                "download or restore the missing sub-band file, or drop this beam",
            )
        doubled = [f"s{s}" for s in SUBBANDS if len(by_subband[s]) > 1]
        if doubled:
            raise BadInputError(
                f"beam {obs_name}",
                f"has more than one {' and '.join(doubled)} file: "
                + ", ".join(str(p) for s in SUBBANDS for p in by_subband[s]),
                "keep exactly one file per sub-band (remove duplicate copies)",
            )
        beams[obs_name] = [by_subband[s][0] for s in SUBBANDS]
    return beams
