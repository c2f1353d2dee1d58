"""Entry point of the ``palfa`` command (see ``palfa --help``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.table import Table

from cli.common import ConfigOption, console, settings_from
from cli.commondb import BlockOption, UrlOption
from cli.jobs import jobs_app, reprocess
from palfa.errors import PalfaError

app = typer.Typer(help="PALFA pulsar-survey pipeline on Prefect 3.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
config_app = typer.Typer(help="Settings: create, show and check them.", no_args_is_help=True)
db_app = typer.Typer(help="The job-tracker database.", no_args_is_help=True)
archive_app = typer.Typer(help="The local archive (restore service + FTP server).",
                          no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(archive_app, name="archive")
commondb_app = typer.Typer(help="The common database (the survey's results).", no_args_is_help=True)
app.add_typer(commondb_app, name="commondb")
app.add_typer(jobs_app, name="jobs")
app.command("reprocess")(reprocess)


@app.command()
def demo(
    beams: int = typer.Option(3, min=1, help="Number of simulated beams."),
    seed: int = typer.Option(2030, help="Seed of the simulated survey."),
    workspace: Path | None = typer.Option(None, help="Folder to work in (default: a new temp dir)."),
    max_dm: float = typer.Option(300.0, help="Largest DM searched."),
    hi_accel_zmax: int = typer.Option(
        0, help="zmax of the high-acceleration pass (the survey uses 50; it multiplies the search "
        "time by ~5, and the demo's pulsars are not in binaries)."),
) -> None:
    """Run the whole pipeline on simulated beams served by the local archive."""
    from cli.demo import run_demo

    if not run_demo(beams, seed, workspace, max_dm, hi_accel_zmax):
        raise typer.Exit(1)


@app.command()
def simulate(
    outdir: Path = typer.Argument(..., help="Folder for the beams and their truth files."),
    beams: int = typer.Option(3, min=1, help="Number of beams."),
    seed: int = typer.Option(2030, help="Random seed (same seed, same beams)."),
    nbits: int = typer.Option(8, help="Bits per sample (4 or 8)."),
    nsamp: int = typer.Option(2**18, help="Samples per beam."),
) -> None:
    """Write synthetic PSRFITS beams (Mock s0/s1 pairs) with injected pulsars and RFI."""
    from palfa.simulate import simulate_survey

    with console.status("simulating"):
        made = simulate_survey(outdir, nbeams=beams, seed=seed, nbits=nbits, nsamp=nsamp)
    for beam in made:
        pulsars = ", ".join(f"P={p.period_s * 1e3:.3f} ms DM={p.dm:.1f} S/N={p.snr:.0f}"
                            for p in beam.pulsars) or "noise only"
        console.print(f"{beam.obs_name}: {pulsars}")


@archive_app.command("serve")
def archive_serve(
    root: Path = typer.Argument(..., help="Folder of PSRFITS beams to serve."),
    username: str = typer.Option("palfa", help="User name for both services."),
    password: str = typer.Option(..., prompt=True, hide_input=True, envvar="PALFA_ARCHIVE_PASSWORD"),
    restore_port: int = typer.Option(8080, help="Port of the restore web service."),
    ftp_port: int = typer.Option(2121, help="Port of the FTP server."),
    stage_delay: float = typer.Option(5.0, help="Seconds before a restore is staged."),
) -> None:
    """Serve ROOT on 127.0.0.1 like the observatory's archive, until Ctrl-C."""
    from palfa.archive.local import LocalArchive, serve_forever

    archive = LocalArchive(root, username, password, stage_delay_s=stage_delay,
                           restore_port=restore_port, ftp_port=ftp_port)
    console.print(f"restore service: {archive.restore_url}\nFTP: {archive.ftp_host}:{archive.ftp_port}")
    serve_forever(archive)


@db_app.command("create")
def db_create(config: Path = ConfigOption) -> None:
    """Create the job-tracker database (does nothing if it exists)."""
    from palfa.jobtracker.database import create_database

    url = settings_from(config).background.jobtracker_db
    create_database(url)
    console.print(f"job tracker ready: {url}")


@commondb_app.command("create")
def commondb_create(config: Path = ConfigOption, url: str | None = UrlOption,
                    block: str | None = BlockOption) -> None:
    """Create the common database's tables and diagnostic types (does nothing if they exist)."""
    from cli.commondb import commondb_url, create_tables

    created = create_tables(commondb_url(settings_from(config, check=False), url, block))
    console.print(f"created {len(created)} table(s): {', '.join(created)}" if created
                  else "common database ready: every table exists")


@app.command()
def upload(
    results_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="A beam's results."),
    config: Path = ConfigOption, url: str | None = UrlOption, block: str | None = BlockOption,
) -> None:
    """Upload one beam's results in one verified transaction (replaces an earlier upload of it)."""
    from cli.commondb import commondb_url, report_table, upload_directory

    settings = settings_from(config, check=False)
    console.print(report_table(upload_directory(commondb_url(settings, url, block), results_dir,
                                                settings)))


@app.command("add-files")
def add_files(
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder of beams."),
    config: Path = ConfigOption,
) -> None:
    """Track beam files copied by hand (status 'added'); refuses duplicates and non-PSRFITS files."""
    from palfa.jobtracker.tracker import JobTracker, NewFile
    from palfa.psrfits.names import group_beam_files
    from palfa.psrfits.reader import validate_psrfits

    settings = settings_from(config)
    paths = sorted(p.resolve() for p in directory.glob("*.fits"))
    if not paths:
        raise PalfaError(str(directory), "holds no .fits files", "give the folder of the beams")
    group_beam_files(paths)  # every beam complete, or a clear error before anything is tracked
    for path in paths:
        validate_psrfits(path)
    tracked = JobTracker(settings.background.jobtracker_db).add_files(
        [NewFile(filename=str(p), size=p.stat().st_size, file_type="mock") for p in paths],
        status="added",
    )
    console.print(f"{len(tracked)} file(s) added")


@app.command()
def status(config: Path = ConfigOption) -> None:
    """Counts of every job-tracker table by state, and the downloads in flight (bytes, rate)."""
    from palfa.jobtracker.tracker import JobTracker
    from palfa.transfer.progress import downloads_in_flight

    tracker = JobTracker(settings_from(config, check=False).background.jobtracker_db)
    table = Table(title="Job tracker")
    for col in ("table", "status", "rows"):
        table.add_column(col)
    for name, by_status in tracker.counts_by_status().items():
        for state, rows in by_status.items():
            table.add_row(name, state, str(rows))
    console.print(table)
    for progress in downloads_in_flight(tracker):
        console.print(f"downloading {progress.describe()}")
    from cli.status_report import jobs_tables

    for extra in jobs_tables(tracker, settings_from(config, check=False)):
        console.print(extra)


@app.command()
def search(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="The beam's files."),
    outdir: Path = typer.Option(..., "--outdir", "-o", help="Results folder."),
    engine: str | None = typer.Option(None, help="Search engine (default: searching.engine)."),
    config: Path = ConfigOption,
) -> None:
    """Search one beam and write candidates.csv (best first), plots and diagnostics to OUTDIR."""
    from cli.search import candidates_table, search_files

    loaded = settings_from(config, check=False)
    settings = loaded.searching
    if engine:
        settings = settings.model_copy(update={"engine": engine})
    results = search_files(files, outdir, settings, loaded.processing)
    console.print(candidates_table(results))
    console.print(f"results in {outdir}")


@app.command("fftw-wisdom")
def fftw_wisdom(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="One beam's files."),
    config: Path = ConfigOption,
) -> None:
    """Measure the FFTW plans the embedded engine needs for beams like FILES and save them
    (PRESTO's makewisdom). Run once per node type; takes a few seconds per transform."""
    from palfa.search.wisdom import measure_beam_plans

    with console.status("measuring FFTW plans"):
        count, path = measure_beam_plans(files, settings_from(config, check=False).searching)
    console.print(f"{count} transforms measured; wisdom in {path}")


@app.command()
def doctor(
    block: str | None = typer.Option(None, "--block", "-b", help="Also run the set-up tests (manual "
                                     "4.2) against this PipelineConfig block's services."),
    beam: bool = typer.Option(True, help="With --block: search a test beam through the work pool."),
    timeout: float = typer.Option(600.0, help="Seconds the test beam may take."),
) -> None:
    """Check that the programs the presto engine runs are on PATH (names every missing one);
    with --block, test imports, common DB, FTP, restore service, mail and the work pool."""
    import shutil

    if block is not None:
        from cli.doctor import doctor_report

        if not doctor_report(block, beam, timeout):
            return  # the block's engine is not presto: its programs are not needed

    from palfa.config.checks import PRESTO_PROGRAMS

    table = Table(title="programs of the presto engine")
    table.add_column("program")
    table.add_column("found at")
    missing = [name for name in PRESTO_PROGRAMS if shutil.which(name) is None]
    for name in PRESTO_PROGRAMS:
        table.add_row(name, shutil.which(name) or "[red]missing[/]")
    console.print(table)
    if missing:
        raise PalfaError("searching.engine = 'presto'", f"programs not on PATH: {', '.join(missing)}",
                         "install PRESTO and put its bin/ on PATH, or use the embedded engine")


@config_app.command("init")
def config_init(directory: Path = typer.Argument(..., help="Folder of the new installation.")) -> None:
    """Create DIR with its folders and a checked palfa.toml."""
    from palfa.config.workspace import SETTINGS_FILE, init_workspace

    init_workspace(directory)
    console.print(f"wrote {directory / SETTINGS_FILE}")


@config_app.command("check")
def config_check(config: Path = ConfigOption) -> None:
    """Run every sanity check and list all problems at once."""
    settings_from(config)
    console.print(f"[green]{config}: all settings are sane[/]")


@config_app.command("show")
def config_show(config: Path = ConfigOption) -> None:
    """Print the effective settings (defaults filled in)."""
    console.print_json(settings_from(config, check=False).model_dump_json())


def main() -> None:
    os.environ.setdefault("DO_NOT_TRACK", "1")  # no telemetry: the machines here are offline
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    try:
        app()
    except PalfaError as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(2)
