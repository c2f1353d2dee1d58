"""Terrestrial interference to put in simulated beams, so RFI masking has something to find.

Two kinds, as at Arecibo: a few channels with a persistent, periodically modulated narrowband
signal, and a few short broadband bursts with no dispersion (DM 0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

MODULATION_HZ = (50.0, 60.0, 120.0)


@dataclass(frozen=True)
class NarrowbandRfi:
    """A channel switching between 0 and ``amplitude_sigma`` at ``modulation_hz``."""

    freq_mhz: float
    modulation_hz: float
    amplitude_sigma: float

    def signal(self, times_s: np.ndarray) -> np.ndarray:
        on = np.sin(2.0 * np.pi * self.modulation_hz * times_s) > 0.0
        return self.amplitude_sigma * on.astype(np.float32)


@dataclass(frozen=True)
class BroadbandBurst:
    """A flat burst in every channel at once."""

    time_s: float
    duration_s: float
    amplitude_sigma: float

    def sample_range(self, tsamp_s: float) -> slice:
        start = int(self.time_s / tsamp_s)
        return slice(start, start + max(1, round(self.duration_s / tsamp_s)))


@dataclass(frozen=True)
class RfiPlan:
    narrowband: tuple[NarrowbandRfi, ...]
    bursts: tuple[BroadbandBurst, ...]

    def to_dict(self) -> dict:
        return {
            "narrowband": [asdict(n) for n in self.narrowband],
            "broadband_bursts": [asdict(b) for b in self.bursts],
        }

    def add_to(self, data: np.ndarray, freqs_mhz: np.ndarray, tsamp_s: float) -> None:
        """Add the RFI to ``data`` (nchan, nsamp) in place; channels are matched by frequency."""
        times = np.arange(data.shape[1]) * tsamp_s
        for line in self.narrowband:
            hits = np.flatnonzero(np.isclose(freqs_mhz, line.freq_mhz))
            for channel in hits:
                data[channel] += line.signal(times)
        for burst in self.bursts:
            data[:, burst.sample_range(tsamp_s)] += np.float32(burst.amplitude_sigma)


def plan_rfi(
    rng: np.random.Generator, freqs_mhz: np.ndarray, obs_time_s: float, count: int = 3
) -> RfiPlan:
    """Draw ``count`` narrowband channels and ``count`` bursts."""
    channels = rng.choice(len(freqs_mhz), size=count, replace=False)
    narrowband = tuple(
        NarrowbandRfi(
            freq_mhz=float(freqs_mhz[c]),
            modulation_hz=float(rng.choice(MODULATION_HZ)),
            amplitude_sigma=float(rng.uniform(2.0, 4.0)),
        )
        for c in sorted(channels)
    )
    bursts = tuple(
        BroadbandBurst(
            time_s=float(t),
            duration_s=float(rng.uniform(0.005, 0.03)),
            amplitude_sigma=float(rng.uniform(1.0, 2.0)),
        )
        for t in np.sort(rng.uniform(0.05, 0.95, size=count) * obs_time_s)
    )
    return RfiPlan(narrowband=narrowband, bursts=bursts)
