"""open_beam streams a beam in row blocks that gather into exactly what read_beam returns."""

import numpy as np
import pytest

from palfa.errors import BadInputError
from palfa.psrfits import filterbank
from palfa.psrfits.reader import open_beam, read_beam
from palfa.psrfits.writer import SAMPLE_RANGE, ObservationInfo, write_psrfits

OBS = ObservationInfo("G45.00+0.00", "19:13:42.62", "+10:43:25.3", 61370.25, beam=2)
NCHAN, NSBLK, NROWS = 8, 128, 7


@pytest.fixture(params=[4, 8, 16])
def beam_files(request, tmp_path):
    nbits, rng = request.param, np.random.default_rng(request.param)
    lo, hi = SAMPLE_RANGE[nbits]
    paths = []
    for sub in (0, 1):
        freqs = 1300.0 + 100.0 * sub + (np.arange(NCHAN)[::-1] + 0.5) * 12.5
        path = tmp_path / f"{nbits}bit-p2030.20261126.G45.00+0.00.b2s{sub}g0.00042.fits"
        write_psrfits(path, rng.integers(lo, hi + 1, size=(NROWS * NSBLK, NCHAN)), freqs, 64e-6,
                      OBS, nbits=nbits, nsblk=NSBLK, scales=rng.uniform(0.5, 2, (NROWS, NCHAN)),
                      offsets=rng.uniform(-5, 5, NCHAN), weights=np.ones(NCHAN))
        paths.append(path)
    return paths


@pytest.mark.parametrize("rows_per_block", [1, 3, NROWS, 100])
def test_blocks_gather_into_the_whole_beam(beam_files, rows_per_block):
    whole = read_beam(beam_files, skip_rows=2)
    stream = open_beam(beam_files, skip_rows=2, rows_per_block=rows_per_block)
    blocks = list(stream.blocks())
    assert all(len(b) <= rows_per_block * NSBLK for b in blocks)
    assert len(blocks) == -(-(NROWS - 2) // rows_per_block)
    np.testing.assert_array_equal(np.concatenate(blocks), whole.data)
    np.testing.assert_array_equal(np.concatenate(list(stream.blocks())), whole.data)  # again
    assert (stream.header, stream.nsamp) == (whole.header, whole.nsamp)


def test_default_blocks_fit_the_byte_budget(beam_files, monkeypatch):
    monkeypatch.setattr(filterbank, "BLOCK_BYTES", 3 * NSBLK * 2 * NCHAN * 4)  # three rows
    blocks = list(open_beam(beam_files).blocks())
    assert [len(b) for b in blocks] == [3 * NSBLK, 3 * NSBLK, NSBLK]
    whole = read_beam(beam_files)
    assert [len(b) for b in whole.blocks()] == [3 * NSBLK, 3 * NSBLK, NSBLK]
    np.testing.assert_array_equal(np.concatenate(list(whole.blocks())), whole.data)


def test_bad_block_size_and_files_are_refused_before_reading(beam_files, tmp_path):
    with pytest.raises(BadInputError, match="rows_per_block=0"):
        open_beam(beam_files, rows_per_block=0)
    broken = tmp_path / "broken.fits"
    broken.write_bytes(beam_files[0].read_bytes()[:5000])
    with pytest.raises(BadInputError, match="truncated"):
        open_beam([broken, beam_files[1]])
