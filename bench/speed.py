"""Speed of the embedded search per DM trial on a PALFA-sized series, against a plain numpy
baseline measured in the same run and PRESTO 6's published figures (issue 4).

    .venv/bin/python bench/speed.py                      # 2**22 samples (~4 M), all cores
    NUMBA_NUM_THREADS=1 .venv/bin/python bench/speed.py  # one core, as PRESTO was measured

Stages: dedispersion (seconds per trial, averaged over a subband group), FFT, FFT + accel search
at zmax 0 / 16 harmonics and zmax 50 / 8 harmonics, the folding kernel, and folding one
candidate as the engine does (no baseline). The FFTW plans are measured first (``palfa
fftw-wisdom``; seconds, once per machine), as PRESTO's figures assume its FFTW wisdom file.
The numpy baselines implement the same algorithms without numba or threads: dedispersion by
shifting and adding every channel, numpy.fft, the f-fdot plane by one full-length FFT
correlation per z (timed on a few z rows and scaled to all of them), harmonic sums by fancy
indexing, folding by bincount.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numba
import numpy as np

from palfa.search.accel import AccelParams, search_series, search_transforms
from palfa.search.dedisperse import dedisperse, delays_s
from palfa.search.fftw import measure_plans, rfft
from palfa.search.fold import _fold, fold_candidate  # the kernel, timed against numpy's
from palfa.search.harmonics import harmonic_stages
from palfa.search.rfi import CleanBeam
from palfa.search.zresponse import template, z_grid

PRESTO_S = {"fft": 0.10, "fft+accel zmax 0, 16 harm": 0.10 + 0.44,
            "fft+accel zmax 50, 8 harm": 0.10 + 8.6}  # per 4 M-sample trial, one core
LO = AccelParams(numharm=16, sigma=2.0, flo_hz=2.0, zmax=0)
HI = AccelParams(numharm=8, sigma=3.0, flo_hz=1.0, zmax=50)


def timed(func: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def numpy_dedisperse(data: np.ndarray, freqs: np.ndarray, dm: float, dt: float) -> np.ndarray:
    shifts = np.round(delays_s(freqs, dm, float(freqs.max())) / dt).astype(int)
    out = np.zeros(data.shape[1])
    for chan, shift in enumerate(shifts):
        out[: data.shape[1] - shift] += data[chan, shift:]
    return out


def numpy_plane_rows(series: np.ndarray, zmax: float, rows: int) -> float:
    """Seconds for the f-fdot plane by full-length numpy FFT correlation, scaled from ``rows``
    (the middle rows: a z = 0 row costs what any other does)."""
    spec = np.fft.rfft(series - series.mean())
    spec /= np.sqrt(np.mean(np.abs(spec[1:]) ** 2))
    spread = np.zeros(2 * len(spec), complex)
    spread[::2] = spec
    data_fft = np.fft.fft(spread)
    zs = z_grid(zmax)
    start = time.perf_counter()
    for z in zs[:rows]:
        half = 2 * (int(np.ceil(abs(z) / 2)) + 12)
        kernel = np.zeros(len(spread), complex)
        taps = template(float(z), half)
        kernel[: len(taps)] = taps
        _ = np.abs(np.fft.ifft(data_fft * np.fft.fft(kernel))) ** 2
    return (time.perf_counter() - start) * len(zs) / min(rows, len(zs))


def numpy_harmonic_sums(plane: np.ndarray, numharm: int, rows: int) -> float:
    """Seconds for the best harmonic sums over z by fancy indexing, scaled from ``rows``."""
    nz, n = plane.shape
    zmid, index = nz // 2, np.arange(n)
    best = np.zeros((len(harmonic_stages(numharm)), n), np.float32)
    start = time.perf_counter()
    for j in range(min(rows, nz)):
        for s, h in enumerate(harmonic_stages(numharm)):
            k = np.arange(1, h + 1)[:, None]
            zrows = zmid + ((j - zmid) * k * 2 + h) // (2 * h)
            np.maximum(best[s], plane[zrows, (index * k + h // 2) // h].sum(axis=0), out=best[s])
    return (time.perf_counter() - start) * nz / min(rows, nz)


def numpy_fold(sub: np.ndarray, dt: float, freq: float, nbins: int = 64, npart: int = 32):
    t = (np.arange(sub.shape[1]) + 0.5) * dt
    bins = ((t * freq) % 1.0 * nbins).astype(int)
    part = np.minimum(np.arange(sub.shape[1]) * npart // sub.shape[1], npart - 1)
    key = part * nbins + bins
    return np.stack([np.bincount(key, s, npart * nbins) for s in sub])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nsamp", type=int, default=2**22)
    parser.add_argument("--nchan", type=int, default=64)
    parser.add_argument("--tsamp", type=float, default=64e-6)
    parser.add_argument("--ndm", type=int, default=16, help="trials in the dedispersion group")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline-rows", type=int, default=3,
                        help="z rows the numpy f-fdot plane is timed on (then scaled)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    freqs = np.linspace(1214.3, 1536.8, args.nchan)
    data = rng.standard_normal((args.nchan, args.nsamp), dtype=np.float32)
    series = data[: args.nchan // 4].sum(axis=0) / np.sqrt(args.nchan // 4)
    dt, dms = args.tsamp, 100.0 + 0.3 * np.arange(args.ndm)
    measure_plans(search_transforms(args.nsamp, [LO, HI]))  # once per machine: kept on disk
    search_series(series, dt, 0.0, [LO, HI])  # compile, build the z templates
    print(f"{args.nsamp} samples, {args.nchan} channels, {numba.get_num_threads()} threads")

    rows: list[tuple[str, float, float]] = []
    ours = timed(lambda: list(dedisperse(data, freqs, dms, dt)), args.repeat) / len(dms)
    base = timed(lambda: numpy_dedisperse(data, freqs, float(dms[0]), dt), 1)
    rows.append(("dedispersion", ours, base))

    x32 = series.astype(np.float32)
    rows.append(("fft", timed(lambda: rfft(x32), args.repeat),
                 timed(lambda: np.fft.rfft(series), args.repeat)))
    for name, params, hrows in (("fft+accel zmax 0, 16 harm", LO, 1),
                                ("fft+accel zmax 50, 8 harm", HI, args.baseline_rows)):
        ours = timed(lambda p=params: search_series(series, dt, 0.0, [p]), args.repeat)
        plane = np.random.default_rng(1).exponential(
            size=(len(z_grid(params.zmax)), 2 * (args.nsamp // 2 + 1))).astype(np.float32)
        base = numpy_plane_rows(series, params.zmax, hrows)
        base += numpy_harmonic_sums(plane, params.numharm, hrows)
        rows.append((name, ours, base))
        del plane

    sub = data[:32].astype(np.float64)
    rows.append(("fold kernel (32 subbands, 64 bins)",
                 timed(lambda: _fold(sub, dt, 1 / 0.0123, 0.0, 32, 64), args.repeat),
                 timed(lambda: numpy_fold(sub, dt, 1 / 0.0123), 1)))
    beam = CleanBeam(data, freqs, dt, np.ones(args.nchan, bool))
    fold_s = timed(lambda: fold_candidate(beam, 0.0123, 100.0, 0.3, 1e-4), 1)

    print(f"{'stage':46s} {'ours s':>8s} {'numpy s':>8s} {'numpy/ours':>10s} {'PRESTO 1-core s':>15s}"
          f" {'PRESTO/ours':>11s}")
    for name, ours, base in rows:
        presto = PRESTO_S.get(name)
        ref = f"{presto:15.2f} {presto / ours:11.2f}" if presto else f"{'-':>15s} {'-':>11s}"
        print(f"{name:46s} {ours:8.3f} {base:8.3f} {base / ours:10.1f} {ref}")
    print(f"fold one candidate (prepfold-like search, 6 period multiples): {fold_s:.2f} s")


if __name__ == "__main__":
    main()
