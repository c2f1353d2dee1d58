"""Upload one beam's results to the common database (one verified transaction)."""

from __future__ import annotations

from prefect import get_run_logger, task

from blocks.config import PipelineConfig
from palfa.commondb.upload_url import upload_results_dir
from palfa.commondb.version import pipeline_version


# No task retries: when the database is unavailable the flow hands the beam back to the job
# tracker and the next upload run tries again, so no worker sleeps on a server that is down.
@task(name="upload-results", task_run_name="upload-{results_dir}")
def upload_results(config: PipelineConfig, results_dir: str) -> dict[str, int]:
    """Rows stored per table; raises UploadError (nothing committed) on any mismatch, or its
    subclass DatabaseUnavailable when the server lost the connection or gave up the transaction."""
    settings = config.settings
    version = pipeline_version(settings.upload.version_num, settings.searching.engine == "presto")
    report = upload_results_dir(config.commondb.connection_url(), results_dir,
                                settings.basic.institution, settings.basic.pipeline, version)
    get_run_logger().info("%s uploaded and verified: %s (%.2f s, %.2f s verifying)",
                          report.obs_name, report.rows, report.seconds, report.verify_seconds)
    return report.rows
