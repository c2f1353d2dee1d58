"""Beam-search flow: one run per beam, named after it, publishing its candidates to the UI."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from blocks.config import DEFAULT_BLOCK_NAME, load_config
from palfa.errors import BadInputError
from tasks.artifacts import publish_beam_artifacts
from tasks.search import load_results, search_beam


@flow(name="beam-search", flow_run_name="search-{obs_name}", log_prints=True)
def beam_search_flow(files: list[str], outdir: str, obs_name: str = "beam",
                     config_block: str = DEFAULT_BLOCK_NAME, engine: str | None = None) -> str:
    """Search one beam's files into ``outdir``; returns ``outdir`` (see palfa.search.results)."""
    config = load_config(config_block).settings
    settings, processing = config.searching, config.processing
    if engine is not None:
        settings = settings.model_copy(update={"engine": engine})
    result_dir = search_beam(files, outdir, settings, processing)
    try:
        results = load_results(result_dir)
    except BadInputError:  # a cached run whose results were since removed: search again
        result_dir = search_beam.with_options(refresh_cache=True)(files, outdir, settings, processing)
        results = load_results(result_dir)
    publish_beam_artifacts(results, Path(result_dir))
    return result_dir
