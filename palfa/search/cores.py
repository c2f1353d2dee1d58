"""One knob for the search's threads: numba's thread count (NUMBA_NUM_THREADS, or
numba.set_num_threads) also sets how many workers scipy.fft uses."""

from __future__ import annotations

import numba


def fft_workers() -> int:
    return int(numba.get_num_threads())
