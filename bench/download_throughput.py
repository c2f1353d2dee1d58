"""Download throughput on loopback: the pipeline's transfer path against a plain ftplib copy.

Both copy the same files from the same local FTP server (in a process of its own, as the
archive is) with 1, 2 and 4 parallel transfers. The pipeline's path is what each
``download-file`` task does per file, without Prefect's own per-task cost: a claim in the job
tracker with the disk budget checked, ``FtpSource.download`` (TYPE I, SIZE, ``.part``, resume
check, size check, rename) with the progress meter, then the attempt's completion and
verification (one commit). The baseline is ``ftplib.retrbinary`` straight into a file, in the
same block size. Each setting runs ``--repeats`` times, alternating; the best runs are compared.

    .venv/bin/python bench/download_throughput.py --files 4 --size-mib 256 --repeats 5
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from palfa.archive import ArchiveFtpServer
from palfa.jobtracker.tracker import JobTracker, NewFile
from palfa.transfer import FtpSource
from palfa.transfer.disk_budget import DiskBudget, admits_download
from palfa.transfer.ftp_download import BLOCK_SIZE
from palfa.transfer.progress import TransferMeter

USER, PASSWORD, GUID = "bench", "bench", "guid"
MIB = 2**20


class PlainFtplib:
    """The baseline: one connection per thread, ``retrbinary`` straight into the file, in blocks
    as large as the pipeline's (ftplib's default 8 KiB blocks are ~30 % slower here)."""

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
    """What the download tasks do per file; the files are registered first, as a restore does."""

    def __init__(self, host: str, port: int, outdir: Path) -> None:
        self.outdir = outdir
        self.tracker = JobTracker(outdir.parent / f"{outdir.name}.db")
        self.source = FtpSource(host, port, USER, PASSWORD)
        staged = self.source.list_files(GUID)
        self.tracker.add_files([NewFile(str(outdir / f.name), f.path, size=f.size) for f in staged])
        self.budget = DiskBudget(space_to_use=1 << 50, min_free_space=0)

    def copy(self, names: list[str], parallel: int) -> None:
        def admit(file, flying) -> bool:
            return admits_download(self.budget, self.outdir, file, flying)

        def worker(_todo: queue.Queue[str]) -> None:
            while (claim := self.tracker.claim_file_for_download(admit)) is not None:
                attempt_id = claim.attempt.id

                def report(progress, moved: int, attempt_id: int = attempt_id) -> None:
                    if progress.done < progress.total:
                        self.tracker.record_download_progress(attempt_id, moved)

                meter = TransferMeter(Path(claim.file.filename).name, report, every_s=5.0)
                moved = self.source.download(claim.file.remote_filename, claim.file.filename,
                                             claim.file.size, progress=meter)
                verified = Path(claim.file.filename).stat().st_size == claim.file.size
                self.tracker.finish_download(attempt_id, moved, verified, "")

        _in_threads(worker, names, parallel)
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
    start = time.perf_counter()
    copier.copy(names, parallel)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--size-mib", type=int, default=256, help="PALFA's 4-bit files: ~250 MiB")
    parser.add_argument("--repeats", type=int, default=5)
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
                for _ in range(args.repeats):
                    for kind in best:
                        best[kind] = min(best[kind], timed(kind, server, names, work, parallel))
                base, ours = total_mib / best[PlainFtplib], total_mib / best[Pipeline]
                print(f"{parallel:>8} {base:>13.0f} {ours:>15.0f} {ours / base:>6.2f}")
        finally:
            stop.set()
            serving.join()


if __name__ == "__main__":
    main()
