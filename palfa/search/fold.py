"""Folding a candidate from the cleaned raw data, with a local period and DM search (prepfold).

The data are dedispersed into subbands at the candidate DM and folded into a
(sub-integration, subband, phase bin) cube; trial DMs and periods near the candidate are then
tried by rotating the cube's profiles in the Fourier domain.

The period and DM are estimated with a fixed smooth template (a Gaussian as wide as the pulse):
its matched-filter S/N varies smoothly with the trial, unlike a best-boxcar S/N, so the peak of
a parabola fitted to the top of the curve is a stable estimate even where the curve is flat (slow
pulsars with wide pulses, whose S/N changes little over many plan DM steps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from palfa.search.dedisperse import delays_s, form_subbands
from palfa.search.plan import band_delay_per_dm
from palfa.search.rfi import CleanBeam

NBINS = 64
NPART = 32
NSUB = 32
NTRIAL = 81  # trials per coarse and per fine scan
PERIOD_RANGE_BINS = 1.5  # Fourier bins searched either side of the candidate frequency
UPSAMPLE = 8  # template phase resolution, per profile bin
TOP_OF_CURVE = 0.25  # fit the peak to the curve within this fraction of its range below the max
NITER = 2  # alternate period and DM refinements
PERIOD_MULTIPLES = (0.5, 2.0, 3.0, 4.0, 5.0)  # tried in case the candidate is a harmonic
SUBHARMONIC_GAIN = 1.2
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


@dataclass
class FoldResult:
    period_s: float  # best folded period
    dm: float  # best folded DM
    snr: float  # profile S/N at the best period and DM
    profile: np.ndarray  # (nbins,) in units of the per-bin noise
    cube: np.ndarray  # (npart, nsub, nbins) aligned at the best period and DM
    sub_freqs_mhz: np.ndarray
    part_times_s: np.ndarray
    dm_trials: np.ndarray
    dm_snrs: np.ndarray
    period_trials: np.ndarray
    period_snrs: np.ndarray
    sub_var: np.ndarray  # (nsub,) variance of one sample of each subband
    part_samples: np.ndarray  # (npart,) samples folded into each sub-integration
    fdot_hz_s: float = 0.0  # frequency derivative folded with (from the acceleration search)


@numba.njit(cache=True)
def _fold(sub, dt, freq, fdot, npart, nbins):  # pragma: no cover - compiled
    """Fold at ``freq`` (at mid-observation) drifting by ``fdot`` (Hz/s)."""
    nsub, n = sub.shape
    sums = np.zeros((npart, nsub, nbins))
    counts = np.zeros((npart, nbins))
    per_part = n / npart
    mid = 0.5 * n * dt
    bins = np.empty(n, np.int64)
    parts = np.empty(n, np.int64)
    for t in range(n):
        phase = (t + 0.5) * dt * freq + 0.5 * fdot * ((t + 0.5) * dt - mid) ** 2
        bins[t] = int((phase - np.floor(phase)) * nbins) % nbins
        parts[t] = min(int(t / per_part), npart - 1)
        counts[parts[t], bins[t]] += 1
    for s in range(nsub):  # one subband at a time: reads each row contiguously
        for t in range(n):
            sums[parts[t], s, bins[t]] += sub[s, t]
    return sums, counts


def profile_snr(profile: np.ndarray, noise_per_bin: np.ndarray) -> float:
    """Best boxcar (any width, any phase) S/N of a profile, off-pulse mean as baseline."""
    z = profile / noise_per_bin
    n = len(z)
    total = z.sum()
    best = 0.0
    wrapped = np.concatenate([z, z])
    csum = np.concatenate([[0.0], np.cumsum(wrapped)])
    for w in range(1, n // 2 + 1):
        window = csum[w:w + n] - csum[:n]
        off_mean = (total - window) / (n - w)
        snr = (window - w * off_mean) / np.sqrt(w * (1 + w / (n - w)))
        best = max(best, float(snr.max()))
    return best


def peak_position(x: np.ndarray, y: np.ndarray) -> float:
    """Vertex of a parabola fitted to the top of a sampled curve (the argmax if it is not a
    peak); it stays inside the fitted points."""
    top = int(np.argmax(y))
    floor = y[top] - TOP_OF_CURVE * (y[top] - y.min())
    lo, hi = top, top
    while lo > 0 and y[lo - 1] >= floor:
        lo -= 1
    while hi < len(y) - 1 and y[hi + 1] >= floor:
        hi += 1
    lo, hi = max(0, min(lo, top - 1)), min(len(y) - 1, max(hi, top + 1))
    if hi - lo < 2:
        return float(x[top])
    a, b, _ = np.polyfit(x[lo:hi + 1] - x[top], y[lo:hi + 1], 2)
    if a >= 0:
        return float(x[top])
    return float(np.clip(x[top] - b / (2 * a), x[lo], x[hi]))


class _Cube:
    """A folded cube and what is needed to re-align it at nearby periods and DMs."""

    def __init__(self, sub: np.ndarray, ref: np.ndarray, tsamp_s: float, period_s: float,
                 dm: float, fdot_hz_s: float = 0.0):
        self.freq, self.dm, self.ref = 1.0 / period_s, dm, ref
        self.nbins = int(max(8, min(NBINS, period_s / tsamp_s)))
        self.turns_per_dm = delays_s(ref, 1.0, float(ref.max())) * self.freq
        nsamp = sub.shape[1]
        npart = NPART if nsamp >= 100 * NPART else 4
        self.fdot = fdot_hz_s
        self.sums, counts = _fold(sub, tsamp_s, self.freq, fdot_hz_s, npart, self.nbins)
        self.sub_var, self.part_samples = sub.var(axis=1), counts.sum(axis=1)
        self.noise = np.sqrt(counts.sum(axis=0) * float(self.sub_var.sum()))
        self.noise = np.where(self.noise > 0, self.noise, 1.0)
        self.obs = nsamp * tsamp_s
        self.times = (np.arange(npart) + 0.5) * self.obs / npart - self.obs / 2
        self.spec = np.fft.rfft(self.sums, axis=-1)
        self.k = np.arange(self.spec.shape[-1])

    def _turn(self, turns: np.ndarray) -> np.ndarray:
        """Factors rotating profile spectra left by ``turns`` (adds a trailing harmonic axis)."""
        return np.exp(2j * np.pi * self.k * np.asarray(turns)[..., None])

    def _sub_turns(self, ddm: np.ndarray | float) -> np.ndarray:
        return np.multiply.outer(self.dm + np.asarray(ddm, dtype=float), self.turns_per_dm)

    def dm_spectra(self, ddms: np.ndarray, dfreq: float) -> np.ndarray:
        """Profile spectra (trial, harmonic) at trial DM offsets and one frequency offset."""
        by_sub = np.einsum("psk,pk->sk", self.spec, self._turn(-dfreq * self.times))
        return np.einsum("sk,tsk->tk", by_sub, self._turn(self._sub_turns(ddms)))

    def period_spectra(self, ddm: float, dfreqs: np.ndarray) -> np.ndarray:
        """Profile spectra (trial, harmonic) at trial frequency offsets and one DM offset."""
        by_part = np.einsum("psk,sk->pk", self.spec, self._turn(self._sub_turns(ddm)))
        return np.einsum("pk,tpk->tk", by_part, self._turn(-np.outer(dfreqs, self.times)))

    def aligned(self, ddm: float, dfreq: float) -> np.ndarray:
        turns = self._sub_turns(ddm)[None, :] - dfreq * self.times[:, None]
        return np.fft.irfft(self.spec * self._turn(turns), n=self.nbins, axis=-1)


class _Template:
    """A zero-mean Gaussian pulse as harmonic weights, scaled so its correlation is an S/N."""

    def __init__(self, nbins: int, fwhm_bins: float, noise_per_bin: float):
        self.nbins, self.fwhm_bins = nbins, fwhm_bins
        k = np.arange(nbins // 2 + 1)
        weights = np.exp(-2.0 * (np.pi * k * fwhm_bins / FWHM_PER_SIGMA / nbins) ** 2)
        weights[0] = 0.0
        norm = float(np.sqrt(np.sum(np.fft.irfft(weights, n=nbins) ** 2)))
        self.weights = weights / (norm * noise_per_bin)

    def snr(self, spectra: np.ndarray) -> np.ndarray:
        """Matched-filter S/N at the best phase of each profile spectrum (trial, harmonic)."""
        corr = np.fft.irfft(spectra * self.weights, n=UPSAMPLE * self.nbins, axis=-1)
        return UPSAMPLE * corr.max(axis=-1)

    @classmethod
    def matching(cls, cube: _Cube, ddm: float, dfreq: float) -> _Template:
        """The Gaussian whose width gives the aligned profile its highest S/N."""
        noise = float(np.sqrt(np.mean(cube.noise**2)))
        spectrum = cube.period_spectra(ddm, np.array([dfreq]))
        widths = np.geomspace(1.0, cube.nbins / 2, 16)
        snrs = [float(cls(cube.nbins, w, noise).snr(spectrum)[0]) for w in widths]
        return cls(cube.nbins, float(widths[int(np.argmax(snrs))]), noise)


def _refine(curve, lo: float, hi: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Best offset of a curve over [lo, hi]: a coarse scan, a fine one around its maximum and a
    parabolic peak over both; returns it with the (sorted) trials and their values."""
    coarse = np.linspace(lo, hi, NTRIAL)
    coarse_vals = curve(coarse)
    step = coarse[1] - coarse[0]
    centre = coarse[int(np.argmax(coarse_vals))]
    fine = np.linspace(max(lo, centre - 2 * step), min(hi, centre + 2 * step), NTRIAL)
    trials = np.concatenate([coarse, fine])
    values = np.concatenate([coarse_vals, curve(fine)])
    order = np.argsort(trials, kind="stable")
    trials, values = trials[order], values[order]
    return peak_position(trials, values), trials, values


def _scan_period(cube: _Cube, template: _Template, ddm: float):
    half_hz = PERIOD_RANGE_BINS / cube.obs
    return _refine(lambda f: template.snr(cube.period_spectra(ddm, f)), -half_hz, half_hz)


def _fold_at_pulsar_period(beam: CleanBeam, period_s: float, dm: float, fdot_hz_s: float
                           ) -> _Cube:
    """Sifting keeps the strongest harmonic, which for slow pulsars is often not the
    fundamental (or a subharmonic): fold at multiples of the period as well and keep the one
    whose S/N beats the candidate's by SUBHARMONIC_GAIN (a wrong multiple loses ~sqrt(2))."""
    sub, ref = form_subbands(beam.data, beam.freqs_mhz, dm, beam.tsamp_s, NSUB)
    folds = []
    for multiple in (1.0, *PERIOD_MULTIPLES):
        cube = _Cube(sub, ref, beam.tsamp_s, period_s * multiple, dm, fdot_hz_s / multiple)
        _, _, snrs = _scan_period(cube, _Template.matching(cube, 0.0, 0.0), 0.0)
        folds.append((float(snrs.max()), cube))
    floor = SUBHARMONIC_GAIN * folds[0][0]
    return max((f for f in folds[1:] if f[0] > floor), key=lambda f: f[0], default=folds[0])[1]


def _scan_dm(cube: _Cube, template: _Template, dfreq: float, half: float, band_s_per_dm: float):
    """DM offsets out to where the band delay is a pulse width (at least ``half``)."""
    width_s = template.fwhm_bins / cube.nbins / cube.freq
    half = max(half, width_s / band_s_per_dm)
    return _refine(lambda d: template.snr(cube.dm_spectra(d, dfreq)), max(-half, -cube.dm), half)


def fold_candidate(beam: CleanBeam, period_s: float, dm: float, dm_step: float,
                   fdot_hz_s: float = 0.0) -> FoldResult:
    """Fold at the candidate's mid-observation period and its frequency derivative."""
    cube = _fold_at_pulsar_period(beam, period_s, dm, fdot_hz_s)
    obs = cube.obs
    band_s_per_dm = band_delay_per_dm(beam.freqs_mhz)
    ddm, df = 0.0, 0.0
    template = _Template.matching(cube, ddm, df)
    for _ in range(NITER):
        df, p_trials, p_snrs = _scan_period(cube, template, ddm)
        ddm, dm_trials, dm_snrs = _scan_dm(cube, template, df, 2.0 * dm_step, band_s_per_dm)
        template = _Template.matching(cube, ddm, df)
    aligned = cube.aligned(ddm, df)
    profile = aligned.sum(axis=(0, 1))
    return FoldResult(
        period_s=1.0 / (cube.freq + df), dm=dm + ddm,
        snr=profile_snr(profile, cube.noise), profile=profile / cube.noise, cube=aligned,
        sub_freqs_mhz=cube.ref, part_times_s=cube.times + obs / 2,
        dm_trials=dm + dm_trials, dm_snrs=dm_snrs,
        period_trials=1.0 / (cube.freq + p_trials), period_snrs=p_snrs,
        sub_var=cube.sub_var, part_samples=cube.part_samples, fdot_hz_s=cube.fdot,
    )
