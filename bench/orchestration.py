"""Orchestration overhead of the job pooler on a process work pool, and its scaling.

Starts a Prefect server on 127.0.0.1, the process pool and the beam-search deployment (from
prefect.yaml), then has the job pooler search ``--beams`` tiny simulated beams (2.1 s each,
about a second of search) with 1 and with 2 workers. Per beam, the overhead is the wall time of
its flow run (scheduled to finished) minus its search time (the ``search-beam`` task); the
baseline is the same beam searched in this process with no orchestration.

    .venv/bin/python bench/orchestration.py --beams 50 > bench-orchestration.txt 2>&1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "pooler")]

from prefect_cluster import create_pool, deploy_beam_search, start_server, start_worker, stop  # noqa: E402

TINY_SEARCH = {"max_dm": 20.0, "max_cands_to_fold": 1, "low_T_to_search": 1.0}


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
    workers = [start_worker(home, api_url, f"bench-{nworkers}-{i}", limit=1) for i in range(nworkers)]
    try:
        time.sleep(8)  # let the workers start polling, so their start-up is not counted
        started = time.perf_counter()
        outcome = pooler_flow(config_block=block, poll_s=0.5)
        wall = time.perf_counter() - started
    finally:
        for worker in workers:
            stop(worker)
    assert outcome["processed"] == len(beams), outcome
    overheads, searches = [], []
    with get_client(sync_client=True) as client:
        for submit in tracker.with_status(JobSubmit):
            run = client.read_flow_run(submit.queue_id)
            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
            search = sum(t.total_run_time.total_seconds() for t in tasks if t.name.startswith("search-beam"))
            run_wall = (run.end_time - run.expected_start_time).total_seconds()
            overheads.append(run_wall - search)
            searches.append(search)
    return {"wall_s": wall, "beams_per_min": 60 * len(beams) / wall,
            "overhead_s": statistics.median(overheads),
            "overhead_p90_s": sorted(overheads)[int(0.9 * len(overheads))],
            "search_s": statistics.median(searches)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beams", type=int, default=50)
    args = parser.parse_args()
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
    server, api_url = start_server(home)
    try:
        isolated = {PREFECT_API_URL: api_url, PREFECT_RESULTS_LOCAL_STORAGE_PATH: home / "results"}
        with temporary_settings(isolated):
            create_pool()
            deploy_beam_search(home, api_url)
            results = {n: run_with_workers(n, beams, root, home, api_url) for n in (1, 2)}
    finally:
        stop(server)
    print(f"{args.beams} beams of 2.1 s; baseline (searched in-process, no orchestration): "
          f"{baseline:.2f} s/beam")
    for n, r in results.items():
        run_s = r["search_s"] + r["overhead_s"]
        print(f"{n} worker(s): {r['wall_s']:.1f} s wall, {r['beams_per_min']:.1f} beams/min; per beam: "
              f"search {r['search_s']:.2f} s, overhead median {r['overhead_s']:.2f} s "
              f"(p90 {r['overhead_p90_s']:.2f} s), run/baseline {run_s / baseline:.1f}x")
    scaling = results[2]["beams_per_min"] / results[1]["beams_per_min"]
    print(f"scaling 1 -> 2 workers: {scaling:.2f}x (linear: 2.00x)")


if __name__ == "__main__":
    main()
