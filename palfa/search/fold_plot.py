"""A prepfold-like diagnostic plot of a folded candidate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from palfa.search.fold import FoldResult


def plot_fold(fold: FoldResult, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(10, 7.5))
    grid = fig.add_gridspec(3, 3)
    two = np.concatenate([fold.profile, fold.profile])
    phase = np.arange(len(two)) / len(fold.profile)

    ax = fig.add_subplot(grid[0, 0])
    ax.step(phase, two, where="post", color="k")
    ax.set(title="Profile", xlabel="Phase", ylabel="S/N per bin")

    ax = fig.add_subplot(grid[1:, 0])
    per_part = fold.cube.sum(axis=1)
    ax.imshow(np.hstack([per_part, per_part]), aspect="auto", origin="lower", cmap="Greys",
              extent=(0, 2, 0, fold.part_times_s[-1] * (1 + 0.5 / len(fold.part_times_s))))
    ax.set(title="Phase vs time", xlabel="Phase", ylabel="Time (s)")

    ax = fig.add_subplot(grid[1:, 1])
    per_sub = fold.cube.sum(axis=0)
    ax.imshow(np.hstack([per_sub, per_sub]), aspect="auto", origin="lower", cmap="Greys",
              extent=(0, 2, fold.sub_freqs_mhz.min(), fold.sub_freqs_mhz.max()))
    ax.set(title="Phase vs frequency", xlabel="Phase", ylabel="Frequency (MHz)")

    ax = fig.add_subplot(grid[0, 1])
    ax.plot(fold.dm_trials, fold.dm_snrs, color="k")
    ax.set(title="S/N vs DM", xlabel="DM (pc cm$^{-3}$)", ylabel="S/N")

    ax = fig.add_subplot(grid[0, 2])
    ax.plot(1e3 * (fold.period_trials - fold.period_s), fold.period_snrs, color="k")
    ax.set(title="S/N vs period", xlabel=f"P - {1e3 * fold.period_s:.6f} ms (ms)", ylabel="S/N")

    ax = fig.add_subplot(grid[1:, 2])
    ax.axis("off")
    text = (f"{title}\n\nP = {1e3 * fold.period_s:.6f} ms\nDM = {fold.dm:.2f} pc cm$^{{-3}}$\n"
            f"S/N = {fold.snr:.1f}\nbins = {len(fold.profile)}\n"
            f"sub-ints = {fold.cube.shape[0]}\nsubbands = {fold.cube.shape[1]}")
    ax.text(0.0, 1.0, text, va="top", family="monospace")
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
