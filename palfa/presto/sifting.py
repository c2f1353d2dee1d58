"""Sifting PRESTO's ACCEL candidates with the project's sifting (thresholds, duplicates across DMs,
DM problems, harmonics) and keeping, for each survivor, the ACCEL file and number prepfold needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from palfa.config.settings import SearchingSettings
from palfa.presto.accel import AccelCandidate
from palfa.presto.accelcands import SiftedCandidate
from palfa.search.accel import RawCandidate
from palfa.search.sifting import sift
from palfa.search.significance import candidate_sigma


def _raw(c: AccelCandidate) -> RawCandidate:
    ipow = sum(c.harm_pows) or c.ipow
    return RawCandidate(dm=c.dm, r=c.r, freq_hz=c.freq_hz,
                        sigma=candidate_sigma(ipow, c.numharm, 1), numharm=c.numharm, ipow=ipow,
                        cpow=c.cpow, max_harm_pow=max(c.harm_pows, default=ipow))


def sift_accel(cands: Sequence[AccelCandidate], settings: SearchingSettings,
               obs_time_s: float) -> list[SiftedCandidate]:
    raws = [_raw(c) for c in cands]
    origin = {id(r): c for r, c in zip(raws, cands, strict=True)}
    by_key = {(r.dm, r.period_s, r.sigma): r for r in raws}
    tol_hz = settings.sifting_r_err / obs_time_s
    out = []
    for kept in sift(raws, settings, obs_time_s)[0]:
        best_raw = by_key[(kept.dm, kept.period_s, kept.sigma)]
        best = origin[id(best_raw)]
        hits: dict[float, tuple[float, float, float]] = {}
        for r in raws:
            same = abs(r.freq_hz - best_raw.freq_hz) < tol_hz and kept.dm_min <= r.dm <= kept.dm_max
            if same and (r.dm not in hits or r.sigma > hits[r.dm][2]):
                hits[r.dm] = (r.dm, origin[id(r)].snr, r.sigma)
        out.append(SiftedCandidate(
            filename=best.filename, candnum=best.candnum, dm=best.dm, snr=best.snr,
            sigma=best_raw.sigma, numharm=best.numharm, ipow=best_raw.ipow, cpow=best.cpow,
            period_s=best.period_s, r=best.r, z=best.z, hits=sorted(hits.values()),
        ))
    return out
