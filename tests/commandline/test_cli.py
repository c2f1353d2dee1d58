"""The ``palfa`` command as a user runs it: real files, real databases, exit codes and messages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from palfa.config.workspace import init_workspace, to_toml
from palfa.jobtracker.tracker import JobTracker
from palfa.simulate import BeamSpec, InjectedPulsar, simulate_beam

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=True)


def error_text(result) -> str:
    """What ``palfa`` prints for a PalfaError (main() prints it; the runner sees the exception)."""
    return str(result.exception) if result.exception else result.output


@pytest.fixture
def workspace(tmp_path) -> Path:
    init_workspace(tmp_path / "ws", {"searching": {"max_dm": 120.0, "low_T_to_search": 10.0,
                                                   "hi_accel_zmax": 0}})
    return tmp_path / "ws" / "palfa.toml"


@pytest.fixture(scope="module")
def beam(tmp_path_factory):
    spec = BeamSpec(nsamp=2**17, rfi=False, seed=7,
                    pulsars=(InjectedPulsar(period_s=0.0713, dm=60.0, duty_cycle=0.04, snr=30.0),))
    return simulate_beam(spec, tmp_path_factory.mktemp("beam"))


def test_search_writes_the_candidates_contract(beam, workspace, tmp_path):
    outdir = tmp_path / "out"
    result = invoke("search", *beam.files, "--outdir", outdir, "--config", workspace)
    assert result.exit_code == 0, result.output
    with (outdir / "candidates.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert {"period_s", "dm", "sigma"} <= set(rows[0])
    sigmas = [float(r["sigma"]) for r in rows]
    assert sigmas == sorted(sigmas, reverse=True)
    best = rows[0]
    assert abs(float(best["period_s"]) - 0.0713) < 0.0713e-3
    assert abs(float(best["dm"]) - 60.0) < 3.0


def test_add_files_tracks_a_beam_once(beam, workspace, tmp_path):
    folder = tmp_path / "copied"
    folder.mkdir()
    for f in beam.files:
        (folder / f.name).write_bytes(f.read_bytes())
    first = invoke("add-files", folder, "--config", workspace)
    assert first.exit_code == 0, first.output
    again = invoke("add-files", folder, "--config", workspace)
    assert again.exit_code != 0
    assert "already tracked" in error_text(again)
    db = workspace.parent / "jobtracker.db"
    assert JobTracker(db).counts_by_status()["files"] == {"added": 2}


@pytest.mark.parametrize("damage", ["not_fits", "truncated"])
def test_add_files_refuses_bad_files_and_tracks_nothing(beam, workspace, tmp_path, damage):
    folder = tmp_path / "copied"
    folder.mkdir()
    s0, s1 = beam.files
    (folder / s0.name).write_bytes(s0.read_bytes())
    data = s1.read_bytes()
    bad = b"this is not a FITS file\n" * 200 if damage == "not_fits" else data[: len(data) // 2]
    (folder / s1.name).write_bytes(bad)
    result = invoke("add-files", folder, "--config", workspace)
    assert result.exit_code != 0
    message = error_text(result)
    assert s1.name in message and "Fix:" in message
    assert JobTracker(workspace.parent / "jobtracker.db").counts_by_status()["files"] == {}


def test_config_check_lists_every_problem(tmp_path):
    bad = tmp_path / "palfa.toml"
    bad.write_text(to_toml({"download": {"datadir": str(tmp_path / "nope")},
                            "searching": {"lo_accel_numharm": 12, "sifting_sigma_threshold": 9.0}}))
    result = invoke("config", "check", "--config", bad)
    assert result.exit_code != 0
    message = error_text(result)
    for name in ("download.datadir", "searching.lo_accel_numharm", "searching.sifting_sigma_threshold"):
        assert name in message


def test_config_check_rejects_wrong_types_with_the_setting_name(tmp_path):
    bad = tmp_path / "palfa.toml"
    bad.write_text('[download]\nnumdownloads = "many"\n[searching]\nno_such_key = 1\n')
    result = invoke("config", "check", "--config", bad)
    assert result.exit_code != 0
    message = error_text(result)
    assert "download.numdownloads" in message and "searching.no_such_key" in message


def test_config_init_then_check_passes(tmp_path):
    assert invoke("config", "init", tmp_path / "new").exit_code == 0
    result = invoke("config", "check", "--config", tmp_path / "new" / "palfa.toml")
    assert result.exit_code == 0, result.output


def test_db_create_and_status(workspace):
    assert invoke("db", "create", "--config", workspace).exit_code == 0
    assert (workspace.parent / "jobtracker.db").is_file()
    result = invoke("status", "--config", workspace)
    assert result.exit_code == 0 and "Job tracker" in result.output


def test_simulate_writes_pairs_and_truth(tmp_path):
    result = invoke("simulate", tmp_path / "sim", "--beams", "1", "--nsamp", str(2**12))
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "sim").glob("*.fits"))) == 2
    assert len(list((tmp_path / "sim").glob("*.truth.json"))) == 1


def test_the_installed_command_prints_errors_without_a_traceback(tmp_path):
    import subprocess
    import sys

    missing = tmp_path / "missing.toml"
    proc = subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "config",
                           "check", "--config", str(missing)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert "error:" in proc.stdout and str(missing) in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_fftw_wisdom_measures_the_plans_of_a_beams_search(workspace, beam, tmp_path, monkeypatch):
    monkeypatch.setenv("PALFA_FFTW_WISDOM", str(tmp_path / "wisdom"))
    monkeypatch.setenv("PALFA_FFTW_PLANNING_S", "0.2")
    result = invoke("fftw-wisdom", *beam.files, "--config", workspace)
    assert result.exit_code == 0, error_text(result)
    assert "transforms measured" in result.output
    assert (tmp_path / "wisdom").stat().st_size > 0
