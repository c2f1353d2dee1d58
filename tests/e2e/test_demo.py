"""The demo path end to end: simulate → local archive → pipeline flow → common DB vs. truth."""

from __future__ import annotations

import pytest

from cli.demo import run_demo
from palfa.commondb.upload_url import count_rows_at
from palfa.config.loading import load_settings
from palfa.jobtracker.tracker import JobTracker


@pytest.mark.slow
def test_demo_recovers_every_bright_pulsar(prefect_server, tmp_path):
    assert run_demo(nbeams=3, seed=2030, workspace=tmp_path, max_dm=300.0)

    settings = load_settings(tmp_path / "pipeline" / "palfa.toml")
    counts = JobTracker(settings.background.jobtracker_db).counts_by_status()
    assert counts["requests"] == {"finished": 1}
    assert counts["jobs"] == {"uploaded": 3}
    assert counts["job_submits"] == {"uploaded": 3}
    assert counts["files"] == {"deleted": 6}  # raw data removed after the verified upload
    assert counts["download_attempts"] == {"downloaded": 6}
    assert not list(settings.download.datadir.glob("*.fits"))

    rows = count_rows_at(settings.commondb.url)
    assert rows["headers"] == 3
    assert rows["candidates"] >= 3
