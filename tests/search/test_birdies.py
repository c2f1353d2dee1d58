"""Dynamic zapping finds a broadband periodic signal and leaves a dispersed pulsar alone."""

from __future__ import annotations

import numpy as np
import pytest

from palfa.search.birdies import SIGMA, find_birdies
from palfa.search.plan import K_DM, band_delay_per_dm
from palfa.search.rfi import CleanBeam
from palfa.search.significance import power_threshold
from palfa.search.spectrum import normalised_spectrum

NCHAN, NSAMP, TSAMP = 64, 2**17, 64e-6
FREQS = np.linspace(1214.3, 1536.8, NCHAN)


def beam_with(birdie_hz: float | None, pulsar_dm: float | None, period_s: float = 0.02) -> CleanBeam:
    rng = np.random.default_rng(11)
    data = rng.standard_normal((NCHAN, NSAMP), dtype=np.float32)
    t = np.arange(NSAMP) * TSAMP
    if birdie_hz is not None:  # the same phase in every channel: not dispersed
        data += np.float32(0.08) * np.sin(2 * np.pi * birdie_hz * t).astype(np.float32)
    if pulsar_dm is not None:
        delays = K_DM * pulsar_dm * (FREQS**-2 - FREQS.max() ** -2)
        for chan, delay in enumerate(delays):
            phase = ((t - delay) / period_s) % 1.0
            data[chan] += np.float32(0.5) * (phase < 0.02)
    return CleanBeam(data - data.mean(axis=1, keepdims=True), FREQS, TSAMP, np.ones(NCHAN, bool))


def test_a_broadband_periodic_signal_is_found():
    birdies = find_birdies(beam_with(1234.5, None), protected_dm=2.0)
    assert len(birdies.freqs_hz) == 1
    assert birdies.freqs_hz[0] == pytest.approx(1234.5, abs=2 / (NSAMP * TSAMP))


def strong_dm0_harmonics(beam: CleanBeam, period_s: float, above_hz: float) -> int:
    """Pulsar harmonics above ``above_hz`` that stand out in the DM-0 (undedispersed) spectrum."""
    spec = normalised_spectrum(beam.data.sum(axis=0), TSAMP)
    power = spec.real**2 + spec.imag**2
    obs_time = NSAMP * TSAMP
    bins = [round(h / period_s * obs_time) for h in range(1, 200) if above_hz < h / period_s < 7000]
    return sum(power[b - 1:b + 2].max() > power_threshold(SIGMA, 1, len(power)) for b in bins)


@pytest.mark.parametrize("dm", [2.5, 30.0])
def test_a_dispersed_pulsar_is_never_zapped(dm):
    beam = beam_with(1234.5, dm)
    f_min = 1 / (2 * 2.0 * band_delay_per_dm(FREQS))
    if dm < 10:  # the case that matters: its harmonics look strong at DM 0, as a birdie's do
        assert strong_dm0_harmonics(beam, 0.02, f_min) >= 3
    birdies = find_birdies(beam, protected_dm=2.0)
    harmonics = np.arange(1, 400) * 50.0
    assert [f for f in birdies.freqs_hz if np.min(np.abs(harmonics - f)) < 1.0] == []
    assert np.any(np.abs(birdies.freqs_hz - 1234.5) < 1.0)


def test_zapping_stays_above_the_frequency_pulsars_can_be_told_apart():
    birdies = find_birdies(beam_with(120.0, None), protected_dm=2.0)  # mains hum: below ~240 Hz
    assert len(birdies.freqs_hz) == 0
