"""A queue that runs each beam search in this process at submission: for ``--local`` work and
machines with no work pool. Its runs have ended by the time ``submit`` returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect.client.schemas.objects import State

from flows.beam_search import beam_search_flow
from palfa.errors import QueueError
from palfa.queue.interface import PipelineQueueManager, QueueStatus


class InProcessQueue(PipelineQueueManager):
    def __init__(self, parameters: dict[str, Any] | None = None) -> None:
        self.parameters = dict(parameters or {})
        self._states: dict[str, State] = {}

    def submit(self, files: list[str], outdir: Path, obs_name: str) -> str:
        state = beam_search_flow(files=list(files), outdir=str(outdir), obs_name=obs_name,
                                 **self.parameters, return_state=True)
        queue_id = str(state.state_details.flow_run_id)
        self._states[queue_id] = state
        return queue_id

    def can_submit(self) -> bool:
        return True

    def is_running(self, queue_id: str) -> bool:
        self._state(queue_id)
        return False

    def delete(self, queue_id: str) -> None:
        raise QueueError(f"in-process run {queue_id}", "has already ended (it ran inside submit)",
                         "nothing to stop")

    def status(self) -> QueueStatus:
        return QueueStatus(running=0, queued=0)

    def had_errors(self, queue_id: str) -> bool:
        return not self._state(queue_id).is_completed()

    def get_errors(self, queue_id: str) -> str:
        state = self._state(queue_id)
        return "" if state.is_completed() else f"{state.name}: {state.message}"

    def _state(self, queue_id: str) -> State:
        if queue_id not in self._states:
            raise QueueError(f"in-process run {queue_id}", "was not submitted by this process",
                             "follow it with the Prefect queue (palfa status)")
        return self._states[queue_id]
