"""PRESTO ``.inf`` files: the description of a time series (also appended to ACCEL files)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from palfa.errors import BadInputError

_KEYS = {
    "Data file name without suffix": "basename",
    "Telescope used": "telescope",
    "Instrument used": "instrument",
    "Object being observed": "object",
    "J2000 Right Ascension (hh:mm:ss.ssss)": "ra_str",
    "J2000 Declination     (dd:mm:ss.ssss)": "dec_str",
    "Epoch of observation (MJD)": "mjd",
    "Barycentered?           (1 yes, 0 no)": "barycentered",
    "Number of bins in the time series": "nsamp",
    "Width of each time series bin (sec)": "tsamp_s",
    "Dispersion measure (cm-3 pc)": "dm",
    "Central freq of low channel (MHz)": "lofreq_mhz",
    "Total bandwidth (MHz)": "bandwidth_mhz",
    "Number of channels": "numchan",
    "Channel bandwidth (MHz)": "chan_bw_mhz",
}
_REQUIRED = ("basename", "mjd", "nsamp", "tsamp_s")


@dataclass(frozen=True)
class InfFile:
    basename: str
    mjd: float
    nsamp: int
    tsamp_s: float
    telescope: str = ""
    instrument: str = ""
    object: str = ""
    ra_str: str = ""
    dec_str: str = ""
    barycentered: bool = False
    dm: float = 0.0
    lofreq_mhz: float = 0.0
    bandwidth_mhz: float = 0.0
    numchan: int = 1
    chan_bw_mhz: float = 0.0
    onoff: tuple[tuple[int, int], ...] = ()

    @property
    def obs_time_s(self) -> float:
        return self.nsamp * self.tsamp_s


def parse_inf_text(text: str, source: str) -> InfFile:
    """Parse the ``label = value`` lines of an .inf (the rest of the text is ignored)."""
    raw: dict[str, str] = {}
    onoff: list[tuple[int, int]] = []
    for line in text.splitlines():
        label, sep, value = line.partition("=  ")
        if not sep:
            continue
        label, value = label.strip(), value.strip()
        if label.startswith("On/Off bin pair"):
            on, _, off = value.partition(",")
            onoff.append((int(on), int(off)))
        elif label in _KEYS:
            raw[_KEYS[label]] = value
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise BadInputError(source, f"is not a PRESTO .inf (no {', '.join(missing)})",
                            "give the .inf written with the time series by prepsubband")
    try:
        return InfFile(
            basename=raw["basename"], mjd=float(raw["mjd"]), nsamp=int(raw["nsamp"]),
            tsamp_s=float(raw["tsamp_s"]), telescope=raw.get("telescope", ""),
            instrument=raw.get("instrument", ""), object=raw.get("object", ""),
            ra_str=raw.get("ra_str", ""), dec_str=raw.get("dec_str", ""),
            barycentered=raw.get("barycentered", "0") == "1", dm=float(raw.get("dm", 0)),
            lofreq_mhz=float(raw.get("lofreq_mhz", 0)),
            bandwidth_mhz=float(raw.get("bandwidth_mhz", 0)),
            numchan=int(raw.get("numchan", 1)), chan_bw_mhz=float(raw.get("chan_bw_mhz", 0)),
            onoff=tuple(onoff),
        )
    except ValueError as exc:
        raise BadInputError(source, f"has an unreadable value ({exc})",
                            "regenerate the file with PRESTO") from exc


def read_inf(path: Path) -> InfFile:
    if not path.is_file():
        raise BadInputError(str(path), "no such .inf file", "check the path")
    return parse_inf_text(path.read_text(errors="replace"), str(path))
