from pathlib import Path

import pytest

from palfa.errors import BadInputError
from palfa.psrfits.names import (
    MockFileName,
    group_beam_files,
    parse_mock_name,
    require_mock_name,
)

NAME = "4bit-p2030.20261126.G45.00+0.00.b3s0g0.00100.fits"


def test_parse_mock_name_reads_every_part():
    parsed = parse_mock_name(Path("/data") / NAME)
    assert parsed == MockFileName(4, "p2030", "20261126", "G45.00+0.00", 3, 0, 100)
    assert parsed.obs_name == "p2030.20261126.G45.00+0.00.b3.00100"
    assert parsed.format() == NAME


def test_bits_prefix_is_optional_and_round_trips():
    name = "p2030.20120515.G187.06-1.78.b6s1g0.00003.fits"
    parsed = parse_mock_name(name)
    assert parsed.bits is None
    assert parsed.subband == 1
    assert parsed.source == "G187.06-1.78"
    assert parsed.format() == name


@pytest.mark.parametrize(
    "name",
    ["fx.fits", "p2030.20261126.G45.00+0.00.b3s2g0.00100.fits", NAME.replace(".fits", ".fil")],
)
def test_non_mock_names(name):
    assert parse_mock_name(name) is None
    with pytest.raises(BadInputError, match="not a PALFA Mock file name") as info:
        require_mock_name(name)
    assert info.value.fix


def test_group_beam_files_pairs_halves_in_order(tmp_path):
    s0 = tmp_path / NAME
    s1 = tmp_path / NAME.replace("b3s0", "b3s1")
    other0 = tmp_path / NAME.replace("b3s0", "b4s0")
    other1 = tmp_path / NAME.replace("b3s0", "b4s1")
    beams = group_beam_files([s1, other1, s0, other0])
    assert beams == {
        "p2030.20261126.G45.00+0.00.b3.00100": [s0, s1],
        "p2030.20261126.G45.00+0.00.b4.00100": [other0, other1],
    }


def test_group_beam_files_names_beam_missing_a_half():
    with pytest.raises(BadInputError, match=r"b3\.00100.*has no s1 file") as info:
        group_beam_files([NAME])
    assert "missing sub-band" in info.value.fix


def test_group_beam_files_rejects_duplicates_and_non_mock():
    s1 = NAME.replace("b3s0", "b3s1")
    with pytest.raises(BadInputError, match="more than one s0"):
        group_beam_files([NAME, "/other/" + NAME, s1])
    with pytest.raises(BadInputError, match=r"fx\.fits"):
        group_beam_files([NAME, s1, "fx.fits"])
