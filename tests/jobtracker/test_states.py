"""Every status machine, driven through the tracker: each legal move works, each illegal one is
refused with IllegalTransition and leaves the row (and any row it drags along) unchanged."""

from __future__ import annotations

import itertools
from collections import deque

import pytest

from palfa.errors import IllegalTransition
from palfa.jobtracker import (
    MACHINES,
    DownloadAttempt,
    File,
    Job,
    JobSubmit,
    JobTracker,
    NewFile,
    Request,
)

MODELS = {m.__tablename__: m for m in (Request, File, DownloadAttempt, Job, JobSubmit)}
_names = itertools.count()


def _new_row(tracker: JobTracker, table: str, initial: str) -> int:
    """A fresh row of ``table`` in one of its initial states, made the way the pipeline makes it."""
    name = f"beam{next(_names)}.fits"
    if table == "requests":
        return tracker.add_request(name, numrequested=2, file_type="mock").id
    if table == "files":
        return tracker.add_files([NewFile(f"/data/{name}")], status=initial)[0].id
    if table == "download_attempts":
        tracker.add_files([NewFile(f"/data/{name}")])
        return tracker.claim_file_for_download().attempt.id
    tracker.add_files([NewFile(f"/data/{name}")], status="added")
    job = tracker.create_jobs(lambda n: n if n == name else None, files_per_job=1)[0]
    if table == "jobs":
        return job.id
    return tracker.claim_job_for_submit().submit.id


def _path(table: str, start: str, goal: str) -> list[str] | None:
    moves = MACHINES[table].moves
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for nxt in sorted(moves.get(state, ())):
            if nxt not in came_from:
                came_from[nxt] = state
                queue.append(nxt)
    if goal not in came_from:
        return None
    path = [goal]
    while came_from[path[-1]] is not None:
        path.append(came_from[path[-1]])
    return path[::-1][1:]


def _row_in_state(tracker: JobTracker, table: str, state: str) -> int:
    for initial in sorted(MACHINES[table].initial):
        path = _path(table, initial, state)
        if path is not None:
            row_id = _new_row(tracker, table, initial)
            for step in path:
                tracker.transition(MODELS[table], row_id, step, f"to {step}")
            assert tracker.get(MODELS[table], row_id).status == state
            return row_id
    raise AssertionError(f"{table}: '{state}' is unreachable")


LEGAL = [
    (table, src, dst)
    for table, machine in MACHINES.items()
    for src, targets in machine.moves.items()
    for dst in sorted(targets)
]
ALL_STATES = [(table, s) for table, m in MACHINES.items() for s in sorted(m.states)]


def test_every_state_is_reachable_and_machines_cover_the_tables():
    assert set(MACHINES) == set(MODELS)
    for table, machine in MACHINES.items():
        reachable = set(machine.initial)
        for initial in machine.initial:
            reachable |= {s for s in machine.states if _path(table, initial, s) is not None}
        assert reachable == machine.states, table


@pytest.mark.parametrize(("table", "src", "dst"), LEGAL, ids=["-".join(m) for m in LEGAL])
def test_legal_move(tracker, table, src, dst):
    model = MODELS[table]
    row_id = _row_in_state(tracker, table, src)
    before = tracker.get(model, row_id)
    moved = tracker.transition(model, row_id, dst, "legal move")
    assert moved.status == dst
    stored = tracker.get(model, row_id)
    assert (stored.status, stored.details) == (dst, "legal move")
    assert stored.updated_at >= before.updated_at
    assert stored.created_at == before.created_at


def _dragged(tracker: JobTracker, model, row_id: int):
    row = tracker.get(model, row_id)
    if isinstance(row, DownloadAttempt):
        return tracker.get(File, row.file_id).model_dump()
    if isinstance(row, JobSubmit):
        return tracker.get(Job, row.job_id).model_dump()
    return None


@pytest.mark.parametrize(("table", "src"), ALL_STATES, ids=["-".join(s) for s in ALL_STATES])
def test_illegal_moves_are_refused_and_change_nothing(tracker, table, src):
    machine, model = MACHINES[table], MODELS[table]
    row_id = _row_in_state(tracker, table, src)
    before = tracker.get(model, row_id).model_dump()
    dragged_before = _dragged(tracker, model, row_id)
    illegal = [*sorted(machine.states - machine.allowed(src)), "no_such_status"]
    for dst in illegal:
        with pytest.raises(IllegalTransition) as refused:
            tracker.transition(model, row_id, dst, "illegal move")
        message = str(refused.value)
        assert f"{table} row {row_id}" in message
        assert f"'{dst}'" in message
        if dst in machine.states:
            assert f"from '{src}'" in message
            for allowed in machine.allowed(src):
                assert allowed in message
        assert tracker.get(model, row_id).model_dump() == before
        assert _dragged(tracker, model, row_id) == dragged_before


def test_attempt_drags_its_file_along(tracker):
    tracker.add_files([NewFile("/data/a.fits")])
    claim = tracker.claim_file_for_download()
    tracker.transition(DownloadAttempt, claim.attempt.id, "complete", bytes_transferred=123)
    assert tracker.get(File, claim.file.id).status == "unverified"
    tracker.transition(DownloadAttempt, claim.attempt.id, "verification_failed", "size differs")
    file = tracker.get(File, claim.file.id)
    assert (file.status, file.details) == ("failed", "size differs")
    assert tracker.get(DownloadAttempt, claim.attempt.id).bytes_transferred == 123


def test_submit_drags_its_job_but_not_out_of_a_final_state(tracker):
    tracker.add_files([NewFile("/data/b.fits")], status="added")
    tracker.create_jobs(lambda n: "b", files_per_job=1)
    claim = tracker.claim_job_for_submit()
    tracker.transition(Job, claim.job.id, "terminal_failure", "killed")
    tracker.transition(JobSubmit, claim.submit.id, "processed", "finished anyway")
    assert tracker.get(JobSubmit, claim.submit.id).status == "processed"
    assert tracker.get(Job, claim.job.id).status == "terminal_failure"
