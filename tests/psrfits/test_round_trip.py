"""write_psrfits -> read_beam/read_header gives back the samples, band order and metadata."""

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits

from palfa.errors import BadInputError
from palfa.psrfits.reader import read_beam, read_header, validate_psrfits
from palfa.psrfits.writer import SAMPLE_RANGE, ObservationInfo, write_psrfits

FIXTURE = "/work/shared/presto-fixtures/fx.fits"
NAME = "{bits}bit-p2030.20261126.G45.00+0.00.b5s{sub}g0.00042.fits"
OBS = ObservationInfo("G45.00+0.00", "19:13:42.62", "+10:43:25.3", 61370.25, beam=5)
NCHAN, NSBLK, NROWS, TSAMP = 8, 256, 4, 64e-6


def _half(rng, nbits, subband):
    """Random samples and calibration for one sub-band file (descending channels)."""
    lo, hi = SAMPLE_RANGE[nbits]
    freqs = 1300.0 + 100.0 * subband + (np.arange(NCHAN)[::-1] + 0.5) * 12.5
    samples = rng.integers(lo, hi + 1, size=(NROWS * NSBLK, NCHAN))
    scales = rng.uniform(0.5, 2.0, size=(NROWS, NCHAN))
    offsets = rng.uniform(-5.0, 5.0, size=NCHAN)
    weights = np.where(np.arange(NCHAN) == 2, 0.0, 1.0)
    rows = np.repeat(np.arange(NROWS), NSBLK)
    physical = (samples * scales[rows].astype(np.float32) + offsets.astype(np.float32)) * weights
    return freqs, samples, dict(scales=scales, offsets=offsets, weights=weights), physical


@pytest.fixture(params=[4, 8, 16])
def beam(request, tmp_path):
    nbits = request.param
    rng = np.random.default_rng(nbits)
    paths, truth = [], []
    for subband in (0, 1):
        freqs, samples, calibration, physical = _half(rng, nbits, subband)
        path = tmp_path / NAME.format(bits=nbits, sub=subband)
        write_psrfits(path, samples, freqs, TSAMP, OBS, nbits=nbits, nsblk=NSBLK, **calibration)
        paths.append(path)
        truth.append((freqs, physical))
    return nbits, paths, truth


def test_read_beam_merges_halves_into_descending_band(beam):
    nbits, (s0, s1), ((f0, p0), (f1, p1)) = beam
    filterbank = read_beam([s0, s1], skip_rows=1)
    assert filterbank.data.dtype == np.float32
    assert filterbank.data.shape == ((NROWS - 1) * NSBLK, 2 * NCHAN)
    np.testing.assert_array_equal(filterbank.freqs_mhz, np.concatenate([f1, f0]))
    expected = np.concatenate([p1, p0], axis=1)[NSBLK:]
    np.testing.assert_allclose(filterbank.data, expected, rtol=1e-6, atol=1e-4)
    assert filterbank.header.nbits == nbits
    # the order the files are given in does not matter
    np.testing.assert_array_equal(read_beam([s1, s0], skip_rows=1).data, filterbank.data)


def test_read_header_fields(beam):
    _, paths, _ = beam
    header = read_header(paths, skip_rows=2)
    coord = SkyCoord(OBS.ra_str, OBS.dec_str, unit=(u.hourangle, u.deg))
    assert header.obs_name == "p2030.20261126.G45.00+0.00.b5.00042"
    assert header.beam_id == 5
    assert header.source_name == "G45.00+0.00"
    assert (header.telescope, header.backend, header.project_id) == ("Arecibo", "pdev", "P2030")
    assert header.mjd == pytest.approx(61370.25 + 2 * NSBLK * TSAMP / 86400, abs=1e-11)
    assert header.nsamp == (NROWS - 2) * NSBLK
    assert header.obs_time_s == pytest.approx(header.nsamp * TSAMP)
    assert header.tsamp_s == TSAMP
    assert header.nchan == 2 * NCHAN
    assert header.chan_bw_mhz == pytest.approx(-12.5)
    assert header.bandwidth_mhz == pytest.approx(200.0)
    assert header.fctr_mhz == pytest.approx(1400.0)
    assert header.ra_deg == pytest.approx(coord.ra.deg)
    assert header.dec_deg == pytest.approx(coord.dec.deg)
    assert header.gal_l == pytest.approx(45.0, abs=0.01)
    assert header.gal_b == pytest.approx(0.0, abs=0.01)
    assert header.ra_str == "19:13:42.6200"
    assert header.dec_str == "+10:43:25.300"
    assert header.file_names == tuple(p.name for p in paths)
    assert header.data_size_bytes == sum(p.stat().st_size for p in paths)


def test_written_layout_matches_a_file_presto_read(tmp_path):
    path = tmp_path / "ours.fits"
    samples = np.zeros((2048, 64), dtype=np.uint8)
    write_psrfits(path, samples, np.linspace(1536, 1214, 64), 1.31072e-4, OBS, nbits=8)
    with fits.open(FIXTURE) as theirs, fits.open(path) as ours:
        assert set(theirs[0].header) <= set(ours[0].header) | {"COMMENT"}
        for key in ("TTYPE", "TFORM", "TDIM"):
            assert [v for k, v in theirs[1].header.items() if k.startswith(key)] == [
                v for k, v in ours[1].header.items() if k.startswith(key)
            ]
        assert set(theirs[1].header) <= set(ours[1].header)
        assert ours[0].header["OBS_MODE"] == "SEARCH"


def test_reads_the_presto_fixture():
    header = read_header([FIXTURE])
    assert (header.nchan, header.nbits, header.tsamp_s) == (64, 8, 0.000131072)
    assert header.nsamp == 74 * 2048
    assert header.mjd == pytest.approx(55555 + 4321 / 86400)
    assert validate_psrfits(FIXTURE).freqs_mhz[0] == pytest.approx(1534.2796875)


def test_pair_must_agree_on_sample_time_and_length(tmp_path):
    freqs = np.arange(8.0)[::-1] + 1400
    samples = np.zeros((512, 8), dtype=np.uint8)
    a = write_psrfits(tmp_path / "a.fits", samples, freqs, 1e-4, OBS, nsblk=256)
    b = write_psrfits(tmp_path / "b.fits", samples, freqs - 8, 2e-4, OBS, nsblk=256)
    c = write_psrfits(tmp_path / "c.fits", samples[:256], freqs - 8, 1e-4, OBS, nsblk=256)
    with pytest.raises(BadInputError, match="sample time TBIN"):
        read_beam([a, b])
    with pytest.raises(BadInputError, match="number of samples"):
        read_header([a, c])
    with pytest.raises(BadInputError, match="same channel frequencies twice"):
        read_header([a, a])
    with pytest.raises(BadInputError, match="skip_rows=2"):
        read_beam([a], skip_rows=2)


def test_writer_rejects_out_of_range_samples(tmp_path):
    samples = np.full((256, 4), 16)
    with pytest.raises(BadInputError, match="4-bit range"):
        write_psrfits(tmp_path / "x.fits", samples, np.arange(4.0), 1e-4, OBS, nbits=4, nsblk=256)
