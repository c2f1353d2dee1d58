"""The queue-manager interface over Prefect: one deployment, one flow run per submitted beam.

Submissions are flow runs of the beam-search deployment (created with ``run_deployment`` and
``timeout=0``, so nothing waits); the queue id is the flow-run id. Runs in Scheduled (or Late)
count as queued, Pending and Running as running. A run whose worker stopped sending heartbeats
(the node died, the batch job ran out of time, someone killed the worker) would stay Running
forever: it is marked Crashed here, which is what the job pooler then sees and retries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from prefect import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateName,
    FlowRunFilterStateType,
    LogFilter,
    LogFilterFlowRunId,
    LogFilterLevel,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import LogSort
from prefect.deployments import run_deployment
from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventRelatedFilter
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError
from prefect.states import Cancelled, Cancelling, Crashed

from palfa.errors import QueueError
from palfa.queue.interface import PipelineQueueManager, QueueStatus

RUNNING = (StateType.PENDING, StateType.RUNNING, StateType.CANCELLING)
QUEUED = (StateType.SCHEDULED, StateType.PAUSED)
ERROR_LOG_LINES = 20
SUBMITTED_EVENT = "prefect.worker.submitted-flow-run"
_API_ERRORS = (httpx.HTTPError, PrefectHTTPStatusError, ObjectNotFound)
_API_FIX = "start the Prefect server, set PREFECT_API_URL, and deploy the flows (prefect deploy --all)"


class PrefectQueueManager(PipelineQueueManager):
    """Beam searches as runs of ``deployment`` (``FLOW/DEPLOYMENT``).

    ``parameters`` are added to every run's (e.g. ``config_block``, ``engine``); a run is lost when
    its worker missed ``lost_after_heartbeats`` heartbeats in a row.
    """

    def __init__(self, deployment: str, max_running: int, max_queued: int,
                 parameters: dict[str, Any] | None = None, lost_after_heartbeats: float = 3.0) -> None:
        self.deployment, self.max_running, self.max_queued = deployment, max_running, max_queued
        self.parameters = dict(parameters or {})
        self.lost_after_heartbeats = lost_after_heartbeats
        self._deployment_id: UUID | None = None
        self._worker_of: dict[UUID, str] = {}

    def submit(self, files: list[str], outdir: Path, obs_name: str) -> str:
        parameters = {**self.parameters, "files": list(files), "outdir": str(outdir), "obs_name": obs_name}
        try:
            run = run_deployment(self.deployment, parameters=parameters, timeout=0, as_subflow=False,
                                 flow_run_name=f"search-{obs_name}", tags=["palfa", "beam-search"])
        except _API_ERRORS as exc:
            raise QueueError(f"deployment {self.deployment}", f"could not submit {obs_name} ({exc})",
                             _API_FIX) from exc
        return str(run.id)

    def can_submit(self) -> bool:
        running, queued = self.status()
        return running < self.max_running and queued < self.max_queued

    def is_running(self, queue_id: str) -> bool:
        run = self._run(queue_id)
        if run.state is None or run.state.type in QUEUED:
            return True
        if run.state.type not in RUNNING:
            return False
        lost = self._lost_worker(run)
        if lost is None:
            return True
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(run.id, Crashed(message=lost), force=True)
        return False

    def delete(self, queue_id: str) -> None:
        run = self._run(queue_id)
        if run.state is not None and run.state.is_final():
            return
        started = run.state is not None and run.state.type in RUNNING
        state = Cancelling(message="stopped by the operator") if started else Cancelled(
            message="removed from the queue by the operator")
        with get_client(sync_client=True) as client:
            result = client.set_flow_run_state(run.id, state, force=True)
        if result.state is None or result.state.type != state.type:
            raise QueueError(f"flow run {queue_id}", f"refused to stop ({result.details})",
                             "cancel it in the Prefect UI (prefect flow-run cancel ID)")

    def status(self) -> QueueStatus:
        with get_client(sync_client=True) as client:
            deployments = DeploymentFilter(id=DeploymentFilterId(any_=[self._deployment(client)]))

            def count(types: tuple[StateType, ...]) -> int:
                state = FlowRunFilterState(type=FlowRunFilterStateType(any_=list(types)))
                states = FlowRunFilter(state=state)
                return client.count_flow_runs(flow_run_filter=states, deployment_filter=deployments)

            return QueueStatus(running=count(RUNNING), queued=count(QUEUED))

    def late_runs(self) -> int:
        """Queued runs past their start time: no worker is polling the pool (or all are busy)."""
        with get_client(sync_client=True) as client:
            deployments = DeploymentFilter(id=DeploymentFilterId(any_=[self._deployment(client)]))
            late = FlowRunFilter(state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Late"])))
            return client.count_flow_runs(flow_run_filter=late, deployment_filter=deployments)

    def had_errors(self, queue_id: str) -> bool:
        state = self._run(queue_id).state
        return state is None or not state.is_completed()

    def get_errors(self, queue_id: str) -> str:
        run = self._run(queue_id)
        if run.state is not None and run.state.is_completed():
            return ""
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id]), level=LogFilterLevel(ge_=40)),
                limit=ERROR_LOG_LINES, sort=LogSort.TIMESTAMP_DESC)
        state = f"{run.state.name}: {run.state.message}" if run.state else "no state"
        lines = [f"flow run {run.name} ({run.id}) {state}", *(log.message for log in reversed(logs))]
        return "\n".join(lines)

    def _run(self, queue_id: str) -> FlowRun:
        try:
            with get_client(sync_client=True) as client:
                return client.read_flow_run(UUID(queue_id))
        except ValueError as exc:
            raise QueueError(f"queue id {queue_id!r}", "is not a flow-run id",
                             "give the id palfa status or the Prefect UI shows") from exc
        except _API_ERRORS as exc:
            raise QueueError(f"flow run {queue_id}", f"cannot be read ({exc})", _API_FIX) from exc

    def _deployment(self, client) -> UUID:
        if self._deployment_id is None:
            try:
                self._deployment_id = client.read_deployment_by_name(self.deployment).id
            except _API_ERRORS as exc:
                raise QueueError(f"deployment {self.deployment}", f"not found ({exc})", _API_FIX) from exc
        return self._deployment_id

    def _lost_worker(self, run: FlowRun) -> str | None:
        """Why ``run`` is lost (its worker fell silent), or None while its worker is alive."""
        with get_client(sync_client=True) as client:
            worker_name = self._worker_of.get(run.id) or self._find_worker(client, run)
            if worker_name is None or run.work_pool_name is None:
                return None
            workers = {w.name: w for w in client.read_workers_for_work_pool(run.work_pool_name)}
        worker = workers.get(worker_name)
        if worker is None or worker.last_heartbeat_time is None:
            return None
        silent = datetime.now(UTC) - worker.last_heartbeat_time
        allowed = timedelta(seconds=self.lost_after_heartbeats * (worker.heartbeat_interval_seconds or 30))
        if silent <= allowed:
            return None
        return (f"worker '{worker_name}' of pool {run.work_pool_name} sent no heartbeat for "
                f"{silent.total_seconds():.0f} s: the run was lost with it")

    def _find_worker(self, client, run: FlowRun) -> str | None:
        since = (run.created or datetime.now(UTC)) - timedelta(minutes=1)
        page = client.read_events(EventFilter(
            occurred=EventOccurredFilter(since=since),
            event=EventNameFilter(name=[SUBMITTED_EVENT]),
            related=EventRelatedFilter(id=[f"prefect.flow-run.{run.id}"]),
        ), limit=1)
        if not page.events:
            return None
        self._worker_of[run.id] = page.events[0].resource.name
        return self._worker_of[run.id]
