"""The observatory's average velocity towards the source (v/c), for ``zapbirds -baryv``.

Birdies are terrestrial, so zapbirds needs it to move their frequencies into the barycentred
spectra that prepsubband writes. PRESTO's sign: positive when the observatory moves towards
the source, the opposite of astropy's radial-velocity correction.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
from astropy.constants import c
from astropy.coordinates import EarthLocation, SkyCoord
from astropy.time import Time

ARECIBO = EarthLocation.from_geodetic(lon=-66.752806 * u.deg, lat=18.344167 * u.deg,
                                      height=497.0 * u.m)


def average_baryv(ra_str: str, dec_str: str, mjd: float, obs_time_s: float,
                  site: EarthLocation = ARECIBO, npoints: int = 5) -> float:
    with warnings.catch_warnings():  # PRESTO headers may say "10:56:60.0000"
        warnings.simplefilter("ignore")
        coord = SkyCoord(ra_str, dec_str, unit=(u.hourangle, u.deg), frame="icrs")
    times = Time(mjd + np.linspace(0.0, obs_time_s, npoints) / 86400.0, format="mjd", scale="utc")
    velocity = coord.radial_velocity_correction(kind="barycentric", obstime=times, location=site)
    return -float(np.mean((velocity / c).decompose().value))
