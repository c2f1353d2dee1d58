"""``palfa demo``: the whole pipeline on a fresh machine, against the local archive.

Simulated beams with known pulsars are served by the local restore service and FTP server;
the pipeline flow restores, downloads, searches and uploads them; the candidates found in the
common database are printed next to what was injected.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import numpy as np
from pydantic import SecretStr
from rich.table import Table

from cli.common import console
from palfa.commondb import connect, create_schema, list_candidates
from palfa.psrfits.reader import read_header
from palfa.search.plan import make_plan
from palfa.simulate import InjectedPulsar, SimulatedBeam, simulate_survey
from palfa.simulate.truth import dm_tolerance, find_match, load_truth

DEMO_BLOCK = "palfa-demo"
DEMO_USER = "palfa"
DEMO_NBITS = 8


def run_demo(nbeams: int, seed: int, workspace: Path | None, max_dm: float,
             hi_accel_zmax: int = 0) -> bool:
    """Returns True when every injected pulsar above S/N 15 was recovered."""
    from blocks import ArchiveCredentials, CommonDbCredentials, FtpCredentials, PipelineConfig
    from flows.pipeline import pipeline_flow
    from palfa.archive.local import LocalArchive
    from palfa.config.workspace import init_workspace

    root = Path(workspace or tempfile.mkdtemp(prefix="palfa-demo-")).resolve()
    console.rule(f"[bold]PALFA pipeline demo[/] in {root}")
    with console.status(f"simulating {nbeams} beam(s) with injected pulsars"):
        beams = simulate_survey(root / "archive", nbeams=nbeams, seed=seed, nbits=DEMO_NBITS)
    console.print(f"archive: {len(beams)} beam(s) in {root / 'archive'}")
    settings = init_workspace(root / "pipeline", {
        "download": {"poll_s": 0.5, "numdownloads": 2, "request_numbits": DEMO_NBITS,
                     "space_to_use": 2**30, "min_free_space": 100 * 2**20},
        "searching": {"max_dm": max_dm, "hi_accel_zmax": hi_accel_zmax},
    })
    password = secrets.token_urlsafe(12)
    with LocalArchive(root / "archive", DEMO_USER, password, stage_delay_s=1.0) as archive:
        console.print(f"restore service {archive.restore_url}, FTP {archive.ftp_host}:{archive.ftp_port}")
        PipelineConfig(
            settings=settings,
            archive=ArchiveCredentials(api_service_url=archive.restore_url, username=DEMO_USER,
                                       password=SecretStr(password)),
            ftp=FtpCredentials(host=archive.ftp_host, port=archive.ftp_port, username=DEMO_USER,
                               password=SecretStr(password)),
            commondb=CommonDbCredentials(url=settings.commondb.url),
        ).save(DEMO_BLOCK, overwrite=True)
        summary = pipeline_flow(config_block=DEMO_BLOCK, num_beams=nbeams)
    console.print(summary)
    return _report(beams, settings.commondb.url, max_dm)


def _dm_tolerance(beam: SimulatedBeam, psr: InjectedPulsar, max_dm: float) -> float:
    """The plan's DM step at the pulsar's DM (wider only for pulses too wide to be placed so well)."""
    h = read_header(beam.files)
    freqs = h.fctr_mhz + h.chan_bw_mhz * (np.arange(h.nchan) - (h.nchan - 1) / 2)
    step = make_plan(h.tsamp_s, freqs, h.chan_bw_mhz, max_dm, h.nsamp).step_at(psr.dm).dm_step
    return dm_tolerance(psr, freqs, h.chan_bw_mhz, step)


def _report(beams: list[SimulatedBeam], commondb_url: str, max_dm: float) -> bool:
    conn, dialect = connect(commondb_url)
    try:
        create_schema(conn, dialect)
        found = list_candidates(conn)
    finally:
        conn.close()
    table = Table(title="Candidates in the common database vs. injected pulsars")
    table.add_column("beam", no_wrap=True)
    for col in ("injected P (ms)", "DM", "S/N", "found P (ms)", "DM", "sigma", "cands"):
        table.add_column(col, justify="right")
    all_bright_found = True
    for beam in beams:
        name = beam.obs_name.split(".", 2)[-1].rsplit(".", 1)[0]  # source and beam: e.g. G45.00+0.00.b3
        truth = load_truth(beam.truth_path)
        cands = [c for c in found if c.obs_name == beam.obs_name]
        if not truth.pulsars:
            best = cands[0] if cands else None
            table.add_row(name, "noise", "", "",
                          f"{best.period_s * 1e3:.4f}" if best else "-",
                          f"{best.dm:.1f}" if best else "", f"{best.sigma:.1f}" if best else "",
                          str(len(cands)))
        for psr in truth.pulsars:
            match = find_match(psr, cands, _dm_tolerance(beam, psr, max_dm))
            all_bright_found &= match is not None or psr.snr < 15
            table.add_row(
                name, f"{psr.period_s * 1e3:.4f}", f"{psr.dm:.1f}", f"{psr.snr:.0f}",
                f"[green]{match.period_s * 1e3:.4f}[/]" if match else "[red]not found[/]",
                f"{match.dm:.1f}" if match else "", f"{match.sigma:.1f}" if match else "",
                str(len(cands)),
            )
    console.print(table)
    verdict = "[green]every injected pulsar above S/N 15 was found[/]" if all_bright_found else \
        "[red]some injected pulsar above S/N 15 was missed[/]"
    console.print(verdict)
    return all_bright_found
