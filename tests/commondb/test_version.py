"""version_num comes from git, and says so plainly when it cannot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from palfa.commondb import version_num
from palfa.commondb.version import git_hash, pipeline_version

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def commit_repo(path) -> str:
    path.mkdir()
    env = ["-c", "user.name=t", "-c", "user.email=t@localhost"]
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "f").write_text("x")
    subprocess.run(["git", "-C", str(path), "add", "f"], check=True)
    subprocess.run(["git", "-C", str(path), *env, "commit", "-qm", "c"], check=True)
    return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_hashes_come_from_git(tmp_path):
    pipeline = commit_repo(tmp_path / "pipeline")
    presto = commit_repo(tmp_path / "presto")
    assert version_num(tmp_path / "pipeline", tmp_path / "presto") == (
        f"PIPELINE:{pipeline};PRESTO:{presto}")
    assert len(pipeline) == 40


def test_not_a_checkout_falls_back_clearly(tmp_path):
    assert version_num(tmp_path) == "PIPELINE:unknown;PRESTO:none"
    assert version_num(tmp_path, tmp_path / "missing") == "PIPELINE:unknown;PRESTO:none"


def test_pipeline_version_is_the_setting_or_this_checkout(tmp_path, monkeypatch):
    presto = commit_repo(tmp_path / "presto")
    monkeypatch.setenv("PRESTO", str(tmp_path / "presto"))
    assert pipeline_version("PIPELINE:typed") == "PIPELINE:typed"
    here = git_hash(Path(__file__).parent) or "unknown"
    assert pipeline_version() == f"PIPELINE:{here};PRESTO:none"  # the embedded engine
    assert pipeline_version(uses_presto=True) == f"PIPELINE:{here};PRESTO:{presto}"
