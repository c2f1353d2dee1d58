"""The embedded beam-search engine (numpy/scipy/numba, no PRESTO) and the engine interface.

Stages, as in the PALFA pipeline: RFI mask, dedispersion plan, dedispersion, periodicity and
single-pulse searches per DM trial, sifting, folding; then the results directory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from palfa.config.settings import ProcessingSettings, SearchingSettings
from palfa.errors import SearchError
from palfa.presto.zaplist import choose_zaplist
from palfa.psrfits.filterbank import BeamSamples
from palfa.psrfits.header import BeamHeader
from palfa.search import diagnostics as names
from palfa.search.accel import RawCandidate, palfa_passes, search_series
from palfa.search.birdies import find_birdies
from palfa.search.dedisperse import DEFAULT_NSUB, dedisperse, downsample
from palfa.search.diagnostics import beam_diagnostics
from palfa.search.ffa import ffa_search_series, ffa_trial_mask
from palfa.search.fold import fold_candidate
from palfa.search.fold_archive import write_fold_pfd
from palfa.search.fold_plot import plot_fold
from palfa.search.plan import DedispersionPlan, make_plan
from palfa.search.results import BeamResults, Candidate, write_results
from palfa.search.rfi import CleanBeam, apply_mask, compute_mask, plot_mask
from palfa.search.scratch import scratch_dir
from palfa.search.sifting import SiftReport, sift, write_accelcands
from palfa.search.singlepulse import (
    SinglePulse,
    group_pulses,
    plot_pulses,
    search_pulses,
    write_pulses,
)
from palfa.search.timing import StageTimer
from palfa.search.zaplist import Zaplist

if TYPE_CHECKING:
    from palfa.presto.runner import Runner

Progress = Callable[[str, float], None]


class SearchEngine(Protocol):
    name: str

    def search(
        self, files: Sequence[Path], outdir: Path, settings: SearchingSettings,
        progress: Progress | None = None,
    ) -> BeamResults: ...


def _check_beam(fb: BeamSamples, settings: SearchingSettings) -> None:
    """Before any sample is read; NaNs are looked for block by block by compute_mask."""
    duration = fb.nsamp * fb.tsamp
    if duration < settings.low_T_to_search:
        raise SearchError(
            fb.header.obs_name, f"only {duration:.1f} s of data (searching needs "
            f"{settings.low_T_to_search:g} s)",
            "search a complete beam, or lower searching.low_T_to_search",
        )


class EmbeddedEngine:
    """Searches one beam with the numpy/numba stages of ``palfa.search``."""

    name = "embedded"

    def __init__(self, zaplist: Path | None = None, ffa: bool = True,
                 zaplistdir: Path | None = None) -> None:
        self.default_zaplist, self.zaplistdir = zaplist, zaplistdir
        self.zaplist = Zaplist.read(zaplist) if zaplist else Zaplist(np.empty(0), np.empty(0))
        self.ffa = ffa  # also run the long-period FFA search (palfa.search.ffa)

    def search(
        self, files: Sequence[Path], outdir: Path, settings: SearchingSettings,
        progress: Progress | None = None,
    ) -> BeamResults:
        """Reads the files block by block (twice: RFI statistics, then cleaning) and keeps the
        cleaned beam in a scratch file under ``settings.base_tmp_dir``: memory holds blocks and
        series, never the beam."""
        from palfa.psrfits.reader import open_beam

        timer = StageTimer()
        with timer.stage("read"):  # the files checked; their samples are read in "rfifind"
            fb = open_beam([Path(f) for f in files], skip_rows=settings.skip_rows)
        with scratch_dir(settings.base_tmp_dir, fb.header.obs_name) as scratch:
            return self.search_filterbank(fb, outdir, settings, progress, timer, scratch,
                                          self._zaplist_for(files))

    def _zaplist_for(self, files: Sequence[Path]) -> Zaplist:
        """The beam's known birdies, chosen as the original did (per file, beam, MJD, default)."""
        choice = choose_zaplist([Path(f) for f in files], self.zaplistdir, self.default_zaplist)
        if choice.kind == "none":
            return Zaplist(np.empty(0), np.empty(0))
        return Zaplist.parse(choice.text.decode(errors="replace"), choice.name)

    def search_filterbank(
        self, fb: BeamSamples, outdir: Path, settings: SearchingSettings,
        progress: Progress | None = None, timer: StageTimer | None = None,
        scratch: Path | None = None, zaplist: Zaplist | None = None,
    ) -> BeamResults:
        """Searches ``fb`` (a beam in memory, or a stream of blocks); the cleaned beam and its
        downsampled copies go to files in ``scratch``, or (None) stay in memory."""
        report = progress or (lambda stage, fraction: None)
        timer = timer or StageTimer()
        outdir.mkdir(parents=True, exist_ok=True)
        _check_beam(fb, settings)

        report("rfifind", 0.0)
        with timer.stage("rfifind"):
            mask = compute_mask(fb, settings.rfifind_chunk_time)
            if mask.masked_fraction >= 1.0:
                raise SearchError(
                    fb.header.obs_name, "the RFI mask covers the whole beam",
                    "check the receiver/backend for this observation; there is nothing to search",
                )
            plot_mask(mask, fb, outdir / names.RFIFIND_PNG)
            beam = apply_mask(fb, mask, zero_dm=settings.zero_dm, scratch=scratch)

        plan = make_plan(fb.tsamp, fb.freqs_mhz, fb.header.chan_bw_mhz, settings.max_dm, fb.nsamp)
        zaps = self.zaplist if zaplist is None else zaplist
        if settings.dynamic_zap:
            with timer.stage("birdies"):
                zaps = zaps.union(find_birdies(beam, settings.low_DM_cutoff))
        raw, pulses = self._search_trials(beam, plan, settings, timer, report, zaps)

        report("sifting", 0.9)
        with timer.stage("sifting"):
            cands, sift_report = sift(raw, settings, beam.nsamp * beam.tsamp_s)
            write_accelcands(outdir / names.ACCELCANDS, cands)

        report("folding", 0.92)
        with timer.stage("folding"):
            self._fold(beam, fb.header, plan, cands, settings, outdir)

        with timer.stage("singlepulse_output"):
            write_pulses(outdir / names.SINGLEPULSE_CSV, pulses)
            plot_pulses(outdir / names.SINGLEPULSE_PNG, pulses, settings.singlepulse_plot_SNR,
                        beam.nsamp * beam.tsamp_s)

        zaps.write(outdir / names.ZAPLIST)
        self._write_params(outdir / names.SEARCH_PARAMS, settings, plan, sift_report, pulses)
        results = BeamResults(
            header=fb.header, candidates=cands,
            diagnostics=beam_diagnostics(
                masked_fraction=mask.masked_fraction, candidates=cands, num_produced=len(raw),
                settings=settings, zaplist=zaps, nyquist_hz=0.5 / fb.tsamp,
            ),
        )
        write_results(outdir, results)
        timer.write(outdir / names.TIMING_JSON)
        report("done", 1.0)
        return results

    def _search_trials(
        self, beam: CleanBeam, plan: DedispersionPlan, settings: SearchingSettings,
        timer: StageTimer, report: Progress, zaplist: Zaplist,
    ) -> tuple[list[RawCandidate], list[SinglePulse]]:
        passes = palfa_passes(settings)
        raw: list[RawCandidate] = []
        pulses: list[SinglePulse] = []
        done, total = 0, len(plan.dms)
        ffa_trials = ffa_trial_mask(plan, beam.freqs_mhz, beam.tsamp_s) & self.ffa
        for step in plan.steps:
            dt = step.downsamp * beam.tsamp_s
            with timer.stage("downsample"):
                data = downsample(beam.data, step.downsamp, beam.scratch)
            trials = dedisperse(data, beam.freqs_mhz, step.dms, dt, DEFAULT_NSUB)
            while True:
                with timer.stage("dedisperse"):
                    item = next(trials, None)
                if item is None:
                    break
                dm, series = item
                with timer.stage("accelsearch"):
                    raw.extend(search_series(series, dt, dm, passes, zaplist))
                if ffa_trials[done]:
                    with timer.stage("ffa"):
                        raw.extend(ffa_search_series(series, dt, dm))
                with timer.stage("singlepulse"):
                    pulses.extend(search_pulses(series, dt, dm, settings.singlepulse_threshold,
                                                settings.singlepulse_maxwidth))
                done += 1
                report("search", 0.05 + 0.85 * done / total)
        return raw, pulses

    def _fold(
        self, beam: CleanBeam, header: BeamHeader, plan: DedispersionPlan,
        cands: list[Candidate], settings: SearchingSettings, outdir: Path,
    ) -> None:
        to_fold = [c for c in cands if c.sigma >= settings.to_prepfold_sigma]
        for rank, cand in enumerate(to_fold[: settings.max_cands_to_fold], start=1):
            fold = fold_candidate(beam, cand.period_s, cand.dm, plan.step_at(cand.dm).dm_step,
                                  cand.fdot_hz_s)
            stem = f"cand{rank:03d}_DM{fold.dm:.2f}_P{1e3 * fold.period_s:.4f}ms"
            plot_fold(fold, outdir / f"{stem}.png", stem)
            write_fold_pfd(outdir / f"{stem}.pfd", fold, header, beam.freqs_mhz, beam.tsamp_s)
            cand.period_s, cand.dm, cand.snr = fold.period_s, fold.dm, fold.snr
            cand.folded, cand.plot, cand.fold_archive = True, f"{stem}.png", f"{stem}.pfd"

    @staticmethod
    def _write_params(
        path: Path, settings: SearchingSettings, plan: DedispersionPlan, sifted: SiftReport,
        pulses: list[SinglePulse],
    ) -> None:
        lines = ["# Search parameters of the embedded engine", "[settings]"]
        lines += [f"{k} = {v}" for k, v in settings.model_dump(mode="json").items()]
        lines += ["", "[dedispersion plan]", "dm_lo  dm_step  ndm  downsamp"]
        lines += [f"{s.dm_lo:.3f} {s.dm_step:.4f} {s.ndm} {s.downsamp}" for s in plan.steps]
        lines += ["", "[sifting: candidates removed per step]"]
        lines += [f"{k} = {v}" for k, v in asdict(sifted).items()]
        groups = group_pulses(pulses, time_tol_s=0.1)
        lines += ["", "[single pulses]", f"events = {len(pulses)}", f"groups = {len(groups)}"]
        path.write_text("\n".join(lines) + "\n")


ENGINE_NAMES = ("embedded", "presto")


def get_engine(name: str, processing: ProcessingSettings | None = None,
               runner: Runner | None = None) -> SearchEngine:
    """The engine called ``name`` with the configured zaplists; ``runner`` runs PRESTO's programs."""
    processing = processing or ProcessingSettings()
    if name == "embedded":
        return EmbeddedEngine(zaplist=processing.default_zaplist, zaplistdir=processing.zaplistdir)
    if name == "presto":
        from palfa.presto.engine import PrestoEngine

        return PrestoEngine(runner=runner, zaplistdir=processing.zaplistdir,
                            default_zaplist=processing.default_zaplist)
    raise SearchError(
        f"search engine {name!r}", "no such engine",
        f"set searching.engine to one of: {', '.join(ENGINE_NAMES)}",
    )
