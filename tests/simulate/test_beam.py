"""Simulated beams: the truth matches the files and the pulsars fold up at the injected S/N."""

import json

import numpy as np
import pytest

from palfa.errors import ConfigError
from palfa.psrfits.names import group_beam_files
from palfa.psrfits.reader import read_beam, read_header
from palfa.simulate import BeamSpec, InjectedPulsar, simulate_beam
from palfa.simulate.pulsar import dispersion_delay_s

SMALL = dict(nchan_per_file=32, nsamp=2**16)
PULSARS = (
    InjectedPulsar(period_s=0.0893, dm=45.0, duty_cycle=0.05, snr=40.0, phase=0.3),
    InjectedPulsar(period_s=0.00471, dm=60.0, duty_cycle=0.08, snr=30.0, accel_ms2=20.0),
)


def folded_snr(filterbank, pulsar: InjectedPulsar, nbins: int = 64) -> float:
    """Dedisperse by whole-sample shifts, fold with the true spin model, S/N of the profile.

    S/N^2 = sum_j n_j (mean_j - baseline)^2 / sigma^2 less the nbins it gets from noise alone;
    the samples lost to the dispersion sweep are made up for by sqrt(nsamp / kept).
    """
    delays = dispersion_delay_s(pulsar.dm, filterbank.freqs_mhz, filterbank.freqs_mhz.max())
    shifts = np.rint(delays / filterbank.tsamp).astype(int)
    kept = filterbank.nsamp - shifts.max()
    series = np.zeros(kept)
    for channel, shift in enumerate(shifts):
        series += filterbank.data[shift : shift + kept, channel]
    bins = (np.mod(pulsar.spin_phase(np.arange(kept) * filterbank.tsamp), 1.0) * nbins).astype(int)
    counts = np.bincount(bins, minlength=nbins)
    means = np.bincount(bins, weights=series, minlength=nbins) / counts
    power = np.sum(counts * (means - np.median(means)) ** 2) / series.var() - nbins
    return float(np.sqrt(max(power, 0.0)) * np.sqrt(filterbank.nsamp / kept))


@pytest.fixture(scope="module", params=[8, 4])
def simulated(request, tmp_path_factory):
    spec = BeamSpec(nbits=request.param, seed=7, pulsars=PULSARS, **SMALL)
    return spec, simulate_beam(spec, tmp_path_factory.mktemp(f"beam{request.param}"))


def test_files_and_truth_agree(simulated):
    spec, beam = simulated
    truth = json.loads(beam.truth_path.read_text())
    assert beam.truth_path.name == f"{spec.obs_name}.truth.json"
    assert truth["files"] == [p.name for p in beam.files]
    assert group_beam_files(beam.files) == {spec.obs_name: list(beam.files)}
    assert [{k: p[k] for k in ("period_s", "dm", "duty_cycle", "snr", "accel_ms2")}
            for p in truth["pulsars"]] == [
        {"period_s": p.period_s, "dm": p.dm, "duty_cycle": p.duty_cycle, "snr": p.snr,
         "accel_ms2": p.accel_ms2} for p in PULSARS
    ]
    header = read_header(beam.files)
    assert header.obs_name == truth["obs_name"] == spec.obs_name
    assert header.nsamp == truth["spec"]["nsamp"] == 2**16
    assert header.nchan == 64
    assert header.nbits == spec.nbits
    assert header.tsamp_s == truth["spec"]["tsamp_s"]
    assert header.fctr_mhz == pytest.approx((1214.3 + 1536.8) / 2)
    assert header.bandwidth_mhz == pytest.approx(1536.8 - 1214.3)
    assert header.mjd == pytest.approx(spec.mjd, abs=1e-9)
    assert header.beam_id == spec.beam
    assert truth["rfi"] == {"narrowband": [], "broadband_bursts": []}


def test_halves_are_lower_and_upper_band(simulated):
    spec, _ = simulated
    s0, s1 = spec.freqs_mhz(0), spec.freqs_mhz(1)
    assert np.all(np.diff(s0) < 0) and np.all(np.diff(s1) < 0)
    assert s0.max() < s1.min()
    assert s0.min() + spec.chan_bw_mhz / 2 == pytest.approx(1214.3)
    assert s1.max() - spec.chan_bw_mhz / 2 == pytest.approx(1536.8)


def test_noise_is_unit_rms_per_channel(simulated):
    _, beam = simulated
    data = read_beam(beam.files).data
    assert np.median(data.std(axis=0)) == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("index", range(len(PULSARS)))
def test_folded_snr_matches_injected(simulated, index):
    _, beam = simulated
    pulsar = PULSARS[index]
    measured = folded_snr(read_beam(beam.files), pulsar)
    assert measured == pytest.approx(pulsar.snr, rel=0.15)
    # folding at a wrong DM-free period finds nothing: the signal is really the pulsar's
    wrong = InjectedPulsar(pulsar.period_s * 1.0123, 0.0, pulsar.duty_cycle, pulsar.snr)
    assert folded_snr(read_beam(beam.files), wrong) < 0.3 * pulsar.snr


def test_rfi_is_recorded_and_present(tmp_path):
    spec = BeamSpec(seed=3, rfi=True, **SMALL)
    beam = simulate_beam(spec, tmp_path)
    rfi = json.loads(beam.truth_path.read_text())["rfi"]
    filterbank = read_beam(beam.files)
    stds = filterbank.data.std(axis=0)
    for line in rfi["narrowband"]:
        channel = int(np.argmin(np.abs(filterbank.freqs_mhz - line["freq_mhz"])))
        assert stds[channel] > 1.3
    assert len(rfi["narrowband"]) == 3
    band_sum = filterbank.data.sum(axis=1)
    for burst in rfi["broadband_bursts"]:
        start = int(burst["time_s"] / spec.tsamp_s)
        assert band_sum[start + 1] - np.median(band_sum) > 50 * burst["amplitude_sigma"]


def test_same_seed_same_files(tmp_path):
    spec = BeamSpec(seed=11, pulsars=PULSARS[:1], rfi=True, nchan_per_file=8, nsamp=4096)
    first = simulate_beam(spec, tmp_path / "a")
    second = simulate_beam(spec, tmp_path / "b")
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other = simulate_beam(BeamSpec(seed=12, nchan_per_file=8, nsamp=4096), tmp_path / "c")
    assert other.files[0].read_bytes() != first.files[0].read_bytes()


def test_bad_spec_lists_every_problem(tmp_path):
    spec = BeamSpec(nsamp=1000, nbits=3, pulsars=(InjectedPulsar(-1.0, 10.0, 0.05, 10.0),))
    with pytest.raises(ConfigError, match="beam spec") as info:
        simulate_beam(spec, tmp_path)
    assert len(info.value.problems) == 3
