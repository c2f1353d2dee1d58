"""Judging recovery: the DM tolerance is the plan step unless the pulse is too wide for it."""

from __future__ import annotations

import numpy as np

from palfa.simulate import BeamSpec, InjectedPulsar
from palfa.simulate.truth import dm_precision, dm_tolerance, find_match

SPEC = BeamSpec()
FREQS = np.concatenate([SPEC.freqs_mhz(0), SPEC.freqs_mhz(1)])


class _Cand:
    def __init__(self, period_s: float, dm: float, sigma: float) -> None:
        self.period_s, self.dm, self.sigma = period_s, dm, sigma


def test_narrow_fast_pulsars_are_judged_by_the_plan_step():
    msp = InjectedPulsar(period_s=0.003, dm=50.0, duty_cycle=0.05, snr=30.0)
    assert dm_tolerance(msp, FREQS, SPEC.chan_bw_mhz, plan_step=0.5) == 0.5


def test_wide_slow_pulses_get_the_bound_not_more():
    slow = InjectedPulsar(period_s=0.9, dm=40.0, duty_cycle=0.05, snr=20.0)
    bound = dm_precision(slow, FREQS, SPEC.chan_bw_mhz)
    assert bound > 1.0  # a 45 ms pulse cannot be placed within a fraction of a DM unit
    assert dm_tolerance(slow, FREQS, SPEC.chan_bw_mhz, plan_step=0.5) == 3 * bound
    brighter = InjectedPulsar(period_s=0.9, dm=40.0, duty_cycle=0.05, snr=200.0)
    assert dm_precision(brighter, FREQS, SPEC.chan_bw_mhz) < bound / 5


def test_find_match_wants_the_fundamental_period_and_the_dm():
    psr = InjectedPulsar(period_s=0.1, dm=100.0, duty_cycle=0.05, snr=30.0)
    cands = [_Cand(0.2, 100.0, 50.0), _Cand(0.10005, 101.0, 20.0), _Cand(0.1, 110.0, 40.0)]
    assert find_match(psr, cands, dm_tol=2.0) is cands[1]
    assert find_match(psr, cands, dm_tol=0.5) is None
