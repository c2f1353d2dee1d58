"""The tracker's operations, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from palfa.errors import IllegalTransition, PalfaError
from palfa.jobtracker import (
    DownloadAttempt,
    File,
    Job,
    JobSubmit,
    JobTracker,
    NewFile,
    Request,
)


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def any_tracker(request):
    tracker = JobTracker(request.getfixturevalue(request.param))
    yield tracker
    tracker.close()


def _beam(name: str) -> str | None:
    """p2030 Mock files: the two halves of a beam share everything but the s0/s1 part."""
    parts = name.split(".")
    return None if len(parts) < 3 else ".".join(parts[:-2])


def _mock_files(*beams: str, halves=(0, 1)) -> list[NewFile]:
    return [
        NewFile(f"/data/{beam}.s{h}.fits", f"guid/{beam}.s{h}.fits", 100, "mock")
        for beam in beams
        for h in halves
    ]


def test_request_lifecycle(any_tracker):
    request = any_tracker.add_request("abc123", numrequested=4, file_type="mock", bits=4)
    assert (request.status, request.numrequested, request.bits) == ("waiting", 4, 4)
    with pytest.raises(PalfaError, match="restore request abc123: already tracked"):
        any_tracker.add_request("abc123", numrequested=1, file_type="mock")
    finished = any_tracker.finish_request(request.id, size=4096, details="4 files ready")
    assert (finished.status, finished.size, finished.details) == ("finished", 4096, "4 files ready")
    assert any_tracker.get(Request, request.id).size == 4096
    with pytest.raises(IllegalTransition, match="from 'finished' to 'failed'"):
        any_tracker.fail_request(request.id, "too late")


def test_duplicate_files_are_refused_whole_batch(any_tracker):
    request = any_tracker.add_request("g1", numrequested=1, file_type="mock")
    first = any_tracker.add_files(_mock_files("b1"), request.id)
    assert [f.request_id for f in first] == [request.id, request.id]
    again = [NewFile("/data/fresh.fits"), NewFile("/data/b1.s1.fits")]
    with pytest.raises(PalfaError) as refused:
        any_tracker.add_files(again)
    assert "file /data/b1.s1.fits: already tracked as files row" in str(refused.value)
    assert "Fix:" in str(refused.value)
    with pytest.raises(PalfaError, match="given more than once"):
        any_tracker.add_files([NewFile("/data/x.fits"), NewFile("/data/x.fits")])
    assert [f.filename for f in any_tracker.with_status(File)] == [f.filename for f in first]


def test_added_files_need_an_initial_status(any_tracker):
    with pytest.raises(PalfaError, match="files status 'downloaded'"):
        any_tracker.add_files([NewFile("/data/y.fits")], status="downloaded")


def test_create_jobs_groups_complete_beams_only(any_tracker):
    any_tracker.add_files(_mock_files("p2030.b0", "p2030.b1"), status="added")
    any_tracker.add_files(_mock_files("p2030.b2", halves=(0,)), status="added")  # half a beam
    any_tracker.add_files([NewFile("/data/notes.txt")], status="added")  # no beam at all
    any_tracker.add_files(_mock_files("p2030.b3"))  # not downloaded yet
    jobs = any_tracker.create_jobs(_beam, files_per_job=2)
    assert sorted(j.obs_name for j in jobs) == ["p2030.b0", "p2030.b1"]
    assert all(j.status == "new" for j in jobs)
    for job in jobs:
        names = [f.filename for f in any_tracker.files_of_job(job.id)]
        assert names == [f"/data/{job.obs_name}.s0.fits", f"/data/{job.obs_name}.s1.fits"]
    assert any_tracker.create_jobs(_beam, files_per_job=2) == []  # files are used once only
    any_tracker.add_files(_mock_files("p2030.b2", halves=(1,)), status="added")
    assert [j.obs_name for j in any_tracker.create_jobs(_beam, files_per_job=2)] == ["p2030.b2"]


def test_download_claims_retries_and_give_up(any_tracker):
    any_tracker.add_files(_mock_files("b9", halves=(0,)))
    claim = any_tracker.claim_file_for_download()
    assert (claim.file.status, claim.attempt.status) == ("downloading", "downloading")
    assert claim.attempt.file_id == claim.file.id
    assert any_tracker.claim_file_for_download() is None
    any_tracker.transition(DownloadAttempt, claim.attempt.id, "download_failed", "connection reset")
    assert [f.status for f in any_tracker.retry_failed_files(max_attempts=2)] == ["retrying"]
    second = any_tracker.claim_file_for_download()
    assert second.file.id == claim.file.id and second.attempt.id != claim.attempt.id
    any_tracker.transition(DownloadAttempt, second.attempt.id, "unknown", "downloader died")
    assert [f.status for f in any_tracker.retry_failed_files(max_attempts=2)] == ["terminal_failure"]
    assert any_tracker.claim_file_for_download() is None
    assert any_tracker.counts_by_status()["download_attempts"] == {"download_failed": 1, "unknown": 1}


def test_job_submit_process_upload_cycle(any_tracker):
    any_tracker.add_files(_mock_files("p2030.b5"), status="added")
    [job] = any_tracker.create_jobs(_beam, files_per_job=2)
    claim = any_tracker.claim_job_for_submit()
    assert (claim.job.id, claim.job.status, claim.submit.status) == (job.id, "submitted", "running")
    assert [f.filename for f in claim.files] == ["/data/p2030.b5.s0.fits", "/data/p2030.b5.s1.fits"]
    assert any_tracker.claim_job_for_submit() is None
    queued = any_tracker.record_queue_submission(claim.submit.id, "flow-run-7", "/results/b5")
    assert (queued.queue_id, queued.output_dir) == ("flow-run-7", "/results/b5")
    assert any_tracker.claim_submit_for_upload() is None  # still running
    any_tracker.transition(JobSubmit, claim.submit.id, "processed", "search finished")
    assert any_tracker.get(Job, job.id).status == "processed"
    upload = any_tracker.claim_submit_for_upload()
    assert (upload.job.id, upload.submit.status) == (job.id, "uploading")
    assert any_tracker.claim_submit_for_upload() is None
    any_tracker.transition(JobSubmit, upload.submit.id, "uploaded", "12 candidates")
    assert any_tracker.get(Job, job.id).status == "uploaded"
    for file in any_tracker.files_of_job(job.id):
        assert any_tracker.transition(File, file.id, "deleted", "uploaded").status == "deleted"


def test_stopped_submissions_do_not_count_towards_retries(any_tracker):
    any_tracker.add_files(_mock_files("p2030.b6"), status="added")
    [job] = any_tracker.create_jobs(_beam, files_per_job=2)
    stopped = any_tracker.claim_job_for_submit()
    any_tracker.transition(JobSubmit, stopped.submit.id, "stopped", "removed from queue")
    assert any_tracker.get(Job, job.id).status == "retrying"
    failed = any_tracker.claim_job_for_submit()
    any_tracker.transition(JobSubmit, failed.submit.id, "processing_failed", "segfault")
    assert any_tracker.get(Job, job.id).status == "failed"
    assert [j.status for j in any_tracker.retry_failed_jobs(max_attempts=2)] == ["retrying"]
    last = any_tracker.claim_job_for_submit()
    any_tracker.transition(JobSubmit, last.submit.id, "submission_failed", "queue full")
    assert [j.status for j in any_tracker.retry_failed_jobs(max_attempts=2)] == ["terminal_failure"]


def test_killed_job_is_not_uploaded(any_tracker):
    any_tracker.add_files(_mock_files("p2030.b7"), status="added")
    any_tracker.create_jobs(_beam, files_per_job=2)
    claim = any_tracker.claim_job_for_submit()
    any_tracker.transition(Job, claim.job.id, "terminal_failure", "killed by operator")
    any_tracker.transition(JobSubmit, claim.submit.id, "processed", "finished anyway")
    assert any_tracker.claim_submit_for_upload() is None


def test_counts_and_queries_by_status(any_tracker):
    any_tracker.add_files(_mock_files("b1", "b2"))
    any_tracker.add_files(_mock_files("b3"), status="added")
    any_tracker.claim_file_for_download()
    counts = any_tracker.counts_by_status()
    assert counts["files"] == {"added": 2, "downloading": 1, "new": 3}
    assert counts["jobs"] == {} and counts["requests"] == {}
    assert [f.filename for f in any_tracker.with_status(File, "added", "downloading")] == [
        "/data/b1.s0.fits",
        "/data/b3.s0.fits",
        "/data/b3.s1.fits",
    ]
    with pytest.raises(PalfaError, match="files status 'finished': no such status"):
        any_tracker.with_status(File, "finished")


def test_bad_rows_and_columns_are_named(any_tracker):
    with pytest.raises(PalfaError, match="jobs row 42: does not exist"):
        any_tracker.transition(Job, 42, "submitted")
    request = any_tracker.add_request("g2", numrequested=1, file_type="mock")
    with pytest.raises(PalfaError, match="requests column status: cannot be set"):
        any_tracker.transition(Request, request.id, "finished", status="failed")
    assert any_tracker.get(Request, request.id).status == "waiting"


def test_timestamps_are_utc(any_tracker):
    request = any_tracker.add_request("g3", numrequested=1, file_type="mock")
    stored = any_tracker.get(Request, request.id)
    assert stored.created_at.utcoffset().total_seconds() == 0
    assert stored.created_at == request.created_at


def test_register_restore_moves_files_and_request_together(any_tracker):
    request = any_tracker.add_request("g-ok", numrequested=1, file_type="mock")
    rows = any_tracker.register_restore(request.id, _mock_files("b1"), details="2 staged")
    assert [r.status for r in rows] == ["new", "new"]
    done = any_tracker.get(Request, request.id)
    assert (done.status, done.size) == ("finished", 200)


def test_register_restore_leaves_nothing_half_done(any_tracker):
    any_tracker.add_files(_mock_files("b1", halves=(1,)))
    request = any_tracker.add_request("g-clash", numrequested=1, file_type="mock")
    with pytest.raises(PalfaError, match="already tracked"):
        any_tracker.register_restore(request.id, _mock_files("b1"))
    assert any_tracker.get(Request, request.id).status == "waiting"
    assert len(any_tracker.with_status(File)) == 1


def test_only_stale_requests_fail(any_tracker):
    old = any_tracker.add_request("g-old", numrequested=1, file_type="mock")
    assert any_tracker.fail_stale_requests(timeout_s=3600) == []
    failed = any_tracker.fail_stale_requests(timeout_s=0)
    assert [r.id for r in failed] == [old.id]
    assert any_tracker.get(Request, old.id).status == "failed"


def test_interrupted_downloads_become_unknown_and_are_retried(any_tracker):
    any_tracker.add_files(_mock_files("b1"))
    claim = any_tracker.claim_file_for_download()
    stale = any_tracker.mark_interrupted_downloads()
    assert [a.id for a in stale] == [claim.attempt.id]
    assert any_tracker.get(DownloadAttempt, claim.attempt.id).status == "unknown"
    assert any_tracker.get(File, claim.file.id).status == "failed"
    retried = any_tracker.retry_failed_files(max_attempts=3)
    assert [f.status for f in retried] == ["retrying"]
    assert any_tracker.mark_interrupted_downloads() == []
