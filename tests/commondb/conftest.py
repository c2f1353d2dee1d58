"""Fixtures: a results directory on disk and an empty common database
(stdlib SQLite, SQLite through ODBC, PostgreSQL through ODBC)."""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from palfa.commondb import connect, count_rows, create_schema
from palfa.psrfits.header import BeamHeader
from palfa.search.results import BeamResults, Candidate, write_results

# tests/ holds the shared pgserver helper; the importlib import mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pgserver import create_empty_database, psqlodbc_url, running_postgres, skip_or_fail

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DEFAULT_OBS_NAME = "p2030.20261126.G45.00+0.00.b3.00000"


def make_header(obs_name: str) -> BeamHeader:
    return BeamHeader(
        obs_name=obs_name, beam_id=3, source_name="G45.00+0.00", project_id="p2030",
        observers="PALFA", telescope="Arecibo", backend="Mock", mjd=61000.123456789012,
        tsamp_s=6.5476190476190474e-05, nsamp=262144, obs_time_s=262144 * 6.5476190476190474e-05,
        nchan=960, fctr_mhz=1375.4296875, chan_bw_mhz=-0.336182022, bandwidth_mhz=322.7347,
        nbits=4, ra_str="19:13:54.1234", dec_str="+10:57:31.234", ra_deg=288.4755141,
        dec_deg=10.9586761, gal_l=45.0, gal_b=0.0,
        file_names=("4bit-p2030.20261126.G45.00+0.00.b3s0g0.00000.fits",
                    "4bit-p2030.20261126.G45.00+0.00.b3s1g0.00000.fits"),
        data_size_bytes=2 * 268_435_456,
    )


def write_results_dir(outdir: Path, obs_name: str = DEFAULT_OBS_NAME) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    candidates = []
    for i, (period, dm, sigma) in enumerate([(0.0893, 67.9, 14.2), (1.2345678901234, 210.5, 9.1)]):
        (outdir / f"cand{i}.png").write_bytes(PNG_MAGIC + bytes(range(256)) * (i + 1))
        (outdir / f"cand{i}.pfd").write_bytes(b"PFD" + bytes([i]) * 1000)
        candidates.append(Candidate(
            period_s=period, dm=dm, sigma=sigma, snr=25.0 - i, numharm=4, ipow=55.5, cpow=math.nan,
            num_hits=3, folded=True, plot=f"cand{i}.png", fold_archive=f"cand{i}.pfd",
        ))
    (outdir / "rfifind.png").write_bytes(PNG_MAGIC + b"mask" * 50)
    (outdir / "zaplist.txt").write_text("# zapped\n60.0 0.2\n")
    (outdir / "singlepulse.csv").write_text("dm,snr,time_s,sample,width\n67.9,8.1,1.25,19090,3\n")
    (outdir / "singlepulse.png").write_bytes(PNG_MAGIC + b"pulses" * 40)
    diagnostics = {
        "RFI mask percentage": 3.25,
        "Num cands folded": 2,
        "Num cands produced": 57,
        "Min sigma folded": 9.1,
        "Num cands above threshold": 2,
        "RFIfind png": "rfifind.png",
        "Zaplist used": "zaplist.txt",
    }
    write_results(outdir, BeamResults(make_header(obs_name), candidates, diagnostics))
    return outdir


@pytest.fixture
def make_results_dir(tmp_path: Path):
    """Factory: ``make_results_dir(name, obs_name=...)`` writes a fresh results directory."""
    return lambda name, obs_name=DEFAULT_OBS_NAME: write_results_dir(tmp_path / name, obs_name)


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    return write_results_dir(tmp_path / "results")


def require_pyodbc() -> None:
    try:
        import pyodbc  # noqa: F401
    except ImportError:
        skip_or_fail("pyodbc cannot load unixODBC: apt-get install -y unixodbc")


def skip_without_odbc_driver(driver: str, package: str) -> None:
    require_pyodbc()
    import pyodbc

    if driver not in pyodbc.drivers():
        skip_or_fail(f"no {driver!r} ODBC driver: apt-get install -y {package}")


@pytest.fixture
def odbc_driver_manager() -> None:
    """unixODBC and pyodbc loadable (no driver needed)."""
    require_pyodbc()


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session (skips where it cannot run)."""
    with running_postgres() as url:
        yield url


@dataclass
class Db:
    conn: object
    dialect: str
    url: str

    def committed_counts(self) -> dict[str, int]:
        """Row counts seen by a second connection, i.e. only committed rows."""
        reader, _dialect = connect(self.url)
        try:
            return count_rows(reader)
        finally:
            reader.close()


def postgres_odbc_url(server_url: str) -> str:
    """A new, empty database on the session's server, as a psqlODBC connection URL."""
    skip_without_odbc_driver("PostgreSQL Unicode", "odbc-postgresql")
    return psqlodbc_url(create_empty_database(server_url, f"commondb_{next(_database_numbers)}"))


_database_numbers = itertools.count()


@pytest.fixture(params=["sqlite3", "odbc-sqlite3", "odbc-postgresql"])
def db(request, tmp_path: Path):
    """An empty common database: stdlib SQLite, and through pyodbc where the drivers exist."""
    path = tmp_path / "commondb.sqlite3"
    if request.param == "sqlite3":
        url = f"sqlite:///{path}"
    elif request.param == "odbc-sqlite3":
        skip_without_odbc_driver("SQLite3", "libsqliteodbc")
        url = f"odbc:DRIVER={{SQLite3}};Database={path}"
    else:
        url = postgres_odbc_url(request.getfixturevalue("postgres_server"))
    conn, dialect = connect(url)
    create_schema(conn, dialect)
    yield Db(conn, dialect, url)
    conn.close()
