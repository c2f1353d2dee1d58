"""The argument vectors of the original PALFA search (PALFA2_presto_search.py), one per program run.

Every builder returns a ``Command``: the argv (never a shell string), the timing bucket it counts
towards, and the files it must leave behind (a program that exits 0 but writes none of them has
failed just the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from palfa.config.settings import SearchingSettings
from palfa.presto.ddplan import PrestoDDStep, choose_n

DATATYPE_FLAG = "-psrfits"


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    stage: str
    outputs: tuple[str, ...] = ()  # paths or glob patterns, relative to the working directory

    @property
    def program(self) -> str:
        return self.argv[0]


@dataclass(frozen=True)
class SearchBeam:
    """What the command lines need to know about the beam being searched."""

    basename: str  # prefix of every product, as the original: first file name less .fits
    files: tuple[str, ...]
    nsamp: int
    numrows: int
    nchan: int
    backend: str


@dataclass(frozen=True)
class FoldOptions:
    npfact: int  # Mp
    ndmfact: int  # Mdm
    nbins: int  # N
    npart: int
    other: tuple[str, ...]


def _g(x: float) -> str:
    return f"{x:g}"


def rfifind(beam: SearchBeam, s: SearchingSettings) -> Command:
    return Command(("rfifind", DATATYPE_FLAG, "-time", f"{s.rfifind_chunk_time:.17g}",
                    "-o", beam.basename, *beam.files), "rfifind",
                   (f"{beam.basename}_rfifind.mask",))


def mask_name(beam: SearchBeam) -> str:
    return f"{beam.basename}_rfifind.mask"


def make_subbands(beam: SearchBeam, step: PrestoDDStep, passnum: int, tempdir: str) -> Command:
    return Command(("prepsubband", DATATYPE_FLAG, "-sub", "-subdm", step.subdm(passnum),
                    "-downsamp", str(step.downsamp), "-nsub", str(step.numsub),
                    "-mask", mask_name(beam), "-o", f"{tempdir}/subbands/{beam.basename}",
                    *beam.files), "subbanding",
                   (f"{tempdir}/subbands/{beam.basename}_DM{step.subdm(passnum)}.sub[0-9]*",))


def dedisperse_subbands(beam: SearchBeam, step: PrestoDDStep, passnum: int, tempdir: str,
                        subband_files: Sequence[str]) -> Command:
    return Command(("prepsubband", "-lodm", f"{step.pass_lodm(passnum):.2f}",
                    "-dmstep", f"{step.dmstep:.2f}", "-numdms", str(step.dmsperpass),
                    "-downsamp", "1", "-nsub", str(step.numsub),
                    "-numout", str(numout(beam, step)), "-o", f"{tempdir}/{beam.basename}",
                    *subband_files), "dedispersing", _dats(beam, step, passnum, tempdir))


def dedisperse_raw(beam: SearchBeam, step: PrestoDDStep, passnum: int, tempdir: str) -> Command:
    return Command(("prepsubband", "-mask", mask_name(beam),
                    "-lodm", f"{step.pass_lodm(passnum):.2f}", "-dmstep", f"{step.dmstep:.2f}",
                    "-numdms", str(step.dmsperpass), "-downsamp", str(step.downsamp),
                    "-numout", str(numout(beam, step)), "-nsub", str(step.numsub),
                    "-o", f"{tempdir}/{beam.basename}", *beam.files), "dedispersing",
                   _dats(beam, step, passnum, tempdir))


def numout(beam: SearchBeam, step: PrestoDDStep) -> int:
    return choose_n(beam.nsamp // step.downsamp)


def _dats(beam: SearchBeam, step: PrestoDDStep, passnum: int, tempdir: str) -> tuple[str, ...]:
    return tuple(f"{tempdir}/{beam.basename}_DM{dm}.dat" for dm in step.dmstrs(passnum))


def per_dm(basenm: str, s: SearchingSettings, zaplist: str | None, baryv: float) -> list[Command]:
    """single-pulse search, FFT, birdie zapping, de-reddening and both acceleration searches."""
    dat, fft = f"{basenm}.dat", f"{basenm}.fft"
    cmds = [
        Command(("single_pulse_search.py", "-p", "-m", _g(s.singlepulse_maxwidth),
                 "-t", _g(s.singlepulse_threshold), dat), "singlepulse",
                (f"{basenm}.singlepulse",)),
        Command(("realfft", dat), "FFT", (fft,)),
    ]
    if zaplist:
        cmds.append(Command(("zapbirds", "-zap", "-zapfile", zaplist, "-baryv", f"{baryv:.6g}",
                             fft), "FFT", (fft,)))
    cmds.append(Command(("rednoise", fft), "FFT", (f"{basenm}_red.fft",)))
    for label, numharm, sigma, zmax, flo in (
        ("lo", s.lo_accel_numharm, s.lo_accel_sigma, s.lo_accel_zmax, s.lo_accel_flo),
        ("hi", s.hi_accel_numharm, s.hi_accel_sigma, s.hi_accel_zmax, s.hi_accel_flo),
    ):
        cmds.append(Command(("accelsearch", "-numharm", str(numharm), "-sigma", _g(sigma),
                             "-zmax", str(zmax), "-flo", _g(flo), fft), f"{label}-accelsearch"))
    return cmds


def fold_options(period_s: float, numrows: int) -> FoldOptions:
    """The original's period-dependent prepfold search: ~101-point p/pdot/DM cubes, fewer parts
    and no p-dot search for slow pulsars (RFI), and never more parts than PSRFITS rows."""
    if period_s < 0.002:
        opts = FoldOptions(2, 2, 24, 50, ("-ndmfact", "3"))
    elif period_s < 0.05:
        opts = FoldOptions(2, 1, 50, 40, ("-pstep", "1", "-pdstep", "2", "-dmstep", "3"))
    elif period_s < 0.5:
        opts = FoldOptions(1, 1, 100, 30,
                           ("-pstep", "1", "-pdstep", "2", "-dmstep", "1", "-nodmsearch"))
    else:
        opts = FoldOptions(1, 1, 200, 30, ("-nopdsearch", "-pstep", "1", "-pdstep", "2",
                                           "-dmstep", "1", "-nodmsearch"))
    return FoldOptions(opts.npfact, opts.ndmfact, opts.nbins, min(opts.npart, numrows), opts.other)


def fold_nsub(beam: SearchBeam) -> int:
    """96 subbands for Mock (pdev) data, 64 otherwise, as long as they divide the channels."""
    for nsub in ((96, 64) if beam.backend.lower() == "pdev" else (64,)):
        if beam.nchan % nsub == 0:
            return nsub
    return beam.nchan


def prepfold(beam: SearchBeam, accelfile: str, candnum: int, dm: float,
             period_s: float) -> Command:
    """Fold an ACCEL candidate from the raw data with the RFI mask (``fold_rawdata``)."""
    zmax = accelfile.rsplit("_", 1)[-1]
    dmstr = f"{dm:.2f}"
    out = f"{beam.basename}_DM{dmstr}_Z{zmax}"
    o = fold_options(period_s, beam.numrows)
    return Command(("prepfold", "-noxwin", "-accelcand", str(candnum),
                    "-accelfile", f"{accelfile}.cand", "-dm", dmstr, "-o", out,
                    "-nsub", str(fold_nsub(beam)), "-npart", str(o.npart), *o.other,
                    "-n", str(o.nbins), "-npfact", str(o.npfact), "-ndmfact", str(o.ndmfact),
                    "-mask", mask_name(beam), *beam.files), "folding",
                   (f"{out}_ACCEL_Cand_{candnum}.pfd",))


def singlepulse_plot(files: Sequence[str], s: SearchingSettings) -> Command:
    return Command(("single_pulse_search.py", "-t", _g(s.singlepulse_plot_SNR), *files),
                   "singlepulse")


def ps_to_png(ps: str) -> Command:
    """First page of a PostScript plot as PNG (ImageMagick), as the original did."""
    return Command(("convert", "-quality", "90", f"{ps}[0]", "-background", "white", "-flatten",
                    "-rotate", "90", "-alpha", "off", ps.removesuffix(".ps") + ".png"),
                   "plots", (ps.removesuffix(".ps") + ".png",))
