"""prepsubband's dedispersion plan: passes of ``dmsperpass`` DMs around one subband DM each.

PALFA used fixed plans for its Mock (``pdev``, 960 channels) and WAPP data; any other beam gets a
plan computed by the embedded engine's planner, cut into passes the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from palfa.search.plan import make_plan

DMS_PER_PASS = 76
COMPUTED_NUMSUB = 32


@dataclass(frozen=True)
class PrestoDDStep:
    lodm: float
    dmstep: float
    dmsperpass: int
    numpasses: int
    numsub: int
    downsamp: int

    @property
    def sub_dmstep(self) -> float:
        return self.dmsperpass * self.dmstep

    def subdm(self, passnum: int) -> str:
        """The subband DM of a pass, as PRESTO prints it in file names."""
        return f"{self.lodm + (passnum + 0.5) * self.sub_dmstep:.2f}"

    def pass_lodm(self, passnum: int) -> float:
        return self.lodm + passnum * self.sub_dmstep

    def dmstrs(self, passnum: int) -> list[str]:
        lodm = self.pass_lodm(passnum)
        return [f"{dm:.2f}" for dm in np.arange(self.dmsperpass) * self.dmstep + lodm]


#                        lodm   dmstep dms/pass passes nsub downsamp  (PALFA2_presto_search.py)
PRESETS: dict[str, tuple[PrestoDDStep, ...]] = {
    "pdev": (PrestoDDStep(0.0, 0.1, 76, 28, 96, 1), PrestoDDStep(212.8, 0.3, 64, 12, 96, 2),
             PrestoDDStep(443.2, 0.3, 76, 4, 96, 3), PrestoDDStep(534.4, 0.5, 76, 9, 96, 5),
             PrestoDDStep(876.4, 0.5, 76, 3, 96, 6), PrestoDDStep(990.4, 1.0, 76, 1, 96, 10)),
    "wapp": (PrestoDDStep(0.0, 0.3, 76, 9, 96, 1), PrestoDDStep(205.2, 2.0, 76, 5, 96, 5),
             PrestoDDStep(965.2, 10.0, 76, 1, 96, 25)),
}


def presto_plan(backend: str, nchan: int, tsamp_s: float, freqs_mhz: np.ndarray,
                chan_bw_mhz: float, max_dm: float, nsamp: int) -> tuple[PrestoDDStep, ...]:
    preset = PRESETS.get(backend.lower())
    if preset and nchan % preset[0].numsub == 0:
        return preset
    numsub = math.gcd(nchan, COMPUTED_NUMSUB)
    steps = []
    for s in make_plan(tsamp_s, freqs_mhz, chan_bw_mhz, max_dm, nsamp).steps:
        dmstep = max(round(s.dm_step, 2), 0.01)  # PRESTO names files with 2 decimals
        per_pass = min(DMS_PER_PASS, s.ndm)
        steps.append(PrestoDDStep(round(s.dm_lo, 2), dmstep, per_pass,
                                  math.ceil(s.ndm / per_pass), numsub, s.downsamp))
    return tuple(steps)


def choose_n(n: int) -> int:
    """Smallest length >= n that is a multiple of 16 with only 2, 3, 5, 7 as prime factors."""
    candidate = -(-int(n) // 16) * 16
    while True:
        rest = candidate
        for p in (2, 3, 5, 7):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return candidate
        candidate += 16
