"""FFTs of the periodicity search through FFTW (pyFFTW), with measured plans kept on disk.

As in PRESTO (its ``makewisdom`` and wisdom file), plans are measured once per machine:
``measure_plans`` (``palfa fftw-wisdom``) runs FFTW_MEASURE for the transforms a survey's beams
need, for at most ``PALFA_FFTW_PLANNING_S`` seconds each (default 10), and saves the wisdom to
``PALFA_FFTW_WISDOM`` (default ``~/.cache/palfa/fftw-wisdom``). A search uses that wisdom where
it has it and FFTW_ESTIMATE plans (instant, somewhat slower) where not, so it never stalls on
planning. Plans own aligned buffers: fill ``input_array``, ``execute()``, read ``output_array``
(valid until the next call of the same plan).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import pyfftw

from palfa.errors import SearchError
from palfa.search.cores import fft_workers

Transform = tuple[str, tuple[int, ...]]  # kind ("rfft", "fft", "ifft") and shape of the input


def wisdom_path() -> Path:
    default = Path.home() / ".cache" / "palfa" / "fftw-wisdom"
    return Path(os.environ.get("PALFA_FFTW_WISDOM", default))


def _planning_limit_s() -> float:
    return float(os.environ.get("PALFA_FFTW_PLANNING_S", "10"))


@cache
def _load_wisdom() -> None:
    """Import the saved wisdom once per process; a missing or unreadable file only costs speed."""
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, TypeError, ValueError):
        pyfftw.import_wisdom(pickle.loads(wisdom_path().read_bytes()))


def _save_wisdom() -> Path:
    """Write the wisdom atomically (several nodes may share a home; the last one wins)."""
    path = wisdom_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(pickle.dumps(pyfftw.export_wisdom()))
        os.replace(tmp.name, path)
    except OSError as exc:
        raise SearchError(str(path), f"cannot save the FFTW wisdom ({exc.strerror})",
                          "set PALFA_FFTW_WISDOM to a file in a writable directory") from exc
    return path


def _fftw(kind: str, shape: tuple[int, ...], threads: int, flags: tuple[str, ...]) -> pyfftw.FFTW:
    if kind == "rfft":
        src = pyfftw.empty_aligned(shape, np.float32)
        dst = pyfftw.empty_aligned((*shape[:-1], shape[-1] // 2 + 1), np.complex64)
        direction = "FFTW_FORWARD"
    else:
        src = pyfftw.empty_aligned(shape, np.complex64)
        dst = pyfftw.empty_aligned(shape, np.complex64)
        direction = "FFTW_FORWARD" if kind == "fft" else "FFTW_BACKWARD"
    return pyfftw.FFTW(src, dst, axes=(-1,), direction=direction, threads=threads,
                       flags=(*flags, "FFTW_DESTROY_INPUT"), planning_timelimit=_planning_limit_s())


@cache
def _plan(kind: str, shape: tuple[int, ...], threads: int) -> pyfftw.FFTW:
    _load_wisdom()
    try:
        return _fftw(kind, shape, threads, ("FFTW_MEASURE", "FFTW_WISDOM_ONLY"))
    except RuntimeError:  # no wisdom for this transform
        return _fftw(kind, shape, threads, ("FFTW_ESTIMATE",))


THREADED_SIZE = 2**18  # smaller transforms run on one thread: waking a second costs more


def _threads(shape: tuple[int, ...]) -> int:
    return fft_workers() if int(np.prod(shape)) >= THREADED_SIZE else 1


def plan(kind: str, shape: tuple[int, ...]) -> pyfftw.FFTW:
    """The plan of a ``kind`` ("rfft", "fft" or "ifft", unnormalised) transform along the last
    axis of ``shape``, threaded (``fft_workers()``) only when large."""
    shape = tuple(int(n) for n in shape)
    return _plan(kind, shape, _threads(shape))


def measure_plans(transforms: Iterable[Transform]) -> Path:
    """Measure the best plans of ``transforms`` (skipping those the wisdom has) and save the
    wisdom; returns where. Slow (seconds per transform): run once per machine, not per beam."""
    _load_wisdom()
    for kind, shape in transforms:
        shape = tuple(int(n) for n in shape)
        _fftw(kind, shape, _threads(shape), ("FFTW_MEASURE",))
    _plan.cache_clear()  # later searches pick up the measured plans
    return _save_wisdom()


def rfft(series: np.ndarray) -> np.ndarray:
    """Real-to-complex spectrum (complex64, a new array) of a float series."""
    transform = plan("rfft", series.shape)
    transform.input_array[...] = series
    transform.execute()
    return transform.output_array.copy()
