"""Flow-run processes forked from one interpreter that has already imported what runs need.

Prefect's process worker starts a fresh Python for every flow run (two, with its workspace
supervisor), and each pays again for importing Prefect and the search's libraries (numpy, scipy,
numba, astropy, matplotlib, riptide): several seconds per beam, most of a small beam's
orchestration overhead. Here a ``multiprocessing`` fork server imports them once per worker;
every flow run is still a process of its own, running what ``python -m prefect.engine`` runs, so
the worker tracks, cancels and judges it by its exit code exactly as it does a fresh one.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

import anyio
import anyio.abc
from prefect.client.schemas.objects import FlowRun
from prefect.runner._control_channel import ControlChannel
from prefect.runner._process_manager import ProcessHandle
from prefect.settings import get_current_settings
from prefect.utilities.processutils import sanitize_subprocess_env

_FORKS = multiprocessing.get_context("forkserver")


def start_fork_server(preload: list[str]) -> None:
    """Start the fork server and wait until it has imported Prefect's engine and ``preload``
    (module names), so that no run waits for it. A module that fails to import there is
    imported by each run instead (slower, same result)."""
    _FORKS.set_forkserver_preload(["prefect.engine", "prefect.flow_engine", *preload])
    ready = _FORKS.Process(target=os.getpid, name="fork-server-ready")
    ready.start()  # answered once the server has done its imports
    ready.join()


def _run_engine(env: dict[str, str], cwd: str | None) -> None:
    """In the forked process: the run's environment, then ``python -m prefect.engine``'s main."""
    from prefect.context import SettingsContext, get_settings_context
    from prefect.settings import Settings

    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["prefect.engine"]  # not the worker's: the engine takes a run id from argv first
    if cwd is not None:
        os.chdir(cwd)
    # settings were read when the fork server imported Prefect: read them again from this env
    with SettingsContext(profile=get_settings_context().profile, settings=Settings()), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'prefect.engine' found in sys.modules", RuntimeWarning)
        runpy.run_module("prefect.engine", run_name="__main__", alter_sys=False)


class ForkedEngineStarter:
    """A Prefect ``ProcessStarter`` whose processes come from the fork server.

    ``env`` is the job configuration's environment (the worker's, then the pool's and the
    deployment's job variables); the worker's Prefect settings are laid over it, as Prefect's
    own engine-command starter does.
    """

    def __init__(self, *, env: Mapping[str, str | None], cwd: Path | None,
                 control_channel: ControlChannel) -> None:
        self._env, self._cwd, self._control_channel = dict(env), cwd, control_channel

    async def start(self, flow_run: FlowRun,
                    task_status: anyio.abc.TaskStatus[ProcessHandle] = anyio.TASK_STATUS_IGNORED) -> None:
        env = {**self._env,
               **get_current_settings().to_environment_variables(exclude_unset=True),
               "PREFECT__FLOW_RUN_ID": str(flow_run.id),
               "PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"}
        registered = False
        try:  # lets a cancellation reach the engine before the SIGTERM does
            port, token = self._control_channel.register(flow_run.id)
            env |= {"PREFECT__CONTROL_PORT": str(port), "PREFECT__CONTROL_TOKEN": token}
            registered = True
        except RuntimeError:  # no loopback listener: cancellation falls back to the kill
            pass
        cwd = None if self._cwd is None else str(self._cwd)
        process = _FORKS.Process(target=_run_engine, args=(sanitize_subprocess_env(env), cwd),
                                 name=f"flow-run-{flow_run.id}")
        try:  # in a thread: a fork server that died is restarted (and re-imports) by start()
            await anyio.to_thread.run_sync(process.start)
        except BaseException:
            if registered:
                self._control_channel.unregister(flow_run.id)
            raise
        task_status.started(ProcessHandle(process))
        await anyio.to_thread.run_sync(process.join)
