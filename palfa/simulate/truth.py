"""Judging a search against the pulsars a simulated beam really holds."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Protocol

from palfa.simulate.pulsar import InjectedPulsar

PERIOD_RTOL = 1e-3  # "period within 0.1%"


class PeriodicCandidate(Protocol):
    period_s: float
    dm: float
    sigma: float


@dataclass(frozen=True)
class BeamTruth:
    obs_name: str
    pulsars: tuple[InjectedPulsar, ...]


def load_truth(path: Path) -> BeamTruth:
    raw = json.loads(Path(path).read_text())
    names = {f.name for f in fields(InjectedPulsar)}
    pulsars = tuple(InjectedPulsar(**{k: v for k, v in p.items() if k in names})
                    for p in raw["pulsars"])
    return BeamTruth(raw["obs_name"], pulsars)


def find_match(pulsar: InjectedPulsar, candidates: list[PeriodicCandidate], dm_tol: float,
               period_rtol: float = PERIOD_RTOL) -> PeriodicCandidate | None:
    """The most significant candidate at the pulsar's period and DM (fundamental only), if any."""
    hits = [c for c in candidates
            if abs(c.period_s - pulsar.period_s) <= period_rtol * pulsar.period_s
            and abs(c.dm - pulsar.dm) <= dm_tol]
    return max(hits, key=lambda c: c.sigma, default=None)
