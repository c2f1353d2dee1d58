"""The PRESTO search engine: the original per-beam sequence, run program by program in a scratch
directory, then turned into the same results directory as the embedded engine."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from palfa.config.settings import SearchingSettings
from palfa.errors import SearchError
from palfa.presto import commands as cmd
from palfa.presto import products
from palfa.presto.accel import AccelCandidate, read_accel
from palfa.presto.accelcands import SiftedCandidate, write_accelcands
from palfa.presto.baryv import average_baryv
from palfa.presto.beamfiles import file_rows, prepare_beam_files
from palfa.presto.bestprof import read_bestprof
from palfa.presto.ddplan import PrestoDDStep, presto_plan
from palfa.presto.pfd import read_pfd
from palfa.presto.rfifind import read_rfifind_output
from palfa.presto.runner import Runner, SubprocessRunner, run_command
from palfa.presto.sifting import sift_accel
from palfa.presto.zaplist import ZaplistChoice, choose_zaplist
from palfa.psrfits.header import BeamHeader
from palfa.psrfits.reader import read_header
from palfa.search import diagnostics as names
from palfa.search.diagnostics import beam_diagnostics
from palfa.search.results import BeamResults, Candidate, write_results
from palfa.search.scratch import check_scratch_base
from palfa.search.timing import StageTimer
from palfa.search.zaplist import Zaplist

Progress = Callable[[str, float], None]
LOG_DIR = "presto_logs"
SP_DM_RANGES = (("0-110", 0.0, 110.0), ("100-310", 100.0, 310.0), ("300-1000+", 300.0, np.inf))


class PrestoEngine:
    """Searches one beam with the PRESTO programs on PATH (see ``palfa config check``)."""

    name = "presto"

    def __init__(self, runner: Runner | None = None, zaplistdir: Path | None = None,
                 default_zaplist: Path | None = None) -> None:
        self.runner = runner or SubprocessRunner()
        self.zaplistdir = zaplistdir
        self.default_zaplist = default_zaplist

    def search(self, files: Sequence[Path], outdir: Path, settings: SearchingSettings,
               progress: Progress | None = None) -> BeamResults:
        files = [Path(f).resolve() for f in files]
        header = read_header(files, skip_rows=settings.skip_rows)
        _check(header, settings)
        outdir = Path(outdir).resolve()
        (outdir / LOG_DIR).mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{header.obs_name}_", suffix="_tmp",
                                        dir=settings.base_tmp_dir))
        try:
            return _Search(self, files, header, outdir, scratch, settings, progress).run()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _check(header: BeamHeader, s: SearchingSettings) -> None:
    if header.obs_time_s < s.low_T_to_search:
        raise SearchError(header.obs_name, f"only {header.obs_time_s:.1f} s of data (searching "
                          f"needs {s.low_T_to_search:g} s)",
                          "search a complete beam, or lower searching.low_T_to_search")
    if not s.fold_rawdata:
        raise SearchError("searching.fold_rawdata", "the presto engine folds the raw data only",
                          "set searching.fold_rawdata = true")
    check_scratch_base(s.base_tmp_dir)


class _Search:
    """One beam's run: ``work`` keeps the products, ``tmp`` the time series and subbands."""

    def __init__(self, engine: PrestoEngine, files: list[Path], header: BeamHeader,
                 outdir: Path, scratch: Path, settings: SearchingSettings,
                 progress: Progress | None) -> None:
        self.engine, self.header, self.outdir, self.s = engine, header, outdir, settings
        self.report = progress or (lambda stage, fraction: None)
        self.work, self.tmp = scratch / "work", scratch / "tmp"
        self.work.mkdir()
        self.tmp.mkdir()
        self.logdir = outdir / LOG_DIR
        self.timer = StageTimer()
        self.files = files

    def run_cmd(self, command: cmd.Command) -> None:
        with self.timer.stage(command.stage):
            run_command(self.engine.runner, command, self.work, self.logdir)

    def run(self) -> BeamResults:
        h, s = self.header, self.s
        self.report("preparing", 0.0)
        beam_files = prepare_beam_files(self.files, s.skip_rows, self.work, h)
        beam = cmd.SearchBeam(basename=h.obs_name, files=tuple(map(str, beam_files)),
                              nsamp=h.nsamp, numrows=file_rows(beam_files[0]), nchan=h.nchan,
                              backend=h.backend)
        zap = choose_zaplist(self.files, self.engine.zaplistdir, self.engine.default_zaplist)
        zap_path = zap.write(self.work)
        baryv = average_baryv(h.ra_str, h.dec_str, h.mjd, h.obs_time_s)

        self.report("rfifind", 0.02)
        self.run_cmd(cmd.rfifind(beam, s))
        masked = read_rfifind_output(self.logdir / "rfifind.log").masked_fraction
        if masked >= 1.0:
            raise SearchError(h.obs_name, "rfifind masked the whole beam",
                              "check the receiver/backend for this observation")

        freqs = h.fctr_mhz + h.chan_bw_mhz * (np.arange(h.nchan) - (h.nchan - 1) / 2)
        plan = presto_plan(h.backend, h.nchan, h.tsamp_s, freqs, h.chan_bw_mhz, s.max_dm, h.nsamp)
        dmstrs = self._dedisperse_and_search(beam, plan, zap_path, baryv)

        self.report("sifting", 0.9)
        with self.timer.stage("sifting"):
            accel = self._read_accel()
            sifted = sift_accel(accel, s, h.obs_time_s)
            write_accelcands(self.work / f"{beam.basename}.accelcands", sifted)
        self.report("folding", 0.92)
        cands = self._fold(beam, sifted)
        self._plots(beam)
        return self._finish(beam, zap, cands, len(accel), masked, dmstrs)

    def _dedisperse_and_search(self, beam: cmd.SearchBeam, plan: Sequence[PrestoDDStep],
                               zaplist: Path | None, baryv: float) -> list[str]:
        total = sum(step.numpasses * step.dmsperpass for step in plan)
        dmstrs: list[str] = []
        for step in plan:
            for passnum in range(step.numpasses):
                self._dedisperse(beam, step, passnum)
                for dmstr in step.dmstrs(passnum):
                    self._search_dm(self.tmp / f"{beam.basename}_DM{dmstr}", zaplist, baryv)
                    dmstrs.append(dmstr)
                    self.report("searching DMs", 0.05 + 0.85 * len(dmstrs) / total)
                shutil.rmtree(self.tmp / "subbands", ignore_errors=True)
        return dmstrs

    def _dedisperse(self, beam: cmd.SearchBeam, step: PrestoDDStep, passnum: int) -> None:
        if not self.s.use_subbands:
            self.run_cmd(cmd.dedisperse_raw(beam, step, passnum, str(self.tmp)))
            return
        (self.tmp / "subbands").mkdir(exist_ok=True)
        self.run_cmd(cmd.make_subbands(beam, step, passnum, str(self.tmp)))
        subbase = f"{beam.basename}_DM{step.subdm(passnum)}"
        subfiles = sorted(str(p) for p in (self.tmp / "subbands").glob(f"{subbase}.sub[0-9]*"))
        self.run_cmd(cmd.dedisperse_subbands(beam, step, passnum, str(self.tmp), subfiles))

    def _search_dm(self, basenm: Path, zaplist: Path | None, baryv: float) -> None:
        for command in cmd.per_dm(str(basenm), self.s, zaplist.name if zaplist else None, baryv):
            self.run_cmd(command)
            if command.program == "rednoise":
                Path(f"{basenm}_red.fft").replace(f"{basenm}.fft")
        for suffix in (".singlepulse", ".inf", f"_ACCEL_{self.s.lo_accel_zmax}",
                       f"_ACCEL_{self.s.lo_accel_zmax}.cand", f"_ACCEL_{self.s.hi_accel_zmax}",
                       f"_ACCEL_{self.s.hi_accel_zmax}.cand"):
            product = Path(f"{basenm}{suffix}")
            if product.exists():
                shutil.move(product, self.work / product.name)
        for leftover in basenm.parent.glob(f"{basenm.name}[._]*"):
            leftover.unlink()

    def _read_accel(self) -> list[AccelCandidate]:
        out: list[AccelCandidate] = []
        for zmax in sorted({self.s.lo_accel_zmax, self.s.hi_accel_zmax}):
            for path in sorted(self.work.glob(f"*_ACCEL_{zmax}")):
                out.extend(read_accel(path))
        return out

    def _fold(self, beam: cmd.SearchBeam, sifted: list[SiftedCandidate]) -> list[Candidate]:
        out = [c.to_candidate() for c in sifted]
        folded = 0
        for sc, cand in zip(sifted, out, strict=True):
            if folded == self.s.max_cands_to_fold:
                break
            if sc.sigma < self.s.to_prepfold_sigma:
                continue
            command = cmd.prepfold(beam, sc.filename, sc.candnum, sc.dm, sc.period_s)
            self.run_cmd(command)
            folded += 1
            pfd_name = command.outputs[0]
            pfd = read_pfd(self.work / pfd_name)
            bestprof = self.work / f"{pfd_name}.bestprof"
            cand.period_s, cand.dm = pfd.period_s, pfd.bestdm
            cand.snr = read_bestprof(bestprof).peak_snr if bestprof.exists() else np.nan
            cand.folded, cand.fold_archive = True, pfd_name
            cand.plot = f"{pfd_name}.png"
        return out

    def _plots(self, beam: cmd.SearchBeam) -> None:
        pulses = sorted(self.work.glob("*.singlepulse"))
        for label, lo, hi in SP_DM_RANGES:
            group = [p for p in pulses if lo <= float(p.stem.rsplit("_DM", 1)[-1]) < hi]
            if group and sum(p.stat().st_size for p in group):
                before = set(self.work.glob("*singlepulse.ps"))
                self.run_cmd(cmd.singlepulse_plot([p.name for p in group], self.s))
                for ps in set(self.work.glob("*singlepulse.ps")) - before:
                    ps.replace(self.work / f"{beam.basename}_DMs{label}_singlepulse.ps")
        if shutil.which("convert"):
            for ps in self.work.glob("*.ps"):
                if not ps.with_suffix(".png").exists():
                    self.run_cmd(cmd.ps_to_png(ps.name))

    def _finish(self, beam: cmd.SearchBeam, zap: ZaplistChoice, cands: list[Candidate],
                num_produced: int, masked: float, dmstrs: list[str]) -> BeamResults:
        s, work, out = self.s, self.work, self.outdir
        products.write_search_params(work / names.SEARCH_PARAMS, s)
        products.make_tarballs(work, beam.basename, s)
        products.gzip_postscript(work)
        for cand in cands:
            if cand.plot and not (work / cand.plot).exists():
                cand.plot = ""
        products.write_report(work / f"{beam.basename}.report", [Path(f).name for f in beam.files],
                              self.timer.seconds, masked, sum(c.folded for c in cands))
        products.copy_results(work, out)
        shutil.copy2(work / f"{beam.basename}.accelcands", out / names.ACCELCANDS)
        rfi_png = work / f"{beam.basename}_rfifind.png"
        if rfi_png.exists():
            shutil.copy2(rfi_png, out / names.RFIFIND_PNG)
        zaplist = Zaplist(np.empty(0), np.empty(0))
        if zap.kind != "none":
            (out / names.ZAPLIST).write_bytes(zap.text)
            zaplist = Zaplist.read(out / names.ZAPLIST)
        else:
            zaplist.write(out / names.ZAPLIST)
        diagnostics = beam_diagnostics(masked_fraction=masked, candidates=cands,
                                       num_produced=num_produced, settings=s, zaplist=zaplist,
                                       nyquist_hz=0.5 / self.header.tsamp_s)
        diagnostics["Zaplist kind"] = zap.kind
        diagnostics["Num DM trials"] = len(dmstrs)
        results = BeamResults(header=self.header, candidates=cands, diagnostics=diagnostics)
        write_results(out, results)
        self.timer.write(out / names.TIMING_JSON)
        self.report("done", 1.0)
        return results


