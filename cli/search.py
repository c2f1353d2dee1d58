"""``palfa search``: one beam through the configured engine, with a progress bar, no server."""

from __future__ import annotations

from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import console
from palfa.config.settings import ProcessingSettings, SearchingSettings
from palfa.search.engine import get_engine
from palfa.search.results import BeamResults


def search_files(files: list[Path], outdir: Path, settings: SearchingSettings,
                 processing: ProcessingSettings) -> BeamResults:
    engine = get_engine(settings.engine, processing)
    columns = (TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("starting", total=1.0)

        def progress(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=fraction)

        results = engine.search(files, outdir, settings, progress)
        bar.update(task, description="done", completed=1.0)
    return results


def candidates_table(results: BeamResults, limit: int = 15) -> Table:
    table = Table(title=f"{results.header.obs_name}: {len(results.candidates)} candidate(s)")
    for col in ("rank", "period (ms)", "DM", "sigma", "fold S/N", "harm", "hits"):
        table.add_column(col, justify="right")
    for rank, c in enumerate(results.candidates[:limit], start=1):
        table.add_row(str(rank), f"{c.period_s * 1e3:.5f}", f"{c.dm:.2f}", f"{c.sigma:.1f}",
                      f"{c.snr:.1f}", str(c.numharm), str(c.num_hits))
    return table
