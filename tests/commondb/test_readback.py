"""The comparison rules: numbers to a relative precision, text exact, binaries by hash."""

from __future__ import annotations

import math

from palfa.commondb.readback import REL_TOL, compare, same_value


def test_numbers_agree_to_the_stated_precision():
    assert same_value(1.2345678901234567, 1.23456789012346)  # 15-digit ODBC text
    assert not same_value(1.0, 1.0 + 10 * REL_TOL)
    assert same_value(3, 3.0)
    assert not same_value(3, 4)
    assert same_value(None, None)
    assert not same_value(0.0, None)
    assert not same_value(math.nan, math.nan)  # NaN must have been stored as NULL


def test_text_is_exact_and_binaries_compare_by_content():
    assert not same_value("G45.00", "G45.00 ")
    assert same_value(b"abc", b"abc")
    assert not same_value(b"abc", b"abd")
    assert not same_value(b"abc", "abc")


def test_compare_lists_every_difference():
    disk = {"candidates": {(1,): {"dm": 10.0, "rank": 1}, (2,): {"dm": 20.0, "rank": 2}}}
    stored = {"candidates": {(1,): {"dm": 10.5, "rank": 1}, (3,): {"dm": 30.0, "rank": 3}}}
    assert compare(disk, stored) == [
        "candidates (2,): on disk but not in the database",
        "candidates (3,): in the database but not on disk",
        "candidates (1,) dm: on disk 10.0, in the database 10.5",
    ]
    assert compare(disk, disk) == []
