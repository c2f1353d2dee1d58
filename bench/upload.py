"""Upload benchmark: one beam of 100 folded candidates (fold plot PNG + fold archive each) into
PostgreSQL over pyodbc (psqlODBC), and the share of it spent reading back and comparing.

Baseline, measured in the same run on the same beam: the embedded default (stdlib sqlite3, no
server). Every upload after the first replaces the previous one (the idempotency rule), as a
reprocessed beam would. Needs Debian's PostgreSQL 15 and odbc-postgresql (bootstrap.sh).

    .venv/bin/python bench/upload.py --candidates 100 --repeats 5
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # throwaway PostgreSQL

import numpy as np
from matplotlib.figure import Figure
from pgserver import create_empty_database, psqlodbc_url, running_postgres

from palfa.commondb import connect, create_schema, upload_beam
from palfa.commondb.beam_rows import beam_rows, utc_now
from palfa.psrfits.header import BeamHeader
from palfa.search.results import BeamResults, Candidate, write_results

INSTITUTION, PIPELINE, VERSION = "bench", "PALFA2.0-prefect", "PIPELINE:bench;PRESTO:none"
FOLD_ARCHIVE_BYTES = 64 * 1024  # a 64-bin x 32-subint x 32-channel float32 cube is 256 KiB
DIAGNOSTIC_FILE_BYTES = 100 * 1024


def fold_plot_png(rng: np.random.Generator) -> bytes:
    """A real PNG the size of a fold plot: profile, phase-time and phase-frequency panels."""
    fig = Figure(figsize=(8.5, 6.5), dpi=80)
    axes = fig.subplots(1, 3)
    for ax, shape in zip(axes, ((1, 64), (32, 64), (32, 64)), strict=True):
        data = rng.normal(size=shape)
        if shape[0] == 1:
            ax.plot(data[0])
        else:
            ax.imshow(data, aspect="auto")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def write_beam(outdir: Path, ncands: int, seed: int = 1) -> int:
    """A results directory of ``ncands`` folded candidates; returns the bytes of files in it."""
    rng = np.random.default_rng(seed)
    png = fold_plot_png(rng)
    candidates = []
    for i in range(ncands):
        (outdir / f"cand{i}.png").write_bytes(png + i.to_bytes(4, "big"))  # each file distinct
        (outdir / f"cand{i}.npz").write_bytes(rng.bytes(FOLD_ARCHIVE_BYTES))
        candidates.append(Candidate(
            period_s=float(rng.uniform(0.002, 2.0)), dm=float(rng.uniform(0, 1000)),
            sigma=float(rng.uniform(6, 30)), snr=float(rng.uniform(5, 50)), numharm=8,
            ipow=float(rng.uniform(20, 200)), cpow=float(rng.uniform(5, 50)), num_hits=5,
            folded=True, plot=f"cand{i}.png", fold_archive=f"cand{i}.npz"))
    for name in ("rfifind.png", "singlepulse.png"):
        (outdir / name).write_bytes(rng.bytes(DIAGNOSTIC_FILE_BYTES))
    (outdir / "singlepulse.csv").write_text("dm,snr,time_s,sample,width\n" + "10.0,6.0,1.0,5,3\n" * 500)
    header = BeamHeader(
        obs_name="p2030.20261126.G45.00+0.00.b3.00000", beam_id=3, source_name="G45.00+0.00",
        project_id="p2030", observers="PALFA", telescope="Arecibo", backend="Mock",
        mjd=61000.5, tsamp_s=6.5476e-05, nsamp=2**22, obs_time_s=2**22 * 6.5476e-05, nchan=960,
        fctr_mhz=1375.43, chan_bw_mhz=-0.336, bandwidth_mhz=322.6, nbits=4,
        ra_str="19:13:54.1", dec_str="+10:57:31.2", ra_deg=288.475, dec_deg=10.959,
        gal_l=45.0, gal_b=0.0, file_names=("a.fits", "b.fits"), data_size_bytes=2**30)
    diagnostics = {"RFI mask percentage": 3.2, "Num cands folded": ncands, "RFIfind png": "rfifind.png"}
    write_results(outdir, BeamResults(header, candidates, diagnostics))
    return sum(p.stat().st_size for p in outdir.iterdir())


def measure(url: str, results_dir: Path, repeats: int) -> dict[str, float]:
    """Median seconds per upload: total, verifying, and reading/checking the files first."""
    conn, dialect = connect(url)
    create_schema(conn, dialect)
    totals, verifies, parses = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        beam_rows(results_dir, INSTITUTION, PIPELINE, utc_now())
        parses.append(time.perf_counter() - start)
        report = upload_beam(conn, dialect, results_dir, INSTITUTION, PIPELINE, VERSION)
        totals.append(report.seconds)
        verifies.append(report.verify_seconds)
    conn.close()
    return {"total": statistics.median(totals), "verify": statistics.median(verifies),
            "parse": statistics.median(parses), "bytes": report.bytes_stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="palfa-bench-upload-") as tmp:
        results_dir = Path(tmp) / "results"
        results_dir.mkdir()
        on_disk = write_beam(results_dir, args.candidates)
        print(f"beam: {args.candidates} candidates with plot + fold archive, "
              f"{on_disk / 2**20:.1f} MiB of files; median of {args.repeats} uploads")
        rows = {"sqlite3 (embedded, baseline)": measure(
            f"sqlite:///{Path(tmp) / 'common.sqlite3'}", results_dir, args.repeats)}
        with running_postgres() as server:
            url = psqlodbc_url(create_empty_database(server, "bench"))
            rows["PostgreSQL 15 via psqlODBC"] = measure(url, results_dir, args.repeats)
    baseline = rows["sqlite3 (embedded, baseline)"]["total"]
    print(f"{'database':30} {'s/beam':>8} {'verify s':>9} {'verify %':>9} {'files s':>8} "
          f"{'MiB/s':>7} {'x baseline':>10}")
    for name, m in rows.items():
        print(f"{name:30} {m['total']:8.3f} {m['verify']:9.3f} {m['verify'] / m['total']:9.1%} "
              f"{m['parse']:8.3f} {m['bytes'] / 2**20 / m['total']:7.1f} "
              f"{m['total'] / baseline:10.2f}")


if __name__ == "__main__":
    main()
