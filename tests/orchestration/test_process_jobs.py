"""process_jobs bookkeeping with the embedded engine on a tiny beam (about a second per search)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect import flow, get_client

from blocks.config import load_config
from flows.pipeline import process_jobs
from palfa.jobtracker.models import JobSubmit
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.search.results import read_results
from palfa.simulate import simulate_survey

TINY_SEARCH = {"max_dm": 20.0, "max_cands_to_fold": 1}


@flow(name="process-jobs-under-test")
def process_jobs_flow(config_block: str) -> dict[str, int]:
    return process_jobs(load_config(config_block), config_block)


def added_beam(settings) -> tuple[JobTracker, str, list[Path]]:
    """One simulated 2.1 s beam whose two files are tracked as ``added``."""
    (beam,) = simulate_survey(settings.download.datadir, nbeams=1, seed=5, nsamp=2**14, nbits=4,
                              rfi=False)
    tracker = JobTracker(settings.background.jobtracker_db)
    tracker.add_files([NewFile(str(p)) for p in beam.files], status="added")
    return tracker, beam.obs_name, list(beam.files)


def test_searched_beam_is_processed_with_its_run_recorded(make_settings, save_config):
    settings = make_settings(searching={**TINY_SEARCH, "low_T_to_search": 1.0})
    tracker, obs_name, raw = added_beam(settings)

    outcome = process_jobs_flow(save_config(settings))

    assert outcome == {"processed": 1, "processing_failed": 0, "terminal_failure": 0}
    counts = tracker.counts_by_status()
    assert counts["jobs"] == {"processed": 1} and counts["job_submits"] == {"processed": 1}
    assert counts["files"] == {"added": 2} and all(p.exists() for p in raw)
    (submit,) = tracker.with_status(JobSubmit)
    outdir = Path(submit.output_dir)
    assert outdir == settings.jobpooler.base_results_directory / obs_name / f"submit-{submit.id}"
    assert read_results(outdir).header.obs_name == obs_name
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(submit.queue_id))
    assert run.name == f"search-{obs_name}" and run.state.is_completed()


def test_failing_beam_is_retried_then_abandoned_and_freed(make_settings, save_config):
    settings = make_settings(searching=TINY_SEARCH, jobpooler={"max_attempts": 2},
                             basic={"delete_rawdata": True})  # low_T_to_search stays 20 s
    tracker, obs_name, raw = added_beam(settings)

    outcome = process_jobs_flow(save_config(settings))

    assert outcome == {"processed": 0, "processing_failed": 2, "terminal_failure": 1}
    counts = tracker.counts_by_status()
    assert counts["jobs"] == {"terminal_failure": 1}
    assert counts["job_submits"] == {"processing_failed": 2}
    assert counts["files"] == {"deleted": 2} and not any(p.exists() for p in raw)
    submits = tracker.with_status(JobSubmit)
    assert len({s.queue_id for s in submits}) == 2  # two separate beam-search runs
    assert all("only 2.1 s of data" in s.details and obs_name in s.output_dir for s in submits)


def test_a_failing_presto_program_fails_the_job_never_processes_it(make_settings, save_config,
                                                                   fake_presto, monkeypatch, tmp_path):
    monkeypatch.setenv("FAKE_PRESTO_BREAK", "rfifind:exit")
    settings = make_settings(searching={**TINY_SEARCH, "engine": "presto", "low_T_to_search": 1.0},
                             jobpooler={"max_attempts": 2})
    tracker, _, _ = added_beam(settings)

    outcome = process_jobs_flow(save_config(settings))

    assert outcome == {"processed": 0, "processing_failed": 2, "terminal_failure": 1}
    submits = tracker.with_status(JobSubmit)
    assert [s.status for s in submits] == ["processing_failed", "processing_failed"]
    for submit in submits:  # the program, its command line and its log, in the job tracker
        assert "rfifind" in submit.details and "-psrfits" in submit.details
        assert "status 3" in submit.details
        assert not (Path(submit.output_dir) / "candidates.csv").exists()
    assert tracker.counts_by_status()["jobs"] == {"terminal_failure": 1}
