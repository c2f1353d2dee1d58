"""The PSRFITS file(s) PRESTO reads for a beam.

PRESTO reads several files as consecutive in time, so a Mock beam's two sub-band halves are merged
into one file first (the original used psrfits_utils' combine_mocks), dropping ``skip_rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from palfa.psrfits.header import BeamHeader
from palfa.psrfits.reader import read_beam, validate_psrfits
from palfa.psrfits.writer import ObservationInfo, write_psrfits


def file_rows(path: Path) -> int:
    """PSRFITS rows: prepfold cannot fold in more parts than there are rows."""
    return validate_psrfits(path).nrows


def prepare_beam_files(files: Sequence[Path], skip_rows: int, workdir: Path,
                       header: BeamHeader) -> list[Path]:
    if len(files) == 1 and skip_rows == 0:
        return [Path(files[0]).resolve()]
    nsblk = validate_psrfits(files[0]).nsblk
    fb = read_beam(files, skip_rows=skip_rows)
    lo, hi = fb.data.min(axis=0), fb.data.max(axis=0)
    scale = np.where(hi > lo, (hi - lo) / 255.0, 1.0).astype(np.float32)
    samples = np.rint((fb.data - lo) / scale).clip(0, 255).astype(np.uint8)
    obs = ObservationInfo(
        source_name=header.source_name, ra_str=header.ra_str, dec_str=header.dec_str,
        mjd=header.mjd, beam=header.beam_id, project_id=header.project_id or "P2030",
        observer=header.observers or "unknown", telescope=header.telescope or "Arecibo",
        backend=header.backend or "pdev",
    )
    out = workdir / f"{header.obs_name}.fits"
    write_psrfits(out, samples, fb.freqs_mhz, fb.tsamp, obs, nbits=8, nsblk=nsblk,
                  scales=scale, offsets=lo)
    return [out]
