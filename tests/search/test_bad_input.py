"""Bad beams given to the embedded engine end in a clear PalfaError, never a crash mid-search."""

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.errors import BadInputError, SearchError
from palfa.psrfits.writer import ObservationInfo, write_psrfits
from palfa.search.engine import EmbeddedEngine

OBS = ObservationInfo("G45.00+0.00", "19:13:42.62", "+10:43:25.3", 61370.25, beam=1)
SETTINGS = SearchingSettings(max_dm=20.0, low_T_to_search=0.05)
NCHAN, NSBLK, NROWS = 16, 256, 8


def _write(tmp_path, weights: np.ndarray) -> list:
    rng = np.random.default_rng(0)
    paths = []
    for sub in (0, 1):
        freqs = 1214.0 + 160.0 * sub + (np.arange(NCHAN)[::-1] + 0.5) * 10.0
        path = tmp_path / f"8bit-p2030.20261126.G45.00+0.00.b1s{sub}g0.00007.fits"
        write_psrfits(path, rng.integers(0, 256, size=(NROWS * NSBLK, NCHAN)), freqs, 64e-6,
                      OBS, nbits=8, nsblk=NSBLK, weights=weights)
        paths.append(path)
    return paths


def test_all_channels_flagged_in_the_file_is_nothing_to_search(tmp_path):
    files = _write(tmp_path, np.zeros(NCHAN))
    with pytest.raises(SearchError, match="nothing to search"):
        EmbeddedEngine().search(files, tmp_path / "out", SETTINGS)


def test_corrupt_file_is_refused_before_searching(tmp_path):
    files = _write(tmp_path, np.ones(NCHAN))
    files[1].write_bytes(files[1].read_bytes()[: 3 * 2880 + 100])
    with pytest.raises(BadInputError, match="truncated") as error:
        EmbeddedEngine().search(files, tmp_path / "out", SETTINGS)
    assert files[1].name in str(error.value) and "restore the file again" in str(error.value)
    assert not (tmp_path / "out").exists()
