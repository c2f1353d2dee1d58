"""Barycentric periods: the Doppler factor has the Earth's orbital speed and the right sign."""

from __future__ import annotations

import dataclasses

import pytest

from palfa.commondb.barycentre import doppler_factor
from palfa.psrfits.header import BeamHeader

from .conftest import make_header
from .test_uploader import fetch, upload

C_KM_S = 299792.458
MARCH_EQUINOX_2025 = 60754.4  # the Earth then moves towards ecliptic longitude 270 deg


def velocity_km_s(ra_deg: float, dec_deg: float) -> float:
    header = dataclasses.replace(make_header("x"), mjd=MARCH_EQUINOX_2025, ra_deg=ra_deg,
                                 dec_deg=dec_deg)
    return (doppler_factor(header) - 1.0) * C_KM_S


def test_telescope_moving_towards_the_source_sees_it_blueshifted():
    assert velocity_km_s(270.0, -23.44) == pytest.approx(29.9, abs=0.5)  # the apex
    assert velocity_km_s(90.0, 23.44) == pytest.approx(-29.9, abs=0.5)  # the antapex
    assert abs(velocity_km_s(270.0, 66.56)) < 0.5  # the ecliptic pole: Earth's rotation only


def test_candidates_are_stored_in_both_frames(db, results_dir):
    upload(db, results_dir)
    factor = doppler_factor(BeamHeader.from_json(results_dir / "header.json"))
    (topo_p, bary_p, topo_f, bary_f), = fetch(
        db, "SELECT topo_period, bary_period, topo_freq, bary_freq FROM candidates WHERE rank = 1")
    assert 0 < abs(factor - 1) < 1.1e-4
    assert bary_p == pytest.approx(topo_p * factor, rel=1e-13)
    assert bary_f == pytest.approx(topo_f / factor, rel=1e-13)
