"""The output contract every search engine writes and the uploader reads.

A results directory holds:

- ``candidates.csv``: one row per sifted candidate, best (highest sigma) first; the columns are
  ``CANDIDATE_COLUMNS`` and at least ``period_s``, ``dm`` and ``sigma`` are always filled.
- ``diagnostics.json``: per-beam diagnostics under the manual's names (numeric values, or a path
  relative to the directory for binary/text diagnostics).
- ``header.json``: the ``BeamHeader`` of the searched beam.
- files the rows point at: fold plots (PNG), fold archives, the RFI mask image, etc.

Engines differ (embedded numpy engine, PRESTO); the upload path only ever sees this.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from palfa.errors import BadInputError
from palfa.psrfits.header import BeamHeader

CANDIDATES_CSV = "candidates.csv"
DIAGNOSTICS_JSON = "diagnostics.json"
HEADER_JSON = "header.json"


@dataclass
class Candidate:
    """A periodicity candidate after sifting (and, when folded, refined by the fold)."""

    period_s: float
    dm: float
    sigma: float  # equivalent Gaussian significance on PRESTO's scale
    snr: float = math.nan  # folded profile S/N (nan when not folded)
    fdot_hz_s: float = 0.0
    z: float = 0.0  # Fourier drift in bins over the observation (acceleration)
    numharm: int = 1
    ipow: float = math.nan  # incoherent (harmonic-summed) power
    cpow: float = math.nan  # coherent power at the fundamental
    num_hits: int = 1  # number of DM trials the candidate was detected at
    dm_min: float = math.nan
    dm_max: float = math.nan
    folded: bool = False
    plot: str = ""  # path of the fold plot PNG, relative to the results directory
    fold_archive: str = ""  # path of the fold archive, relative to the results directory

    @property
    def freq_hz(self) -> float:
        return 1.0 / self.period_s


CANDIDATE_COLUMNS: tuple[str, ...] = (
    "rank",
    "period_s",
    "freq_hz",
    *(f.name for f in fields(Candidate) if f.name != "period_s"),
)


@dataclass
class BeamResults:
    """Everything one beam search produced, as the uploader needs it."""

    header: BeamHeader
    candidates: list[Candidate] = field(default_factory=list)
    diagnostics: dict[str, float | str] = field(default_factory=dict)


def write_candidates(path: Path, candidates: list[Candidate]) -> None:
    ordered = sorted(candidates, key=lambda c: c.sigma, reverse=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CANDIDATE_COLUMNS)
        writer.writeheader()
        for rank, cand in enumerate(ordered, start=1):
            writer.writerow({"rank": rank, "freq_hz": f"{cand.freq_hz:.12g}", **asdict(cand)})


def read_candidates(path: Path) -> list[Candidate]:
    if not path.is_file():
        raise BadInputError(str(path), "no candidates file", "run the beam search first")
    types = {f.name: f.type for f in fields(Candidate)}
    out: list[Candidate] = []
    with path.open(newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            try:
                kwargs = {name: _parse(types[name], row[name]) for name in types if name in row}
                out.append(Candidate(**kwargs))
            except (KeyError, ValueError, TypeError) as exc:
                raise BadInputError(
                    f"{path}:{lineno}", f"malformed candidate row ({exc})",
                    "re-run the beam search to regenerate candidates.csv",
                ) from exc
    return out


def _parse(type_name: str, value: str) -> object:
    if type_name == "bool":
        return value.strip().lower() in ("true", "1", "yes")
    if type_name == "int":
        return int(float(value))
    if type_name == "float":
        return float(value)
    return value


def write_results(outdir: Path, results: BeamResults) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    write_candidates(outdir / CANDIDATES_CSV, results.candidates)
    (outdir / DIAGNOSTICS_JSON).write_text(json.dumps(results.diagnostics, indent=2))
    results.header.to_json(outdir / HEADER_JSON)


def read_results(outdir: Path) -> BeamResults:
    for name in (CANDIDATES_CSV, DIAGNOSTICS_JSON, HEADER_JSON):
        if not (outdir / name).is_file():
            raise BadInputError(
                str(outdir), f"not a complete results directory ({name} is missing)",
                "re-run the beam search for this beam",
            )
    return BeamResults(
        header=BeamHeader.from_json(outdir / HEADER_JSON),
        candidates=read_candidates(outdir / CANDIDATES_CSV),
        diagnostics=json.loads((outdir / DIAGNOSTICS_JSON).read_text()),
    )
