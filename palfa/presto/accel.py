"""accelsearch's products: the ``*_ACCEL_<zmax>`` text lists and the ``.cand`` binaries.

The text list is what PRESTO's own sifting reads: a summary line per candidate, then one line per
harmonic whose "Power / Loc Pow" values give the candidate's S/N and the harmonic-power cut.
The ``.cand`` file holds one C ``fourierprops`` struct per candidate, which prepfold reads back
through ``-accelcand N -accelfile X.cand``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from palfa.errors import BadInputError
from palfa.presto.inf import InfFile, parse_inf_text
from palfa.presto.values import parse_value

ACCEL_NAME = re.compile(r"_DM(?P<dm>\d+\.\d{2})_ACCEL_(?P<zmax>\d+)$")

# struct FOURIERPROPS (presto.h), native alignment: 88 bytes on x86-64.
FOURIERPROPS = np.dtype(
    [("r", "<f8"), ("rerr", "<f4"), ("z", "<f8"), ("zerr", "<f4"), ("w", "<f8"),
     ("werr", "<f4"), ("pow", "<f4"), ("powerr", "<f4"), ("sig", "<f4"), ("rawpow", "<f4"),
     ("phs", "<f4"), ("phserr", "<f4"), ("cen", "<f4"), ("cenerr", "<f4"), ("pur", "<f4"),
     ("purerr", "<f4"), ("locpow", "<f4")],
    align=True,
)


@dataclass
class AccelCandidate:
    """One line of an ACCEL list with its harmonics (``filename`` has no directory)."""

    filename: str
    candnum: int
    dm: float
    zmax: int
    sigma: float
    ipow: float
    cpow: float
    numharm: int
    r: float
    z: float
    obs_time_s: float
    harm_pows: list[float] = field(default_factory=list)

    @property
    def freq_hz(self) -> float:
        return self.r / self.obs_time_s

    @property
    def period_s(self) -> float:
        return 1.0 / self.freq_hz

    @property
    def fdot_hz_s(self) -> float:
        return self.z / self.obs_time_s**2

    @property
    def snr(self) -> float:
        """PRESTO sifting's S/N: the sum of the harmonics' amplitudes above the mean power."""
        return float(sum(math.sqrt(max(p - 1.0, 0.0)) for p in self.harm_pows))


def accel_name_parts(name: str) -> tuple[float, int]:
    """(DM, zmax) from a name like ``fx_DM45.00_ACCEL_0``."""
    match = ACCEL_NAME.search(name.removesuffix(".cand"))
    if match is None:
        raise BadInputError(name, "is not an ACCEL file name (…_DM<dm>_ACCEL_<zmax>)",
                            "give the files accelsearch wrote, under their own names")
    return float(match["dm"]), int(match["zmax"])


def read_accel(path: Path, inf: InfFile | None = None) -> list[AccelCandidate]:
    """Candidates of one ACCEL text file; ``inf`` is needed only if the file lacks its .inf."""
    if not path.is_file():
        raise BadInputError(str(path), "no such ACCEL file", "run accelsearch first")
    dm, zmax = accel_name_parts(path.name)
    text = path.read_text(errors="replace")
    if inf is None:
        inf = parse_inf_text(text, str(path))
    try:
        return _parse(text, path.name, dm, zmax, inf.obs_time_s)
    except (ValueError, IndexError) as exc:
        raise BadInputError(str(path), f"is not a readable ACCEL list ({exc})",
                            "re-run accelsearch for this DM") from exc


def _parse(text: str, name: str, dm: float, zmax: int, obs_time: float) -> list[AccelCandidate]:
    cands: dict[int, AccelCandidate] = {}
    current: AccelCandidate | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(" Data file name"):
            if line.startswith(" Data file name"):
                break
            continue
        fields = line.split()
        if line[0].isdigit():  # summary: cand sigma ipow cpow numharm P f r fdot z accel
            num = int(fields[0])
            cands[num] = AccelCandidate(
                filename=name, candnum=num, dm=dm, zmax=zmax, sigma=parse_value(fields[1]),
                ipow=parse_value(fields[2]), cpow=parse_value(fields[3]), numharm=int(fields[4]),
                r=parse_value(fields[7]), z=parse_value(fields[9]), obs_time_s=obs_time,
            )
        elif line[:6].strip().isdigit():  # first harmonic: cand harm sigma pow/locpow ...
            current = cands.get(int(fields[0]))
            if current is not None:
                current.harm_pows = [parse_value(fields[3])]
        elif current is not None and fields[0].isdigit() and len(fields) >= 3:
            current.harm_pows.append(parse_value(fields[2]))
    return list(cands.values())


def read_cand_file(path: Path) -> np.ndarray:
    """The ``fourierprops`` records of a ``.cand`` file, candidate 1 first."""
    if not path.is_file():
        raise BadInputError(str(path), "no such .cand file", "run accelsearch first")
    size = path.stat().st_size
    if size % FOURIERPROPS.itemsize:
        raise BadInputError(str(path), f"has {size} bytes, not a whole number of "
                            f"{FOURIERPROPS.itemsize}-byte candidates",
                            "re-run accelsearch; the file is truncated")
    return np.fromfile(path, dtype=FOURIERPROPS)
