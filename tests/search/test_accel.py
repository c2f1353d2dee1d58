"""The acceleration search: z templates, the f-fdot plane, harmonic summing across z, and the
lo (zmax 0, 16 harmonics) / hi (zmax 50, 8 harmonics) passes on simulated binary pulsars."""

from __future__ import annotations

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.search.accel import AccelParams, search_series
from palfa.search.fold import fold_candidate
from palfa.search.harmonics import harmonic_positions, harmonic_stages, stage_max
from palfa.search.rfi import CleanBeam
from palfa.search.sifting import sift
from palfa.search.zplane import power_plane
from palfa.search.zresponse import response, template, z_grid
from palfa.simulate.pulsar import (
    SPEED_OF_LIGHT_MS,
    InjectedPulsar,
    profile_at,
    sampled_profile,
)

TSAMP = 256e-6
NSAMP = 2**17
OBS = NSAMP * TSAMP
LO = AccelParams(numharm=16, sigma=2.0, flo_hz=2.0, zmax=0)
HI = AccelParams(numharm=8, sigma=3.0, flo_hz=1.0, zmax=50)
# 5 ms, 8 % duty cycle, S/N 20, with an acceleration drifting its fundamental by z = -6 bins over
# these 33.5 s (z = -a T^2 f / c; the 8th harmonic then drifts by 48 bins, inside zmax 50).
PSR = InjectedPulsar(period_s=0.005, dm=0.0, duty_cycle=0.08, snr=20.0,
                     accel_ms2=6.0 * SPEED_OF_LIGHT_MS * 0.005 / OBS**2)
Z_TRUE = -PSR.accel_ms2 * OBS**2 / PSR.period_s / SPEED_OF_LIGHT_MS


def _series(psr: InjectedPulsar, seed: int = 5) -> np.ndarray:
    """Unit-rms noise plus the pulsar at its ideal matched-filter S/N (a dedispersed series)."""
    t = np.arange(NSAMP) * TSAMP
    profile = sampled_profile(psr.duty_cycle / 2.3548, TSAMP / psr.period_s)
    signal = profile_at(profile, psr.spin_phase(t))
    signal -= signal.mean()
    signal *= psr.snr / np.sqrt(np.sum(signal**2))
    return np.random.default_rng(seed).standard_normal(NSAMP) + signal


def _near(cands, freq_hz: float):
    return max((c for c in cands if abs(c.freq_hz - freq_hz) < 3 / OBS), key=lambda c: c.sigma,
               default=None)


def test_z_grid_and_templates():
    assert list(z_grid(0)) == [0.0]
    assert z_grid(50)[0] == -50 and z_grid(50)[-1] == 50 and len(z_grid(50)) == 51
    # no drift: a bin-centred sinusoid is all in its own bin
    assert response(0.0, np.array([0.0, 1.0, -3.0])) == pytest.approx([1, 0, 0], abs=1e-6)
    # a drift of z spreads the power over about z bins, centred on the mid frequency
    spread = np.abs(response(20.0, np.arange(-15, 16))) ** 2
    assert spread.sum() > 0.9 and spread[5:26].sum() > 0.85 and spread.max() < 0.2
    kernel = template(20.0, 2 * 40)
    for parity in (0, 1):  # both half-bin phases are unit-energy filters
        assert np.sum(np.abs(kernel[parity::2]) ** 2) == pytest.approx(1.0, rel=1e-5)


def test_noise_plane_has_unit_mean_power_at_every_z():
    rng = np.random.default_rng(2)
    spec = (rng.standard_normal(2**15) + 1j * rng.standard_normal(2**15)) / np.sqrt(2)
    plane = power_plane(spec.astype(np.complex64), 50)
    assert plane.shape == (51, 2**16)
    assert plane[:, 200:-200].mean(axis=1) == pytest.approx(np.ones(51), abs=0.05)


def test_plane_peaks_at_the_drifting_tone():
    r0, z, n = 1000.5, 18.0, 2**14  # on the search grid
    u = np.arange(n) / n
    tone = np.cos(2 * np.pi * ((r0 - z / 2) * u + 0.5 * z * u**2))  # r0 at mid-observation
    plane = power_plane((np.fft.rfft(tone) / np.sqrt(n)).astype(np.complex64), 30)
    row, index = np.unravel_index(np.argmax(plane), plane.shape)
    assert (z_grid(30)[row], index / 2) == (z, r0)
    coherent = n / 4  # the tone's whole power in units of a white noise of unit variance
    assert plane.max() > 0.97 * coherent
    assert plane[z_grid(30) == 0].max() < 0.3 * coherent


def test_stage_max_matches_a_brute_force_sum():
    rng = np.random.default_rng(4)
    plane = rng.exponential(size=(11, 3000)).astype(np.float32)
    best, rows = stage_max(plane, 8, first=40)
    for s, h in enumerate(harmonic_stages(8)):
        for i in (40, 777, 2999):
            sums = [plane[harmonic_positions(i, j, 11, h)].sum() for j in range(11)]
            assert best[s, i] == pytest.approx(max(sums), rel=1e-5)
            assert rows[s, i] == int(np.argmax(sums))
    assert not best[:, :40].any()


def test_zmax_50_recovers_a_binary_pulsar_that_zmax_0_smears():
    series = _series(PSR)
    mid_freq = (1 - PSR.accel_ms2 * OBS / 2 / SPEED_OF_LIGHT_MS) / PSR.period_s
    lo, hi = (_near(search_series(series, TSAMP, 0.0, [p]), mid_freq) for p in (LO, HI))
    assert hi is not None and hi.sigma > 8
    assert lo is None or lo.sigma < 0.6 * hi.sigma
    assert hi.z == pytest.approx(Z_TRUE, abs=0.75)
    assert hi.fdot_hz_s == pytest.approx(hi.z / OBS**2)
    assert hi.freq_hz == pytest.approx(mid_freq, abs=0.5 / OBS)


def test_unaccelerated_pulsar_is_found_by_both_passes_at_z_0():
    series = _series(InjectedPulsar(period_s=0.005, dm=0.0, duty_cycle=0.08, snr=20.0))
    lo, hi = (_near(search_series(series, TSAMP, 0.0, [p]), 200.0) for p in (LO, HI))
    assert lo.sigma > 8 and hi.sigma > 8 and lo.z == 0.0 and abs(hi.z) <= 0.25


def test_sifting_merges_the_passes_and_folding_uses_the_fdot():
    series = _series(PSR)
    raw = [c for dm in (10.0, 11.0) for c in search_series(series, TSAMP, dm, [LO, HI])]
    best, = [c for c in sift(raw, SearchingSettings(), OBS)[0] if abs(c.freq_hz - 200) < 1]
    assert best.z == pytest.approx(Z_TRUE, abs=0.75) and best.num_hits == 2
    data = np.tile(series.astype(np.float32), (8, 1)) / np.sqrt(8)
    beam = CleanBeam(data, np.linspace(1400.0, 1401.0, 8), TSAMP, np.ones(8, bool))
    with_fdot = fold_candidate(beam, best.period_s, 0.0, 0.1, best.fdot_hz_s)
    without = fold_candidate(beam, best.period_s, 0.0, 0.1)
    assert with_fdot.fdot_hz_s == best.fdot_hz_s
    assert with_fdot.snr > 0.75 * PSR.snr and with_fdot.snr > 1.5 * without.snr
