"""The operator's commands against the real server: reprocess, jobs stop/kill, status."""

from __future__ import annotations

from contextlib import closing
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import StateType
from typer.testing import CliRunner

from blocks.config import load_config
from cli.main import app
from flows.pooler import pooler_flow, queue_for
from flows.upload import upload_flow
from palfa.commondb import connect, count_rows
from palfa.jobtracker.models import Job, JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.queue import JobPooler


def committed_rows(settings) -> dict[str, int]:
    conn, _dialect = connect(settings.commondb.url)
    with closing(conn):
        return count_rows(conn)


def palfa(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def state_of(queue_id: str) -> StateType:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(queue_id)).state.type


def test_reprocessing_an_uploaded_beam_submits_and_uploads_again_without_duplicates(
        make_settings, save_config, workers, add_beams):
    settings = make_settings(basic={"delete_rawdata": False})
    (beam,) = add_beams(settings, 1, seed=14)
    block = save_config(settings)
    workers("a")
    assert pooler_flow(config_block=block, poll_s=0.5)["processed"] == 1
    assert upload_flow(block)["uploaded"] == 1
    before = committed_rows(settings)

    out = palfa("reprocess", beam.obs_name, "--block", block)

    assert "submission 2 running" in out
    assert pooler_flow(config_block=block, poll_s=0.5)["processed"] == 1
    assert upload_flow(block)["uploaded"] == 1
    assert committed_rows(settings) == before and before["headers"] == 1
    tracker = JobTracker(settings.background.jobtracker_db)
    first, again = tracker.with_status(JobSubmit)
    assert first.status == again.status == "uploaded" and first.queue_id != again.queue_id
    assert again.output_dir.endswith(f"{beam.obs_name}/submit-2")
    assert tracker.counts_by_status()["jobs"] == {"uploaded": 1}
    status = palfa("status", "--config", str(settings.download.datadir.parent / "palfa.toml"))
    assert "beams uploaded, last 24 h" in status and "Failed jobs" in status


def test_stop_and_kill_queued_jobs(make_settings, save_config, add_beams):
    settings = make_settings(basic={"delete_rawdata": True})
    beams = add_beams(settings, 3, seed=15)
    block = save_config(settings)
    tracker = JobTracker(settings.background.jobtracker_db)
    pooler = JobPooler(tracker, queue_for(load_config(block), block), settings.jobpooler, True)
    assert pooler.run_once().submitted == 2  # max_jobs_queue; no worker runs them
    kept, failed = tracker.with_status(JobSubmit, "running")

    palfa("jobs", "stop", kept.queue_id, "--block", block)
    palfa("jobs", "stop", failed.queue_id, "--fail", "--block", block)

    assert tracker.get(JobSubmit, kept.id).status == "stopped"
    assert tracker.get(Job, kept.job_id).status == "retrying"  # a stop costs no attempt
    assert tracker.get(JobSubmit, failed.id).status == "processing_failed"
    assert state_of(kept.queue_id) == state_of(failed.queue_id) == StateType.CANCELLED
    untouched = next(j for j in tracker.with_status(Job) if j.id not in (kept.job_id, failed.job_id))

    palfa("jobs", "kill", str(kept.job_id), "--file", beams[2].files[0].name, "--block", block)

    for job_id in (kept.job_id, untouched.id):
        assert tracker.get(Job, job_id).status == "terminal_failure"
        assert all(f.status == "deleted" for f in tracker.files_of_job(job_id))
    gone = {f.filename for j in (kept.job_id, untouched.id) for f in tracker.files_of_job(j)}
    assert gone and not any(p.exists() for b in beams for p in b.files if str(p) in gone)
    result = CliRunner().invoke(app, ["jobs", "kill", str(kept.job_id), "--block", block])
    assert result.exit_code != 0 and "already 'terminal_failure'" in str(result.exception)
