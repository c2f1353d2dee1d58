"""Candidate significance on PRESTO's scale.

For ``numharm`` summed normalised powers the noise distribution of twice the sum is chi-square
with 2*numharm degrees of freedom; the chance probability is corrected for the number of
independent trials and expressed as the equivalent one-sided Gaussian sigma.
"""

from __future__ import annotations

import math
from functools import lru_cache

from scipy.optimize import brentq
from scipy.special import gammaincc, gammaln, ndtri_exp

from palfa.search.zresponse import ACCEL_DZ


def _log_chance(power: float, numharm: int) -> float:
    """log P(sum of numharm unit-mean exponentials >= power)."""
    q = gammaincc(numharm, power)
    if q > 1e-300:
        return math.log(q)
    # asymptotic expansion of the upper incomplete gamma function
    a = numharm
    series = 1.0 + (a - 1) / power + (a - 1) * (a - 2) / power**2
    return (a - 1) * math.log(power) - power - gammaln(a) + math.log(max(series, 1e-300))


def candidate_sigma(power: float, numharm: int, ntrials: float) -> float:
    if power <= 0:
        return 0.0
    logp = _log_chance(power, numharm)
    if logp >= -1e-12:
        return 0.0
    trials = max(float(ntrials), 1.0)
    if logp > -30:  # exact 1-(1-p)^N while p is not tiny
        total = -math.expm1(trials * math.log1p(-math.exp(logp)))
        logp = math.log(total) if total > 0 else logp + math.log(trials)
    else:
        logp += math.log(trials)
    return max(0.0, -float(ndtri_exp(min(logp, 0.0))))


@lru_cache(maxsize=4096)
def power_threshold(sigma: float, numharm: int, ntrials: float) -> float:
    """The summed power whose candidate_sigma equals ``sigma``."""
    return float(brentq(lambda p: candidate_sigma(p, numharm, ntrials) - sigma, 1e-6, 1e5))


Z_CORRELATION_BINS = 6.95  # z span over which matched-filter powers stay correlated (PRESTO)


def independent_trials(nbins: int, rlo: float, numharm: int, numz: int) -> float:
    """Independent (r, z) trials of a stage, as PRESTO's accelsearch counts them."""
    ntrials = max(1.0, nbins / numharm - rlo)
    if numz > 1:
        ntrials *= (numz + 1) * ACCEL_DZ / Z_CORRELATION_BINS
    return ntrials
