"""restore_flow against a live local archive: staged files tracked, failures leave clean rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from flows.restore import restore_flow
from palfa.errors import ArchiveError
from palfa.jobtracker.models import File, Request, utcnow
from palfa.jobtracker.tracker import JobTracker


def test_restore_tracks_every_staged_file(make_settings, run_archive, save_config, archive_beams):
    settings = make_settings()
    with run_archive() as archive:
        staged = restore_flow(save_config(settings, archive), num_beams=2)

    tracker = JobTracker(settings.background.jobtracker_db)
    counts = tracker.counts_by_status()
    assert staged == 4
    assert counts["requests"] == {"finished": 1}
    assert counts["files"] == {"new": 4}
    (request,) = tracker.with_status(Request)
    archived = {p.name: p.stat().st_size for beam in archive_beams for p in beam.files}
    files = tracker.with_status(File)
    assert {f.remote_filename: f.size for f in files} == {
        f"{request.guid}/{name}": size for name, size in archived.items()
    }
    assert {f.filename for f in files} == {str(settings.download.datadir / n) for n in archived}
    assert all(f.request_id == request.id for f in files)
    assert request.size == sum(archived.values())
    assert not any(settings.download.datadir.iterdir())  # registered, not yet downloaded


def test_refused_restore_names_the_service_and_leaves_no_rows(make_settings, run_archive,
                                                             save_config):
    settings = make_settings()
    with run_archive(fail_restore=True) as archive, pytest.raises(ArchiveError) as caught:
        restore_flow(save_config(settings, archive), num_beams=2)

    assert f"restore service {archive.restore_url}" in str(caught.value)
    assert "refused" in str(caught.value)
    counts = JobTracker(settings.background.jobtracker_db).counts_by_status()
    assert counts["requests"] == {} and counts["files"] == {}


def test_restore_that_never_stages_ends_failed(make_settings, run_archive, save_config):
    settings = make_settings(download={"request_timeout_s": 1.0})
    with run_archive(never_stage=True) as archive, pytest.raises(ArchiveError, match="not staged"):
        restore_flow(save_config(settings, archive), num_beams=1)

    tracker = JobTracker(settings.background.jobtracker_db)
    assert tracker.counts_by_status()["requests"] == {"failed": 1}
    assert tracker.counts_by_status()["files"] == {}
    (request,) = tracker.with_status(Request)
    assert "not staged after 1 s" in request.details


def test_request_left_waiting_by_a_stopped_run_frees_its_backlog(make_settings, run_archive,
                                                                 save_config):
    settings = make_settings(download={"numrestored": 4, "request_timeout_s": 60.0})
    tracker = JobTracker(settings.background.jobtracker_db)
    orphan = tracker.add_request("guid-of-a-killed-run", 2, "mock", bits=4)
    with Session(tracker.engine) as session:  # asked for two minutes ago, then the run died
        row = session.get_one(Request, orphan.id)
        row.created_at = utcnow() - timedelta(minutes=2)
        session.commit()

    with run_archive() as archive:
        staged = restore_flow(save_config(settings, archive), num_beams=2)

    assert staged == 4  # without the cleanup the orphan's 4 files fill numrestored: 0 staged
    assert tracker.counts_by_status()["requests"] == {"failed": 1, "finished": 1}
    assert "still waiting after 60 s" in tracker.get(Request, orphan.id).details
