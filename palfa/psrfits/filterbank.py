"""An in-memory block of search-mode data: what the search engine consumes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from palfa.psrfits.header import BeamHeader


@dataclass
class Filterbank:
    """Calibrated samples of one beam.

    ``data`` is float32 with shape (nsamp, nchan); column ``i`` is the channel centred at
    ``freqs_mhz[i]``. Channel order follows the files (Mock data descend in frequency); code that
    needs an order must use ``freqs_mhz`` rather than assume one.
    """

    header: BeamHeader
    data: np.ndarray
    freqs_mhz: np.ndarray

    @property
    def tsamp(self) -> float:
        return self.header.tsamp_s

    @property
    def nsamp(self) -> int:
        return int(self.data.shape[0])

    @property
    def nchan(self) -> int:
        return int(self.data.shape[1])
