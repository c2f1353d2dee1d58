"""FFTW transforms: same numbers as numpy; measured plans saved, found by later processes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from palfa.errors import SearchError
from palfa.search import fftw

CHECK_WISDOM = """
import sys
from palfa.search.fftw import _fftw, _load_wisdom, _threads
_load_wisdom()
shape = tuple(int(n) for n in sys.argv[2:])
_fftw(sys.argv[1], shape, _threads(shape), ("FFTW_MEASURE", "FFTW_WISDOM_ONLY"))
"""


def has_wisdom(env: dict[str, str], kind: str, shape: tuple[int, ...]) -> bool:
    """Whether a fresh process, reading the wisdom file, can plan ``kind`` without measuring."""
    run = subprocess.run([sys.executable, "-c", CHECK_WISDOM, kind, *map(str, shape)], env=env,
                         capture_output=True, text=True)
    return run.returncode == 0


def test_rfft_matches_numpy_and_returns_a_new_array():
    x = np.random.default_rng(3).standard_normal(6000).astype(np.float32)
    first = fftw.rfft(x)
    np.testing.assert_allclose(first, np.fft.rfft(x.astype(np.float64)), rtol=0, atol=2e-3)
    second = fftw.rfft(2 * x)
    np.testing.assert_allclose(second, 2 * first, rtol=1e-5, atol=1e-3)  # first was not overwritten


def test_measured_plans_are_saved_for_later_processes(tmp_path, monkeypatch):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": ".", "NUMBA_NUM_THREADS": "2",
           "PALFA_FFTW_WISDOM": str(tmp_path / "cache" / "fftw-wisdom")}
    monkeypatch.setenv("PALFA_FFTW_WISDOM", env["PALFA_FFTW_WISDOM"])
    monkeypatch.setenv("PALFA_FFTW_PLANNING_S", "0.5")
    shape = (3, 4 * 1013)  # a shape no other test measures
    assert not has_wisdom(env, "ifft", shape)
    path = fftw.measure_plans([("ifft", shape)])
    assert path == tmp_path / "cache" / "fftw-wisdom"
    assert has_wisdom(env, "ifft", shape)
    assert not has_wisdom(env, "ifft", (3, 4 * 1019))


def test_without_wisdom_a_search_plans_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PALFA_FFTW_WISDOM", str(tmp_path / "none"))
    transform = fftw.plan("fft", (5 * 1019,))
    transform.input_array[:] = 1.0
    transform.execute()
    assert transform.output_array[0] == pytest.approx(5 * 1019)
    assert not (tmp_path / "none").exists()


def test_an_unwritable_wisdom_file_is_named_with_the_fix(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("PALFA_FFTW_WISDOM", str(blocker / "fftw-wisdom"))
    with pytest.raises(SearchError, match="PALFA_FFTW_WISDOM"):
        fftw.measure_plans([("fft", (7 * 1009,))])
