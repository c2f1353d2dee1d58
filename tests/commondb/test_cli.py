"""``palfa commondb create`` and ``palfa upload RESULTS_DIR`` on the embedded database and on
PostgreSQL over psqlODBC (URL from the settings file, or --url)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from palfa.commondb.schema import TABLES
from palfa.commondb.upload_url import count_rows_at
from palfa.config.workspace import init_workspace

from .conftest import postgres_odbc_url

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=True)


def said(result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def config(tmp_path):
    init_workspace(tmp_path / "ws", {"upload": {"version_num": "PIPELINE:cli;PRESTO:none"}})
    return tmp_path / "ws" / "palfa.toml"



def test_create_then_upload_into_the_embedded_database(config, results_dir):
    created = invoke("commondb", "create", "-c", config)
    assert created.exit_code == 0, created.output
    assert "created 9 table(s): versions, headers" in said(created)
    assert "every table exists" in invoke("commondb", "create", "-c", config).output

    first = invoke("upload", results_dir, "-c", config)
    again = invoke("upload", results_dir, "-c", config)

    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert "verified and committed" in said(first) and "of it verifying" in said(first)
    assert "replaced the earlier upload" in said(again)
    url = f"sqlite:///{config.parent / 'commondb.sqlite3'}"
    assert count_rows_at(url)["candidates"] == 2  # the second upload added no rows


def test_upload_over_psqlodbc_with_url_option(config, results_dir, postgres_server):
    url = postgres_odbc_url(postgres_server)
    assert invoke("commondb", "create", "--url", url, "-c", config).exit_code == 0

    done = invoke("upload", results_dir, "--url", url, "-c", config)

    assert done.exit_code == 0, done.output
    counts = count_rows_at(url)
    assert set(counts) == set(TABLES) and counts["headers"] == 1 and counts["singlepulse_files"] == 2


def test_broken_results_are_refused_with_the_fix(config, results_dir):
    (results_dir / "cand0.pfd").unlink()
    failed = invoke("upload", results_dir, "-c", config)
    assert failed.exit_code != 0
    assert "cand0.pfd: file is missing" in str(failed.exception)
    assert "Fix: re-run the fold" in str(failed.exception)
