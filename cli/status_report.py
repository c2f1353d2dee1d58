"""The job pooler's part of ``palfa status``: running and failed jobs, disk use, throughput."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from rich.table import Table

from palfa.config.settings import PalfaSettings
from palfa.jobtracker.models import File, Job, JobSubmit, utcnow
from palfa.jobtracker.tracker import JobTracker

WINDOW = timedelta(days=1)
DETAILS_CHARS = 80


def jobs_tables(tracker: JobTracker, settings: PalfaSettings) -> list[Table]:
    jobs = {j.id: j for j in tracker.with_status(Job)}
    running = Table(title="Running searches")
    for col in ("job", "beam", "queue id", "for"):
        running.add_column(col)
    for submit in tracker.with_status(JobSubmit, "running"):
        age = utcnow() - submit.created_at
        running.add_row(str(submit.job_id), jobs[submit.job_id].obs_name, submit.queue_id or "-",
                        f"{age.total_seconds():.0f} s")
    failed = Table(title="Failed jobs")
    for col in ("job", "beam", "status", "details"):
        failed.add_column(col)
    for job in tracker.with_status(Job, "failed", "retrying", "terminal_failure"):
        failed.add_row(str(job.id), job.obs_name, job.status, job.details.strip()[-DETAILS_CHARS:])
    return [running, failed, _disk_and_throughput(tracker, settings)]


def _disk_and_throughput(tracker: JobTracker, settings: PalfaSettings) -> Table:
    table = Table(title="Disk and throughput")
    table.add_column("measure")
    table.add_column("value", justify="right")
    datadir = Path(settings.download.datadir)
    held = sum(Path(f.filename).stat().st_size for f in tracker.with_status(File, "downloaded", "added")
               if Path(f.filename).is_file())
    table.add_row("raw data held", f"{held / 2**30:.2f} GiB of {settings.download.space_to_use / 2**30:.0f}")
    if datadir.is_dir():
        table.add_row(f"free on {datadir}", f"{shutil.disk_usage(datadir).free / 2**30:.1f} GiB")
    since = utcnow() - WINDOW
    recent = [s for s in tracker.with_status(JobSubmit, "processed", "uploading", "uploaded")
              if s.updated_at >= since]
    table.add_row("beams searched, last 24 h", str(len(recent)))
    uploaded = [s for s in tracker.with_status(JobSubmit, "uploaded") if s.updated_at >= since]
    table.add_row("beams uploaded, last 24 h", str(len(uploaded)))
    return table
