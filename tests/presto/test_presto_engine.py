"""The PRESTO engine end to end with stand-in programs (real processes on PATH that replay the
real PRESTO outputs), and what it does when a program fails or writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from palfa.config.settings import SearchingSettings
from palfa.errors import SearchError
from palfa.presto.commands import Command
from palfa.presto.engine import PrestoEngine
from palfa.presto.runner import SubprocessRunner, log_tail, run_command
from palfa.search.engine import get_engine
from palfa.search.results import read_results


@pytest.fixture
def beam(tmp_path, fx) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(fx / "fx.fits", data / "fx.fits")
    return data / "fx.fits"


@pytest.fixture
def settings(tmp_path) -> SearchingSettings:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return SearchingSettings(engine="presto", max_dm=3.0, low_T_to_search=10.0,
                             base_tmp_dir=scratch, max_cands_to_fold=1, rfifind_chunk_time=2.0,
                             low_DM_cutoff=0.0)  # the replayed detections are the same at every DM


def test_engine_is_registered():
    assert isinstance(get_engine("presto"), PrestoEngine)


def test_search_writes_the_results_contract(fake_presto, beam, settings, tmp_path, fx):
    zapdir = tmp_path / "zaplists"
    zapdir.mkdir()
    (zapdir / "fx.zaplist").write_text("# per-file zaplist\n60.0 0.5\n")
    stages = []
    engine = PrestoEngine(zaplistdir=zapdir)
    results = engine.search([beam], tmp_path / "out", settings, lambda s, f: stages.append(s))
    out = tmp_path / "out"
    again = read_results(out)
    assert len(again.candidates) == len(results.candidates) > 0
    pulsar = next(c for c in again.candidates if abs(c.period_s - 0.0893) < 1e-4 and not c.folded)
    assert pulsar.sigma > 50 and pulsar.num_hits >= 2
    folded = [c for c in again.candidates if c.folded]
    assert len(folded) == 1  # max_cands_to_fold: the strongest, PRESTO's red-noise candidate
    for cand in folded:  # refined by the (replayed) fold: the .pfd's period and DM
        assert cand.period_s == pytest.approx(6.9273666064516)
        assert cand.dm == pytest.approx(77.242, abs=1e-3)
        assert (out / cand.fold_archive).is_file() and (out / cand.plot).is_file()
    diag = json.loads((out / "diagnostics.json").read_text())
    assert diag["RFI mask percentage"] == 0.0 and diag["Num cands folded"] == 1
    assert diag["Zaplist kind"] == "per-file"
    assert diag["Num cands produced"] == diag["Num DM trials"] * 12  # 6 lo + 6 hi per DM
    assert (out / diag["Zaplist used"]).read_text().startswith("# per-file zaplist")
    assert (out / diag["Accelcands list"]).read_text().startswith("#")
    assert json.loads((out / "header.json").read_text())["nchan"] == 64
    for name in ("fx_ACCEL_0.tgz", "fx_ACCEL_50.cand.tgz", "fx_singlepulse.tgz", "fx_inf.tgz",
                 "search_params.txt", "fx.report", "fx_rfifind.mask", "timing.json"):
        assert (out / name).is_file(), name
    assert "zapbirds" in (out / "presto_logs" / "zapbirds.log").read_text()
    assert stages[0] == "preparing" and stages[-1] == "done"
    assert list(settings.base_tmp_dir.iterdir()) == []  # scratch removed


@pytest.mark.parametrize(("program", "mode", "says"), [
    ("rfifind", "exit", "exited with status 3"),
    ("rfifind", "silent", "wrote no fx_rfifind.mask"),
    ("realfft", "silent", "wrote no"),
    ("prepsubband", "exit", "exited with status 3"),
    ("prepfold", "silent", "_ACCEL_Cand_"),
])
def test_failing_program_stops_the_beam_naming_program_command_and_log(
        fake_presto, beam, settings, tmp_path, monkeypatch, program, mode, says):
    monkeypatch.setenv("FAKE_PRESTO_BREAK", f"{program}:{mode}")
    with pytest.raises(SearchError) as err:
        PrestoEngine().search([beam], tmp_path / "out", settings)
    message = str(err.value)
    assert f"PRESTO program {program}" in message and says in message
    assert f"command: {program} " in message
    expected_tail = "something went badly wrong" if mode == "exit" else "nothing to do"
    assert expected_tail in message
    assert (tmp_path / "out" / "presto_logs" / f"{program}.log").is_file()
    assert list(settings.base_tmp_dir.iterdir()) == []  # scratch removed even on failure
    assert not (tmp_path / "out" / "candidates.csv").exists()


def test_missing_program_says_to_install_presto(tmp_path):
    with pytest.raises(SearchError, match="install PRESTO") as err:
        run_command(SubprocessRunner(), Command(("no_such_presto_program", "-x"), "t"),
                    tmp_path, tmp_path)
    assert "no_such_presto_program -x" in str(err.value)


def test_command_line_in_the_error_is_quoted_as_a_shell_would(tmp_path):
    with pytest.raises(SearchError) as err:
        run_command(SubprocessRunner(), Command(("sh", "-c", "echo out; exit 5", "a b"), "t"),
                    tmp_path, tmp_path)
    assert "command: sh -c 'echo out; exit 5' 'a b'" in str(err.value)
    assert log_tail(tmp_path / "sh.log").splitlines()[-1] == "out"


def test_presto_engine_refuses_a_missing_scratch_directory(beam, tmp_path):
    s = SearchingSettings(base_tmp_dir=tmp_path / "nope", low_T_to_search=10.0)
    with pytest.raises(SearchError, match="base_tmp_dir"):
        PrestoEngine().search([beam], tmp_path / "out", s)


@pytest.mark.presto
@pytest.mark.skipif(shutil.which("prepsubband") is None or shutil.which("accelsearch") is None,
                    reason="PRESTO programs are not on PATH")
def test_real_presto_finds_the_fixture_pulsar(beam, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    s = SearchingSettings(max_dm=60.0, low_T_to_search=10.0, base_tmp_dir=scratch,
                          max_cands_to_fold=3)
    results = PrestoEngine().search([beam], tmp_path / "out", s)
    assert any(abs(c.period_s - 0.0893) < 2e-4 and abs(c.dm - 45) < 5 for c in results.candidates)


def test_doctor_names_missing_programs_and_passes_when_all_are_there(fake_presto, monkeypatch):
    from typer.testing import CliRunner

    from cli.main import app
    from palfa.errors import PalfaError

    ok = CliRunner().invoke(app, ["doctor"])
    assert ok.exit_code == 0 and "missing" not in ok.output
    (fake_presto / "rednoise").unlink()
    monkeypatch.setenv("PATH", str(fake_presto))
    bad = CliRunner().invoke(app, ["doctor"])
    assert isinstance(bad.exception, PalfaError)
    assert "programs not on PATH: rednoise" in str(bad.exception)
