"""What a beam is, independent of the files it came in.

The header travels with the search results (``header.json``) so the uploader never has to open
the raw data again, which may already be deleted by then.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BeamHeader:
    """Observation metadata of one beam (both Mock sub-band files merged)."""

    obs_name: str  # e.g. "p2030.20261126.G45.00+0.00.b3.00000" (file name less s0/s1, bits, .fits)
    beam_id: int  # ALFA beam 0..7
    source_name: str
    project_id: str
    observers: str
    telescope: str
    backend: str
    mjd: float  # start of the first sample kept (UTC MJD)
    tsamp_s: float
    nsamp: int  # samples kept for searching
    obs_time_s: float  # nsamp * tsamp_s
    nchan: int
    fctr_mhz: float
    chan_bw_mhz: float  # signed: negative when channels descend in frequency
    bandwidth_mhz: float  # absolute total bandwidth
    nbits: int
    ra_str: str  # "hh:mm:ss.ssss"
    dec_str: str  # "+dd:mm:ss.sss"
    ra_deg: float
    dec_deg: float
    gal_l: float
    gal_b: float
    file_names: tuple[str, ...] = field(default_factory=tuple)
    data_size_bytes: int = 0

    def to_json(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def from_json(cls, path: Path) -> BeamHeader:
        raw = json.loads(path.read_text())
        raw["file_names"] = tuple(raw.get("file_names", ()))
        return cls(**raw)
