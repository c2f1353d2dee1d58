"""The FFA long-period search and how its candidates join sifting."""

from __future__ import annotations

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.search.ffa import (
    PERIOD_MIN_S,
    TSAMP_S,
    FfaCandidate,
    ffa_search_series,
    ffa_sigma,
    ffa_trial_mask,
)
from palfa.search.plan import band_delay_per_dm, make_plan
from palfa.search.sifting import sift

DT = 256e-6
NSAMP = 2**17  # 33.5 s, like the demo beams


def _series(period_s: float, snr: float, duty: float = 0.04, seed: int = 0,
            red: float = 0.0) -> np.ndarray:
    """Unit-variance noise (plus a random walk of step ``red``) and a Gaussian pulse train
    whose ideal matched-filter S/N is ``snr``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(NSAMP).astype(np.float32)
    x += red * np.cumsum(rng.standard_normal(NSAMP)).astype(np.float32)
    phase = (np.arange(NSAMP) * DT / period_s) % 1.0 - 0.5
    pulse = np.exp(-0.5 * (phase / (duty / 2.3548)) ** 2)
    return x + (snr / np.sqrt(np.sum(pulse**2)) * pulse).astype(np.float32)


@pytest.mark.parametrize("period_s", [0.73, 2.9, 8.1])
def test_ffa_finds_long_period_pulsars_at_low_snr(period_s):
    cands = ffa_search_series(_series(period_s, 10.0), DT, 50.0)
    assert cands and isinstance(cands[0], FfaCandidate)
    best = max(cands, key=lambda c: c.sigma)
    assert best.period_s == pytest.approx(period_s, rel=2e-3)
    assert best.sigma > 6.0 and best.dm == 50.0


def test_ffa_survives_red_noise():
    cands = ffa_search_series(_series(3.7, 12.0, red=0.002, seed=3), DT, 20.0)
    best = max(cands, key=lambda c: c.sigma)
    assert best.period_s == pytest.approx(3.7, rel=2e-3) and best.sigma > 6.0


def test_ffa_on_pure_noise_has_nothing_to_fold():
    settings = SearchingSettings()
    for seed in range(3):
        cands = ffa_search_series(_series(1.0, 0.0, seed=10 + seed), DT, 30.0)
        assert all(c.sigma < settings.to_prepfold_sigma for c in cands)


def test_ffa_skips_series_too_short_or_flat():
    assert ffa_search_series(np.zeros(NSAMP, np.float32), DT, 10.0) == []
    short = np.random.default_rng(0).standard_normal(int(3 * PERIOD_MIN_S / DT))
    assert ffa_search_series(short, DT, 10.0) == []


def test_sigma_is_trials_corrected_gaussian():
    assert ffa_sigma(5.0, 1.0) == pytest.approx(5.0, rel=1e-6)
    assert ffa_sigma(8.0, 1e5) < ffa_sigma(8.0, 1e2) < 8.0
    assert ffa_sigma(3.0, 1e6) == 0.0


def test_trial_mask_thins_each_plan_step():
    freqs = np.linspace(1214.0, 1537.0, 64)
    plan = make_plan(64e-6, freqs, 5.04, 500.0, 2**20)
    mask = ffa_trial_mask(plan, freqs, 64e-6)
    assert mask.shape == plan.dms.shape and 0 < mask.sum() < 0.6 * len(mask)
    starts = np.cumsum([0] + [s.ndm for s in plan.steps])[:-1]
    assert mask[starts].all()  # every step contributes
    searched = plan.dms[mask]
    # spacing: the FFA's own (two 1 ms samples of band smearing) or the plan's, if coarser
    allowed = [max(2 * TSAMP_S / band_delay_per_dm(freqs), plan.step_at(dm).dm_step)
               for dm in searched[1:]]
    assert (np.diff(searched) <= 1.001 * np.array(allowed)).all()


def test_sifting_keeps_ffa_candidates_without_fft_powers():
    settings = SearchingSettings()
    obs = NSAMP * DT
    ffa = [FfaCandidate(dm=dm, r=obs / 2.9, freq_hz=1 / 2.9, sigma=7.0, numharm=1,
                        ipow=64.0, cpow=64.0, max_harm_pow=64.0) for dm in (40.0, 42.0)]
    cands, report = sift(ffa, settings, obs)
    assert len(cands) == 1 and cands[0].num_hits == 2 and report.thresholds == 0
    assert cands[0].period_s == pytest.approx(2.9)


def test_a_series_too_short_to_deredden_gives_no_candidates_not_an_error():
    from palfa.search.ffa import RMED_WIDTH_S, ffa_search_series

    dt = 1e-3
    series = np.random.default_rng(0).normal(size=int(1.5 * RMED_WIDTH_S / dt)).astype(np.float32)
    assert ffa_search_series(series, dt, dm=10.0) == []


def test_a_coarsely_sampled_series_searches_only_periods_it_can_resolve():
    from palfa.search.ffa import BINS_MIN, PERIOD_MIN_S, ffa_search_series

    dt = 2 * PERIOD_MIN_S / BINS_MIN  # a high-DM trial downsampled past ~1 ms: 128 bins > 0.5 s
    series = np.random.default_rng(1).normal(size=int(60.0 / dt)).astype(np.float32)
    cands = ffa_search_series(series, dt, dm=800.0)  # used to raise inside riptide
    assert all(c.period_s >= BINS_MIN * dt for c in cands)
