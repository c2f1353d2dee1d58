"""Run in spawned processes by test_concurrency: claim until nothing is left."""

from __future__ import annotations

from palfa.jobtracker import JobTracker


def claim_everything(url: str) -> dict[str, list]:
    """Claim files, then jobs, then uploads; report what was claimed and every error raised."""
    tracker = JobTracker(url)
    claimed: dict[str, list] = {"files": [], "jobs": [], "uploads": [], "errors": []}
    try:
        while (download := tracker.claim_file_for_download()) is not None:
            claimed["files"].append(download.file.id)
        while (submit := tracker.claim_job_for_submit()) is not None:
            claimed["jobs"].append(submit.job.id)
            tracker.record_queue_submission(submit.submit.id, f"q{submit.job.id}", "/out")
        while (upload := tracker.claim_submit_for_upload()) is not None:
            claimed["uploads"].append(upload.submit.id)
    except Exception as exc:  # reported to the test, which fails on any
        claimed["errors"].append(repr(exc))
    finally:
        tracker.close()
    return claimed
