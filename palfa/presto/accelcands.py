"""Sifted candidate lists (``.accelcands``) in the layout of PRESTO's ``sifting.Candlist.to_file``.

Each candidate line ``file:candnum DM SNR sigma numharm ipow cpow P(ms) r z (numhits)`` is followed
by one ``DM= .. SNR= .. Sigma= ..`` line per DM trial it was seen at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from palfa.errors import BadInputError
from palfa.search.results import Candidate

HEADER = ("#" + "file:candnum".center(66) + "DM".center(9) + "SNR".center(8) + "sigma".center(8)
          + "numharm".center(9) + "ipow".center(9) + "cpow".center(9) + "P(ms)".center(14)
          + "r".center(12) + "z".center(8) + "numhits".center(9))


@dataclass
class SiftedCandidate:
    filename: str  # ACCEL file the best detection came from (no directory)
    candnum: int
    dm: float
    snr: float
    sigma: float
    numharm: int
    ipow: float
    cpow: float
    period_s: float
    r: float
    z: float
    hits: list[tuple[float, float, float]] = field(default_factory=list)  # (DM, SNR, sigma)

    @property
    def fdot_hz_s(self) -> float:
        obs_time = self.r * self.period_s
        return self.z / obs_time**2 if obs_time > 0 else 0.0

    def to_candidate(self) -> Candidate:
        dms = [h[0] for h in self.hits] or [self.dm]
        return Candidate(
            period_s=self.period_s, dm=self.dm, sigma=self.sigma, fdot_hz_s=self.fdot_hz_s,
            z=self.z, numharm=self.numharm, ipow=self.ipow, cpow=self.cpow,
            num_hits=max(len(self.hits), 1), dm_min=min(dms), dm_max=max(dms),
        )


def read_accelcands(path: Path) -> list[SiftedCandidate]:
    if not path.is_file():
        raise BadInputError(str(path), "no such .accelcands file", "run the sifting step first")
    out: list[SiftedCandidate] = []
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            if not line.strip() or line.startswith("#"):
                continue
            if line.lstrip().startswith("DM="):
                fields = line.replace("=", " ").split()
                out[-1].hits.append((float(fields[1]), float(fields[3]), float(fields[5])))
                continue
            f = line.split()
            name, _, num = f[0].rpartition(":")
            out.append(SiftedCandidate(
                filename=name, candnum=int(num), dm=float(f[1]), snr=float(f[2]),
                sigma=float(f[3]), numharm=int(f[4]), ipow=float(f[5]), cpow=float(f[6]),
                period_s=float(f[7]) / 1e3, r=float(f[8]), z=float(f[9]),
            ))
        except (ValueError, IndexError) as exc:
            raise BadInputError(f"{path}:{lineno}", f"not an .accelcands line ({exc})",
                                "regenerate the list with the sifting step") from exc
    for cand in out:
        if not cand.hits:
            cand.hits = [(cand.dm, cand.snr, cand.sigma)]
    return out


def write_accelcands(path: Path, cands: list[SiftedCandidate]) -> None:
    lines = [HEADER]
    for c in cands:
        name = f"{c.filename}:{c.candnum}"
        lines.append(f"{name:<65s}   {c.dm:7.2f}  {c.snr:6.2f}  {c.sigma:6.2f}  "
                     f"  {c.numharm:2d}     {c.ipow:7.1f}  {c.cpow:7.1f}  {1e3 * c.period_s:12.6f}  "
                     f"{c.r:10.2f}  {c.z:8.2f}  ({len(c.hits)})")
        if len(c.hits) > 1:
            for dm, snr, sigma in sorted(c.hits):
                lines.append(f"  DM={dm:6.2f} SNR={snr:5.2f} Sigma={sigma:5.2f}   "
                             + "*" * int(sigma / 3.0))
    path.write_text("\n".join(lines) + "\n")
