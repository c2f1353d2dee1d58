"""Birdie lists in PRESTO's zaplist text format: one ``freq width`` (Hz) per line, # comments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from palfa.errors import SearchError


@dataclass(frozen=True)
class Zaplist:
    freqs_hz: np.ndarray
    widths_hz: np.ndarray

    @classmethod
    def read(cls, path: Path) -> Zaplist:
        if not path.is_file():
            raise SearchError(str(path), "zaplist not found", "give an existing zaplist or none")
        return cls.parse(path.read_text(), str(path))

    @classmethod
    def parse(cls, text: str, source: str) -> Zaplist:
        """A zaplist from its text; ``source`` names it in errors."""
        freqs, widths = [], []
        for lineno, line in enumerate(text.splitlines(), start=1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if fields[0] == "B":  # PRESTO marks barycentric birdies with a leading B
                fields = fields[1:]
            try:
                freqs.append(float(fields[0]))
                widths.append(float(fields[1]))
            except (IndexError, ValueError) as exc:
                raise SearchError(
                    f"{source}:{lineno}", f"not a 'freq width' line ({line.strip()!r})",
                    "write one birdie per line as two numbers in Hz: centre frequency and width",
                ) from exc
        return cls(np.asarray(freqs), np.asarray(widths))

    def union(self, other: Zaplist) -> Zaplist:
        return Zaplist(np.concatenate([self.freqs_hz, other.freqs_hz]),
                       np.concatenate([self.widths_hz, other.widths_hz]))

    def write(self, path: Path) -> None:
        lines = ["#    Freq(Hz)      Width(Hz)"]
        lines += [f"{f:14.6f} {w:14.6f}" for f, w in zip(self.freqs_hz, self.widths_hz, strict=True)]
        path.write_text("\n".join(lines) + "\n")

    def bin_mask(self, nbins: int, obs_time_s: float, step: float = 1.0) -> np.ndarray:
        """Bins (of ``step`` Fourier bins each) that fall inside a birdie."""
        mask = np.zeros(nbins, dtype=bool)
        for f, w in zip(self.freqs_hz, self.widths_hz, strict=True):
            lo = int(np.floor((f - w / 2) * obs_time_s / step))
            hi = int(np.ceil((f + w / 2) * obs_time_s / step))
            mask[max(lo, 0):max(min(hi + 1, nbins), 0)] = True
        return mask

    def percent_zapped(self, nyquist_hz: float, below_hz: float | None = None) -> float:
        """Percentage of the spectrum (0 to ``below_hz`` or Nyquist) the birdies cover."""
        top = min(nyquist_hz, below_hz) if below_hz else nyquist_hz
        grid = np.linspace(0.0, top, 100_001)
        hit = np.zeros_like(grid, dtype=bool)
        for f, w in zip(self.freqs_hz, self.widths_hz, strict=True):
            hit |= np.abs(grid - f) <= w / 2
        return float(100.0 * hit.mean())
