"""Candidate sifting after presto.sifting: thresholds, duplicates across DMs, DM problems and
harmonically related candidates."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from palfa.config.settings import SearchingSettings
from palfa.search.accel import RawCandidate
from palfa.search.ffa import FfaCandidate
from palfa.search.results import Candidate

MAX_HARMONIC_RATIO = 16
# presto.sifting's ratios (weaker / stronger frequency): integer harmonics and subharmonics up
# to 16 and ten simple fractions. All fractions n/d up to 16 would be so dense (a 1.1-bin
# tolerance at 1 Hz is 3 %) that any weaker slow pulsar would pass for a harmonic of another.
_FRACTIONS = ((3, 2), (5, 2), (2, 3), (4, 3), (5, 3), (3, 4), (5, 4), (2, 5), (3, 5), (4, 5))
_RATIOS = np.array(sorted(
    {float(n) for n in range(2, MAX_HARMONIC_RATIO + 1)}
    | {1.0 / n for n in range(2, MAX_HARMONIC_RATIO + 1)}
    | {n / d for n, d in _FRACTIONS}
))


@dataclass
class SiftReport:
    """How many candidates each step removed (written into search_params.txt)."""

    produced: int = 0
    thresholds: int = 0
    duplicates: int = 0
    dm_problems: int = 0
    harmonics: int = 0


def _passes_thresholds(c: RawCandidate, s: SearchingSettings) -> bool:
    """Period and sigma limits; the power cuts apply to FFT candidates only (FFA ones have no
    harmonic powers)."""
    return (
        s.sifting_short_period <= c.period_s <= s.sifting_long_period
        and c.sigma >= s.sifting_sigma_threshold
        and (isinstance(c, FfaCandidate) or (
            c.cpow >= s.sifting_c_pow_threshold and c.max_harm_pow >= s.sifting_harm_pow_cutoff
        ))
    )


def _merge_duplicates(cands: list[RawCandidate], r_err: float, obs_time: float) -> list[dict]:
    """Greedy, strongest first: candidates within r_err bins join the stronger one's hits."""
    groups: list[dict] = []
    freqs: list[float] = []  # sorted fundamental frequencies of the groups
    owners: list[dict] = []
    tol = r_err / obs_time
    for cand in sorted(cands, key=lambda c: c.sigma, reverse=True):
        pos = bisect.bisect_left(freqs, cand.freq_hz - tol)
        if pos < len(freqs) and freqs[pos] <= cand.freq_hz + tol:
            owners[pos]["hits"].setdefault(cand.dm, cand.sigma)
            continue
        group = {"best": cand, "hits": {cand.dm: cand.sigma}}
        groups.append(group)
        insert = bisect.bisect_left(freqs, cand.freq_hz)
        freqs.insert(insert, cand.freq_hz)
        owners.insert(insert, group)
    return groups


def _is_harmonic(freq: float, stronger: np.ndarray, tol_hz: float) -> bool:
    if len(stronger) == 0:
        return False
    return bool((np.abs(freq - np.outer(stronger, _RATIOS)) < tol_hz).any())


def sift(
    raw: list[RawCandidate], settings: SearchingSettings, obs_time_s: float
) -> tuple[list[Candidate], SiftReport]:
    report = SiftReport(produced=len(raw))
    kept = [c for c in raw if _passes_thresholds(c, settings)]
    report.thresholds = len(raw) - len(kept)
    groups = _merge_duplicates(kept, settings.sifting_r_err, obs_time_s)
    report.duplicates = len(kept) - len(groups)
    good = [
        g for g in groups
        if len(g["hits"]) >= settings.numhits_to_fold and g["best"].dm >= settings.low_DM_cutoff
    ]
    report.dm_problems = len(groups) - len(good)
    tol_hz = settings.sifting_r_err / obs_time_s
    out: list[Candidate] = []
    for g in good:  # already strongest first
        best = g["best"]
        if _is_harmonic(best.freq_hz, np.array([c.freq_hz for c in out]), tol_hz):
            report.harmonics += 1
            continue
        dms = list(g["hits"])
        out.append(Candidate(
            period_s=best.period_s, dm=best.dm, sigma=best.sigma, numharm=best.numharm,
            ipow=best.ipow, cpow=best.cpow, num_hits=len(dms), dm_min=min(dms), dm_max=max(dms),
            z=best.z, fdot_hz_s=best.fdot_hz_s,
        ))
    return out, report


def write_accelcands(path: Path, cands: list[Candidate]) -> None:
    """The sifted list, one line per candidate, in the spirit of PRESTO's .accelcands."""
    lines = ["#  rank      DM    sigma  numharm      ipow       cpow        P(ms)  numhits  DMrange"]
    for rank, c in enumerate(cands, start=1):
        lines.append(
            f"{rank:6d} {c.dm:8.2f} {c.sigma:8.2f} {c.numharm:8d} {c.ipow:9.1f} {c.cpow:10.1f} "
            f"{1e3 * c.period_s:12.6f} {c.num_hits:8d}  {c.dm_min:.2f}-{c.dm_max:.2f}"
        )
    path.write_text("\n".join(lines) + "\n")
