"""Sanity checks run whenever settings are loaded (the manual's ``*_check.py``).

Every problem is collected, not just the first, so one ``palfa config check`` shows all of them.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from palfa.config.settings import PalfaSettings

PRESTO_PROGRAMS = (
    "rfifind", "prepsubband", "realfft", "zapbirds", "rednoise", "accelsearch", "prepfold",
    "single_pulse_search.py",
)


@dataclass(frozen=True)
class Problem:
    setting: str  # "group.key"
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.problem}. Fix: {self.fix}"


def check_settings(settings: PalfaSettings) -> list[Problem]:
    return [
        *_check_directories(settings),
        *_check_files(settings),
        *_check_consistency(settings),
        *_check_engine(settings),
    ]


def _check_directories(s: PalfaSettings) -> list[Problem]:
    dirs = {
        "basic.log_dir": s.basic.log_dir,
        "download.datadir": s.download.datadir,
        "jobpooler.base_results_directory": s.jobpooler.base_results_directory,
        "processing.base_working_directory": s.processing.base_working_directory,
        "searching.base_tmp_dir": s.searching.base_tmp_dir,
    }
    if s.processing.zaplistdir is not None:
        dirs["processing.zaplistdir"] = s.processing.zaplistdir
    db = s.background.jobtracker_db
    if "://" not in db:
        dirs["background.jobtracker_db (its directory)"] = Path(db).parent
    out = []
    for name, path in dirs.items():
        path = Path(path)
        if not path.is_dir():
            out.append(Problem(name, f"directory {path} does not exist",
                               f"create it (mkdir -p {path}) or point {name} elsewhere"))
        elif not os.access(path, os.W_OK | os.X_OK):
            out.append(Problem(name, f"directory {path} is not writable",
                               "fix its permissions or point the setting elsewhere"))
    return out


def _check_files(s: PalfaSettings) -> list[Problem]:
    zap = s.processing.default_zaplist
    if zap is not None and not Path(zap).is_file():
        return [Problem("processing.default_zaplist", f"file {zap} does not exist",
                        "give an existing zaplist or leave the setting empty")]
    return []


def _check_consistency(s: PalfaSettings) -> list[Problem]:
    out = []
    sr = s.searching
    if sr.sifting_sigma_threshold > sr.to_prepfold_sigma:
        out.append(Problem("searching.sifting_sigma_threshold",
                           f"{sr.sifting_sigma_threshold} is above to_prepfold_sigma "
                           f"({sr.to_prepfold_sigma}), so nothing sifted could be folded",
                           "set it to to_prepfold_sigma - 1"))
    if sr.sifting_short_period >= sr.sifting_long_period:
        out.append(Problem("searching.sifting_short_period",
                           "the shortest period is not below sifting_long_period",
                           "make sifting_short_period < sifting_long_period"))
    for key in ("lo_accel_numharm", "hi_accel_numharm"):
        n = getattr(sr, key)
        if n & (n - 1):
            out.append(Problem(f"searching.{key}", f"{n} is not a power of two",
                               "use 1, 2, 4, 8, 16 or 32 harmonics"))
    if sr.hi_accel_zmax < sr.lo_accel_zmax:
        out.append(Problem("searching.hi_accel_zmax", "is smaller than lo_accel_zmax",
                           "make the high-acceleration zmax at least the low one"))
    dl = s.download
    if dl.numdownloads > dl.numrestored:
        out.append(Problem("download.numdownloads",
                           f"{dl.numdownloads} parallel downloads but only {dl.numrestored} files "
                           "may be restored at once", "make numrestored >= numdownloads"))
    if s.email.enabled and "@" not in s.email.recipient:
        out.append(Problem("email.recipient", "mail is enabled but no valid recipient is set",
                           "set email.recipient to an address, or email.enabled = false"))
    if not s.commondb.url.startswith(("sqlite:///", "odbc:")):
        out.append(Problem("commondb.url", f"unknown scheme in {s.commondb.url!r}",
                           "use sqlite:///PATH or odbc:<ODBC connection string>"))
    return out


def _check_engine(s: PalfaSettings) -> list[Problem]:
    if s.searching.engine != "presto":
        return []
    missing = [p for p in PRESTO_PROGRAMS if shutil.which(p) is None]
    if not missing:
        return []
    return [Problem("searching.engine", f"engine 'presto' needs programs not on PATH: "
                    f"{', '.join(missing)}", "install PRESTO and put its bin/ on PATH, "
                    "or set searching.engine = 'embedded'")]
