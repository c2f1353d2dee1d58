"""validate_psrfits names the file and the fix for each kind of bad input."""

import numpy as np
import pytest
from astropy.io import fits

from palfa.errors import BadInputError
from palfa.psrfits.reader import read_beam, validate_psrfits
from palfa.psrfits.writer import ObservationInfo, write_psrfits

OBS = ObservationInfo("G45.00+0.00", "19:13:42.62", "+10:43:25.3", 61370.25)


@pytest.fixture
def good(tmp_path):
    samples = np.random.default_rng(1).integers(0, 256, size=(1024, 8))
    return write_psrfits(tmp_path / "good.fits", samples, 1400 - np.arange(8.0), 1e-4, OBS,
                         nsblk=256)


def test_good_file_passes(good):
    checked = validate_psrfits(good)
    assert (checked.nrows, checked.nsblk, checked.nchan, checked.nbits) == (4, 256, 8, 8)


def test_not_a_fits_file(tmp_path):
    path = tmp_path / "notes.fits"
    path.write_text("this is not FITS\n" * 200)
    with pytest.raises(BadInputError, match="is not a FITS file") as info:
        validate_psrfits(path)
    assert str(path) in str(info.value)
    assert "download or restore" in info.value.fix


def test_missing_file(tmp_path):
    with pytest.raises(BadInputError, match="does not exist"):
        validate_psrfits(tmp_path / "nope.fits")


@pytest.mark.parametrize("keep_fraction", [0.9, 0.5, 0.01])
def test_truncated_file(good, tmp_path, keep_fraction):
    blob = good.read_bytes()
    cut = tmp_path / "cut.fits"
    cut.write_bytes(blob[: int(len(blob) * keep_fraction)])
    with pytest.raises(BadInputError, match="truncated") as info:
        validate_psrfits(cut)
    assert "cut.fits" in str(info.value)
    with pytest.raises(BadInputError, match="truncated"):
        read_beam([cut])


def test_fits_image_is_not_search_mode(tmp_path):
    path = tmp_path / "image.fits"
    fits.PrimaryHDU(np.zeros((16, 16), dtype=np.float32)).writeto(path)
    with pytest.raises(BadInputError, match="not PSRFITS search-mode") as info:
        validate_psrfits(path)
    assert "OBS_MODE=SEARCH" in info.value.fix


def test_fold_mode_file_is_not_search_mode(good, tmp_path):
    path = tmp_path / "fold.fits"
    with fits.open(good) as hdul:
        hdul[0].header["OBS_MODE"] = "PSR"
        hdul.writeto(path)
    with pytest.raises(BadInputError, match="OBS_MODE=PSR"):
        validate_psrfits(path)


def test_missing_columns(good, tmp_path):
    path = tmp_path / "nocal.fits"
    with fits.open(good) as hdul:
        kept = [c for c in hdul[1].columns if c.name not in ("DAT_SCL", "DAT_OFFS")]
        table = fits.BinTableHDU.from_columns(kept, header=hdul[1].header, name="SUBINT")
        fits.HDUList([hdul[0].copy(), table]).writeto(path)
    with pytest.raises(BadInputError, match="DAT_OFFS, DAT_SCL"):
        validate_psrfits(path)


def test_unsupported_bit_depth(good, tmp_path):
    path = tmp_path / "2bit.fits"
    with fits.open(good) as hdul:
        hdul[1].header["NBITS"] = 2
        hdul.writeto(path)
    with pytest.raises(BadInputError, match="NBITS=2") as info:
        validate_psrfits(path)
    assert "convert" in info.value.fix
