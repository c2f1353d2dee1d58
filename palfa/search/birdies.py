"""Dynamic zapping: periodic terrestrial signals ("birdies") found in the beam itself.

A birdie is not dispersed, so its Fourier power is largest at DM 0 and vanishes once
dedispersion spreads it over one cycle of its frequency f across the band: at the "cycle DM"
``1 / (f * band_delay_per_dm)``. A peak of the DM-0 spectrum is a birdie when its power at (an
octave-rounded) cycle DM is at most ``RATIO`` of its DM-0 power. A pulsar at DM_p is smeared
less at DM d than at DM 0 whenever DM_p >= d / 2, so its power there does not fall: testing only
frequencies whose cycle DM is at most ``2 * protected_dm`` can never zap a pulsar with DM above
``protected_dm`` (sifting's low_DM_cutoff, below which candidates are not folded anyway). For
PALFA's band and a cutoff of 2 that is everything above ~240 Hz.
"""

from __future__ import annotations

import numpy as np

from palfa.search.dedisperse import dedisperse
from palfa.search.plan import band_delay_per_dm
from palfa.search.rfi import CleanBeam
from palfa.search.significance import power_threshold
from palfa.search.spectrum import normalised_spectrum
from palfa.search.zaplist import Zaplist

SIGMA = 6.0  # DM-0 peaks at least this significant (single bin, all bins as trials) are tested
RATIO = 0.25  # a birdie keeps at most this fraction of its DM-0 power at its cycle DM
GAP_BINS = 2  # peaks closer than this are one birdie


def _powers(beam: CleanBeam, dm: float) -> np.ndarray:
    (_, series), = dedisperse(beam.data, beam.freqs_mhz, np.array([dm]), beam.tsamp_s)
    spec = normalised_spectrum(series, beam.tsamp_s)
    return spec.real**2 + spec.imag**2


def _runs(bins: np.ndarray) -> list[np.ndarray]:
    return np.split(bins, np.flatnonzero(np.diff(bins) > GAP_BINS) + 1) if len(bins) else []


def find_birdies(beam: CleanBeam, protected_dm: float) -> Zaplist:
    """The beam's birdies above the frequency where they can be told from pulsars with DM above
    ``protected_dm`` (an empty list when that frequency is above Nyquist)."""
    obs_time = beam.nsamp * beam.tsamp_s
    per_dm = band_delay_per_dm(beam.freqs_mhz)
    f_min = 1.0 / (per_dm * 2.0 * max(protected_dm, 1e-9))
    zero = _powers(beam, 0.0)
    threshold = power_threshold(SIGMA, 1, len(zero))
    first = max(1, int(np.ceil(f_min * obs_time)))
    peaks = np.flatnonzero(zero[first:] > threshold) + first
    freqs, widths = [], []
    octaves = np.floor(np.log2(peaks / obs_time / f_min)).astype(int) if len(peaks) else peaks
    for octave in np.unique(octaves):
        lowest = f_min * 2.0**octave  # the octave's cycle DM smears all of it by 1-2 cycles
        at_cycle_dm = _powers(beam, 1.0 / (per_dm * lowest))
        for run in _runs(peaks[octaves == octave]):
            if at_cycle_dm[run].max() <= RATIO * zero[run].max():
                freqs.append(0.5 * (run[0] + run[-1]) / obs_time)
                widths.append((run[-1] - run[0] + 2) / obs_time)
    return Zaplist(np.asarray(freqs), np.asarray(widths))
