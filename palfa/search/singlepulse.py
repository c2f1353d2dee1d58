"""Single-pulse search (single_pulse_search.py): boxcar matched filtering of each DM trial."""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numba
import numpy as np

BOXCAR_WIDTHS = (1, 2, 3, 4, 6, 9, 14, 20, 30, 45, 70, 100, 150, 220, 300)
DETREND_LEN = 1000  # samples per baseline block
MAX_EVENTS_PER_DM = 2000


@dataclass
class SinglePulse:
    dm: float
    sigma: float
    time_s: float
    sample: int
    downfact: int  # boxcar width in samples of the searched series


@numba.njit(cache=True)
def _boxcar_events(x, widths, threshold, max_events):  # pragma: no cover - compiled
    """Best-width event per local window above threshold: (sample, width, snr)."""
    n = x.shape[0]
    csum = np.zeros(n + 1)
    for i in range(n):
        csum[i + 1] = csum[i] + x[i]
    best_snr = np.zeros(n)
    best_w = np.zeros(n, np.int64)
    for w in widths:
        norm = 1.0 / np.sqrt(w)
        for i in range(n - w + 1):
            snr = (csum[i + w] - csum[i]) * norm
            if snr > best_snr[i]:
                best_snr[i] = snr
                best_w[i] = w
    samples = np.empty(max_events, np.int64)
    wout = np.empty(max_events, np.int64)
    snrs = np.empty(max_events)
    count = 0
    i = 0
    while i < n and count < max_events:
        if best_snr[i] >= threshold:
            # keep the strongest event in the run that overlaps this one
            j, k = i, i
            end = i + best_w[i]
            while k < n and k < end:
                if best_snr[k] > best_snr[j]:
                    j = k
                    end = max(end, k + best_w[k])
                k += 1
            samples[count] = j
            wout[count] = best_w[j]
            snrs[count] = best_snr[j]
            count += 1
            i = end
        else:
            i += 1
    return samples[:count], wout[:count], snrs[:count]


def normalise(series: np.ndarray) -> np.ndarray:
    """Remove a blockwise median baseline and scale to unit robust standard deviation."""
    n = len(series) // DETREND_LEN * DETREND_LEN
    x = series.astype(np.float64)
    if n:
        blocks = x[:n].reshape(-1, DETREND_LEN)
        x[:n] -= np.repeat(np.median(blocks, axis=1), DETREND_LEN)
        x[n:] -= np.median(x[n:]) if len(x) > n else 0.0
    else:
        x -= np.median(x)
    scale = 1.4826 * np.median(np.abs(x))
    return x / scale if scale > 0 else x


def search_pulses(
    series: np.ndarray, dt: float, dm: float, threshold: float, maxwidth_s: float
) -> list[SinglePulse]:
    widths = np.array([w for w in BOXCAR_WIDTHS if w * dt <= maxwidth_s] or [1], np.int64)
    samples, wout, snrs = _boxcar_events(normalise(series), widths, threshold, MAX_EVENTS_PER_DM)
    return [
        SinglePulse(float(dm), float(s), (int(i) + 0.5 * int(w)) * dt, int(i), int(w))
        for i, w, s in zip(samples, wout, snrs, strict=True)
    ]


def group_pulses(pulses: list[SinglePulse], time_tol_s: float) -> list[list[SinglePulse]]:
    """Group events close in time across DMs (one astrophysical burst lights up many DMs)."""
    ordered = sorted(pulses, key=lambda p: p.time_s)
    groups: list[list[SinglePulse]] = []
    for p in ordered:
        if groups and p.time_s - groups[-1][-1].time_s <= time_tol_s:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def write_pulses(path: Path, pulses: list[SinglePulse]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.name for f in fields(SinglePulse)])
        writer.writerows(astuple(p) for p in sorted(pulses, key=lambda p: (p.dm, p.time_s)))


def plot_pulses(path: Path, pulses: list[SinglePulse], plot_snr: float, obs_time_s: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [p for p in pulses if p.sigma >= plot_snr]
    fig, ax = plt.subplots(figsize=(9, 5))
    if shown:
        ax.scatter([p.time_s for p in shown], [p.dm for p in shown],
                   s=[4 * (p.sigma - plot_snr + 1) ** 2 for p in shown],
                   facecolors="none", edgecolors="k")
    ax.set(xlim=(0, obs_time_s), xlabel="Time (s)", ylabel="DM (pc cm$^{-3}$)",
           title=f"Single pulses with S/N >= {plot_snr:g} ({len(shown)} of {len(pulses)})")
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
