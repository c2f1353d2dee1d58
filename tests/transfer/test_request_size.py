"""How many beams a restore asks for: numrestored, disk room and download rate."""

from __future__ import annotations

import pytest

from palfa.transfer.request_size import IntakeHistory, aggregate_rate, beams_to_request

MIB = 2**20
HISTORY = IntakeHistory(beam_bytes=400 * MIB, rate_bytes_s=1 * MIB)


def test_numrestored_bounds_files_requested_plus_pending() -> None:
    assert beams_to_request(20, 0) == 10
    assert beams_to_request(20, 15) == 2
    assert beams_to_request(20, 25) == 0
    assert beams_to_request(20, 0, wanted=3) == 3


def test_room_and_average_beam_size_bound_the_request() -> None:
    assert beams_to_request(100, 0, room_bytes=1000 * MIB, history=HISTORY) == 2
    assert beams_to_request(100, 0, room_bytes=399 * MIB, history=HISTORY) == 0
    assert beams_to_request(100, 0, room_bytes=-5, history=HISTORY) == 0


def test_the_rate_bounds_what_can_be_fetched_within_the_horizon() -> None:
    # 1 MiB/s for a day is 216 beams of 400 MiB; an hour is 9; a very slow link still gets one.
    assert beams_to_request(1000, 0, room_bytes=10**15, history=HISTORY) == 216
    assert beams_to_request(1000, 0, room_bytes=10**15, history=HISTORY, horizon_s=3600) == 9
    slow = IntakeHistory(beam_bytes=400 * MIB, rate_bytes_s=1.0)
    assert beams_to_request(1000, 0, room_bytes=10**15, history=slow) == 1


def test_before_any_download_only_numrestored_and_some_room_apply() -> None:
    unknown = IntakeHistory(beam_bytes=None, rate_bytes_s=None)
    assert beams_to_request(20, 4, room_bytes=1, history=unknown) == 8
    assert beams_to_request(20, 4, room_bytes=0, history=unknown) == 0


@pytest.mark.parametrize(
    ("transfers", "parallel", "rate"),
    [
        ([(100, 1.0), (300, 1.0)], 1, 200.0),
        ([(100, 1.0), (300, 1.0)], 4, 800.0),
        ([(0, 1.0), (100, 0.0)], 2, None),  # nothing measurable
        ([], 2, None),
    ],
)
def test_aggregate_rate(transfers, parallel, rate) -> None:
    assert aggregate_rate(transfers, parallel) == rate
