"""A beam's samples as the search engine consumes them: in memory, or a stream of blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from palfa.psrfits.header import BeamHeader

# float32 bytes per block handed out by ``blocks``: bounds what a stage holds at once, whatever
# the number of channels and samples of the beam
BLOCK_BYTES = 16 * 2**20


def samples_per_block(nchan: int) -> int:
    return max(1, BLOCK_BYTES // (4 * nchan))


class BeamSamples(Protocol):
    """What the RFI stages read: a beam's metadata and its samples, (nsamp, nchan) blocks in
    time order. A ``Filterbank`` has them in memory; ``palfa.psrfits.reader.BeamStream`` reads
    them from the files on each pass, so a beam larger than memory can be searched."""

    @property
    def header(self) -> BeamHeader: ...

    @property
    def freqs_mhz(self) -> np.ndarray: ...

    @property
    def tsamp(self) -> float: ...

    @property
    def nsamp(self) -> int: ...

    @property
    def nchan(self) -> int: ...

    def blocks(self) -> Iterator[np.ndarray]: ...


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

    def blocks(self) -> Iterator[np.ndarray]:
        """Views of ``data`` in time order, as a stream would give them (no copies)."""
        step = samples_per_block(self.nchan)
        for start in range(0, self.nsamp, step):
            yield self.data[start:start + step]
