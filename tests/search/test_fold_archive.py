"""The embedded engine's fold archives in prepfold's .pfd layout."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from palfa.errors import BadInputError
from palfa.presto.pfd import read_pfd
from palfa.presto.pfd_writer import pfd_bytes
from palfa.search.fold import fold_candidate
from palfa.search.fold_archive import (
    presto_subband_freqs,
    rotate_right,
    subband_delay_turns,
    write_fold_pfd,
)
from palfa.search.rfi import apply_mask, compute_mask
from palfa.simulate.pulsar import InjectedPulsar

FIXTURE = Path("/work/shared/presto-fixtures/fx_DM45.00_Z0_ACCEL_Cand_1.pfd")


def _fixture_extras(raw: bytes) -> dict:
    """The fields read_pfd skips: steps, plot device, start/end fractions, velocity."""
    steps = struct.unpack_from("<5i", raw, 28)
    pos, strings = 48, []
    for _ in range(4):
        (n,) = struct.unpack_from("<i", raw, pos)
        strings.append(raw[pos + 4:pos + 4 + n].decode())
        pos += 4 + n
    _dt, start_t, end_t, _te, _be, avgvoverc = struct.unpack_from("<6d", raw, pos + 32)
    return dict(steps=steps, pgdev=strings[3], start_t=start_t, end_t=end_t, avgvoverc=avgvoverc)


@pytest.mark.skipif(not FIXTURE.is_file(), reason="PRESTO fixtures not present")
def test_writer_reproduces_prestos_own_pfd_byte_for_byte():
    raw = FIXTURE.read_bytes()
    pfd = read_pfd(FIXTURE)
    stats = np.frombuffer(raw[-pfd.npart * pfd.nsub * 7 * 8:], "<f8").reshape(
        pfd.npart, pfd.nsub, 7)
    assert pfd_bytes(pfd, stats, **_fixture_extras(raw)) == raw


def test_writer_refuses_mismatched_shapes():
    pfd = read_pfd(FIXTURE) if FIXTURE.is_file() else pytest.skip("no fixture")
    with pytest.raises(BadInputError, match="npart, nsub, proflen"):
        pfd_bytes(pfd, np.zeros((1, 1, 7)))


@pytest.fixture
def folded(make_beam):
    psr = InjectedPulsar(period_s=0.0731, dm=80.0, duty_cycle=0.05, snr=25.0)
    fb = make_beam((psr,), nsamp=2**16, seed=7)
    beam = apply_mask(fb, compute_mask(fb, 2.0), zero_dm=False)
    return fb, beam, fold_candidate(beam, psr.period_s, psr.dm, 1.0)


def test_fold_round_trips_through_the_reader(folded, tmp_path):
    fb, beam, fold = folded
    path = write_fold_pfd(tmp_path / "cand001.pfd", fold, fb.header, beam.freqs_mhz,
                          beam.tsamp_s)
    pfd = read_pfd(path)
    assert (pfd.npart, pfd.nsub, pfd.proflen) == fold.cube.shape
    assert pfd.candnm == "cand001" and pfd.numchan == len(beam.freqs_mhz)
    assert pfd.period_s == pytest.approx(fold.period_s, rel=1e-12)
    assert pfd.bestdm == pytest.approx(fold.dm) and pfd.tepoch == fb.header.mjd
    assert pfd.lofreq_mhz == pytest.approx(beam.freqs_mhz.min())
    np.testing.assert_allclose(pfd.dms, fold.dm_trials)
    np.testing.assert_allclose(pfd.periods, fold.period_trials)
    # PRESTO's readers shift each subband by the best DM's delay (prepfold.pfd.dedisperse):
    # doing that to the archive gives back the fold's aligned cube
    sub_freqs = presto_subband_freqs(pfd.lofreq_mhz, pfd.chan_wid_mhz, pfd.numchan, pfd.nsub)
    turns = subband_delay_turns(pfd.bestdm, sub_freqs, pfd.fold_f[0])
    realigned = np.fft.rfft(rotate_right(pfd.profs, -turns))
    aligned = np.fft.rfft(fold.cube)
    # all harmonics but the Nyquist one, which a fractional rotation of a real profile loses
    np.testing.assert_allclose(realigned[..., :-1], aligned[..., :-1],
                               atol=1e-6 * np.abs(aligned).max())
    # at DM 80 the subbands are really shifted in the archive: its unaligned sum is weaker
    assert np.ptp(pfd.profile) < 0.9 * np.ptp(fold.cube.sum(axis=(0, 1)))


def test_fold_statistics_match_prepfolds_meaning(folded, tmp_path):
    fb, beam, fold = folded
    raw = write_fold_pfd(tmp_path / "c.pfd", fold, fb.header, beam.freqs_mhz,
                         beam.tsamp_s).read_bytes()
    npart, nsub, nbins = fold.cube.shape
    stats = np.frombuffer(raw[-npart * nsub * 7 * 8:], "<f8").reshape(npart, nsub, 7)
    assert stats[:, 0, 0].sum() == beam.nsamp  # every sample folded once
    assert (stats[..., 3] == nbins).all()
    # off-pulse subband profiles are noise: their reduced chi-square averages about 1
    assert 0.7 < np.median(stats[..., 6]) < 1.6
