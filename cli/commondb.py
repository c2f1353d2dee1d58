"""The common database by hand: ``palfa commondb create`` and ``palfa upload RESULTS_DIR``.

Which database: ``--url`` (or ``$PALFA_COMMONDB_URL``), else the URL and credentials of a saved
``PipelineConfig`` block (``--block``, the same document the flows use), else ``commondb.url``
of the settings file. Heavy imports wait until a command runs, so ``palfa --help`` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from palfa.config.settings import PalfaSettings

if TYPE_CHECKING:
    from palfa.commondb.uploader import UploadReport

UrlOption = typer.Option(
    None, "--url", envvar="PALFA_COMMONDB_URL",
    help="sqlite:///PATH or odbc:<connection string> (default: --block, else commondb.url).",
)
BlockOption = typer.Option(
    None, "--block", help="Saved PipelineConfig block whose common-DB credentials to use.",
)


def commondb_url(settings: PalfaSettings, url: str | None, block: str | None) -> str:
    if url:
        return url
    if block:
        from blocks.config import PipelineConfig  # needs the Prefect API only when asked for

        return PipelineConfig.load(block).commondb.connection_url()
    return settings.commondb.url


def create_tables(url: str) -> list[str]:
    from palfa.commondb.upload_url import create_schema_at

    return create_schema_at(url)


def upload_directory(url: str, results_dir: Path, settings: PalfaSettings) -> UploadReport:
    from palfa.commondb.upload_url import upload_results_dir
    from palfa.commondb.version import pipeline_version

    version = pipeline_version(settings.upload.version_num, settings.searching.engine == "presto")
    return upload_results_dir(url, results_dir, settings.basic.institution,
                              settings.basic.pipeline, version)


def report_table(report: UploadReport) -> Table:
    table = Table(title=f"{report.obs_name}: verified and committed")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, str(rows))
    share = report.verify_seconds / report.seconds if report.seconds else 0.0
    table.caption = (f"{report.bytes_stored / 2**20:.2f} MiB of files; {report.seconds:.2f} s, "
                     f"{share:.0%} of it verifying" + ("; replaced the earlier upload"
                                                       if report.replaced else ""))
    return table
