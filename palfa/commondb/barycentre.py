"""Barycentric periods for the candidate table, from the beam's sky position and time.

The search works in the observatory frame; the common database stores both frames so candidates
from different days (and sites) can be matched. Over one PALFA pointing the Earth's velocity
changes by far less than a candidate's period uncertainty, so one Doppler factor at the middle
of the observation serves the whole beam (as prepfold's average v/c does). A telescope moving
towards the source at v sees f_topo = f_bary (1 + v/c).
"""

from __future__ import annotations

import astropy.units as u
from astropy.coordinates import SkyCoord

from palfa.barycentre import ARECIBO, SECONDS_PER_DAY, velocity_towards_source
from palfa.psrfits.header import BeamHeader


def doppler_factor(header: BeamHeader, site=ARECIBO) -> float:
    """1 + v/c, v the site's velocity towards the source relative to the solar-system barycentre."""
    source = SkyCoord(header.ra_deg * u.deg, header.dec_deg * u.deg, frame="icrs")
    mid = header.mjd + header.obs_time_s / 2 / SECONDS_PER_DAY
    return 1.0 + float(velocity_towards_source(source, mid, site)[0])
