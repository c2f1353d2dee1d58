"""What the original left in the results directory: tarballs of the per-DM products, the search
parameters, a timing report, and the files copied out of the scratch directory."""

from __future__ import annotations

import gzip
import shutil
import tarfile
from pathlib import Path

from palfa.config.settings import SearchingSettings

RESULT_GLOBS = ("*rfifind.[bimors]*", "*.ps.gz", "*.tgz", "*.png", "*.zaplist", "*.accelcands",
                "*.pfd", "search_params.txt", "*.report")


def tar_globs(s: SearchingSettings) -> list[tuple[str, str]]:
    """(tarball suffix, glob of the files it takes) as PALFA2_presto_search.clean_up."""
    lo, hi = s.lo_accel_zmax, s.hi_accel_zmax
    return [(f"_ACCEL_{lo}.tgz", f"*_ACCEL_{lo}"), (f"_ACCEL_{hi}.tgz", f"*_ACCEL_{hi}"),
            (f"_ACCEL_{lo}.cand.tgz", f"*_ACCEL_{lo}.cand"),
            (f"_ACCEL_{hi}.cand.tgz", f"*_ACCEL_{hi}.cand"),
            ("_singlepulse.tgz", "*.singlepulse"), ("_inf.tgz", "*_DM[0-9]*.inf"),
            ("_bestprof.tgz", "*.pfd.bestprof")]


def make_tarballs(workdir: Path, basename: str, s: SearchingSettings) -> None:
    for suffix, pattern in tar_globs(s):
        with tarfile.open(workdir / f"{basename}{suffix}", "w:gz") as tar:
            for path in sorted(workdir.glob(pattern)):
                tar.add(path, arcname=path.name)
                path.unlink()


def gzip_postscript(workdir: Path) -> None:
    for ps in workdir.glob("*.ps"):
        with ps.open("rb") as src, gzip.open(f"{ps}.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
        ps.unlink()


def write_search_params(path: Path, s: SearchingSettings) -> None:
    lines = [f"{key:<25} = {value!r}" for key, value in s.model_dump(mode="json").items()]
    path.write_text("\n".join(lines) + "\n")


def write_report(path: Path, files: list[str], seconds: dict[str, float], masked: float,
                 num_folded: int) -> None:
    total = sum(seconds.values()) or 1.0
    lines = ["-" * 57, f"Data ({', '.join(files)}) were processed",
             f"Total wall time:  {total:.1f} s ({total / 3600:.2f} hrs)",
             f"Fraction of data masked:  {100 * masked:.2f}%",
             f"Number of candidates folded: {num_folded}", "-" * 57]
    lines += [f"{name:>22} time = {t:7.1f} sec ({100 * t / total:5.2f}%)"
              for name, t in seconds.items()]
    path.write_text("\n".join([*lines, "-" * 57]) + "\n")


def copy_results(workdir: Path, outdir: Path) -> None:
    for pattern in RESULT_GLOBS:
        for path in workdir.glob(pattern):
            shutil.copy2(path, outdir / path.name)
