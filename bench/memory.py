"""Peak memory of one beam search: the memory-bounded path against the in-memory baseline.

The memory-bounded path is ``EmbeddedEngine.search``: the files are read block by block (RFI
statistics, then cleaning) and the cleaned beam and its downsampled copies live in scratch files
read through the page cache. The baseline, measured in the same run on the same beam, is the
old path: ``read_beam`` (the whole beam as float32 in memory) and ``search_filterbank`` keeping
every copy in memory. Each search runs in a child process of its own; the parent polls the
child's /proc status every few ms for anonymous memory (RssAnon: arrays, what the process itself
needs), and the child reports its peak resident set (VmHWM), which also counts the page-cache
pages of scratch files it has mapped: the kernel writes them out and drops them when memory is
short, so they do not limit the size of a beam. Also printed: the memory after imports, wall
times per stage, whether both paths found the same candidates, and the numba kernels on the
memory-mapped cleaned beam against the same array in memory (a beam that fits in RAM).

    .venv/bin/python bench/memory.py --repeats 2     # 1024 channels x 2**17 samples: 512 MiB
    .venv/bin/python bench/memory.py --nchan-per-file 128 --nsamp 524288 --tsamp 64e-6
                                     # 512 MiB again, Mock's sample time, downsampled DM trials

Several repeats alternate the two paths; the shortest wall times and the largest peaks count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from palfa.config.settings import SearchingSettings
from palfa.psrfits.reader import open_beam, read_beam
from palfa.search.dedisperse import downsample, form_subbands
from palfa.search.engine import EmbeddedEngine
from palfa.search.fold import fold_candidate
from palfa.search.rfi import apply_mask, compute_mask
from palfa.search.scratch import scratch_dir
from palfa.search.timing import StageTimer
from palfa.simulate.beam import BeamSpec, simulate_beam
from palfa.simulate.pulsar import InjectedPulsar

PULSARS = (InjectedPulsar(0.0893, 27.0, 0.05, 30.0), InjectedPulsar(0.4071, 45.0, 0.03, 25.0))
POLL_S = 0.002
MIB = 2**20


def _status_kib(pid: int | str, fields: tuple[str, ...]) -> dict[str, int]:
    """Fields of /proc/<pid>/status in KiB ({} once the process is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        key, _, rest = line.partition(":")
        if key in fields:
            values[key] = int(rest.split()[0])
    return values


def _settings(args: argparse.Namespace, scratch_base: str) -> SearchingSettings:
    return SearchingSettings(max_dm=args.max_dm, hi_accel_zmax=args.zmax,
                             base_tmp_dir=Path(scratch_base))


def _child(args: argparse.Namespace) -> None:
    """Run one measurement and print its figures as JSON on the last line of stdout."""
    files = [Path(f) for f in args.files]
    settings = _settings(args, args.scratch)
    after_imports = _status_kib("self", ("RssAnon",))["RssAnon"]
    start = time.perf_counter()
    report: dict = {}
    if args.child == "kernels":
        report = _kernels(files, settings)
    else:
        outdir = Path(args.scratch) / f"out-{args.child}"
        engine = EmbeddedEngine()
        if args.child == "stream":
            results = engine.search(files, outdir, settings)
        else:  # what search did before: the whole beam read, then searched in memory
            timer = StageTimer()
            with timer.stage("read"):
                fb = read_beam(files, settings.skip_rows)
            results = engine.search_filterbank(fb, outdir, settings, timer=timer)
        report["candidates"] = [[c.period_s, c.dm, c.sigma] for c in results.candidates]
        report["stages"] = json.loads((outdir / "timing.json").read_text())
    report |= {"wall_s": time.perf_counter() - start, "after_imports_kib": after_imports,
               "vmhwm_kib": _status_kib("self", ("VmHWM",))["VmHWM"]}
    print(json.dumps(report))


def _seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _best_of(repeats: int, first, second) -> tuple[float, float]:
    """Shortest times of two pieces of work run alternately, so load hits both alike."""
    times = [(_seconds(first), _seconds(second)) for _ in range(repeats)]
    return min(t[0] for t in times), min(t[1] for t in times)


def _kernels(files: list[Path], settings: SearchingSettings) -> dict:
    """Stage-one dedispersion, downsampling and folding on the memory-mapped cleaned beam and on
    the same array in memory (best of 5)."""
    stream = open_beam(files, settings.skip_rows)
    with scratch_dir(settings.base_tmp_dir, "kernels") as scratch:
        clean = apply_mask(stream, compute_mask(stream, settings.rfifind_chunk_time),
                           scratch=scratch)
        mapped, in_ram = clean.data, np.array(clean.data)
        psr = PULSARS[0]
        figures = {}
        for name, work in (
            ("form_subbands x3", lambda d, _: [form_subbands(d, clean.freqs_mhz, dm, clean.tsamp_s)
                                               for dm in (10.0, 30.0, 50.0)]),
            ("downsample x2", lambda d, where: downsample(d, 2, where)),
            ("fold_candidate", lambda d, where: fold_candidate(
                replace(clean, data=d, scratch=where), psr.period_s, psr.dm, 0.5)),
        ):
            figures[name] = _best_of(5, lambda w=work: w(mapped, scratch),
                                     lambda w=work: w(in_ram, None))
        return {"kernels": figures}


def _measure(args: argparse.Namespace, kind: str, files: list[Path], scratch: str) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--scratch", scratch,
               "--max-dm", str(args.max_dm), "--zmax", str(args.zmax), "--files",
               *map(str, files)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = {"RssAnon": 0, "RssFile": 0}
    while proc.poll() is None:
        for key, value in _status_kib(proc.pid, tuple(peak)).items():
            peak[key] = max(peak[key], value)
        time.sleep(POLL_S)
    out = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"the {kind} child failed (exit {proc.returncode}):\n{out}")
    return json.loads(out.strip().splitlines()[-1]) | {"peak_anon_kib": peak["RssAnon"],
                                                       "peak_file_kib": peak["RssFile"]}


def _combined(runs: list[dict]) -> dict:
    """The largest peaks and the shortest times of repeated runs of one path."""
    fastest = min(runs, key=lambda r: r["wall_s"])
    peaks = {k: max(r[k] for r in runs) for k in runs[0] if k.endswith("_kib")}
    if any(r["candidates"] != fastest["candidates"] for r in runs):
        raise SystemExit("repeated searches of one beam found different candidates")
    return fastest | peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nchan-per-file", type=int, default=512)
    parser.add_argument("--nsamp", type=int, default=2**17)
    parser.add_argument("--tsamp", type=float, default=256e-6)
    parser.add_argument("--repeats", type=int, default=1, help="searches per path")
    parser.add_argument("--max-dm", type=float, default=50.0)
    parser.add_argument("--zmax", type=int, default=0, help="high-acceleration pass zmax")
    parser.add_argument("--workdir", type=Path, help="keep the beam here (default: a temp dir)")
    parser.add_argument("--child", choices=("stream", "ram", "kernels"), help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    with tempfile.TemporaryDirectory(prefix="palfa-membench-") as tmp:
        work = args.workdir or Path(tmp)
        spec = BeamSpec(nchan_per_file=args.nchan_per_file, nsamp=args.nsamp,
                        tsamp_s=args.tsamp, nbits=4, pulsars=PULSARS, rfi=True, seed=11)
        files = list(simulate_beam(spec, work / "raw").files)
        beam_mib = 2 * args.nchan_per_file * args.nsamp * 4 / MIB
        print(f"beam: {2 * args.nchan_per_file} channels x {args.nsamp} samples "
              f"({args.nsamp * args.tsamp:.1f} s): {beam_mib:.0f} MiB as float32, "
              f"{sum(f.stat().st_size for f in files) / MIB:.0f} MiB of 4-bit files; "
              f"max DM {args.max_dm:g}, zmax {args.zmax}")
        measured = [{kind: _measure(args, kind, files, tmp) for kind in ("stream", "ram")}
                    for _ in range(args.repeats)]
        runs = {kind: _combined([m[kind] for m in measured]) for kind in ("stream", "ram")}
        kernels = _measure(args, "kernels", files, tmp)["kernels"]

    stream, ram = runs["stream"], runs["ram"]
    print(f"\n{'':24}{'streaming':>12}{'in-memory':>12}{'ratio':>8}")
    for label, key in (("peak anonymous (MiB)", "peak_anon_kib"),
                       ("peak RSS, VmHWM (MiB)", "vmhwm_kib"),
                       ("peak file-backed (MiB)", "peak_file_kib"),
                       ("after imports (MiB)", "after_imports_kib")):
        a, b = stream[key] / 1024, ram[key] / 1024
        print(f"{label:24}{a:12.0f}{b:12.0f}{a / b:8.2f}")
    grown = [(r["peak_anon_kib"] - r["after_imports_kib"]) / 1024 for r in (stream, ram)]
    print(f"{'anonymous - imports':24}{grown[0]:12.0f}{grown[1]:12.0f}{grown[0] / grown[1]:8.2f}")
    print(f"{'  as share of the beam':24}{grown[0] / beam_mib:12.2f}{grown[1] / beam_mib:12.2f}")
    print(f"{'wall time (s)':24}{stream['wall_s']:12.1f}{ram['wall_s']:12.1f}"
          f"{stream['wall_s'] / ram['wall_s']:8.2f}")
    for stage in [k for k in ram["stages"] if k != "total"]:
        a, b = stream["stages"].get(stage, 0.0), ram["stages"][stage]
        print(f"{'  ' + stage + ' (s)':24}{a:12.2f}{b:12.2f}" + (f"{a / b:8.2f}" if b else ""))
    same = stream["candidates"] == ram["candidates"]
    print(f"candidates: {len(stream['candidates'])} streaming, {len(ram['candidates'])} in "
          f"memory; identical periods, DMs and sigmas: {'yes' if same else 'NO'}")
    print(f"\nkernels, best of 5 (s){'memory-mapped':>16}{'in memory':>12}{'ratio':>8}")
    for name, (mapped, in_ram) in kernels.items():
        print(f"  {name:22}{mapped:14.3f}{in_ram:12.3f}{mapped / in_ram:8.2f}")


if __name__ == "__main__":
    main()
