"""The process worker that cluster nodes run: each flow run still in a process of its own, but
forked from an interpreter that imported Prefect and the flows' libraries when the worker started.

It polls the ``process`` work pool like ``prefect worker start --type process`` (same job
template, same variables, same UI), so either worker can serve the pool; only the start of a
run's process differs (``workers.fork_starter``), and a slot that frees is offered to the next
queued run at once rather than at the next poll. Started by ``deployments/worker.sh``:

    python -m workers.preloaded --pool palfa-pool --limit 1 [--name NAME] [--preload MODULE ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
from pathlib import Path
from types import FrameType

import anyio
import anyio.abc
import httpx
from prefect import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import ObjectNotFound
from prefect.flows import load_flow_from_flow_run
from prefect.runner._flow_run_executor import FlowRunExecutionResult, FlowRunExecutorContext
from prefect.runner._process_manager import ProcessHandle
from prefect.settings import PREFECT_API_URL, PREFECT_WORKER_HEARTBEAT_SECONDS
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker, ProcessWorkerResult

from palfa.errors import PalfaError
from workers.fork_starter import ForkedEngineStarter, start_fork_server

DEFAULT_PRELOAD = ("flows.beam_search",)  # the flow the pool runs once per beam, and its imports


class PreloadedProcessWorker(ProcessWorker):
    """``ProcessWorker`` (pool type ``process``) whose runs are forked from a preloaded server."""

    _description = "Process worker whose flow-run processes are forked with their imports done."

    @classmethod
    def __dispatch_key__(cls) -> str:
        return "palfa-preloaded-process"  # keeps Prefect's own "process" worker registered as is

    async def run(self, flow_run: FlowRun, configuration: ProcessJobConfiguration,
                  task_status: anyio.abc.TaskStatus[int] | None = None) -> ProcessWorkerResult:
        started = task_status or anyio.TASK_STATUS_IGNORED
        execution: FlowRunExecutionResult | None = None
        async with FlowRunExecutorContext() as context:
            starter = ForkedEngineStarter(env=configuration.env, cwd=configuration.working_dir,
                                          control_channel=context.control_channel)
            executor = context.create_executor(flow_run, starter, resolve_flow=load_flow_from_flow_run,
                                               propose_submitting=False)

            async def execute(*, task_status: anyio.abc.TaskStatus[ProcessHandle]) -> None:
                nonlocal execution
                execution = await executor.submit(task_status=task_status)

            async with anyio.create_task_group() as group:
                handle: ProcessHandle = await group.start(execute)
                started.started(handle.pid)
        if execution is None or execution.status_code is None:
            raise RuntimeError(f"flow run {flow_run.id}: its process did not start or left no exit code")
        # the run's slot frees as this returns: ask for the next run then, not at the next poll
        self._runs_task_group.start_soon(self._poll_now)
        return ProcessWorkerResult(status_code=execution.status_code, identifier=str(execution.handle.pid))

    async def _poll_now(self) -> None:
        try:
            await self.get_and_submit_flow_runs()
        except Exception:  # the regular poll (PREFECT_WORKER_QUERY_SECONDS) tries again
            self._logger.debug("polling for the next flow run failed", exc_info=True)


def _findable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing
        return False


def check_setup(pool: str, preload: list[str]) -> None:
    """Refuse to start on modules it cannot preload or a pool it cannot serve (PalfaError)."""
    missing = [name for name in preload if not _findable(name)]
    if missing:
        raise PalfaError(f"--preload {' '.join(missing)}", f"not importable from {Path.cwd()}",
                         "start the worker in the pipeline checkout (cd $PALFA_HOME), or name "
                         "importable modules")
    api = PREFECT_API_URL.value()
    if not api:  # else Prefect would start a temporary server of its own, with no pool
        raise PalfaError("PREFECT_API_URL", "not set", "export PREFECT_API_URL=http://SERVER:4200/api")
    try:
        with get_client(sync_client=True) as client:
            pool_type = client.read_work_pool(pool).type
    except ObjectNotFound:
        raise PalfaError(f"work pool {pool}", f"not found on {api}",
                         f"prefect work-pool create {pool} --type process "
                         "--base-job-template deployments/palfa-pool.json") from None
    except httpx.HTTPError as exc:
        raise PalfaError(f"Prefect API {api}", f"unreachable ({exc})",
                         "start the server, or set PREFECT_API_URL to it") from None
    if pool_type != ProcessWorker.type:
        raise PalfaError(f"work pool {pool}", f"is a {pool_type!r} pool, this worker serves "
                         f"{ProcessWorker.type!r} pools", "name the palfa process pool (--pool)")


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the worker stops its runs' processes on the way out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers.preloaded", description=__doc__.splitlines()[0])
    parser.add_argument("--pool", required=True, help="the process work pool to poll (palfa-pool)")
    parser.add_argument("--name", help="worker name shown in the UI (default: a random one)")
    parser.add_argument("--limit", type=int, default=1, help="flow runs at once (default 1)")
    parser.add_argument("--preload", nargs="*", default=list(DEFAULT_PRELOAD),
                        help="modules the fork server imports (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error(f"--limit {args.limit}: must be at least 1")
    try:
        check_setup(args.pool, args.preload)
    except PalfaError as exc:
        sys.exit(f"error: {exc}")
    start_fork_server(args.preload)
    worker = PreloadedProcessWorker(work_pool_name=args.pool, name=args.name, limit=args.limit,
                                    create_pool_if_not_found=False,  # never one with the wrong template
                                    heartbeat_interval_seconds=PREFECT_WORKER_HEARTBEAT_SECONDS.value())
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        anyio.run(worker.start)
    except KeyboardInterrupt:
        print(f"worker {worker.name!r} stopped", file=sys.stderr)


if __name__ == "__main__":
    main()
