"""Upload one beam's results to the common database (one verified transaction)."""

from __future__ import annotations

from pathlib import Path

from prefect import Task, get_run_logger, task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

import palfa
from blocks.config import PipelineConfig
from palfa.commondb import connect, create_schema, upload_beam, version_num
from palfa.commondb.connection import database_errors


def pipeline_version(config: PipelineConfig) -> str:
    """The configured version string, else one computed from the git hashes of the code."""
    return config.settings.upload.version_num or version_num(Path(palfa.__file__).parents[1])


def database_trouble(task: Task, task_run: TaskRun, state: State) -> bool:
    """Retry what the database server may fix in a moment, not results that are wrong on disk."""
    exc = state.result(raise_on_failure=False)
    errors = database_errors()
    return isinstance(exc, errors) or isinstance(getattr(exc, "__cause__", None), errors)


@task(name="upload-results", task_run_name="upload-{results_dir}", retries=1, retry_delay_seconds=10,
      retry_condition_fn=database_trouble)
def upload_results(config: PipelineConfig, results_dir: str) -> dict[str, int]:
    """Rows stored per table; raises UploadError (nothing committed) on any mismatch."""
    conn, dialect = connect(config.commondb.connection_url())
    try:
        create_schema(conn, dialect)
        report = upload_beam(conn, dialect, results_dir, config.settings.basic.institution,
                             config.settings.basic.pipeline, pipeline_version(config))
    finally:
        conn.close()
    get_run_logger().info("%s uploaded and verified: %s (%.2f s)", report.obs_name, report.rows,
                          report.seconds)
    return report.rows
