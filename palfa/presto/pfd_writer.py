"""Write prepfold's ``.pfd`` binary layout (PRESTO's ``write_prepfoldinfo``), little-endian.

The counterpart of ``palfa.presto.pfd.read_pfd``: what it reads, plus the per-profile fold
statistics that PRESTO's tools (``show_pfd``, ``prepfold.pfd``, ratings) read after the profiles.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from palfa.errors import BadInputError
from palfa.presto.pfd import PfdFile

# prepfold's default search steps (pstep, pdstep, dmstep, ndmfact, npfact); only prepfold's own
# search reads them
DEFAULT_STEPS = (1, 2, 1, 3, 2)
COORD_LEN = 16  # rastr and decstr are fixed 16-byte fields
NSTATS = 7  # foldstats: numdata, data_avg, data_var, numprof, prof_avg, prof_var, redchi


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<i", len(raw)) + raw


def _coord(text: str) -> bytes:
    raw = text.encode()[: COORD_LEN - 1]
    return raw + b"\0" * (COORD_LEN - len(raw))


def _params(values: tuple[float, float, float]) -> bytes:
    """A foldparams struct: power and a pad as floats, then p, pdot, pdotdot."""
    return struct.pack("<2f3d", 0.0, 0.0, *values)


def pfd_bytes(
    pfd: PfdFile, stats: np.ndarray, *, start_t: float = 0.0, end_t: float = 1.0,
    avgvoverc: float = 0.0, steps: tuple[int, int, int, int, int] = DEFAULT_STEPS,
    pgdev: str = "/null",
) -> bytes:
    """The ``.pfd`` file of ``pfd`` with fold statistics ``stats`` (npart, nsub, 7); the
    keywords are the fields ``PfdFile`` does not keep (fraction of the data folded, mean
    topocentric velocity in c, prepfold's search steps, plot device)."""
    shape = (pfd.npart, pfd.nsub, pfd.proflen)
    if np.shape(pfd.profs) != shape or np.shape(stats) != (*shape[:2], NSTATS):
        raise BadInputError(
            f"fold archive of {pfd.candnm}",
            f"profiles {np.shape(pfd.profs)} / stats {np.shape(stats)} do not match "
            f"npart, nsub, proflen = {shape}",
            "give profiles shaped (npart, nsub, proflen) and stats shaped (npart, nsub, 7)",
        )
    trials = (np.atleast_1d(pfd.dms), np.atleast_1d(pfd.periods), np.atleast_1d(pfd.pdots))
    counts = tuple(len(t) for t in trials)
    parts = [
        struct.pack("<12i", *counts, pfd.nsub, pfd.npart, pfd.proflen, pfd.numchan, *steps),
        _string(pfd.filenm), _string(pfd.candnm), _string(pfd.telescope), _string(pgdev),
        _coord(pfd.rastr), _coord(pfd.decstr),
        struct.pack("<9d", pfd.dt, start_t, end_t, pfd.tepoch, pfd.bepoch, avgvoverc,
                    pfd.lofreq_mhz, pfd.chan_wid_mhz, pfd.bestdm),
        _params(pfd.topo_p), _params(pfd.bary_p), _params(pfd.fold_f),
        struct.pack("<7d", *([0.0] * 7)),  # no binary orbit
        *(np.asarray(t, dtype="<f8").tobytes() for t in trials),
        np.asarray(pfd.profs, dtype="<f8").tobytes(),
        np.asarray(stats, dtype="<f8").tobytes(),
    ]
    return b"".join(parts)


def write_pfd(path: Path, pfd: PfdFile, stats: np.ndarray) -> Path:
    path.write_bytes(pfd_bytes(pfd, stats))
    return path
