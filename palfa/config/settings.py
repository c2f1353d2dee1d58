"""Typed settings, one model per group of the manual (section 4.5).

Secrets (archive, FTP, common-DB and SMTP passwords) are not here: they live in Prefect blocks
(``blocks/``) so they are stored encrypted and never printed. Everything here is safe to log.
Defaults follow the original PALFA 2.0 configuration unless a comment says otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class BasicSettings(_Group):
    institution: str = Field("McGill", description="Institution reported in the common database.")
    pipeline: str = Field("PRESTO", description="Pipeline name reported in the common database.")
    survey: str = Field("PALFA2.0", description="Survey name.")
    delete_rawdata: bool = Field(
        True, description="Delete raw data after a verified upload or a terminal failure."
    )
    log_dir: Path = Field(Path("logs"), description="Directory for log files.")


class BackgroundSettings(_Group):
    screen_output: bool = Field(True, description="Copy log lines to the terminal.")
    jobtracker_db: str = Field(
        "jobtracker.db",
        description="Job-tracker database: a SQLite path or an SQLAlchemy URL (postgresql+psycopg://).",
    )
    sleep: float = Field(60.0, ge=0, description="Seconds between iterations of background loops.")


class CommonDbSettings(_Group):
    url: str = Field(
        "sqlite:///commondb.sqlite3",
        description="Common database: sqlite:///PATH (embedded) or odbc:<ODBC connection string>.",
    )


class DownloadSettings(_Group):
    datadir: Path = Field(Path("data"), description="Where raw data are downloaded to ('temp').")
    space_to_use: int = Field(
        200 * 2**30, gt=0, description="Bytes of disk the downloaded files may occupy."
    )
    min_free_space: int = Field(
        10 * 2**30, ge=0, description="Bytes that must stay free on the data disk."
    )
    numdownloads: int = Field(2, ge=1, description="Parallel FTP transfers.")
    numrestored: int = Field(
        20, ge=1, description="Max files requested plus files waiting to be downloaded."
    )
    numretries: int = Field(3, ge=1, description="Download attempts before a file is abandoned.")
    request_timeout_s: float = Field(
        24 * 3600.0, gt=0, description="A restore request older than this is marked failed."
    )
    request_numbits: Literal[4, 8, 16] = Field(4, description="Sample size of requested data.")
    request_datatype: str = Field("mock", description="File type requested from the archive.")
    poll_s: float = Field(30.0, gt=0, description="Seconds between restore status polls.")


class EmailSettings(_Group):
    enabled: bool = Field(False, description="Send e-mail notifications.")
    recipient: str = Field("", description="Address that receives notifications.")
    send_on_failures: bool = Field(True, description="Mail when a job fails.")
    send_on_terminal_failures: bool = Field(
        True, description="Mail when a job will not be retried."
    )
    sender: str = Field("", description="From address of notifications (empty: the recipient).")


class JobPoolerSettings(_Group):
    base_results_directory: Path = Field(
        Path("results"), description="Results are written to a sub-directory per beam here."
    )
    max_jobs_running: int = Field(2, ge=1, description="Max beam searches running at once.")
    max_jobs_queue: int = Field(1, ge=1, description="Max beam searches queued at once.")
    max_attempts: int = Field(2, ge=1, description="Submissions of a job before it is abandoned.")
    work_pool: str = Field("palfa-pool", description="Prefect work pool that runs beam searches.")
    search_deployment: str = Field(
        "beam-search/palfa-beam-search",
        description="Prefect deployment (FLOW/DEPLOYMENT) the pooler submits each beam search to.",
    )
    poll_s: float = Field(10.0, gt=0, description="Seconds between job-pooler passes.")


class ProcessingSettings(_Group):
    base_working_directory: Path = Field(
        Path("work"), description="Where per-beam working directories are created."
    )
    default_zaplist: Path | None = Field(
        None, description="Zaplist used when no MJD-specific one exists (None: zap nothing)."
    )
    zaplistdir: Path | None = Field(None, description="Directory of MJD-specific zaplists.")


class SearchingSettings(_Group):
    engine: Literal["embedded", "presto"] = Field(
        "embedded", description="Search back-end: the embedded numpy engine or PRESTO."
    )
    use_subbands: bool = Field(True, description="Dedisperse via subbands (two-stage).")
    fold_rawdata: bool = Field(True, description="Fold from the raw data rather than subbands.")
    skip_rows: int = Field(0, ge=0, description="Leading PSRFITS rows dropped before searching.")
    max_dm: float = Field(1000.0, gt=0, description="Largest DM searched (pc cm^-3).")
    zero_dm: bool = Field(False, description="Subtract the zero-DM time series before searching.")
    dynamic_zap: bool = Field(
        True, description="Also zap birdies found in the beam: DM-0 peaks that dedispersion smears "
        "out (embedded engine; above the frequency where they cannot be a pulsar above low_DM_cutoff).")
    rfifind_chunk_time: float = Field(
        2**15 * 0.000064, gt=0, description="Seconds per block of the RFI statistics."
    )
    singlepulse_threshold: float = Field(5.0, gt=0, description="Single-pulse S/N threshold.")
    singlepulse_plot_SNR: float = Field(6.0, gt=0, description="S/N above which pulses are plotted.")
    singlepulse_maxwidth: float = Field(0.1, gt=0, description="Widest boxcar searched (s).")
    to_prepfold_sigma: float = Field(6.0, gt=0, description="Min sigma for a candidate to be folded.")
    max_cands_to_fold: int = Field(100, ge=0, description="Max candidates folded per beam.")
    numhits_to_fold: int = Field(2, ge=1, description="Min DM trials a candidate must appear in.")
    low_DM_cutoff: float = Field(2.0, ge=0, description="Candidates below this DM are not folded.")
    lo_accel_numharm: int = Field(16, ge=1, le=32, description="Harmonics summed at low accel.")
    lo_accel_sigma: float = Field(2.0, gt=0, description="Sigma threshold at low acceleration.")
    lo_accel_zmax: int = Field(0, ge=0, description="Max Fourier drift (bins) at low accel.")
    lo_accel_flo: float = Field(2.0, gt=0, description="Lowest frequency searched at low accel (Hz).")
    hi_accel_numharm: int = Field(8, ge=1, le=32, description="Harmonics summed at high accel.")
    hi_accel_sigma: float = Field(3.0, gt=0, description="Sigma threshold at high acceleration.")
    hi_accel_zmax: int = Field(50, ge=0, description="Max Fourier drift (bins) at high accel.")
    hi_accel_flo: float = Field(1.0, gt=0, description="Lowest frequency searched at high accel (Hz).")
    low_T_to_search: float = Field(20.0, gt=0, description="Shortest observation searched (s).")
    base_tmp_dir: Path = Field(
        Path("/tmp"), description="Scratch space for a search (e.g. /dev/shm)."
    )
    sifting_sigma_threshold: float = Field(
        5.0, gt=0, description="Min sigma kept by sifting (to_prepfold_sigma - 1)."
    )
    sifting_c_pow_threshold: float = Field(100.0, ge=0, description="Min coherent power kept.")
    sifting_r_err: float = Field(1.1, gt=0, description="Fourier bins within which cands match.")
    sifting_short_period: float = Field(0.0005, gt=0, description="Shortest period kept (s).")
    sifting_long_period: float = Field(15.0, gt=0, description="Longest period kept (s).")
    sifting_harm_pow_cutoff: float = Field(
        8.0, ge=0, description="Power required in at least one harmonic."
    )


class UploadSettings(_Group):
    version_num: str = Field(
        "", description="Pipeline version string; empty means computed from git hashes."
    )


class PalfaSettings(_Group):
    """All settings of one pipeline installation."""

    basic: BasicSettings = Field(default_factory=BasicSettings)
    background: BackgroundSettings = Field(default_factory=BackgroundSettings)
    commondb: CommonDbSettings = Field(default_factory=CommonDbSettings)
    download: DownloadSettings = Field(default_factory=DownloadSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    jobpooler: JobPoolerSettings = Field(default_factory=JobPoolerSettings)
    processing: ProcessingSettings = Field(default_factory=ProcessingSettings)
    searching: SearchingSettings = Field(default_factory=SearchingSettings)
    upload: UploadSettings = Field(default_factory=UploadSettings)
