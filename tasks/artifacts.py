"""What a person sees in the Prefect UI: candidate tables and plots of each beam."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from palfa.search.results import BeamResults

_TABLE_COLUMNS = ("period_s", "dm", "sigma", "snr", "numharm", "num_hits", "folded")


def artifact_key(name: str) -> str:
    """Prefect keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:120]


def _embedded_png(path: Path, title: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f"#### {title}\n\n![{title}](data:image/png;base64,{data})\n"


@task(name="publish-beam-artifacts")
def publish_beam_artifacts(results: BeamResults, outdir: Path, max_plots: int = 3) -> None:
    """A table of every candidate and a page with the best fold plots and the RFI mask."""
    obs = results.header.obs_name
    rows = [
        {col: (round(v, 6) if isinstance(v, float) else v)
         for col in _TABLE_COLUMNS for v in [getattr(cand, col)]}
        for cand in results.candidates
    ]
    create_table_artifact(key=artifact_key(f"candidates-{obs}"), table=rows,
                          description=f"Sifted candidates of {obs}, best first")
    parts = [f"# {obs}\n", "| diagnostic | value |\n|---|---|\n"]
    parts += [f"| {k} | {v} |\n" for k, v in results.diagnostics.items()]
    rfi_png = results.diagnostics.get("RFIfind png")
    if isinstance(rfi_png, str) and (outdir / rfi_png).is_file():
        parts.append(_embedded_png(outdir / rfi_png, "RFI mask"))
    for cand in [c for c in results.candidates if c.plot][:max_plots]:
        title = f"P = {cand.period_s * 1e3:.4f} ms, DM = {cand.dm:.2f}, sigma = {cand.sigma:.1f}"
        if (outdir / cand.plot).is_file():
            parts.append(_embedded_png(outdir / cand.plot, title))
    create_markdown_artifact(key=artifact_key(f"plots-{obs}"), markdown="\n".join(parts),
                             description=f"Diagnostics and best candidates of {obs}")
