"""The job pooler on a real Prefect server, a process work pool and worker subprocesses."""

from __future__ import annotations

import time
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter
from prefect.client.schemas.objects import FlowRun, StateType
from prefect_cluster import POOL, kill_tree

from blocks.config import load_config
from flows.pooler import pooler_flow, queue_for
from palfa.jobtracker.models import File, JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.queue import JobPooler
from palfa.search.results import read_results
from tasks.artifacts import artifact_key


def flow_run(queue_id: str) -> FlowRun:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(queue_id))


def parent_cmdline(pid: int) -> bytes:
    ppid = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    return Path(f"/proc/{ppid}/cmdline").read_bytes()


def artifact_keys(run_id: str) -> set[str]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter())
    return {a.key for a in found if a.key and str(a.flow_run_id) == run_id}


def test_pooled_beams_run_on_the_worker_and_land_in_the_tracker(
        make_settings, save_config, workers, add_beams):
    settings = make_settings()
    beams = add_beams(settings, 2)
    block = save_config(settings)
    workers("a")

    outcome = pooler_flow(config_block=block, poll_s=0.5)

    assert outcome["submitted"] == 2 and outcome["processed"] == 2 and outcome["processing_failed"] == 0
    tracker = JobTracker(settings.background.jobtracker_db)
    counts = tracker.counts_by_status()
    assert counts["jobs"] == {"processed": 2} and counts["job_submits"] == {"processed": 2}
    by_beam = {Path(s.output_dir).parent.name: s
               for s in tracker.with_status(JobSubmit)}
    assert set(by_beam) == {b.obs_name for b in beams}
    for obs_name, submit in by_beam.items():
        run = flow_run(submit.queue_id)
        assert run.state.is_completed() and run.name == f"search-{obs_name}"
        assert run.work_pool_name == POOL and run.parameters["obs_name"] == obs_name
        assert read_results(Path(submit.output_dir)).header.obs_name == obs_name
        keys = artifact_keys(submit.queue_id)
        assert {artifact_key(f"candidates-{obs_name}"), artifact_key(f"plots-{obs_name}")} <= keys


def test_run_lost_with_its_killed_worker_is_retried_and_finishes(
        make_settings, save_config, workers, add_beams):
    settings = make_settings()
    (beam,) = add_beams(settings, 1, seed=12)
    block = save_config(settings)
    doomed = workers("doomed", limit=1)
    config = load_config(block)
    tracker = JobTracker(settings.background.jobtracker_db)
    pooler = JobPooler(tracker, queue_for(config, block), settings.jobpooler, False)
    assert pooler.run_once().submitted == 1
    (first,) = tracker.with_status(JobSubmit, "running")
    deadline = time.monotonic() + 90
    while not (flow_run(first.queue_id).infrastructure_pid or time.monotonic() > deadline):
        time.sleep(0.1)  # the worker has started the run's process
    time.sleep(1.0)
    assert flow_run(first.queue_id).state.type in (StateType.PENDING, StateType.RUNNING)
    # the run's process was forked by the worker's fork server, not started as a fresh Python
    assert b"forkserver" in parent_cmdline(int(flow_run(first.queue_id).infrastructure_pid.split(":")[-1]))
    kill_tree(doomed)
    workers("rescue")

    outcome = pooler_flow(config_block=block, poll_s=0.5)

    assert outcome["processing_failed"] == 1 and outcome["processed"] == 1
    failed, redone = tracker.with_status(JobSubmit)
    assert failed.status == "processing_failed" and "sent no heartbeat" in failed.details
    assert flow_run(failed.queue_id).state.type == StateType.CRASHED
    assert redone.status == "processed" and flow_run(redone.queue_id).state.is_completed()
    assert tracker.counts_by_status()["jobs"] == {"processed": 1}
    assert read_results(Path(redone.output_dir)).header.obs_name == beam.obs_name


def test_beam_failing_twice_is_abandoned_its_raw_data_deleted_and_mailed(
        make_settings, save_config, workers, smtp_server, add_beams):
    smtp, mailbox = smtp_server
    settings = make_settings(searching={"low_T_to_search": 20.0}, basic={"delete_rawdata": True},
                             email={"enabled": True, "recipient": "ops@example.org",
                                    "sender": "palfa@example.org"})
    (beam,) = add_beams(settings, 1, seed=13)
    block = save_config(settings, smtp)
    workers("a")

    outcome = pooler_flow(config_block=block, poll_s=0.5)

    assert outcome["processing_failed"] == 2 and outcome["terminal_failure"] == 1
    tracker = JobTracker(settings.background.jobtracker_db)
    counts = tracker.counts_by_status()
    assert counts["jobs"] == {"terminal_failure": 1}
    assert counts["job_submits"] == {"processing_failed": 2}
    assert counts["files"] == {"deleted": 2} and not any(p.exists() for p in beam.files)
    assert all(f.details == "terminal failure" for f in tracker.with_status(File))
    first, second, last = mailbox.messages
    job = tracker.with_status(JobSubmit)[0].job_id
    assert first["Subject"] == second["Subject"] == f"[PALFA] job {job} ({beam.obs_name}) failed"
    assert last["Subject"] == f"[PALFA] job {job} ({beam.obs_name}) abandoned (terminal failure)"
    for message, attempt in zip((first, second, last), (1, 2, 2), strict=True):
        body = message.get_content()
        assert message["To"] == "ops@example.org" and message["From"] == "palfa@example.org"
        assert f"Beam:     {beam.obs_name}" in body and f"Attempt:  {attempt} of 2" in body
        assert "only 2.1 s of data" in body
