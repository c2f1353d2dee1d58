"""Parsers on real PRESTO 6.0.1 outputs of the synthetic beam (P = 89.3 ms, DM = 45)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.errors import BadInputError
from palfa.presto.accel import FOURIERPROPS, accel_name_parts, read_accel, read_cand_file
from palfa.presto.accelcands import read_accelcands, write_accelcands
from palfa.presto.baryv import average_baryv
from palfa.presto.bestprof import read_bestprof
from palfa.presto.inf import read_inf
from palfa.presto.pfd import read_pfd
from palfa.presto.rfifind import read_mask, read_rfifind_output, read_stats
from palfa.presto.sifting import sift_accel
from palfa.presto.singlepulse import read_singlepulse
from palfa.presto.values import parse_value

PFD = "fx_DM45.00_Z0_ACCEL_Cand_1.pfd"


def test_accelcands_holds_the_pulsar_second_after_red_noise(fx):
    cands = read_accelcands(fx / "fx.accelcands")
    assert len(cands) == 6
    noise, pulsar = cands[0], cands[1]
    assert noise.period_s > 8.0 and noise.filename == "fx_DM41.00_ACCEL_50"
    assert (pulsar.filename, pulsar.candnum) == ("fx_DM45.00_ACCEL_0", 2)
    assert pulsar.period_s * 1e3 == pytest.approx(89.29236, abs=1e-5)
    assert pulsar.dm == 45.0 and pulsar.sigma == pytest.approx(58.5, abs=0.05)
    assert pulsar.numharm == 16 and len(pulsar.hits) == 11
    assert [h[0] for h in pulsar.hits] == [40.0 + i for i in range(11)]
    row = pulsar.to_candidate()
    assert (row.dm_min, row.dm_max, row.num_hits) == (40.0, 50.0, 11)


def test_accelcands_written_back_byte_for_byte(fx, tmp_path):
    out = tmp_path / "again.accelcands"
    write_accelcands(out, read_accelcands(fx / "fx.accelcands"))
    assert out.read_text() == (fx / "fx.accelcands").read_text()


def test_accel_text_list_gives_what_sifting_reports(fx):
    cands = read_accel(fx / "fx_DM45.00_ACCEL_0")
    assert [c.candnum for c in cands] == [1, 2, 3, 4, 5, 6]
    pulsar = cands[1]
    assert pulsar.period_s * 1e3 == pytest.approx(89.2924, abs=1e-3)
    assert pulsar.numharm == 16 and len(pulsar.harm_pows) == 16
    # PRESTO's sifting printed SNR 150.00 and ipow 1798.6 for this very candidate
    assert pulsar.snr == pytest.approx(150.00, abs=0.01)
    assert sum(pulsar.harm_pows) == pytest.approx(1798.6, abs=0.05)
    assert cands[0].period_s == pytest.approx(6.93, abs=0.01)  # red noise, "6.93(7)x10^3" ms


def test_accel_high_acceleration_list_keeps_z(fx):
    cands = read_accel(fx / "fx_DM41.00_ACCEL_50")
    assert cands[0].z == pytest.approx(6.25) and cands[0].zmax == 50
    assert cands[0].fdot_hz_s == pytest.approx(0.0154, abs=2e-4)  # "0.0154(6)" Hz/s in the file


def test_cand_binary_matches_the_text_list(fx):
    records = read_cand_file(fx / "fx_DM45.00_ACCEL_0.cand")
    text = read_accel(fx / "fx_DM45.00_ACCEL_0")
    assert FOURIERPROPS.itemsize == 88 and len(records) == len(text) == 6
    np.testing.assert_allclose(records["r"], [c.r for c in text], atol=0.01)
    assert records["sig"][1] == pytest.approx(21.47, abs=0.01)  # the first harmonic's sigma


def test_truncated_cand_file_is_refused(fx, tmp_path):
    bad = tmp_path / "x_DM1.00_ACCEL_0.cand"
    bad.write_bytes((fx / "fx_DM45.00_ACCEL_0.cand").read_bytes()[:100])
    with pytest.raises(BadInputError, match="truncated"):
        read_cand_file(bad)


def test_accel_name_and_values():
    assert accel_name_parts("fx_DM45.00_ACCEL_50.cand") == (45.0, 50)
    assert parse_value("6.93(7)x10^3") == pytest.approx(6930.0)
    assert parse_value("0.7(1.9)x10") == pytest.approx(7.0)
    assert parse_value("2289.") == 2289.0
    with pytest.raises(BadInputError, match="ACCEL file name"):
        accel_name_parts("fx.dat")


def test_inf_of_a_dedispersed_series(fx):
    inf = read_inf(fx / "fx_DM45.00.inf")
    assert (inf.basename, inf.dm, inf.nsamp, inf.numchan) == ("fx_DM45.00", 45.0, 153600, 64)
    assert inf.tsamp_s == 0.000131072 and inf.barycentered
    assert inf.onoff == ((0, 147451), (153599, 153599))
    assert inf.telescope == "Arecibo" and inf.ra_str == "19:13:40.0000"


def test_inf_without_its_keys_is_refused(tmp_path):
    bad = tmp_path / "x.inf"
    bad.write_text("hello\n")
    with pytest.raises(BadInputError, match=r"not a PRESTO \.inf"):
        read_inf(bad)


def test_singlepulse_events(fx):
    events = read_singlepulse(fx / "fx_DM45.00.singlepulse")
    assert {e.dm for e in events} == {45.0}
    first = events[0]
    assert (first.sigma, first.time_s, first.sample, first.downfact) == (5.57, 0.328991, 2510, 20)
    assert max(e.sigma for e in events) > 7.0


def test_rfifind_output_gives_the_masked_fraction(fx):
    report = read_rfifind_output(fx / "fx_rfifind.out")
    assert (report.total_intervals, report.padded_intervals) == (704, 64)
    assert (report.good_intervals, report.bad_intervals) == (640, 0)
    assert report.masked_fraction == 0.0


def test_rfifind_output_that_is_not_one_is_refused(fx):
    with pytest.raises(BadInputError, match="no rfifind interval summary"):
        read_rfifind_output(fx / "fx_sp.out")


def test_rfifind_mask_and_stats(fx):
    mask = read_mask(fx / "fx_rfifind.mask")
    assert (mask.numchan, mask.numint, mask.ptsperint) == (64, 11, 14336)
    assert (mask.timesigma, mask.freqsigma) == (10.0, 4.0)
    assert mask.dtint == pytest.approx(1.87905, abs=1e-5)  # "1.87905 sec" in rfifind's output
    assert mask.masked_fraction == 0.0
    stats = read_stats(fx / "fx_rfifind.stats")
    assert stats.averages.shape == (11, 64) and (stats.numint, stats.ptsperint) == (11, 14336)
    # rfifind's "64 padded intervals" are the last time interval in all 64 channels
    assert np.all(stats.stds[:10] > 0) and np.all(stats.stds[10] == 0)


def test_bestprof(fx):
    best = read_bestprof(fx / f"{PFD}.bestprof")
    assert best.candidate == "ACCEL_Cand_1" and best.input_file == "fx.fits"
    assert best.p_bary_s == pytest.approx(6.9273666064516)
    assert best.best_dm == 77.242 and best.data_folded == 122880
    assert best.profile.shape == (64,)


def test_pfd_header_agrees_with_bestprof_and_command(fx):
    pfd = read_pfd(fx / PFD)
    best = read_bestprof(fx / f"{PFD}.bestprof")
    assert pfd.candnm == "ACCEL_Cand_1" and pfd.telescope == "Arecibo"
    assert pfd.period_s == pytest.approx(best.p_bary_s, rel=1e-12)
    assert pfd.bestdm == pytest.approx(77.242, abs=1e-3)
    # the fixture's command: -nsub 32 -npart 20 -n 64
    assert (pfd.nsub, pfd.npart, pfd.proflen, pfd.numchan) == (32, 20, 64, 64)
    assert pfd.profs.shape == (20, 32, 64)
    assert pfd.profile.sum() == pytest.approx(best.profile.sum(), rel=1e-5)
    assert 1.0 / pfd.fold_f[0] == pytest.approx(6.92756, abs=1e-4)  # folded topocentrically


def test_garbage_pfd_is_refused(tmp_path):
    bad = tmp_path / "x.pfd"
    bad.write_bytes(b"\x01\x00\x00\x00" * 10)
    with pytest.raises(BadInputError, match="prepfold"):
        read_pfd(bad)


def test_barycentric_velocity_matches_prestos(fx):
    logged = float(re.search(r"Average topocentric velocity \(c\) = (\S+)",
                             (fx / "fx_prepsubband.out").read_text())[1])
    inf = read_inf(fx / "fx_rfifind.inf")
    ours = average_baryv(inf.ra_str, inf.dec_str, inf.mjd, inf.obs_time_s)
    assert ours == pytest.approx(logged, rel=5e-3)


def test_sifting_prestos_accel_lists_finds_the_pulsar_as_presto_did(fx):
    cands = [c for path in sorted(fx.glob("*_ACCEL_0")) + sorted(fx.glob("*_ACCEL_50"))
             for c in read_accel(path)]
    sifted = sift_accel(cands, SearchingSettings(), obs_time_s=153600 * 0.000131072)
    pulsar = next(c for c in sifted if abs(c.period_s - 0.0893) < 1e-4)
    assert (pulsar.filename, pulsar.candnum) == ("fx_DM45.00_ACCEL_0", 2)
    assert pulsar.sigma > 50 and len(pulsar.hits) == 11
    assert sifted.index(pulsar) <= 1
