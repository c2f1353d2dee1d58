"""Barycentric periods for the candidate table, from the beam's sky position and time.

The search works in the observatory frame; the common database stores both frames so candidates
from different days (and sites) can be matched. Over one PALFA pointing the Earth's velocity
changes by far less than a candidate's period uncertainty, so one Doppler factor at the middle
of the observation serves the whole beam (as prepfold's average v/c does). A telescope moving
towards the source at v sees f_topo = f_bary (1 + v/c).
"""

from __future__ import annotations

import warnings

import astropy.units as u
from astropy.constants import c
from astropy.coordinates import EarthLocation, SkyCoord
from astropy.time import Time
from astropy.utils import iers
from astropy.utils.exceptions import AstropyWarning
from erfa import ErfaWarning

from palfa.psrfits.header import BeamHeader

# Geocentric position of the Arecibo 305-m telescope (TEMPO's obsys.dat), metres.
ARECIBO = EarthLocation.from_geocentric(2390490.0, -5564764.0, 1994727.0, unit=u.m)
SECONDS_PER_DAY = 86400.0


def doppler_factor(header: BeamHeader, site: EarthLocation = ARECIBO) -> float:
    """1 + v/c, v the site's velocity towards the source relative to the solar-system barycentre."""
    mid = Time(header.mjd + header.obs_time_s / 2 / SECONDS_PER_DAY, format="mjd", scale="utc")
    # Earth-rotation details (UT1, polar motion) move v by far less than 1 m/s: take UT1 = UTC
    # and mean polar motion rather than reach for IERS tables, which are offline or out of date.
    mid.delta_ut1_utc = 0.0
    source = SkyCoord(header.ra_deg * u.deg, header.dec_deg * u.deg, frame="icrs")
    with (iers.conf.set_temp("auto_download", False), warnings.catch_warnings()):
        warnings.simplefilter("ignore", AstropyWarning)
        warnings.simplefilter("ignore", ErfaWarning)
        velocity = source.radial_velocity_correction("barycentric", obstime=mid, location=site)
    return 1.0 + float((velocity / c).decompose())
