"""Unit tests of the search stages on in-memory beams."""

from __future__ import annotations

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.errors import SearchError
from palfa.search.accel import AccelParams, RawCandidate, search_series
from palfa.search.dedisperse import dedisperse, delays_s
from palfa.search.fold import fold_candidate
from palfa.search.plan import band_delay_per_dm, make_plan
from palfa.search.rfi import apply_mask, compute_mask
from palfa.search.sifting import sift
from palfa.search.significance import candidate_sigma, power_threshold
from palfa.search.singlepulse import search_pulses
from palfa.search.zaplist import Zaplist
from palfa.simulate.pulsar import InjectedPulsar

FREQS = np.linspace(1536.8, 1214.3, 128)
PASSES = [AccelParams(numharm=16, sigma=2.0, flo_hz=2.0)]


def _psr(period_s: float, dm: float, snr: float) -> InjectedPulsar:
    return InjectedPulsar(period_s=period_s, dm=dm, duty_cycle=0.05, snr=snr)


def test_plan_covers_range_with_growing_downsampling():
    plan = make_plan(128e-6, FREQS, -2.52, 300.0, 2**18)
    dms = plan.dms
    assert dms[0] == 0.0 and dms[-1] >= 300.0 - plan.steps[-1].dm_step
    assert np.all(np.diff(dms) > 0)
    downs = [s.downsamp for s in plan.steps]
    assert downs == sorted(downs) and downs[0] == 1 and len(set(downs)) == len(downs)
    # half a DM step misaligns the band by at most one (downsampled) sample
    for step in plan.steps:
        assert step.dm_step / 2 * band_delay_per_dm(FREQS) <= step.downsamp * 128e-6 * 1.0001
    assert plan.step_at(1000.0) is plan.steps[-1]


def test_plan_refuses_nonsense():
    with pytest.raises(SearchError, match="max_dm"):
        make_plan(128e-6, FREQS, -2.52, 0.0, 2**18)


def test_dedispersed_burst_lands_aligned(make_beam):
    fb = make_beam(nsamp=2**14, bursts=((1.0, 150.0, 3.0),))
    beam = apply_mask(fb, compute_mask(fb, 1.0))
    dms = np.array([0.0, 150.0])
    series = dict(dedisperse(beam.data, beam.freqs_mhz, dms, beam.tsamp_s))
    peak = int(np.argmax(series[150.0]))
    # the series is referenced to the highest channel, the injection to the band's top edge
    arrival = 1.0 + delays_s(beam.freqs_mhz.max(), 150.0, 1537.0)
    assert abs(peak - arrival / beam.tsamp_s) <= 1
    assert series[150.0].max() > 3 * series[0.0].max()


def test_significance_scale():
    assert candidate_sigma(0.1, 1, 1) == 0.0
    assert candidate_sigma(40.0, 1, 1) > candidate_sigma(40.0, 1, 1e6) > 5
    assert candidate_sigma(1e4, 16, 1e6) > 100  # far in the tail, no overflow
    thr = power_threshold(6.0, 8, 1e5)
    assert candidate_sigma(thr, 8, 1e5) == pytest.approx(6.0, abs=1e-6)


def test_harmonic_search_finds_pulsar_and_not_noise(make_beam):
    fb = make_beam((_psr(0.0893, 45.0, 25.0),))
    beam = apply_mask(fb, compute_mask(fb, 2.0))
    (dm, series), = dedisperse(beam.data, beam.freqs_mhz, np.array([45.0]), beam.tsamp_s)
    cands = search_series(series, beam.tsamp_s, dm, PASSES)
    assert cands[0].period_s == pytest.approx(0.0893, rel=1e-3)
    assert cands[0].sigma > 12 and cands[0].numharm >= 8

    noise = make_beam(seed=7)
    beam = apply_mask(noise, compute_mask(noise, 2.0))
    (dm, series), = dedisperse(beam.data, beam.freqs_mhz, np.array([45.0]), beam.tsamp_s)
    assert max((c.sigma for c in search_series(series, beam.tsamp_s, dm, PASSES)), default=0) < 5


def test_zaplist_removes_birdie(tmp_path):
    t = np.arange(2**16) * 256e-6
    series = np.random.default_rng(3).standard_normal(len(t)) + 0.3 * np.sin(2 * np.pi * 60.0 * t)
    assert search_series(series, 256e-6, 10.0, PASSES)[0].freq_hz == pytest.approx(60.0, abs=0.05)
    path = tmp_path / "beam.zaplist"
    path.write_text("# freq width\n60.0 0.5\n")
    zap = Zaplist.read(path)
    found = search_series(series, 256e-6, 10.0, PASSES, zap)
    assert all(abs(c.freq_hz - 60.0) > 0.2 for c in found)
    assert zap.percent_zapped(100.0, below_hz=100.0) == pytest.approx(0.5, abs=0.01)
    path.write_text("60.0\n")
    with pytest.raises(SearchError, match="freq width"):
        Zaplist.read(path)


def _raw(freq: float, dm: float, sigma: float, numharm: int = 4) -> RawCandidate:
    return RawCandidate(dm=dm, r=freq * 30, freq_hz=freq, sigma=sigma, numharm=numharm,
                        ipow=50.0, cpow=500.0, max_harm_pow=20.0)


def test_sifting_dedups_dms_and_harmonics():
    settings = SearchingSettings()
    raw = [_raw(11.2, dm, 20 - abs(dm - 45)) for dm in (43.0, 44.0, 45.0, 46.0, 47.0)]
    raw += [_raw(11.2 * 2 + 0.001, 45.0, 9.0), _raw(11.2 * 2, 46.0, 8.0)]  # harmonic
    raw += [_raw(7.77, 30.0, 9.0)]  # seen at one DM only
    raw += [_raw(3.3, 1.0, 15.0), _raw(3.3, 0.0, 14.0)]  # peaks below low_DM_cutoff
    raw += [_raw(5.0, 60.0, 3.0), _raw(5.0, 61.0, 3.0)]  # below sifting sigma
    cands, report = sift(raw, settings, obs_time_s=30.0)
    assert len(cands) == 1
    best = cands[0]
    assert best.dm == 45.0 and best.num_hits == 5 and (best.dm_min, best.dm_max) == (43.0, 47.0)
    assert report.harmonics == 1 and report.dm_problems == 2 and report.thresholds == 2


def test_sifting_keeps_an_unrelated_slow_pulsar():
    """1.0048 Hz is 5/9 of 1.812 Hz within a bin: no harmonic relation presto.sifting uses."""
    raw = [_raw(1.812, dm, 20.0) for dm in (200.0, 201.0)]
    raw += [_raw(1.0048, dm, 12.0) for dm in (170.0, 171.0)]
    cands, report = sift(raw, SearchingSettings(), obs_time_s=33.5)
    assert [c.freq_hz for c in cands] == pytest.approx([1.812, 1.0048])
    assert report.harmonics == 0


def test_fold_recovers_period_dm_and_snr(make_beam):
    fb = make_beam((_psr(0.0893, 45.0, 30.0),))
    beam = apply_mask(fb, compute_mask(fb, 2.0))
    fold = fold_candidate(beam, 0.0893 * (1 + 2e-5), 45.3, dm_step=0.5)
    assert fold.period_s == pytest.approx(0.0893, rel=1e-4)
    assert abs(fold.dm - 45.0) <= 0.5
    assert 0.75 * 30 < fold.snr < 1.1 * 30


def test_fold_refines_slow_pulsar_dm_and_period_from_a_harmonic(make_beam):
    """A 0.6 s pulsar's S/N barely changes over a DM step; the template fit still lands within
    one step, and a candidate at the second harmonic is folded at the true period."""
    psr = InjectedPulsar(period_s=0.6, dm=120.0, duty_cycle=0.02, snr=40.0)
    fb = make_beam((psr,))
    beam = apply_mask(fb, compute_mask(fb, 2.0))
    step = make_plan(fb.tsamp, fb.freqs_mhz, fb.header.chan_bw_mhz, 300.0, fb.nsamp
                     ).step_at(psr.dm).dm_step
    obs = fb.nsamp * fb.tsamp
    harmonic = 1.0 / (2.0 / psr.period_s + 0.3 / obs)  # 2nd harmonic, 0.3 bins off
    fold = fold_candidate(beam, harmonic, psr.dm + 1.8 * step, dm_step=step)
    assert fold.period_s == pytest.approx(psr.period_s, rel=1e-4)
    assert abs(fold.dm - psr.dm) <= step
    assert fold.snr > 0.75 * psr.snr


def test_broadband_bursts_are_clipped(make_beam):
    fb = make_beam(nsamp=2**14, bursts=((1.0, 0.0, 1.5),))
    beam = apply_mask(fb, compute_mask(fb, 1.0))
    burst = round(1.0 / fb.tsamp)
    assert np.all(beam.data[:, burst:burst + 2] == 0.0)
    assert np.count_nonzero(np.all(beam.data == 0.0, axis=0)) == 2


def test_single_pulse_finds_burst(make_beam):
    fb = make_beam(nsamp=2**15, bursts=((2.5, 80.0, 1.0),))
    beam = apply_mask(fb, compute_mask(fb, 2.0))
    (dm, series), = dedisperse(beam.data, beam.freqs_mhz, np.array([80.0]), beam.tsamp_s)
    pulses = search_pulses(series, beam.tsamp_s, dm, threshold=6.0, maxwidth_s=0.1)
    assert len(pulses) == 1
    assert pulses[0].time_s == pytest.approx(2.5, abs=0.002) and pulses[0].sigma > 8


def test_rfi_mask_flags_a_bad_channel_and_a_bad_block(make_beam):
    fb = make_beam(nsamp=2**15)
    t = np.arange(fb.nsamp) * fb.tsamp
    fb.data[:, 10] += 5.0 * np.sin(2 * np.pi * 50.0 * t)  # narrow-band RFI
    block = slice(8192, 16384)
    fb.data[block, :] += np.random.default_rng(0).standard_normal((8192, 1)) * 30
    mask = compute_mask(fb, 8192 * fb.tsamp)
    assert mask.bad[:, 10].all() and mask.bad[1].all()
    assert mask.bad.sum() == mask.bad.shape[0] + mask.bad.shape[1] - 1
    beam = apply_mask(fb, mask)
    assert np.all(beam.data[:, block] == 0.0)
