import json

import pytest

from palfa.errors import ConfigError
from palfa.psrfits.names import group_beam_files
from palfa.simulate import simulate_survey

SMALL = dict(nchan_per_file=8, nsamp=2**13)


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("survey")
    return outdir, simulate_survey(outdir, nbeams=4, seed=5, **SMALL)


def test_mix_of_beams(survey):
    _, beams = survey
    assert [len(b.pulsars) for b in beams] == [1, 2, 0, 1]
    assert len({b.obs_name for b in beams}) == 4
    for pulsar in (p for b in beams for p in b.pulsars):
        assert 0.003 <= pulsar.period_s <= 1.0
        assert 20.0 <= pulsar.dm <= 250.0
        assert 20.0 <= pulsar.snr <= 60.0


def test_files_group_into_the_beams(survey):
    outdir, beams = survey
    grouped = group_beam_files(sorted(outdir.glob("*.fits")))
    assert grouped == {b.obs_name: list(b.files) for b in beams}
    truth = json.loads(beams[1].truth_path.read_text())
    assert [p["period_s"] for p in truth["pulsars"]] == [p.period_s for p in beams[1].pulsars]
    assert truth["spec"]["nchan_per_file"] == 8
    assert truth["rfi"]["narrowband"]  # survey beams have RFI unless told otherwise


def test_deterministic_per_seed(survey, tmp_path):
    _, beams = survey
    again = simulate_survey(tmp_path / "again", nbeams=2, seed=5, **SMALL)
    assert [b.pulsars for b in again] == [b.pulsars for b in beams[:2]]
    assert again[0].files[0].read_bytes() == beams[0].files[0].read_bytes()
    other = simulate_survey(tmp_path / "other", nbeams=1, seed=6, **SMALL)
    assert other[0].pulsars != beams[0].pulsars


def test_unknown_override_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not all BeamSpec fields") as info:
        simulate_survey(tmp_path, nbeams=1, nchannels=8)
    assert "nchan_per_file" in info.value.fix
