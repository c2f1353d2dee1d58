"""Four processes claiming at once never claim the same row twice, and never see 'locked'."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter

import pytest
from jobtracker.claim_worker import claim_everything

from palfa.jobtracker import Job, JobSubmit, JobTracker, NewFile

WORKERS = 4
FILES = 200
JOBS = 100
UPLOADS = 50


def _seed(url: str) -> None:
    tracker = JobTracker(url)
    tracker.add_files([NewFile(f"/data/dl{i:04d}.fits") for i in range(FILES)])
    tracker.add_files(
        [NewFile(f"/data/beam{i:04d}.s{half}.fits") for i in range(JOBS + UPLOADS) for half in (0, 1)],
        status="added",
    )
    jobs = tracker.create_jobs(lambda name: name.split(".")[0], files_per_job=2)
    assert len(jobs) == JOBS + UPLOADS
    for job in jobs[:UPLOADS]:  # the oldest are already processed, waiting for upload
        submit = tracker.claim_job_for_submit().submit
        assert submit.job_id == job.id
        tracker.transition(JobSubmit, submit.id, "processed", "seeded")
    tracker.close()


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_concurrent_claims_never_double_claim(request, backend):
    url = request.getfixturevalue(backend)
    _seed(url)
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        results = pool.map(claim_everything, [url] * WORKERS)
    elapsed = time.perf_counter() - started
    assert [r["errors"] for r in results] == [[]] * WORKERS
    for kind, expected in (("files", FILES), ("jobs", JOBS), ("uploads", UPLOADS)):
        claims = Counter(i for r in results for i in r[kind])
        assert sorted(claims.values()) == [1] * expected, f"double or missing {kind} claims"
    tracker = JobTracker(url)
    counts = tracker.counts_by_status()
    tracker.close()
    assert counts["files"] == {"downloading": FILES, "added": 2 * (JOBS + UPLOADS)}
    assert counts["download_attempts"] == {"downloading": FILES}
    assert counts["jobs"] == {"submitted": JOBS, "processed": UPLOADS}
    assert counts["job_submits"] == {"running": JOBS, "uploading": UPLOADS}
    assert Job.__tablename__ in counts
    print(f"{backend}: {FILES + JOBS + UPLOADS} claims by {WORKERS} processes in {elapsed:.2f} s")
