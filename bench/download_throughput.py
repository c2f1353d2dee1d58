"""Download throughput on loopback: the pipeline's transfer path against a plain ftplib copy.

Both copy the same files from the same local FTP server (in a process of its own, as the
archive is) with 1, 2 and 4 parallel transfers. The pipeline's path is what the download flow
does, without Prefect's own per-task cost: one thread claims each file in the job tracker with
the disk budget checked (one commit) and hands it to a worker thread, which runs the
``download-file`` task's code (``download_claimed``): ``FtpSource.download`` (its own login,
TYPE I, SIZE, ``.part``, resume check, size check, rename) with the progress meter, then the
attempt's completion and verification (one commit). The baseline is one ``ftplib`` session per
thread, ``retrbinary`` straight into a file, in the same block size. Each setting runs
``--repeats`` times, the two alternating and taking turns to go first, each run starting with
no dirty pages (``sync`` before it, untimed); the best runs are compared.

    .venv/bin/python bench/download_throughput.py --files 4 --size-mib 256 --repeats 7
"""

from __future__ import annotations

import argparse
import ftplib
import logging
import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from palfa.archive import ArchiveFtpServer
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.transfer import FtpSource
from palfa.transfer.disk_budget import DiskBudget, admits_download
from palfa.transfer.download_attempt import download_claimed
from palfa.transfer.ftp_download import BLOCK_SIZE

USER, PASSWORD, GUID = "bench", "bench", "guid"
progress_log = logging.getLogger("bench.progress")  # the task's log, not shown (WARNING)
MIB = 2**20


class PlainFtplib:
    """The baseline: one connection per thread, ``retrbinary`` straight into the file, in blocks
    as large as the pipeline's (ftplib's default 8 KiB blocks are 3-4x slower here)."""

    def __init__(self, host: str, port: int, outdir: Path) -> None:
        self.host, self.port, self.outdir = host, port, outdir

    def copy(self, names: list[str], parallel: int) -> None:
        def worker(todo: queue.Queue[str]) -> None:
            ftp = ftplib.FTP()
            ftp.connect(self.host, self.port)
            ftp.login(USER, PASSWORD)
            while True:
                try:
                    name = todo.get_nowait()
                except queue.Empty:
                    break
                with (self.outdir / name).open("wb") as out:
                    ftp.retrbinary(f"RETR {GUID}/{name}", out.write, BLOCK_SIZE)
            ftp.quit()

        _in_threads(worker, names, parallel)


class Pipeline:
    """What the download flow does: one thread claims files, at most ``parallel`` at a time, and
    hands each to a worker thread running the ``download-file`` task's code; the files are
    registered first, as a restore does."""

    def __init__(self, host: str, port: int, outdir: Path) -> None:
        self.outdir = outdir
        self.tracker = JobTracker(outdir.parent / f"{outdir.name}.db")
        self.source = FtpSource(host, port, USER, PASSWORD)
        staged = self.source.list_files(GUID)
        self.tracker.add_files([NewFile(str(outdir / f.name), f.path, size=f.size) for f in staged])
        self.budget = DiskBudget(space_to_use=1 << 50, min_free_space=0)

    def copy(self, _names: list[str], parallel: int) -> None:
        def admit(file, flying) -> bool:
            return admits_download(self.budget, self.outdir, file, flying)

        in_flight: set[Future[Path]] = set()
        with ThreadPoolExecutor(parallel) as workers:
            while True:
                while len(in_flight) < parallel and (claim := self.tracker.claim_file_for_download(admit)):
                    in_flight.add(workers.submit(download_claimed, self.tracker, self.source, claim,
                                                 progress_log.info))
                if not in_flight:
                    break
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()

    def close(self) -> None:
        self.tracker.close()


def _in_threads(worker: Callable[[queue.Queue[str]], None], names: list[str], parallel: int) -> None:
    todo: queue.Queue[str] = queue.Queue()
    for name in names:
        todo.put(name)
    threads = [threading.Thread(target=worker, args=(todo,)) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def serve(root: Path, address: multiprocessing.Queue, stop: threading.Event) -> None:
    """The FTP server in a process of its own, as the archive is: it must not share our GIL."""
    logging.basicConfig(level=logging.WARNING)  # else pyftpdlib logs every transfer
    server = ArchiveFtpServer(root, USER, PASSWORD, auth_failed_timeout=0)
    server.start()
    address.put((server.host, server.port))
    stop.wait()
    server.stop()


def timed(kind: type[PlainFtplib | Pipeline], server: tuple[str, int], names: list[str],
          work: Path, parallel: int) -> float:
    outdir = work / "out"
    shutil.rmtree(outdir, ignore_errors=True)
    for database in work.glob("out.db*"):  # the pipeline's job tracker (and its WAL files)
        database.unlink()
    outdir.mkdir()
    copier = kind(*server, outdir)
    os.sync()  # the previous run's writes must not be flushed during this one
    start = time.perf_counter()
    copier.copy(names, parallel)
    seconds = time.perf_counter() - start
    if isinstance(copier, Pipeline):
        copier.close()  # the flow keeps its job tracker open: its teardown is not per file
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--size-mib", type=int, default=256, help="PALFA's 4-bit files: ~250 MiB")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="palfa-bench-") as tmp:
        work = Path(tmp)
        (work / "ftp" / GUID).mkdir(parents=True)
        names = [f"file{i}.fits" for i in range(args.files)]
        for name in names:
            (work / "ftp" / GUID / name).write_bytes(os.urandom(args.size_mib * MIB))
        total_mib = args.files * args.size_mib
        address: multiprocessing.Queue = multiprocessing.Queue()
        stop = multiprocessing.Event()
        serving = multiprocessing.Process(target=serve, args=(work / "ftp", address, stop))
        serving.start()
        server = address.get(timeout=60)
        print(f"{args.files} files x {args.size_mib} MiB over ftp://{server[0]}:{server[1]}, "
              f"best of {args.repeats}")
        print(f"{'parallel':>8} {'ftplib MiB/s':>13} {'pipeline MiB/s':>15} {'ratio':>6}")
        try:
            for parallel in args.parallel:
                best = {PlainFtplib: float("inf"), Pipeline: float("inf")}
                for repeat in range(args.repeats):
                    for kind in list(best)[:: 1 if repeat % 2 == 0 else -1]:  # each goes first in turn
                        best[kind] = min(best[kind], timed(kind, server, names, work, parallel))
                base, ours = total_mib / best[PlainFtplib], total_mib / best[Pipeline]
                print(f"{parallel:>8} {base:>13.0f} {ours:>15.0f} {ours / base:>6.2f}")
        finally:
            stop.set()
            serving.join()


if __name__ == "__main__":
    main()
