"""``palfa doctor --block NAME``: the manual's set-up tests (4.2), each reported pass or fail
with its fix: imports, common DB read/insert, FTP list/retrieve, restore service, mail, and a
test beam searched through the work pool."""

from __future__ import annotations

import contextlib
import ftplib
import importlib
import math
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from blocks.config import PipelineConfig
from palfa.errors import PalfaError

MODULES = ("prefect", "prefect_shell", "numpy", "scipy", "astropy", "numba", "matplotlib", "sqlmodel",
           "httpx", "pyftpdlib", "pyodbc", "typer", "rich", "palfa.search.engine", "palfa.presto.engine",
           "palfa.commondb", "palfa.jobtracker", "palfa.transfer.ftp_download", "flows.pipeline")
PROBE_VERSION = "palfa-doctor-probe"


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str
    fix: str = ""


def run_checks(config: PipelineConfig, config_block: str, beam: bool, timeout_s: float) -> list[CheckResult]:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("imports", check_imports),
        ("common DB read/insert", lambda: check_commondb(config)),
        ("FTP list/retrieve", lambda: check_ftp(config)),
        ("restore service", lambda: check_restore(config)),
        ("mail", lambda: check_mail(config)),
    ]
    if beam:
        checks.append(("test beam on the work pool",
                       lambda: check_work_pool(config, config_block, timeout_s)))
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, True, check()))
        except PalfaError as exc:
            results.append(CheckResult(name, False, f"{exc.what}: {exc.problem}", exc.fix))
        except Exception as exc:  # a set-up test reports every failure, whatever raised it
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}",
                                       "see the message; palfa config check lists bad settings"))
    return results


def results_table(results: list[CheckResult]) -> Table:
    table = Table(title="set-up tests (manual 4.2)")
    for col in ("test", "result", "detail", "fix"):
        table.add_column(col)
    for r in results:
        table.add_row(r.name, "[green]pass[/]" if r.passed else "[red]FAIL[/]", r.detail, r.fix)
    return table


def check_imports() -> str:
    missing = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing.append(f"{name} ({exc})")
    if missing:
        raise PalfaError("python modules", f"cannot import {', '.join(missing)}",
                         "bash bootstrap.sh (or pip install -e .) in the pipeline's virtualenv")
    return f"{len(MODULES)} modules import"


def check_commondb(config: PipelineConfig) -> str:
    """Read every table, insert a row and roll it back (nothing stays behind)."""
    from palfa.commondb import connect, count_rows
    from palfa.commondb.upload_url import create_schema_at

    url = config.commondb.connection_url()
    create_schema_at(url)
    conn, _dialect = connect(url)
    with closing(conn):
        rows = count_rows(conn)
        cur = conn.cursor()
        cur.execute("INSERT INTO versions (version_num) VALUES (?)", (PROBE_VERSION,))
        cur.execute("SELECT COUNT(*) FROM versions WHERE version_num = ?", (PROBE_VERSION,))
        inserted = cur.fetchone()[0]
        conn.rollback()
    if inserted != 1:
        raise PalfaError("common database", "an inserted row could not be read back",
                         "check the database user's INSERT and SELECT rights")
    return f"{sum(rows.values())} rows in {len(rows)} tables; insert + rollback ok"


def check_ftp(config: PipelineConfig) -> str:
    ftp_block = config.ftp
    try:
        with ftplib.FTP(timeout=30) as ftp:
            ftp.connect(ftp_block.host, ftp_block.port)
            ftp.login(ftp_block.username, ftp_block.password.get_secret_value())
            names = ftp.nlst()
            files = [n for n in names if n.endswith(".fits")]
            got = _retrieve_start(ftp, files[0]) if files else 0
    except (OSError, ftplib.Error) as exc:
        raise PalfaError(f"FTP server {ftp_block.host}:{ftp_block.port}", f"{type(exc).__name__}: {exc}",
                         "check the FTP credentials block (host, port, user, password)") from exc
    return f"logged in, {len(names)} entries listed" + (f", {got} bytes of {files[0]} read" if files else "")


def _retrieve_start(ftp: ftplib.FTP, name: str) -> int:
    """Read the first 64 KiB of a file (enough to prove transfers work), then drop the transfer."""
    ftp.voidcmd("TYPE I")
    with ftp.transfercmd(f"RETR {name}") as data:
        got = len(data.recv(65536))
    with contextlib.suppress(ftplib.Error):
        ftp.voidresp()
    return got


def check_restore(config: PipelineConfig) -> str:
    """Ask for one beam, read where it is, then free the request again."""
    from palfa.transfer.restore_client import RestoreClient

    archive = config.archive
    settings = config.settings.download
    with RestoreClient(archive.api_service_url, archive.username, archive.password.get_secret_value(),
                       retries=1) as client:
        guid = client.restore(1, bits=settings.request_numbits, file_type=settings.request_datatype)
        where = client.location(guid)
        client.delete(guid)
    return f"request {guid}: {where}; freed"


def check_mail(config: PipelineConfig) -> str:
    from palfa.notify import send_mail
    from palfa.notify.notices import flow_crash_message
    from tasks.notify import notifier_for

    notifier = notifier_for(config)
    if not config.settings.email.enabled:
        return "skipped: email.enabled is false"
    send_mail(notifier.server, flow_crash_message("doctor", "mail test", "Test", "palfa doctor: mail works",
                                                  notifier.sender, config.settings.email.recipient))
    return f"test mail sent to {config.settings.email.recipient}"


def check_work_pool(config: PipelineConfig, config_block: str, timeout_s: float) -> str:
    """A simulated beam long enough to be searched, through the beam-search deployment."""
    from flows.prefect_queue import PrefectQueueManager
    from palfa.simulate import simulate_survey

    settings = config.settings
    nsamp = 2 ** max(14, math.ceil(math.log2(settings.searching.low_T_to_search / 128e-6)))
    scratch = Path(tempfile.mkdtemp(prefix="doctor-", dir=settings.download.datadir))
    try:
        (beam,) = simulate_survey(scratch / "raw", nbeams=1, seed=1, nsamp=nsamp, nbits=4, rfi=False)
        queue = PrefectQueueManager(settings.jobpooler.search_deployment, 1, 1,
                                    parameters={"config_block": config_block})
        started = time.monotonic()
        queue_id = queue.submit([str(p) for p in beam.files], scratch / "results", beam.obs_name)
        while queue.is_running(queue_id):
            if time.monotonic() - started > timeout_s:
                queue.delete(queue_id)
                raise PalfaError(f"work pool {settings.jobpooler.work_pool}",
                                 f"the test beam did not finish in {timeout_s:.0f} s",
                                 f"start a worker: PALFA_WORK_POOL={settings.jobpooler.work_pool} "
                                 "PALFA_HOME=$PWD bash deployments/worker.sh")
            time.sleep(1.0)
        if queue.had_errors(queue_id):
            raise PalfaError(f"test beam run {queue_id}", queue.get_errors(queue_id)[-300:],
                             "read the run's logs in the Prefect UI")
        return f"searched in {time.monotonic() - started:.0f} s (run {queue_id})"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def doctor_report(config_block: str, beam: bool, timeout_s: float) -> bool:
    """Print every set-up test's result; raise PalfaError naming those that failed. Returns
    whether the block uses the presto engine (so its programs must be on PATH)."""
    from blocks.config import load_config
    from cli.common import console

    config = load_config(config_block)
    results = run_checks(config, config_block, beam, timeout_s)
    console.print(results_table(results))
    failed = [r.name for r in results if not r.passed]
    if failed:
        raise PalfaError("palfa doctor", f"set-up tests failed: {', '.join(failed)}",
                         "apply the fix shown next to each failed test")
    return config.settings.searching.engine == "presto"
