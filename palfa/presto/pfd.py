"""The binary header and profiles of prepfold's ``.pfd`` (layout of PRESTO's ``prepfold.pfd``)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from palfa.errors import BadInputError


@dataclass(frozen=True)
class PfdFile:
    numdms: int
    numperiods: int
    numpdots: int
    nsub: int
    npart: int
    proflen: int
    numchan: int
    filenm: str
    candnm: str
    telescope: str
    rastr: str
    decstr: str
    dt: float
    tepoch: float
    bepoch: float
    lofreq_mhz: float
    chan_wid_mhz: float
    bestdm: float
    topo_p: tuple[float, float, float]  # best topocentric p, pdot, pdotdot (s)
    bary_p: tuple[float, float, float]  # best barycentric p, pdot, pdotdot (s)
    fold_f: tuple[float, float, float]  # folding f, fdot, fdotdot (Hz): what was folded
    dms: np.ndarray
    periods: np.ndarray
    pdots: np.ndarray
    profs: np.ndarray  # (npart, nsub, proflen)

    @property
    def period_s(self) -> float:
        """The best period: barycentric when prepfold barycentred, else topocentric."""
        return self.bary_p[0] if self.bary_p[0] > 0 else self.topo_p[0] or 1.0 / self.fold_f[0]

    @property
    def profile(self) -> np.ndarray:
        """Profile summed over time and subbands (not re-dedispersed to ``bestdm``)."""
        return self.profs.sum(axis=(0, 1))


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0
        ints = struct.unpack_from("<5i", raw)
        self.order = ">" if max(abs(v) for v in ints) > 100000 else "<"

    def take(self, fmt: str) -> tuple:
        fmt = self.order + fmt
        values = struct.unpack_from(fmt, self.raw, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def string(self) -> str:
        (n,) = self.take("i")
        return self.take(f"{n}s")[0].decode(errors="replace").rstrip("\0")

    def doubles(self, n: int) -> np.ndarray:
        return np.asarray(self.take(f"{n}d"), dtype=float)


def read_pfd(path: Path) -> PfdFile:
    if not path.is_file():
        raise BadInputError(str(path), "no such .pfd file", "run prepfold for this candidate")
    try:
        return _parse(_Reader(path.read_bytes()))
    except (struct.error, ValueError) as exc:
        raise BadInputError(str(path), f"is not a readable prepfold .pfd ({exc})",
                            "re-run prepfold for this candidate") from exc


def _parse(r: _Reader) -> PfdFile:
    numdms, numperiods, numpdots, nsub, npart = r.take("5i")
    proflen, numchan, *_steps = r.take("7i")
    filenm, candnm, telescope, _pgdev = r.string(), r.string(), r.string(), r.string()
    rastr = decstr = "Unknown"
    test = r.raw[r.pos:r.pos + 16]
    if not test.startswith(b"Unknown") and b":" in test:
        rastr = test.split(b"\0")[0].decode()
        decstr = r.raw[r.pos + 16:r.pos + 32].split(b"\0")[0].decode()
        r.pos += 32
    dt, _start_t = r.take("2d")
    _end_t, tepoch, bepoch, _voverc, lofreq, chan_wid, bestdm = r.take("7d")
    topo = r.take("2f3d")[2:]
    bary = r.take("2f3d")[2:]
    fold = r.take("2f3d")[2:]
    r.take("7d")  # orbit
    dms, periods, pdots = r.doubles(numdms), r.doubles(numperiods), r.doubles(numpdots)
    profs = r.doubles(npart * nsub * proflen).reshape(npart, nsub, proflen)
    return PfdFile(numdms, numperiods, numpdots, nsub, npart, proflen, numchan, filenm, candnm,
                   telescope, rastr, decstr, dt, tepoch, bepoch, lofreq, chan_wid, bestdm,
                   topo, bary, fold, dms, periods, pdots, profs)
