"""FFTs of the periodicity search through FFTW (pyFFTW), with measured plans kept on disk.

PRESTO's speed comes partly from FFTW plans measured once per machine (its wisdom file); these
are the same plans. The first transform of a new shape is planned with FFTW_MEASURE for at most
``PALFA_FFTW_PLANNING_S`` seconds (default 10); the wisdom is then written to
``PALFA_FFTW_WISDOM`` (default ``~/.cache/palfa/fftw-wisdom``) so later processes and later
beams start with it. Plans own aligned buffers: callers copy in and get the output buffer back,
valid until the next call of the same plan.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pyfftw

from palfa.search.cores import fft_workers


def wisdom_path() -> Path:
    default = Path.home() / ".cache" / "palfa" / "fftw-wisdom"
    return Path(os.environ.get("PALFA_FFTW_WISDOM", default))


def _planning_limit_s() -> float:
    return float(os.environ.get("PALFA_FFTW_PLANNING_S", "10"))


@cache
def _load_wisdom() -> None:
    """Import the saved wisdom once per process; a missing or unreadable file only costs time."""
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, TypeError, ValueError):
        pyfftw.import_wisdom(pickle.loads(wisdom_path().read_bytes()))


def _save_wisdom() -> None:
    """Write the wisdom atomically (several workers may plan at once; the last one wins)."""
    path = wisdom_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(pickle.dumps(pyfftw.export_wisdom()))
        os.replace(tmp.name, path)
    except OSError:
        pass  # a read-only home: plans are still measured, once per process


@cache
def _plan(kind: str, shape: tuple[int, ...], threads: int) -> pyfftw.FFTW:
    _load_wisdom()
    if kind == "rfft":
        src = pyfftw.empty_aligned(shape, np.float32)
        dst = pyfftw.empty_aligned((*shape[:-1], shape[-1] // 2 + 1), np.complex64)
        direction = "FFTW_FORWARD"
    else:
        src = pyfftw.empty_aligned(shape, np.complex64)
        dst = pyfftw.empty_aligned(shape, np.complex64)
        direction = "FFTW_FORWARD" if kind == "fft" else "FFTW_BACKWARD"
    before = pyfftw.export_wisdom()
    plan = pyfftw.FFTW(src, dst, axes=(-1,), direction=direction, threads=threads,
                       flags=("FFTW_MEASURE", "FFTW_DESTROY_INPUT"),
                       planning_timelimit=_planning_limit_s())
    if pyfftw.export_wisdom() != before:
        _save_wisdom()
    return plan


def plan(kind: str, shape: tuple[int, ...]) -> pyfftw.FFTW:
    """The plan of a ``kind`` ("rfft", "fft" or "ifft", unnormalised) transform along the last
    axis of ``shape``, with ``fft_workers()`` threads. Fill ``plan.input_array``, call
    ``plan.execute()``, read ``plan.output_array``."""
    return _plan(kind, tuple(int(n) for n in shape), fft_workers())


def rfft(series: np.ndarray) -> np.ndarray:
    """Real-to-complex spectrum (complex64, a new array) of a float series."""
    transform = plan("rfft", series.shape)
    transform.input_array[...] = series
    transform.execute()
    return transform.output_array.copy()
