"""The argument vectors of the original PALFA search, checked option by option."""

from __future__ import annotations

import pytest

from palfa.config.settings import SearchingSettings
from palfa.presto import commands as cmd
from palfa.presto.ddplan import PRESETS, choose_n, presto_plan

FX = cmd.SearchBeam(basename="fx", files=("fx.fits",), nsamp=151552, numrows=74, nchan=64,
                    backend="pdev")
MOCK = cmd.SearchBeam(basename="p2030.20261126.G45.00+0.00.b3.00100",
                      files=("p2030.20261126.G45.00+0.00.b3.00100.fits",), nsamp=4194304,
                      numrows=2048, nchan=960, backend="pdev")


def options(argv: tuple[str, ...]) -> dict[str, str | bool]:
    """flag -> value (True for a bare flag); positional arguments are left out."""
    out: dict[str, str | bool] = {}
    i = 1
    while i < len(argv):
        flag = argv[i]
        if not flag.startswith("-"):
            i += 1
            continue
        nxt = argv[i + 1] if i + 1 < len(argv) else "-"
        is_value = not nxt.startswith("-") or nxt.lstrip("-").replace(".", "").isdigit()
        if is_value and not nxt.endswith((".fits", ".dat", ".fft")):
            out[flag] = nxt
            i += 2
        else:
            out[flag] = True
            i += 1
    return out


def same(argv: tuple[str, ...], expected: str) -> None:
    """argv runs the same program with the same options (numerically) and inputs as expected."""
    want = tuple(expected.split())
    assert argv[0] == want[0]
    got, ref = options(argv), options(want)
    assert got.keys() == ref.keys()
    for key, value in ref.items():
        if isinstance(value, str) and value.replace(".", "").lstrip("-").isdigit():
            assert float(got[key]) == pytest.approx(float(value)), key
        else:
            assert got[key] == value, key
    assert [a for a in argv if a.endswith((".fits", ".dat", ".fft"))] == \
        [a for a in want if a.endswith((".fits", ".dat", ".fft"))]


def test_rfifind_as_in_the_fixtures_readme():
    c = cmd.rfifind(FX, SearchingSettings(rfifind_chunk_time=2.0))
    same(c.argv, "rfifind -psrfits -time 2.0 -o fx fx.fits")
    assert c.outputs == ("fx_rfifind.mask",)


def test_rfifind_chunk_time_default_is_palfas():
    c = cmd.rfifind(FX, SearchingSettings())
    assert float(options(c.argv)["-time"]) == 2**15 * 0.000064  # "%.17g": exact round trip


def test_accelsearch_lo_and_hi_as_in_the_fixtures_readme():
    seq = cmd.per_dm("fx_DM45.00", SearchingSettings(), None, 0.0)
    lo, hi = [c for c in seq if c.program == "accelsearch"]
    same(lo.argv, "accelsearch -numharm 16 -sigma 2.0 -zmax 0  -flo 2.0 fx_DM45.00.fft")
    same(hi.argv, "accelsearch -numharm 8  -sigma 3.0 -zmax 50 -flo 1.0 fx_DM45.00.fft")
    assert (lo.stage, hi.stage) == ("lo-accelsearch", "hi-accelsearch")


def test_per_dm_sequence_and_zapping():
    seq = cmd.per_dm("/tmp/x/fx_DM45.00", SearchingSettings(), "PALFA.zaplist", 2.825814e-05)
    assert [c.program for c in seq] == ["single_pulse_search.py", "realfft", "zapbirds",
                                        "rednoise", "accelsearch", "accelsearch"]
    same(seq[0].argv, "single_pulse_search.py -p -m 0.1 -t 5.0 /tmp/x/fx_DM45.00.dat")
    assert seq[2].argv == ("zapbirds", "-zap", "-zapfile", "PALFA.zaplist", "-baryv",
                           "2.82581e-05", "/tmp/x/fx_DM45.00.fft")
    assert seq[1].outputs == ("/tmp/x/fx_DM45.00.fft",)
    assert seq[3].outputs == ("/tmp/x/fx_DM45.00_red.fft",)
    no_zap = cmd.per_dm("fx_DM45.00", SearchingSettings(), None, 0.0)
    assert "zapbirds" not in [c.program for c in no_zap]


def test_prepfold_as_in_the_fixtures_readme_apart_from_palfas_search_options():
    c = cmd.prepfold(FX, "fx_DM45.00_ACCEL_0", 1, 45.0, 6.93)
    o = options(c.argv)
    assert (o["-accelcand"], o["-accelfile"], o["-dm"], o["-o"]) == \
        ("1", "fx_DM45.00_ACCEL_0.cand", "45.00", "fx_DM45.00_Z0")
    assert o["-noxwin"] is True and o["-mask"] == "fx_rfifind.mask" and c.argv[-1] == "fx.fits"
    assert c.outputs == ("fx_DM45.00_Z0_ACCEL_Cand_1.pfd",)  # the fixture's own file name


@pytest.mark.parametrize(("period", "mp", "mdm", "nbins", "npart", "flags"), [
    (0.0015, 2, 2, 24, 50, {"-ndmfact"}),
    (0.010, 2, 1, 50, 40, {"-pstep", "-pdstep", "-dmstep"}),
    (0.0893, 1, 1, 100, 30, {"-pstep", "-pdstep", "-dmstep", "-nodmsearch"}),
    (8.05, 1, 1, 200, 30, {"-nopdsearch", "-pstep", "-pdstep", "-dmstep", "-nodmsearch"}),
])
def test_prepfold_period_dependent_options(period, mp, mdm, nbins, npart, flags):
    c = cmd.prepfold(MOCK, "b_DM100.00_ACCEL_50", 3, 100.0, period)
    o = options(c.argv)
    assert (o["-n"], o["-npart"], o["-npfact"]) == (str(nbins), str(npart), str(mp))
    last_ndmfact = len(c.argv) - 1 - c.argv[::-1].index("-ndmfact")
    assert c.argv[last_ndmfact + 1] == str(mdm)  # the original's final -ndmfact is Mdm
    assert flags <= set(o) and ("-nopdsearch" in o) == (period >= 0.5)
    assert o["-nsub"] == "96" and o["-o"].endswith("_DM100.00_Z50")


def test_prepfold_never_uses_more_parts_than_rows():
    short = cmd.SearchBeam("b", ("b.fits",), 40960, 20, 64, "pdev")
    assert options(cmd.prepfold(short, "b_DM1.00_ACCEL_0", 1, 1.0, 0.001).argv)["-npart"] == "20"
    assert options(cmd.prepfold(short, "b_DM1.00_ACCEL_0", 1, 1.0, 0.001).argv)["-nsub"] == "64"


def test_palfa_mock_plan_and_its_prepsubband_calls():
    plan = presto_plan("pdev", 960, 6.5476e-5, None, -0.336, 1000.0, MOCK.nsamp)
    assert plan == PRESETS["pdev"]
    first = plan[0]
    assert first.subdm(0) == "3.80" and first.dmstrs(1)[:2] == ["7.60", "7.70"]
    sub = cmd.make_subbands(MOCK, first, 0, "/dev/shm/t")
    same(sub.argv, "prepsubband -psrfits -sub -subdm 3.80 -downsamp 1 -nsub 96 "
                   f"-mask {MOCK.basename}_rfifind.mask -o /dev/shm/t/subbands/{MOCK.basename} "
                   f"{MOCK.files[0]}")
    subfiles = [f"/dev/shm/t/subbands/{MOCK.basename}_DM3.80.sub{i:02d}" for i in range(96)]
    dd = cmd.dedisperse_subbands(MOCK, first, 0, "/dev/shm/t", subfiles)
    o = options(dd.argv)
    assert (o["-lodm"], o["-dmstep"], o["-numdms"], o["-downsamp"], o["-nsub"]) == \
        ("0.00", "0.10", "76", "1", "96")
    assert o["-numout"] == str(choose_n(MOCK.nsamp)) and list(dd.argv[-96:]) == subfiles
    assert dd.outputs[0].endswith("_DM0.00.dat") and len(dd.outputs) == 76
    later = cmd.dedisperse_subbands(MOCK, plan[1], 2, "/t", subfiles)
    assert options(later.argv)["-lodm"] == f"{212.8 + 2 * 64 * 0.3:.2f}"
    assert options(later.argv)["-numout"] == str(choose_n(MOCK.nsamp // 2))


def test_without_subbands_prepsubband_reads_the_raw_data_with_the_mask():
    step = PRESETS["pdev"][1]
    c = cmd.dedisperse_raw(MOCK, step, 0, "/t")
    o = options(c.argv)
    assert o["-mask"] == f"{MOCK.basename}_rfifind.mask" and o["-downsamp"] == "2"
    assert c.argv[-1] == MOCK.files[0]


def test_computed_plan_for_a_beam_without_a_preset():
    import numpy as np

    freqs = 1375.5 + 5.040625 * (np.arange(64) - 31.5)
    plan = presto_plan("pdev", 64, 0.000131072, freqs, 5.040625, 100.0, 151552)
    assert plan[0].lodm == 0.0 and all(step.numsub == 32 for step in plan)
    top = plan[-1].pass_lodm(plan[-1].numpasses - 1) + plan[-1].sub_dmstep
    assert top >= 100.0
    assert all(s.dmsperpass <= 76 for s in plan)


def test_choose_n_matches_prepsubbands_good_length(fx):
    # fx_prepsubband.out: "Setting a 'good' output length of 153600 samples" for N = 151552
    assert "good' output length of 153600" in (fx / "fx_prepsubband.out").read_text()
    assert choose_n(151552) == 153600
    assert choose_n(153600) == 153600 and choose_n(1) == 16


def test_ps_to_png_takes_the_first_page():
    c = cmd.ps_to_png("fx_DM45.00_Z0_ACCEL_Cand_1.pfd.ps")
    assert c.argv[3] == "fx_DM45.00_Z0_ACCEL_Cand_1.pfd.ps[0]"
    assert c.outputs == ("fx_DM45.00_Z0_ACCEL_Cand_1.pfd.png",)
