"""Read-only questions the demo and operators ask of the common database."""

from __future__ import annotations

from dataclasses import dataclass

from palfa.commondb.schema import TABLES


@dataclass(frozen=True)
class CandidateListing:
    obs_name: str
    rank: int
    period_s: float
    dm: float
    sigma: float


def count_rows(conn) -> dict[str, int]:
    """Rows in every table, in creation order."""
    cur = conn.cursor()
    counts = {}
    for table in TABLES:
        cur.execute(f"SELECT COUNT(*) FROM {table}")
        counts[table] = int(cur.fetchone()[0])
    return counts


def list_candidates(conn, obs_name: str | None = None) -> list[CandidateListing]:
    """Candidates per beam (all beams, or one), best first within each beam."""
    sql = (
        "SELECT h.obs_name, c.rank, c.topo_period, c.dm, c.sigma FROM candidates c "
        "JOIN headers h ON h.id = c.header_id"
    )
    params: tuple = ()
    if obs_name is not None:
        sql += " WHERE h.obs_name = ?"
        params = (obs_name,)
    cur = conn.cursor()
    cur.execute(sql + " ORDER BY h.obs_name, c.rank", params)
    return [
        CandidateListing(str(name), int(rank), float(period), float(dm), float(sigma))
        for name, rank, period, dm, sigma in cur.fetchall()
    ]
