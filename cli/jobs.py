"""``palfa jobs kill|stop`` and ``palfa reprocess``: the operator's hands on the job pooler."""

from __future__ import annotations

import json

import typer

from cli.common import console

jobs_app = typer.Typer(help="Kill jobs, stop queued searches (manual 4.3.2).", no_args_is_help=True)

BlockOpt = typer.Option("palfa", "--block", "-b", envvar="PALFA_BLOCK",
                        help="Saved PipelineConfig block (settings and credentials).")


def _queue_and_tracker(block: str):
    from blocks.config import load_config
    from flows.pooler import queue_for
    from palfa.jobtracker.tracker import JobTracker

    config = load_config(block)
    return config, queue_for(config, block), JobTracker(config.settings.background.jobtracker_db)


@jobs_app.command("kill")
def kill(ids: list[int] = typer.Argument(None, help="Job ids."),
         files: list[str] = typer.Option([], "--file", "-f", help="A file of a job to kill."),
         block: str = BlockOpt) -> None:
    """Mark jobs terminal_failure, stop their runs and delete their raw files (if configured)."""
    from palfa.errors import PalfaError
    from palfa.queue.operator import job_of_file, kill_job

    config, queue, tracker = _queue_and_tracker(block)
    wanted = list(ids or []) + [job_of_file(tracker, name).id for name in files]
    if not wanted:
        raise PalfaError("palfa jobs kill", "no job given", "give job ids or --file FILE")
    for job_id in wanted:
        job = kill_job(tracker, queue, job_id, config.settings.basic.delete_rawdata)
        console.print(f"job {job.id} ({job.obs_name}): terminal_failure")


@jobs_app.command("stop")
def stop(queue_ids: list[str] = typer.Argument(..., help="Queue ids (flow-run ids)."),
         fail: bool = typer.Option(False, "--fail", "-f", help="Count it as a failed attempt."),
         block: str = BlockOpt) -> None:
    """Remove running searches from the queue; by default the job is retried without losing an
    attempt (--fail: it counts as failed)."""
    from palfa.queue.operator import stop_submission

    _config, queue, tracker = _queue_and_tracker(block)
    for queue_id in queue_ids:
        submit = stop_submission(tracker, queue, queue_id, fail)
        console.print(f"submission {submit.id} (job {submit.job_id}): {submit.status}")


def _parse_params(pairs: list[str]) -> dict:
    from palfa.errors import PalfaError

    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise PalfaError(f"--param {pair!r}", "is not KEY=VALUE", "write it as --param key=value")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def reprocess(beam: str = typer.Argument(..., help="Beam name or job id."),
              engine: str | None = typer.Option(None, help="Search engine (embedded or presto)."),
              param: list[str] = typer.Option([], "--param", "-p", help="Beam-search parameter KEY=VALUE."),
              local: bool = typer.Option(False, help="Search here, not on the work pool."),
              block: str = BlockOpt) -> None:
    """Search an uploaded or abandoned beam again; the job tracker follows the new submission."""
    from blocks.config import load_config
    from flows.reprocess import reprocess as run_reprocess

    submit = run_reprocess(load_config(block), block, beam, engine, _parse_params(param), local=local)
    console.print(f"job {submit.job_id}: submission {submit.id} {submit.status}, "
                  f"queue id {submit.queue_id}, results in {submit.output_dir}")
