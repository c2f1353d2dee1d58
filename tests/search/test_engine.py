"""End-to-end tests of the embedded engine: simulated Mock files in, results directory out."""

from __future__ import annotations

import json

import numpy as np
import pytest

from palfa.config.settings import SearchingSettings
from palfa.errors import SearchError
from palfa.presto.pfd import read_pfd
from palfa.search.engine import EmbeddedEngine, get_engine
from palfa.search.results import read_results
from palfa.simulate.beam import BeamSpec, simulate_beam
from palfa.simulate.pulsar import InjectedPulsar

SETTINGS = SearchingSettings(max_dm=100.0)
PULSAR = InjectedPulsar(period_s=0.0893, dm=45.0, duty_cycle=0.05, snr=30.0)


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("beam")
    spec = BeamSpec(nchan_per_file=32, tsamp_s=256e-6, nsamp=2**17, pulsars=(PULSAR,), seed=4)
    beam = simulate_beam(spec, tmp / "raw")
    stages: list[str] = []
    results = get_engine("embedded").search(
        beam.files, tmp / "out", SETTINGS, lambda stage, frac: stages.append(stage)
    )
    return tmp / "out", results, stages


def test_engine_writes_the_contract(searched):
    outdir, results, stages = searched
    on_disk = read_results(outdir)
    assert [c.period_s for c in on_disk.candidates] == [c.period_s for c in results.candidates]
    diag = on_disk.diagnostics
    for key in ("RFIfind png", "Accelcands list", "Zaplist used", "Search parameters"):
        assert (outdir / diag[key]).is_file()
    assert diag["Num cands folded"] >= 1 and diag["Sigma threshold"] == 6.0
    timing = json.loads((outdir / "timing.json").read_text())
    assert {"read", "rfifind", "dedisperse", "accelsearch", "folding"} <= set(timing)
    assert (outdir / "singlepulse.csv").is_file() and (outdir / "singlepulse.png").is_file()
    assert stages[0] == "rfifind" and stages[-1] == "done"


def test_engine_finds_the_injected_pulsar(searched):
    outdir, results, _ = searched
    best = results.candidates[0]
    assert best.folded and best.period_s == pytest.approx(PULSAR.period_s, rel=1e-3)
    assert abs(best.dm - PULSAR.dm) < 1.0
    assert 0.6 * PULSAR.snr < best.snr < 1.2 * PULSAR.snr
    assert (outdir / best.plot).is_file()
    archive = read_pfd(outdir / best.fold_archive)  # prepfold's .pfd layout
    assert archive.profs.ndim == 3 and archive.period_s == pytest.approx(best.period_s)
    assert archive.bestdm == pytest.approx(best.dm)



def test_bad_beams_are_refused(make_beam, tmp_path):
    engine = EmbeddedEngine()
    short = make_beam(nsamp=2**12)
    with pytest.raises(SearchError, match="low_T_to_search"):
        engine.search_filterbank(short, tmp_path, SETTINGS)
    nans = make_beam(nsamp=2**17)
    nans.data[100, 3] = np.nan
    with pytest.raises(SearchError, match="NaN"):
        engine.search_filterbank(nans, tmp_path, SETTINGS)
    dead = make_beam(nsamp=2**17)
    dead.data[:] = 7.0
    with pytest.raises(SearchError, match="RFI mask covers the whole beam"):
        engine.search_filterbank(dead, tmp_path, SETTINGS)
    with pytest.raises(SearchError, match=r"searching\.engine"):
        get_engine("nope")


def test_the_beams_own_zaplist_is_used(tmp_path):
    from palfa.presto.zaplist import custom_names
    from palfa.search.zaplist import Zaplist

    beam = simulate_beam(BeamSpec(nchan_per_file=16, tsamp_s=256e-6, nsamp=2**15, seed=5),
                         tmp_path / "raw")
    per_beam = dict(custom_names(beam.files))["per-beam"]
    (tmp_path / "zaplists").mkdir()
    (tmp_path / "zaplists" / per_beam).write_text("# this beam only\n123.0 0.5\n")
    engine = EmbeddedEngine(zaplistdir=tmp_path / "zaplists")
    engine.search(beam.files, tmp_path / "out", SearchingSettings(max_dm=10.0, low_T_to_search=1.0))
    assert 123.0 in Zaplist.read(tmp_path / "out" / "zaplist_used.txt").freqs_hz
