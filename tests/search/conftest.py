"""An in-memory beam injector for the search tests: Gaussian noise plus dispersed pulsars."""

from __future__ import annotations

import numpy as np
import pytest

from palfa.psrfits.filterbank import Filterbank
from palfa.psrfits.header import BeamHeader
from palfa.search.plan import K_DM
from palfa.simulate.pulsar import InjectedPulsar


def make_header(nsamp: int, nchan: int, tsamp: float, fctr: float, bw: float) -> BeamHeader:
    return BeamHeader(
        obs_name="p2030.20261126.G45.00+0.00.b0.00000", beam_id=0, source_name="G45.00+0.00",
        project_id="p2030", observers="test", telescope="Arecibo", backend="Mock", mjd=61000.0,
        tsamp_s=tsamp, nsamp=nsamp, obs_time_s=nsamp * tsamp, nchan=nchan, fctr_mhz=fctr,
        chan_bw_mhz=-bw / nchan, bandwidth_mhz=bw, nbits=4, ra_str="19:14:00.0000",
        dec_str="+10:50:00.000", ra_deg=288.5, dec_deg=10.83, gal_l=45.0, gal_b=0.0,
    )


def _make_beam(
    pulsars: tuple[InjectedPulsar, ...] = (), *, nsamp: int = 2**17, nchan: int = 64,
    tsamp: float = 256e-6, flo: float = 1214.0, fhi: float = 1537.0, seed: int = 1,
    bursts: tuple[tuple[float, float, float], ...] = (),
) -> Filterbank:
    """Descending channels like Mock data; ``bursts`` are (time_s, dm, peak S/N per channel)."""
    rng = np.random.default_rng(seed)
    bw = fhi - flo
    freqs = fhi - (np.arange(nchan) + 0.5) * bw / nchan
    data = rng.standard_normal((nsamp, nchan), dtype=np.float32) * 3.0 + 10.0
    t = np.arange(nsamp) * tsamp
    for psr in pulsars:
        width = psr.duty_cycle / 2.3548  # phase sigma of a Gaussian with FWHM = duty
        phase_grid = (np.arange(int(psr.period_s / tsamp) + 1) * tsamp / psr.period_s)
        norm = np.sqrt(nchan * nsamp / len(phase_grid)
                       * np.sum(np.exp(-((phase_grid - 0.5) ** 2) / width**2)))
        amp = 3.0 * psr.snr / norm
        for c, f in enumerate(freqs):
            delay = K_DM * psr.dm * (f**-2 - fhi**-2)
            phase = ((t - delay) / psr.period_s) % 1.0 - 0.5
            data[:, c] += amp * np.exp(-0.5 * (phase / width) ** 2)
    for time_s, dm, peak in bursts:
        for c, f in enumerate(freqs):
            centre = round((time_s + K_DM * dm * (f**-2 - fhi**-2)) / tsamp)
            if 0 <= centre < nsamp - 2:
                data[centre:centre + 2, c] += 3.0 * peak
    return Filterbank(make_header(nsamp, nchan, tsamp, 0.5 * (flo + fhi), bw), data, freqs)


@pytest.fixture
def make_beam():
    """Build an in-memory beam: Gaussian noise plus dispersed pulsars and bursts."""
    return _make_beam
