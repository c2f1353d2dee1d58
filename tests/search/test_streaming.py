"""The memory-bounded path (files read block by block, cleaned beam in a scratch file) gives what
the in-memory path gives, keeps its errors clear and always removes its scratch space."""

from __future__ import annotations

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.errors import SearchError
from palfa.psrfits import filterbank
from palfa.psrfits.reader import open_beam, read_beam
from palfa.psrfits.writer import ObservationInfo, write_psrfits
from palfa.search.dedisperse import downsample
from palfa.search.engine import EmbeddedEngine
from palfa.search.rfi import apply_mask, compute_mask
from palfa.search.scratch import scratch_dir
from palfa.simulate.beam import BeamSpec, simulate_beam
from palfa.simulate.pulsar import InjectedPulsar

PULSAR = InjectedPulsar(period_s=0.0893, dm=30.0, duty_cycle=0.05, snr=25.0)
SPEC = BeamSpec(nchan_per_file=8, tsamp_s=512e-6, nsamp=2**15, nsblk=512, pulsars=(PULSAR,),
                rfi=True, seed=5)  # 16.8 s; the plan downsamples from DM 22.8


def _settings(base_tmp_dir) -> SearchingSettings:
    return SearchingSettings(max_dm=40.0, low_T_to_search=10.0, hi_accel_zmax=0,
                             max_cands_to_fold=1, rfifind_chunk_time=1.3,
                             base_tmp_dir=base_tmp_dir)


@pytest.fixture(scope="module")
def beam_files(tmp_path_factory):
    return simulate_beam(SPEC, tmp_path_factory.mktemp("raw")).files


@pytest.mark.parametrize("zero_dm", [False, True])
def test_streamed_cleaning_is_the_in_memory_cleaning(beam_files, tmp_path, zero_dm):
    """RFI time blocks (1.3 s) straddle the stream's blocks (3 rows of 0.79 s)."""
    whole = read_beam(beam_files, skip_rows=1)
    stream = open_beam(beam_files, skip_rows=1, rows_per_block=3)
    mask, streamed_mask = compute_mask(whole, 1.3), compute_mask(stream, 1.3)
    for field in ("bad", "chan_median", "chan_std"):
        np.testing.assert_array_equal(getattr(streamed_mask, field), getattr(mask, field))
    assert 0 < mask.masked_fraction < 0.5  # the simulated RFI was found
    in_memory = apply_mask(whole, mask, zero_dm=zero_dm)
    with scratch_dir(tmp_path, "beam") as scratch:
        on_disk = apply_mask(stream, streamed_mask, zero_dm=zero_dm, scratch=scratch)
        assert isinstance(on_disk.data, np.memmap) and not isinstance(in_memory.data, np.memmap)
        np.testing.assert_array_equal(on_disk.data, in_memory.data)
        assert np.count_nonzero(np.all(in_memory.data == 0.0, axis=0)) > 0  # bursts clipped
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("factor", [2, 3, 16])
def test_downsampling_in_blocks_to_a_scratch_file_sums_the_same_samples(tmp_path, monkeypatch,
                                                                       factor):
    monkeypatch.setattr(filterbank, "BLOCK_BYTES", 6 * 4 * 1000)  # 1000 samples of 6 rows
    data = np.random.default_rng(factor).standard_normal((6, 10_007)).astype(np.float32)
    n = data.shape[1] // factor
    expected = data[:, :n * factor].reshape(6, n, factor).sum(axis=2, dtype=np.float32)
    np.testing.assert_array_equal(downsample(data, factor), expected)
    with scratch_dir(tmp_path, "beam") as scratch:
        on_disk = downsample(data, factor, scratch)
        assert isinstance(on_disk, np.memmap)
        np.testing.assert_array_equal(on_disk, expected)


@pytest.mark.slow  # two searches: ~10 s on 2 idle cores
def test_streamed_search_finds_what_the_in_memory_search_finds(beam_files, tmp_path):
    base = tmp_path / "scratch"
    base.mkdir()
    settings = _settings(base)
    seen: list[list[str]] = []

    def progress(stage: str, _: float) -> None:
        if stage == "sifting":
            seen.append([p.name for p in base.iterdir()])

    streamed = EmbeddedEngine().search(beam_files, tmp_path / "stream", settings, progress)
    in_memory = EmbeddedEngine().search_filterbank(read_beam(beam_files), tmp_path / "ram",
                                                   settings)
    assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].endswith("_scratch")
    assert list(base.iterdir()) == []  # the scratch directory is gone
    best = streamed.candidates[0]
    assert best.period_s == pytest.approx(PULSAR.period_s, rel=1e-3) and best.folded
    assert [(c.period_s, c.dm, c.sigma, c.snr) for c in streamed.candidates] == [
        (c.period_s, c.dm, c.sigma, c.snr) for c in in_memory.candidates]
    assert streamed.diagnostics == in_memory.diagnostics
    for name in ("singlepulse.csv", "candidates.accelcands"):
        assert (tmp_path / "stream" / name).read_text() == (tmp_path / "ram" / name).read_text()


def test_scratch_is_removed_when_the_search_fails_midway(beam_files, tmp_path):
    base = tmp_path / "scratch"
    base.mkdir()

    def stop(stage: str, _: float) -> None:
        if stage == "search":
            assert len(list(base.iterdir())) == 1  # the cleaned beam's directory
            raise RuntimeError("stopped after the first DM trial")

    with pytest.raises(RuntimeError, match="first DM trial"):
        EmbeddedEngine().search(beam_files, tmp_path / "out", _settings(base), stop)
    assert list(base.iterdir()) == []


def test_nan_in_one_block_is_refused_and_scratch_removed(tmp_path):
    obs = ObservationInfo("G45.00+0.00", "19:13:42.62", "+10:43:25.3", 61370.25, beam=1)
    nrows, nsblk, nchan = 12, 4096, 8
    scales = np.ones((nrows, nchan))
    scales[9, 3] = np.nan  # one channel of one row in the second half of the beam
    files = []
    for sub in (0, 1):
        path = tmp_path / f"8bit-p2030.20261126.G45.00+0.00.b1s{sub}g0.00007.fits"
        freqs = 1214.0 + 160.0 * sub + (np.arange(nchan)[::-1] + 0.5) * 20.0
        samples = np.random.default_rng(sub).integers(0, 256, size=(nrows * nsblk, nchan))
        write_psrfits(path, samples, freqs, 256e-6, obs, nbits=8, nsblk=nsblk,
                      scales=scales if sub else np.ones((nrows, nchan)))
        files.append(path)
    base = tmp_path / "scratch"
    base.mkdir()
    with pytest.raises(SearchError, match="NaN or infinite") as error:
        EmbeddedEngine().search(files, tmp_path / "out", _settings(base))
    assert "re-download" in str(error.value)
    assert list(base.iterdir()) == []


def test_missing_scratch_base_is_named_with_the_fix(beam_files, tmp_path):
    with pytest.raises(SearchError, match=r"searching\.base_tmp_dir.*mkdir -p"):
        EmbeddedEngine().search(beam_files, tmp_path / "out", _settings(tmp_path / "nope"))
