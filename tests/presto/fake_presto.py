"""Stand-ins for the PRESTO programs, replaying the real outputs in $FAKE_PRESTO_FIXTURES.

Installed under each program's name on PATH by the tests; the name it is called by picks what it
does. ``FAKE_PRESTO_BREAK=program:exit`` makes that program fail (status 3, after some output),
``program:silent`` makes it exit 0 having written nothing.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

FIX = Path(__import__("os").environ["FAKE_PRESTO_FIXTURES"])
BREAK = __import__("os").environ.get("FAKE_PRESTO_BREAK", "")


def opt(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def dm_of(name: str) -> str:
    return re.search(r"_DM(\d+\.\d{2})", name)[1]


def rfifind(argv: list[str]) -> None:
    print((FIX / "fx_rfifind.out").read_text())
    for suffix in ("mask", "stats", "inf", "bytemask"):
        shutil.copy(FIX / f"fx_rfifind.{suffix}", f"{opt(argv, '-o')}_rfifind.{suffix}")


def prepsubband(argv: list[str]) -> None:
    out = opt(argv, "-o")
    if "-sub" in argv:
        for i in range(int(opt(argv, "-nsub"))):
            Path(f"{out}_DM{opt(argv, '-subdm')}.sub{i:02d}").write_bytes(b"\0" * 16)
        return
    lodm, step = float(opt(argv, "-lodm")), float(opt(argv, "-dmstep"))
    for i in range(int(opt(argv, "-numdms"))):
        base = f"{out}_DM{lodm + i * step:.2f}"
        Path(f"{base}.dat").write_bytes(b"\0" * 64)
        shutil.copy(FIX / "fx_DM45.00.inf", f"{base}.inf")
    print("Writing output data to: ...")


def single_pulse_search(argv: list[str]) -> None:
    if "-p" in argv:
        dat = argv[-1]
        source = "fx_DM45.00.singlepulse" if dm_of(dat) == "45.00" else "fx_DM40.00.singlepulse"
        shutil.copy(FIX / source, dat.removesuffix(".dat") + ".singlepulse")
    else:
        Path("fx_singlepulse.ps").write_text("%!PS\n")


def accelsearch(argv: list[str]) -> None:
    fft, zmax = argv[-1], opt(argv, "-zmax")
    base = fft.removesuffix(".fft")
    for suffix in ("", ".cand"):
        shutil.copy(FIX / f"fx_DM45.00_ACCEL_{zmax}{suffix}", f"{base}_ACCEL_{zmax}{suffix}")


def prepfold(argv: list[str]) -> None:
    out = f"{opt(argv, '-o')}_ACCEL_Cand_{opt(argv, '-accelcand')}.pfd"
    assert Path(opt(argv, "-accelfile")).is_file(), "prepfold: no such accelfile"
    for suffix in ("", ".bestprof", ".png"):
        shutil.copy(FIX / f"fx_DM45.00_Z0_ACCEL_Cand_1.pfd{suffix}", out + suffix)
    print((FIX / "fx_prepfold.out").read_text())


PROGRAMS = {
    "rfifind": rfifind,
    "prepsubband": prepsubband,
    "single_pulse_search.py": single_pulse_search,
    "realfft": lambda a: Path(a[-1].removesuffix(".dat") + ".fft").write_bytes(b"\0" * 64),
    "zapbirds": lambda a: None,
    "rednoise": lambda a: Path(a[-1].removesuffix(".fft") + "_red.fft").write_bytes(b"\0" * 64),
    "accelsearch": accelsearch,
    "prepfold": prepfold,
    "convert": lambda a: Path(a[-1]).write_bytes(b"\x89PNG\r\n"),
}


def main() -> int:
    name = Path(sys.argv[0]).name
    if f"{name}:exit" == BREAK:
        print(f"{name}: reading input...\nERROR: something went badly wrong in {name}")
        return 3
    if f"{name}:silent" == BREAK:
        print(f"{name}: nothing to do")
        return 0
    PROGRAMS[name](sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
