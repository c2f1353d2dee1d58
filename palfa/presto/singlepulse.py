"""single_pulse_search.py's ``.singlepulse`` event lists."""

from __future__ import annotations

from pathlib import Path

from palfa.errors import BadInputError
from palfa.search.singlepulse import SinglePulse


def read_singlepulse(path: Path) -> list[SinglePulse]:
    """Events of one DM trial: ``DM Sigma Time(s) Sample Downfact`` per line."""
    if not path.is_file():
        raise BadInputError(str(path), "no such .singlepulse file", "run single_pulse_search.py")
    out: list[SinglePulse] = []
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            dm, sigma, time_s, sample, downfact = line.split()[:5]
            out.append(SinglePulse(float(dm), float(sigma), float(time_s), int(sample),
                                   int(downfact)))
        except ValueError as exc:
            raise BadInputError(f"{path}:{lineno}", f"not a .singlepulse line ({exc})",
                                "re-run single_pulse_search.py for this DM") from exc
    return out
