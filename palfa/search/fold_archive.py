"""The embedded engine's folds as prepfold ``.pfd`` archives, so PRESTO's tools, ratings and
classifiers read them like prepfold's own.

prepfold stores each subband's profiles as folded at the folding frequency, not yet shifted for
the DM between subbands: its readers shift them by the best DM's delays when they plot or rate.
The fold's aligned cube is therefore written with those delays put back, computed the way
PRESTO's ``prepfold.pfd`` computes them (its subband frequencies and dispersion constant), so
that re-dedispersing the archive at ``bestdm`` gives the aligned cube again.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from palfa.presto.pfd import PfdFile
from palfa.presto.pfd_writer import write_pfd
from palfa.psrfits.header import BeamHeader
from palfa.search.fold import FoldResult

PRESTO_DM_CONST = 0.000241  # PRESTO's delay_from_DM: delay (s) = DM / (0.000241 * f_MHz**2)


def presto_subband_freqs(lofreq_mhz: float, chan_wid_mhz: float, numchan: int,
                         nsub: int) -> np.ndarray:
    """The subband frequencies ``prepfold.pfd`` uses (top channel of each subband, ascending)."""
    subdelta = chan_wid_mhz * (numchan // nsub)
    return np.arange(nsub) * subdelta + lofreq_mhz + subdelta - chan_wid_mhz


def subband_delay_turns(dm: float, sub_freqs_mhz: np.ndarray, freq_hz: float) -> np.ndarray:
    """Each subband's dispersive delay behind the highest one, in pulse turns."""
    delays = dm / (PRESTO_DM_CONST * np.asarray(sub_freqs_mhz, dtype=float) ** 2)
    return (delays - delays[-1]) * freq_hz


def rotate_right(profiles: np.ndarray, turns: np.ndarray) -> np.ndarray:
    """Rotate each profile (last axis) later in phase by ``turns`` (broadcast over the rest)."""
    nbins = profiles.shape[-1]
    k = np.arange(nbins // 2 + 1)
    spectra = np.fft.rfft(profiles, axis=-1) * np.exp(-2j * np.pi * k * turns[..., None])
    return np.fft.irfft(spectra, n=nbins, axis=-1)


def fold_to_pfd(fold: FoldResult, header: BeamHeader, freqs_mhz: np.ndarray, tsamp_s: float,
                candnm: str) -> tuple[PfdFile, np.ndarray]:
    """The ``.pfd`` contents and fold statistics of one fold; ``freqs_mhz`` are the beam's
    channel frequencies and ``tsamp_s`` the sample time the fold read."""
    npart, nsub, nbins = fold.cube.shape
    lofreq = float(np.min(freqs_mhz))
    chan_wid = float(np.ptp(freqs_mhz)) / max(len(freqs_mhz) - 1, 1)
    freq = 1.0 / fold.period_s
    sub_freqs = presto_subband_freqs(lofreq, chan_wid, len(freqs_mhz), nsub)
    profs = rotate_right(fold.cube, subband_delay_turns(fold.dm, sub_freqs, freq))
    pfd = PfdFile(
        numdms=len(fold.dm_trials), numperiods=len(fold.period_trials), numpdots=1, nsub=nsub,
        npart=npart, proflen=nbins, numchan=len(freqs_mhz),
        filenm=header.file_names[0] if header.file_names else header.obs_name, candnm=candnm,
        telescope=header.telescope, rastr=header.ra_str, decstr=header.dec_str, dt=tsamp_s,
        tepoch=header.mjd, bepoch=0.0, lofreq_mhz=lofreq, chan_wid_mhz=chan_wid,
        bestdm=fold.dm, topo_p=(fold.period_s, 0.0, 0.0), bary_p=(0.0, 0.0, 0.0),
        fold_f=(freq, 0.0, 0.0), dms=np.asarray(fold.dm_trials, dtype=float),
        periods=np.asarray(fold.period_trials, dtype=float), pdots=np.zeros(1), profs=profs,
    )
    return pfd, fold_stats(profs, fold.sub_var, fold.part_samples)


def fold_stats(profs: np.ndarray, sub_var: np.ndarray, part_samples: np.ndarray) -> np.ndarray:
    """prepfold's foldstats per (part, subband): numdata, data_avg, data_var, numprof, prof_avg,
    prof_var, redchi (the reduced chi-square of the profile against a flat one)."""
    npart, nsub, nbins = profs.shape
    numdata = np.broadcast_to(np.asarray(part_samples, dtype=float)[:, None], (npart, nsub))
    data_var = np.broadcast_to(np.asarray(sub_var, dtype=float)[None, :], (npart, nsub))
    prof_avg = profs.mean(axis=-1)
    prof_var = data_var * numdata / nbins
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = ((profs - prof_avg[..., None]) ** 2).sum(axis=-1) / prof_var
    redchi = np.where(prof_var > 0, chi2, 0.0) / (nbins - 1)
    return np.stack([numdata, np.zeros_like(numdata), data_var, np.full_like(numdata, nbins),
                     prof_avg, prof_var, redchi], axis=-1)


def write_fold_pfd(path: Path, fold: FoldResult, header: BeamHeader, freqs_mhz: np.ndarray,
                   tsamp_s: float) -> Path:
    """Write one fold as ``path`` (a ``.pfd``); the candidate name is the file's stem."""
    pfd, stats = fold_to_pfd(fold, header, freqs_mhz, tsamp_s, path.stem)
    return write_pfd(path, pfd, stats)
