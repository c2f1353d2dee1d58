"""A Mock beam's two sub-band files become one PSRFITS file for PRESTO (as combine_mocks did)."""

from __future__ import annotations

import numpy as np

from palfa.presto.beamfiles import file_rows, prepare_beam_files
from palfa.psrfits.reader import read_beam, read_header
from palfa.simulate.beam import BeamSpec, simulate_beam


def test_mock_halves_merge_into_one_file_without_the_skipped_rows(tmp_path):
    spec = BeamSpec(nchan_per_file=16, nsamp=8 * 512, nsblk=512)
    beam = simulate_beam(spec, tmp_path / "raw")
    header = read_header(beam.files, skip_rows=1)
    work = tmp_path / "work"
    work.mkdir()
    (merged,) = prepare_beam_files(beam.files, 1, work, header)
    assert merged.parent == work and file_rows(merged) == 7
    original = read_beam(beam.files, skip_rows=1)
    again = read_beam([merged])
    assert again.freqs_mhz.tolist() == original.freqs_mhz.tolist()  # 32 channels, descending
    assert again.data.shape == original.data.shape == (7 * 512, 32)
    step = (original.data.max(axis=0) - original.data.min(axis=0)) / 255
    assert np.all(np.abs(again.data - original.data) <= step / 2 + 1e-3)  # 8-bit requantised
    assert read_header([merged]).mjd == header.mjd


def test_single_file_without_skipped_rows_is_used_as_it_is(tmp_path, fx):
    header = read_header([fx / "fx.fits"])
    assert prepare_beam_files([fx / "fx.fits"], 0, tmp_path, header) == [fx / "fx.fits"]
