"""The FFT plans a beam's search needs, measured ahead of time (``palfa fftw-wisdom``): PRESTO's
``makewisdom`` step, done for the series lengths of the beam's dedispersion plan."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from palfa.config.settings import SearchingSettings
from palfa.psrfits.header import BeamHeader
from palfa.psrfits.reader import read_header
from palfa.search.accel import palfa_passes, search_transforms
from palfa.search.fftw import Transform, measure_plans
from palfa.search.plan import make_plan


def beam_transforms(header: BeamHeader, settings: SearchingSettings) -> list[Transform]:
    """Every FFT the embedded engine runs on a beam like ``header`` with ``settings``."""
    offsets = np.arange(header.nchan) - (header.nchan - 1) / 2
    freqs = np.sort(header.fctr_mhz + abs(header.chan_bw_mhz) * offsets)
    plan = make_plan(header.tsamp_s, freqs, header.chan_bw_mhz, settings.max_dm, header.nsamp)
    lengths = sorted({header.nsamp // step.downsamp for step in plan.steps})
    passes = palfa_passes(settings)
    return list(dict.fromkeys(t for n in lengths for t in search_transforms(n, passes)))


def measure_beam_plans(files: Sequence[Path], settings: SearchingSettings) -> tuple[int, Path]:
    """Measure the plans for beams like the one in ``files``; returns how many and the wisdom file."""
    transforms = beam_transforms(read_header(files, skip_rows=settings.skip_rows), settings)
    return len(transforms), measure_plans(transforms)
