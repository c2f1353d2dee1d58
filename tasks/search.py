"""The beam search as a task: any engine, cached on the beam's files and the settings."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.context import TaskRunContext

from palfa.config.settings import ProcessingSettings, SearchingSettings
from palfa.search.engine import get_engine
from palfa.search.results import BeamResults, read_results
from tasks.presto_shell import ShellOperationRunner


def _search_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    """Same files (name, size, mtime), settings and output folder: same results."""
    digest = hashlib.sha256()
    for name in parameters["files"]:
        stat = Path(name).stat()
        digest.update(f"{Path(name).resolve()}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    digest.update(parameters["settings"].model_dump_json().encode())
    digest.update(parameters["processing"].model_dump_json().encode())
    digest.update(str(Path(parameters["outdir"]).resolve()).encode())
    return digest.hexdigest()


@task(name="search-beam", cache_key_fn=_search_cache_key, persist_result=True)
def search_beam(files: list[str], outdir: str, settings: SearchingSettings,
                processing: ProcessingSettings) -> str:
    """Run the configured engine; returns the results directory (the contract's home)."""
    logger = get_run_logger()
    last = {"stage": ""}

    def progress(stage: str, fraction: float) -> None:
        if stage != last["stage"]:
            last["stage"] = stage
            logger.info("%s (%.0f%%)", stage, 100 * fraction)

    engine = get_engine(settings.engine, processing, runner=ShellOperationRunner())
    results = engine.search([Path(f) for f in files], Path(outdir), settings, progress)
    logger.info("%s: %d candidate(s) with the %s engine", results.header.obs_name,
                len(results.candidates), engine.name)
    return outdir


def load_results(outdir: str) -> BeamResults:
    return read_results(Path(outdir))
