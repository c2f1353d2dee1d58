"""prepfold's ``.pfd.bestprof``: the best fold's parameters and its summed profile."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from palfa.errors import BadInputError


@dataclass(frozen=True)
class Bestprof:
    input_file: str
    candidate: str
    telescope: str
    epoch_topo: float
    epoch_bary: float
    tsamp_s: float
    data_folded: int
    profile_avg: float
    profile_std: float
    reduced_chi2: float
    best_dm: float
    p_topo_s: float
    p_bary_s: float
    pdot_bary: float
    profile: np.ndarray

    @property
    def peak_snr(self) -> float:
        """Profile peak above its mean, in units of the per-bin noise prepfold reports."""
        if not self.profile_std > 0:
            return math.nan
        return float((self.profile.max() - self.profile_avg) / self.profile_std)


def _number(value: str) -> float:
    head = value.split("+/-")[0].strip()
    return math.nan if head in ("N/A", "") else float(head)


def read_bestprof(path: Path) -> Bestprof:
    if not path.is_file():
        raise BadInputError(str(path), "no such .bestprof file", "run prepfold for this candidate")
    header: dict[str, str] = {}
    bins: list[float] = []
    try:
        for line in path.read_text().splitlines():
            if line.startswith("#"):
                key, sep, value = line[1:].partition("=")
                if not sep:
                    key, sep, value = line[1:].partition("<")
                header[key.strip()] = value.strip()
            elif line.strip():
                bins.append(float(line.split()[1]))
        return Bestprof(
            input_file=header["Input file"], candidate=header["Candidate"],
            telescope=header.get("Telescope", ""), epoch_topo=_number(header["Epoch_topo"]),
            epoch_bary=_number(header["Epoch_bary (MJD)"]), tsamp_s=_number(header["T_sample"]),
            data_folded=int(_number(header["Data Folded"])),
            profile_avg=_number(header["Profile Avg"]),
            profile_std=_number(header["Profile StdDev"]),
            reduced_chi2=_number(header["Reduced chi-sqr"]), best_dm=_number(header["Best DM"]),
            p_topo_s=_number(header["P_topo (ms)"]) / 1e3,
            p_bary_s=_number(header["P_bary (ms)"]) / 1e3,
            pdot_bary=_number(header["P'_bary (s/s)"]), profile=np.asarray(bins),
        )
    except (KeyError, ValueError, IndexError) as exc:
        raise BadInputError(str(path), f"is not a complete .bestprof ({exc!r} unreadable)",
                            "re-run prepfold for this candidate") from exc
