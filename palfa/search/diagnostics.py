"""Per-beam diagnostics under the names the common database uses (manual 3.1.4)."""

from __future__ import annotations

from palfa.config.settings import SearchingSettings
from palfa.search.results import Candidate
from palfa.search.zaplist import Zaplist

RFIFIND_PNG = "rfifind.png"
ACCELCANDS = "candidates.accelcands"
ZAPLIST = "zaplist_used.txt"
SEARCH_PARAMS = "search_params.txt"
SINGLEPULSE_CSV = "singlepulse.csv"
SINGLEPULSE_PNG = "singlepulse.png"
TIMING_JSON = "timing.json"


def beam_diagnostics(
    *, masked_fraction: float, candidates: list[Candidate], num_produced: int,
    settings: SearchingSettings, zaplist: Zaplist, nyquist_hz: float,
) -> dict[str, float | str]:
    folded = [c for c in candidates if c.folded]
    above = [c for c in candidates if c.sigma >= settings.to_prepfold_sigma]
    return {
        "RFI mask percentage": round(100.0 * masked_fraction, 4),
        "Num cands folded": len(folded),
        "Num cands produced": num_produced,
        "Min sigma folded": min((c.sigma for c in folded), default=0.0),
        "Num cands above threshold": len(above),
        "Sigma threshold": settings.to_prepfold_sigma,
        "Max cands allowed to fold": settings.max_cands_to_fold,
        "Percent zapped total": zaplist.percent_zapped(nyquist_hz),
        "Percent zapped below 10 Hz": zaplist.percent_zapped(nyquist_hz, 10.0),
        "Percent zapped below 1 Hz": zaplist.percent_zapped(nyquist_hz, 1.0),
        "RFIfind png": RFIFIND_PNG,
        "Accelcands list": ACCELCANDS,
        "Zaplist used": ZAPLIST,
        "Search parameters": SEARCH_PARAMS,
    }
