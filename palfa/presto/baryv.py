"""The observatory's average velocity towards the source (v/c), for ``zapbirds -baryv``.

Birdies are terrestrial, so zapbirds needs it to move their frequencies into the barycentred
spectra that prepsubband writes. PRESTO's sign (prepsubband's "Average topocentric velocity"):
positive when the observatory recedes from the source, the opposite of
``velocity_towards_source`` (checked against the value PRESTO logged for the fixture beam).
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
from astropy.coordinates import EarthLocation, SkyCoord

from palfa.barycentre import ARECIBO, SECONDS_PER_DAY, velocity_towards_source


def average_baryv(ra_str: str, dec_str: str, mjd: float, obs_time_s: float,
                  site: EarthLocation = ARECIBO, npoints: int = 5) -> float:
    with warnings.catch_warnings():  # PRESTO headers may say "10:56:60.0000"
        warnings.simplefilter("ignore")
        coord = SkyCoord(ra_str, dec_str, unit=(u.hourangle, u.deg), frame="icrs")
    mjds = mjd + np.linspace(0.0, obs_time_s, npoints) / SECONDS_PER_DAY
    return -float(np.mean(velocity_towards_source(coord, mjds, site)))
