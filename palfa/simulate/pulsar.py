"""A pulsar to inject: its spin, dispersion, pulse shape and the signal it leaves in a channel."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import erf

DISPERSION_S = 4.148808e3  # cold-plasma delay constant, s MHz^2 pc^-1 cm^3
SPEED_OF_LIGHT_MS = 299_792_458.0
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
PROFILE_GRID = 4096  # phase samples of a tabulated pulse profile


@dataclass(frozen=True)
class InjectedPulsar:
    """A pulsar with a Gaussian pulse; ``snr`` is its ideal matched-filter S/N in the beam."""

    period_s: float
    dm: float
    duty_cycle: float  # pulse FWHM as a fraction of the period
    snr: float
    accel_ms2: float = 0.0  # line-of-sight acceleration, m/s^2
    phase: float = 0.0  # rotational phase of the pulse peak at t=0 at the highest frequency

    def to_dict(self) -> dict:
        return asdict(self)

    def spin_phase(self, times_s: np.ndarray) -> np.ndarray:
        """Turns since t=0: the integral of f(t) = f0 (1 - a t / c), offset by ``phase``."""
        f0 = 1.0 / self.period_s
        drift = self.accel_ms2 / SPEED_OF_LIGHT_MS
        return f0 * (times_s - 0.5 * drift * times_s**2) - self.phase


def dispersion_delay_s(dm: float, freqs_mhz: np.ndarray, ref_mhz: float) -> np.ndarray:
    """Arrival delay at each frequency relative to ``ref_mhz``."""
    return DISPERSION_S * dm * (np.asarray(freqs_mhz) ** -2.0 - ref_mhz**-2.0)


def smearing_s(dm: float, freqs_mhz: np.ndarray, chan_bw_mhz: float) -> np.ndarray:
    """Dispersion smearing across one channel of width ``chan_bw_mhz``."""
    return 2.0 * DISPERSION_S * dm * abs(chan_bw_mhz) / np.asarray(freqs_mhz) ** 3


def sampled_profile(sigma_turns: float, sample_turns: float) -> np.ndarray:
    """Unit-peak wrapped Gaussian averaged over one sample, on ``PROFILE_GRID`` phases in [0, 1).

    Entry ``i`` is the mean of the pulse over the sample that starts at phase ``i/PROFILE_GRID``,
    so narrow pulses keep their true energy however the samples fall.
    """
    start = np.arange(PROFILE_GRID) / PROFILE_GRID
    start = np.where(start >= 0.5, start - 1.0, start)  # nearest-to-peak copy of each phase
    scale = sigma_turns * np.sqrt(2.0)
    total = np.zeros(PROFILE_GRID)
    for wrap in (-2, -1, 0, 1, 2):
        lo = start + wrap
        total += erf((lo + sample_turns) / scale) - erf(lo / scale)
    return total * (sigma_turns * np.sqrt(np.pi / 2.0)) / sample_turns


def channel_profiles(
    pulsar: InjectedPulsar, freqs_mhz: np.ndarray, chan_bw_mhz: float, tsamp_s: float
) -> np.ndarray:
    """Sampled pulse profile of every channel (nchan, PROFILE_GRID), fluence conserved.

    Intra-channel dispersion smearing widens the pulse and lowers its peak, as in real data.
    """
    fwhm_s = pulsar.duty_cycle * pulsar.period_s
    widths_s = np.hypot(fwhm_s, smearing_s(pulsar.dm, freqs_mhz, chan_bw_mhz))
    sample_turns = tsamp_s / pulsar.period_s
    return np.stack(
        [
            sampled_profile(width / FWHM_PER_SIGMA / pulsar.period_s, sample_turns)
            * (fwhm_s / width)
            for width in widths_s
        ]
    )


def profile_at(profile: np.ndarray, phase_turns: np.ndarray) -> np.ndarray:
    """Linearly interpolate a tabulated (periodic, uniform-grid) profile at unwrapped phases."""
    position = np.mod(phase_turns, 1.0) * PROFILE_GRID
    index = np.minimum(position.astype(np.intp), PROFILE_GRID - 1)
    fraction = position - index
    closed = np.append(profile, profile[0])  # grid point after the last one is phase 1 == 0
    return closed[index] * (1.0 - fraction) + closed[index + 1] * fraction
