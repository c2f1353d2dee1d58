"""PRESTO's printed numbers: ``89.29(1)``, ``6.93(7)x10^3``, ``0.0(1.2)x10^4``, ``2289.``."""

from __future__ import annotations

import re

_VALUE = re.compile(r"^(?P<mant>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\([\d.]+\))?"
                    r"(?:x10\^?(?P<exp>[-+]?\d+)?)?$")


def parse_value(text: str) -> float:
    """The central value of a PRESTO number; the error in brackets is dropped.

    ``x10`` without an exponent (PRESTO cuts it off when the column is full) means ``x10^1``.
    """
    match = _VALUE.match(text.strip())
    if match is None:
        raise ValueError(f"not a PRESTO number: {text!r}")
    value = float(match["mant"])
    if "x10" in text:
        value *= 10.0 ** int(match["exp"] or 1)
    return value
