"""upload_flow on a processed beam: into the embedded common DB and into PostgreSQL over psqlODBC,
all or nothing; a bad beam fails its job, a dropped connection leaves it for the next run."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imsave
from sqlmodel import Session

from flows.pipeline import beam_of
from flows.upload import upload_flow
from palfa.commondb import connect, count_rows, list_candidates
from palfa.commondb.diagnostic_types import KNOWN_DIAGNOSTICS
from palfa.commondb.upload_url import create_schema_at
from palfa.jobtracker.models import File, Job, JobSubmit
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.psrfits.reader import read_header
from palfa.search.results import BeamResults, Candidate, write_results
from palfa.simulate import simulate_survey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared pgserver helper
from pgserver import create_empty_database, psqlodbc_url, running_postgres, skip_or_fail

CANDIDATES = [Candidate(period_s=0.0893, dm=67.9, sigma=14.2, snr=25.0, numharm=4, num_hits=3,
                        folded=True, plot="cand1.png"),
              Candidate(period_s=1.2345, dm=210.5, sigma=9.1)]


def processed_submission(settings, tmp_path: Path) -> tuple[JobTracker, int, Path]:
    """A beam's files tracked as ``added``, its job searched: returns tracker, submit id, results."""
    (beam,) = simulate_survey(settings.download.datadir, nbeams=1, seed=3, nsamp=2**14, nbits=4)
    tracker = JobTracker(settings.background.jobtracker_db)
    tracker.add_files([NewFile(str(p)) for p in beam.files], status="added")
    tracker.create_jobs(beam_of, files_per_job=2)
    claim = tracker.claim_job_for_submit()
    results = tmp_path / "results" / beam.obs_name
    results.mkdir(parents=True)
    imsave(results / "cand1.png", np.eye(8))  # a real (tiny) PNG fold plot
    write_results(results, BeamResults(read_header(beam.files), CANDIDATES, {"Num cands": 2}))
    tracker.record_queue_submission(claim.submit.id, "flow-run-id", str(results))
    tracker.transition(JobSubmit, claim.submit.id, "processed", "search completed")
    return tracker, claim.submit.id, results


def committed(settings) -> tuple[dict[str, int], list]:
    conn, _dialect = connect(settings.commondb.url)
    try:
        return count_rows(conn), list_candidates(conn)
    finally:
        conn.close()


def test_processed_beam_is_uploaded_and_raw_data_deleted(make_settings, save_config, tmp_path):
    settings = make_settings(basic={"delete_rawdata": True}, upload={"version_num": "test-1"})
    tracker, _submit_id, results = processed_submission(settings, tmp_path)
    raw = [Path(f.filename) for f in tracker.with_status(File)]

    assert upload_flow(save_config(settings)) == {"uploaded": 1, "upload_failed": 0, "deferred": 0}

    counts = tracker.counts_by_status()
    assert counts["job_submits"] == {"uploaded": 1} and counts["jobs"] == {"uploaded": 1}
    assert counts["files"] == {"deleted": 2}
    assert not any(p.exists() for p in raw)
    rows, listed = committed(settings)
    (job,) = tracker.with_status(Job)
    obs_name = job.obs_name
    assert [(c.obs_name, c.rank, c.period_s, c.dm) for c in listed] == [
        (obs_name, 1, 0.0893, 67.9), (obs_name, 2, 1.2345, 210.5)]
    assert rows["headers"] == 1 and rows["candidate_plots"] == 1
    assert (results / "cand1.png").is_file()  # results stay; only raw data are freed


def test_broken_results_fail_the_job_and_store_nothing(make_settings, save_config, tmp_path):
    settings = make_settings(basic={"delete_rawdata": True})
    tracker, submit_id, results = processed_submission(settings, tmp_path)
    (results / "cand1.png").unlink()

    assert upload_flow(save_config(settings)) == {"uploaded": 0, "upload_failed": 1, "deferred": 0}

    counts = tracker.counts_by_status()
    assert counts["job_submits"] == {"upload_failed": 1} and counts["jobs"] == {"failed": 1}
    assert counts["files"] == {"added": 2}  # kept for the job's next attempt
    assert "cand1.png" in tracker.get(JobSubmit, submit_id).details
    rows, listed = committed(settings)
    assert listed == [] and rows == {**dict.fromkeys(rows, 0),
                                     "diagnostic_types": len(KNOWN_DIAGNOSTICS)}


def test_unexpected_crash_hands_the_claim_back(make_settings, save_config, tmp_path):
    settings = make_settings()
    tracker, submit_id, _results = processed_submission(settings, tmp_path)
    with Session(tracker.engine) as session:  # a bookkeeping slip no uploader can act on
        session.get_one(JobSubmit, submit_id).output_dir = None
        session.commit()

    with pytest.raises(TypeError):
        upload_flow(save_config(settings))

    counts = tracker.counts_by_status()
    assert counts["job_submits"] == {"processed": 1} and counts["jobs"] == {"processed": 1}
    assert "upload interrupted (TypeError" in tracker.get(JobSubmit, submit_id).details


# A server-side fault: the server ends the uploader's own session in the middle of the beam
# (as an administrator's pg_terminate_backend or a crashed backend would).
DROP_CONNECTION_TRIGGER = """
CREATE FUNCTION drop_connection() RETURNS trigger AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER drop_connection AFTER INSERT ON diagnostics_numeric
FOR EACH ROW EXECUTE FUNCTION drop_connection();
"""


@pytest.fixture(scope="module")
def postgres_commondb():
    """A PostgreSQL common DB (schema created): its psqlODBC URL and its psycopg URL."""
    import pyodbc

    if "PostgreSQL Unicode" not in pyodbc.drivers():
        skip_or_fail("no 'PostgreSQL Unicode' ODBC driver: apt-get install -y odbc-postgresql")
    with running_postgres() as server:
        database = create_empty_database(server, "commondb")
        create_schema_at(psqlodbc_url(database))
        yield psqlodbc_url(database), database.replace("postgresql+psycopg://", "postgresql://")


def test_dropped_connection_defers_the_beam_without_costing_an_attempt(
    make_settings, save_config, tmp_path, postgres_commondb
):
    import psycopg

    odbc_url, admin_url = postgres_commondb
    settings = make_settings(basic={"delete_rawdata": True}, commondb={"url": odbc_url},
                             upload={"version_num": "test-1"})
    tracker, submit_id, _results = processed_submission(settings, tmp_path)
    block = save_config(settings)
    with closing(psycopg.connect(admin_url, autocommit=True)) as admin:
        admin.execute(DROP_CONNECTION_TRIGGER)

        assert upload_flow(block) == {"uploaded": 0, "upload_failed": 0, "deferred": 1}

        counts = tracker.counts_by_status()
        assert counts["job_submits"] == {"processed": 1} and counts["jobs"] == {"processed": 1}
        assert counts["files"] == {"added": 2}  # raw data kept until a verified upload
        assert "upload deferred" in tracker.get(JobSubmit, submit_id).details
        rows, listed = committed(settings)
        assert listed == [] and rows["headers"] == rows["diagnostics_numeric"] == 0
        admin.execute("DROP TRIGGER drop_connection ON diagnostics_numeric")

    assert upload_flow(block) == {"uploaded": 1, "upload_failed": 0, "deferred": 0}

    counts = tracker.counts_by_status()
    assert counts["job_submits"] == {"uploaded": 1} and counts["jobs"] == {"uploaded": 1}
    assert counts["files"] == {"deleted": 2}
    rows, listed = committed(settings)
    assert rows["headers"] == 1 and [c.rank for c in listed] == [1, 2]
