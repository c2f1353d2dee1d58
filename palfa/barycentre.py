"""The observatory's velocity towards a source, relative to the solar-system barycentre.

Both the upload (barycentric periods) and the PRESTO engine (``zapbirds -baryv``) need it, so it is
computed in one place, and offline: cluster nodes often cannot reach the IERS servers, and
Earth-rotation details (UT1, polar motion) move the velocity by far less than 1 m/s, so UT1 is
taken as UTC and astropy never downloads a table.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
from astropy.constants import c
from astropy.coordinates import EarthLocation, SkyCoord
from astropy.time import Time
from astropy.utils import iers

# Geocentric position of the Arecibo 305-m telescope (TEMPO's obsys.dat), metres.
ARECIBO = EarthLocation.from_geocentric(2390490.0, -5564764.0, 1994727.0, unit=u.m)
SECONDS_PER_DAY = 86400.0


def velocity_towards_source(source: SkyCoord, mjds: np.ndarray,
                            site: EarthLocation = ARECIBO) -> np.ndarray:
    """v/c of ``site`` towards ``source`` at each UTC MJD (positive: approaching the source)."""
    times = Time(np.atleast_1d(mjds), format="mjd", scale="utc")
    times.delta_ut1_utc = np.zeros(times.shape)
    with iers.conf.set_temp("auto_download", False), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "dubious year" and degraded-accuracy notices
        velocity = source.radial_velocity_correction("barycentric", obstime=times, location=site)
    return np.asarray((velocity / c).decompose().value, dtype=float)
