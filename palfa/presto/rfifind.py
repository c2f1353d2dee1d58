"""rfifind's products: the program's report (``*_rfifind.out``) and the ``.mask``/``.stats`` files.

The pipeline's "RFI mask percentage" is, as in the original, the share of intervals rfifind
reports as bad in its output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from palfa.errors import BadInputError

_INTERVALS = re.compile(r"Number of\s+(padded|good|bad)\s+intervals:\s+(\d+)\s+\(\s*([\d.]+)%\)")
_TOTAL = re.compile(r"Total number of intervals in the data:\s+(\d+)")


@dataclass(frozen=True)
class RfifindReport:
    total_intervals: int
    padded_intervals: int
    good_intervals: int
    bad_intervals: int
    bad_percent: float

    @property
    def masked_fraction(self) -> float:
        return self.bad_percent / 100.0


def read_rfifind_output(path: Path) -> RfifindReport:
    text = path.read_text(errors="replace") if path.is_file() else ""
    counts = {kind: (int(n), float(pct)) for kind, n, pct in _INTERVALS.findall(text)}
    total = _TOTAL.search(text)
    if total is None or set(counts) != {"padded", "good", "bad"}:
        raise BadInputError(str(path), "holds no rfifind interval summary",
                            "give the captured output of a complete rfifind run")
    return RfifindReport(int(total[1]), counts["padded"][0], counts["good"][0],
                         counts["bad"][0], counts["bad"][1])


@dataclass(frozen=True)
class RfiMask:
    """The contents of a ``.mask`` file (PRESTO's mask.c ``read_mask``)."""

    timesigma: float
    freqsigma: float
    mjd: float
    dtint: float
    lofreq_mhz: float
    dfreq_mhz: float
    numchan: int
    numint: int
    ptsperint: int
    zap_chans: np.ndarray
    zap_ints: np.ndarray
    chans_per_int: tuple[np.ndarray, ...]

    @property
    def masked_fraction(self) -> float:
        """Share of (interval, channel) cells the mask removes."""
        cells = np.zeros((self.numint, self.numchan), dtype=bool)
        cells[:, self.zap_chans] = True
        cells[self.zap_ints, :] = True
        for ii, chans in enumerate(self.chans_per_int):
            cells[ii, chans] = True
        return float(cells.mean())


def read_mask(path: Path) -> RfiMask:
    try:
        raw = path.read_bytes()
        head = np.frombuffer(raw, "<f8", 6)
        numchan, numint, ptsperint, nzc = np.frombuffer(raw, "<i4", 4, 48)
        pos = 64
        zap_chans = np.frombuffer(raw, "<i4", nzc, pos)
        pos += 4 * nzc
        nzi = int(np.frombuffer(raw, "<i4", 1, pos)[0])
        zap_ints = np.frombuffer(raw, "<i4", nzi, pos + 4)
        pos += 4 + 4 * nzi
        per_int = np.frombuffer(raw, "<i4", numint, pos)
        pos += 4 * numint
        chans = []
        for n in per_int:
            if 0 < n < numchan:
                chans.append(np.frombuffer(raw, "<i4", n, pos))
                pos += 4 * n
            else:
                chans.append(np.arange(numchan) if n == numchan else np.empty(0, int))
    except (OSError, ValueError) as exc:
        raise BadInputError(str(path), f"is not a readable rfifind mask ({exc})",
                            "re-run rfifind on the beam") from exc
    if pos != len(raw):
        raise BadInputError(str(path), f"has {len(raw) - pos} unexpected trailing bytes",
                            "re-run rfifind on the beam")
    return RfiMask(*map(float, head), int(numchan), int(numint), int(ptsperint),
                   zap_chans, zap_ints, tuple(chans))


@dataclass(frozen=True)
class RfiStats:
    """The ``.stats`` file: per (interval, channel) power, average and standard deviation."""

    numchan: int
    numint: int
    ptsperint: int
    lobin: int
    numbetween: int
    powers: np.ndarray
    averages: np.ndarray
    stds: np.ndarray


def read_stats(path: Path) -> RfiStats:
    try:
        raw = path.read_bytes()
        numchan, numint, ptsperint, lobin, numbetween = (int(v) for v in
                                                         np.frombuffer(raw, "<i4", 5))
        n = numchan * numint
        arrays = np.frombuffer(raw, "<f4", 3 * n, 20).reshape(3, numint, numchan)
    except (OSError, ValueError) as exc:
        raise BadInputError(str(path), f"is not a readable rfifind .stats file ({exc})",
                            "re-run rfifind on the beam") from exc
    return RfiStats(numchan, numint, ptsperint, lobin, numbetween, *arrays)
