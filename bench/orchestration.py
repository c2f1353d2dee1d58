"""Orchestration overhead of the job pooler on a process work pool, and its scaling.

Starts a Prefect server on 127.0.0.1 (on a throwaway PostgreSQL, as in production; ``--server-db
sqlite`` for the laptop set-up), the process pool (deployments/palfa-pool.json) and the
beam-search deployment (prefect.yaml), then has the job pooler search ``--beams`` tiny simulated
beams (2.1 s each, about a second of search on an idle core) with 1 and with 2 workers, each
started as a cluster node starts one (deployments/worker.sh: the preloaded process worker, one
run at a time, one search thread per run, so two workers use the two cores). Per beam, the
overhead is the wall time of its flow run (scheduled to finished) minus its search time (the
``search-beam`` task), split into waiting for a worker (scheduled to pending), starting the run
(pending to running), before the search and after it; the baseline is the same beam searched in
this process, one thread, no orchestration.

    .venv/bin/python bench/orchestration.py --beams 50 > bench-orchestration.txt 2>&1
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "pooler")]
os.environ["NUMBA_NUM_THREADS"] = "1"  # the baseline searches as each worker's runs do

from prefect_cluster import (  # noqa: E402
    TINY_SEARCH,
    create_pool,
    deploy_beam_search,
    start_server,
    start_worker,
    stop,
)

# one search thread per run (two workers share the two cores); heartbeats at Prefect's default
# (a run is lost after three missed): the SQLite server here sometimes fails to store one under
# load, and 1 s beats (the tests') then lose live runs
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "PREFECT_WORKER_HEARTBEAT_SECONDS": "30"}
# overhead phases, as spans between a run's marks: scheduled, pending, running, search start,
# search end, finished (see the docstring)
PHASES = {"wait": (0, 1), "start": (1, 2), "before": (2, 3), "after": (4, 5)}


def in_process_search_s(files: list[Path], outdir: Path, settings) -> float:
    from palfa.search.engine import get_engine

    engine = get_engine("embedded", settings.processing)
    started = time.perf_counter()
    engine.search(files, outdir, settings.searching, lambda stage, fraction: None)
    return time.perf_counter() - started


def run_with_workers(nworkers: int, beams, root: Path, home: Path, api_url: str) -> dict[str, float]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from blocks.config import PipelineConfig
    from blocks.credentials import CommonDbCredentials
    from flows.pooler import pooler_flow
    from palfa.config.workspace import init_workspace
    from palfa.jobtracker.models import JobSubmit
    from palfa.jobtracker.tracker import JobTracker, NewFile

    settings = init_workspace(root / f"workers-{nworkers}", {
        "searching": TINY_SEARCH,
        "jobpooler": {"max_jobs_running": nworkers, "max_jobs_queue": nworkers, "poll_s": 0.5}})
    tracker = JobTracker(settings.background.jobtracker_db)
    tracker.add_files([NewFile(str(p)) for b in beams for p in b.files], status="added")
    block = f"bench-{nworkers}"
    PipelineConfig(settings=settings, commondb=CommonDbCredentials(url=settings.commondb.url)).save(
        block, overwrite=True)
    workers = [start_worker(home, api_url, f"bench-{nworkers}-{i}", limit=1, env=WORKER_ENV)
               for i in range(nworkers)]
    try:
        time.sleep(15)  # let the workers preload and start polling, so their start-up is not counted
        started = time.perf_counter()
        outcome = pooler_flow(config_block=block, poll_s=0.5)
        wall = time.perf_counter() - started
    finally:
        for worker in workers:
            stop(worker)
    assert outcome["processed"] == len(beams), outcome
    overheads, searches = [], []
    phases: dict[str, list[float]] = {phase: [] for phase in PHASES}
    with get_client(sync_client=True) as client:
        for submit in tracker.with_status(JobSubmit):
            run = client.read_flow_run(submit.queue_id)
            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
            (search,) = [t for t in tasks if t.name.startswith("search-beam")]
            first = {}
            for state in client.read_flow_run_states(run.id):
                first.setdefault(state.type.value, state.timestamp)
            marks = [run.expected_start_time, first["PENDING"], first["RUNNING"], search.start_time,
                     search.end_time, run.end_time]
            for phase, (since, until) in PHASES.items():
                phases[phase].append((marks[until] - marks[since]).total_seconds())
            overheads.append((run.end_time - run.expected_start_time).total_seconds()
                             - search.total_run_time.total_seconds())
            searches.append(search.total_run_time.total_seconds())
    return {"wall_s": wall, "beams_per_min": 60 * len(beams) / wall,
            "overhead_s": statistics.median(overheads),
            "overhead_p90_s": sorted(overheads)[int(0.9 * len(overheads))],
            "search_s": statistics.median(searches),
            **{f"{phase}_s": statistics.median(values) for phase, values in phases.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beams", type=int, default=50)
    parser.add_argument("--server-db", choices=("postgresql", "sqlite"), default="postgresql",
                        help="the Prefect server's database (production: postgresql)")
    args = parser.parse_args()
    from pgserver import running_postgres
    from prefect.settings import PREFECT_API_URL, PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

    from palfa.config.workspace import init_workspace
    from palfa.simulate import simulate_survey

    root = Path(tempfile.mkdtemp(prefix="bench-orchestration-"))
    home = root / "prefect"
    beams = simulate_survey(root / "beams", nbeams=args.beams, seed=42, nsamp=2**14, nbits=4, rfi=False)
    baseline_settings = init_workspace(root / "baseline", {"searching": TINY_SEARCH})
    in_process_search_s(list(beams[0].files), root / "warm-up", baseline_settings)  # numba caches
    baseline = statistics.median(in_process_search_s(list(b.files), root / f"base-{i}", baseline_settings)
                                 for i, b in enumerate(beams[:5]))
    with contextlib.ExitStack() as stack:
        database = (stack.enter_context(running_postgres()).replace("+psycopg", "+asyncpg")
                    if args.server_db == "postgresql" else None)
        server, api_url = start_server(home, database)
        stack.callback(stop, server)
        isolated = {PREFECT_API_URL: api_url, PREFECT_RESULTS_LOCAL_STORAGE_PATH: home / "results"}
        with temporary_settings(isolated):
            create_pool()
            deploy_beam_search(home, api_url)
            results = {n: run_with_workers(n, beams, root, home, api_url) for n in (1, 2)}
    print(f"{args.beams} beams of 2.1 s, Prefect server on {args.server_db}; baseline (searched "
          f"in-process, no orchestration): {baseline:.2f} s/beam")
    for n, r in results.items():
        run_s = r["search_s"] + r["overhead_s"]
        print(f"{n} worker(s): {r['wall_s']:.1f} s wall, {r['beams_per_min']:.1f} beams/min; per beam: "
              f"search {r['search_s']:.2f} s, overhead median {r['overhead_s']:.2f} s "
              f"(p90 {r['overhead_p90_s']:.2f} s), run/baseline {run_s / baseline:.1f}x")
        print("    overhead medians: " + ", ".join(f"{p} {r[p + '_s']:.2f} s" for p in PHASES))
    scaling = results[2]["beams_per_min"] / results[1]["beams_per_min"]
    print(f"scaling 1 -> 2 workers: {scaling:.2f}x (linear: 2.00x)")


if __name__ == "__main__":
    main()
