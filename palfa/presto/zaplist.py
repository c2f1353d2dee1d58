"""Which zaplist a beam is searched with, in the original's order of preference.

``zaplistdir`` holds custom zaplists, loose or in ``zaplists.tar.gz`` as the survey distributed
them: one for the data file (``<file>.zaplist``), one for the beam (``PROJ.DATE.bB.zaplist``),
one for every beam of the day (``PROJ.DATE.all.zaplist``); else ``default_zaplist``; else none.
"""

from __future__ import annotations

import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from palfa.errors import SearchError
from palfa.psrfits.names import parse_mock_name

TARBALL = "zaplists.tar.gz"


@dataclass(frozen=True)
class ZaplistChoice:
    kind: str  # "per-file", "per-beam", "per-MJD", "default" or "none"
    name: str  # file name it is written under in the work directory ("" for none)
    text: bytes

    def write(self, directory: Path) -> Path | None:
        if self.kind == "none":
            return None
        path = directory / self.name
        path.write_bytes(self.text)
        return path


def custom_names(files: Sequence[Path]) -> list[tuple[str, str]]:
    first = Path(files[0]).name
    names = [("per-file", first.removesuffix(".fits") + ".zaplist")]
    parsed = parse_mock_name(first)
    if parsed is not None:
        names.append(("per-beam", f"{parsed.project}.{parsed.date}.b{parsed.beam}.zaplist"))
        names.append(("per-MJD", f"{parsed.project}.{parsed.date}.all.zaplist"))
    return names


def choose_zaplist(files: Sequence[Path], zaplistdir: Path | None,
                   default_zaplist: Path | None) -> ZaplistChoice:
    if zaplistdir is not None:
        found = _find_custom(Path(zaplistdir), custom_names(files))
        if found is not None:
            return found
    if default_zaplist is None:
        return ZaplistChoice("none", "", b"")
    default_zaplist = Path(default_zaplist)
    if not default_zaplist.is_file():
        raise SearchError(str(default_zaplist), "default zaplist not found",
                          "fix processing.default_zaplist or leave it empty")
    return ZaplistChoice("default", default_zaplist.name, default_zaplist.read_bytes())


def _find_custom(directory: Path, names: list[tuple[str, str]]) -> ZaplistChoice | None:
    packed = _from_tarball(directory / TARBALL, {name for _, name in names})
    for kind, name in names:
        loose = directory / name
        if loose.is_file():
            return ZaplistChoice(kind, name, loose.read_bytes())
        if name in packed:
            return ZaplistChoice(kind, name, packed[name])
    return None


def _from_tarball(tarball: Path, wanted: set[str]) -> dict[str, bytes]:
    if not tarball.is_file():
        return {}
    try:
        with tarfile.open(tarball) as tar:
            return {Path(m.name).name: tar.extractfile(m).read() for m in tar.getmembers()
                    if m.isfile() and Path(m.name).name in wanted}
    except (tarfile.TarError, OSError) as exc:
        raise SearchError(str(tarball), f"is not a readable zaplist tarball ({exc})",
                          "download the survey's zaplists.tar.gz again") from exc
