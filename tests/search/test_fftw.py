"""FFTW transforms: same numbers as numpy, plans remembered on disk, never fatal to save."""

from __future__ import annotations

import pickle

import numpy as np
import pyfftw
import pytest

from palfa.search import fftw


def test_rfft_matches_numpy_and_returns_a_new_array():
    x = np.random.default_rng(3).standard_normal(6000).astype(np.float32)
    first = fftw.rfft(x)
    np.testing.assert_allclose(first, np.fft.rfft(x.astype(np.float64)), rtol=0, atol=2e-3)
    second = fftw.rfft(2 * x)
    np.testing.assert_allclose(second, 2 * first, rtol=1e-5, atol=1e-3)  # first was not overwritten


def test_a_new_shape_saves_wisdom_that_a_later_process_can_load(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "fftw-wisdom"
    monkeypatch.setenv("PALFA_FFTW_WISDOM", str(path))
    fftw.plan("ifft", (3, 4 * 1013))  # a shape no other test plans
    assert path.stat().st_size > 0
    pyfftw.import_wisdom(pickle.loads(path.read_bytes()))  # what _load_wisdom does


def test_an_unwritable_wisdom_path_only_costs_the_plan(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("PALFA_FFTW_WISDOM", str(blocker / "fftw-wisdom"))
    out = fftw.plan("fft", (5 * 1019,))
    out.input_array[:] = 1.0
    out.execute()
    assert out.output_array[0] == pytest.approx(5 * 1019)
