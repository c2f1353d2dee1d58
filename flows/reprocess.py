"""Reprocess one beam on request: a new beam-search run, tracked like any other submission."""

from __future__ import annotations

from typing import Any

from prefect import flow

from blocks.config import DEFAULT_BLOCK_NAME, PipelineConfig, load_config
from flows.beam_search import beam_search_flow
from flows.local_queue import InProcessQueue
from flows.prefect_queue import PrefectQueueManager
from palfa.errors import PalfaError
from palfa.jobtracker.models import JobSubmit
from palfa.jobtracker.tracker import JobTracker
from palfa.queue import JobPooler
from palfa.queue.reprocess import reprocess_job
from tasks.notify import job_failure_reporter

SET_BY_THE_POOLER = frozenset({"files", "outdir", "obs_name"})


def search_parameters(config_block: str, engine: str | None, extra: dict[str, Any]) -> dict[str, Any]:
    """Parameters of the beam-search run; refuses any the flow does not take."""
    known = set(beam_search_flow.parameters.properties) - SET_BY_THE_POOLER
    bad = sorted(set(extra) - known)
    if bad:
        raise PalfaError(f"--param {bad[0]}", "is not a parameter of the beam-search flow",
                         f"use one of: {', '.join(sorted(known))}")
    return {"config_block": config_block, **({"engine": engine} if engine else {}), **extra}


def reprocess(config: PipelineConfig, config_block: str, beam: str, engine: str | None = None,
              extra: dict[str, Any] | None = None, local: bool = False) -> JobSubmit:
    """Submit ``beam`` (name or job id) again; with ``local`` search it here and judge it now.
    Returns the new submission."""
    settings = config.settings
    parameters = search_parameters(config_block, engine, extra or {})
    queue = InProcessQueue(parameters) if local else PrefectQueueManager(
        settings.jobpooler.search_deployment, max_running=1, max_queued=1, parameters=parameters)
    tracker = JobTracker(settings.background.jobtracker_db)
    submit = reprocess_job(tracker, queue, beam, settings.jobpooler.base_results_directory)
    if local:
        JobPooler(tracker, queue, settings.jobpooler, settings.basic.delete_rawdata,
                  job_failure_reporter(config)).settle(submit)
    return tracker.get(JobSubmit, submit.id)


@flow(name="reprocess", log_prints=True)
def reprocess_flow(beam: str, config_block: str = DEFAULT_BLOCK_NAME, engine: str | None = None,
                   local: bool = False) -> str:
    """Reprocess ``beam`` (name or job id); returns the beam-search run's id. The job pooler
    follows the run (and the uploader uploads it) like any other submission."""
    return reprocess(load_config(config_block), config_block, beam, engine, local=local).queue_id
