"""The version string stored with every upload, taken from git so nobody types it by hand.

Format (manual 4.5.9): ``PIPELINE:<git-hash>;PRESTO:<git-hash or none>``. A directory that is not
a git checkout (or git is absent) gives ``unknown`` for the pipeline and ``none`` for PRESTO, so
uploads still name what they could not identify instead of failing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

UNKNOWN = "unknown"
NO_PRESTO = "none"
PRESTO_ENV = "PRESTO"


def git_hash(directory: Path | str) -> str | None:
    """``git rev-parse HEAD`` of ``directory``; None when it is not a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def version_num(pipeline_dir: Path | str, presto_dir: Path | str | None = None) -> str:
    pipeline = git_hash(pipeline_dir) or UNKNOWN
    presto = (git_hash(presto_dir) if presto_dir is not None else None) or NO_PRESTO
    return f"PIPELINE:{pipeline};PRESTO:{presto}"


def pipeline_version(configured: str = "", uses_presto: bool = False) -> str:
    """``upload.version_num`` when set, else computed from this checkout's git hash and, when the
    PRESTO engine searched the beams, from PRESTO's checkout (``$PRESTO``, PRESTO's own variable)."""
    if configured:
        return configured
    presto_dir = os.environ.get(PRESTO_ENV) if uses_presto else None
    return version_num(Path(__file__).resolve().parents[2], presto_dir)
