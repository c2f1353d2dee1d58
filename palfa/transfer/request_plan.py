"""The restore flow's decision, from the job tracker and the disk: how many beams to request."""

from __future__ import annotations

from dataclasses import dataclass

from palfa.config.settings import DownloadSettings
from palfa.jobtracker.models import File, Request
from palfa.jobtracker.tracker import JobTracker
from palfa.transfer.disk_budget import DiskBudget, measure_disk
from palfa.transfer.request_size import IntakeHistory, aggregate_rate, beams_to_request

PENDING_FILE_STATES = ("new", "downloading", "unverified", "failed", "retrying")


@dataclass(frozen=True)
class RequestPlan:
    beams: int
    files_pending: int  # tracked but not downloaded, plus those of requests still staging
    room_bytes: int  # disk budget left once all of them have arrived
    history: IntakeHistory

    def describe(self) -> str:
        beam = self.history.beam_bytes
        rate = self.history.rate_bytes_s
        return (
            f"{self.beams} beam(s): {self.files_pending} file(s) pending, "
            f"{self.room_bytes / 2**30:.2f} GiB of disk budget left, average beam "
            f"{'unknown' if beam is None else f'{beam / 2**20:.1f} MiB'}, download rate "
            f"{'unknown' if rate is None else f'{rate / 2**20:.1f} MiB/s'}"
        )


def plan_request(
    tracker: JobTracker, settings: DownloadSettings, wanted: int | None = None, files_per_beam: int = 2
) -> RequestPlan:
    pending = tracker.with_status(File, *PENDING_FILE_STATES)
    beams_staging = sum(r.numrequested for r in tracker.with_status(Request, "waiting"))
    file_bytes = tracker.mean_file_size()
    history = IntakeHistory(
        beam_bytes=None if file_bytes is None else file_bytes * files_per_beam,
        rate_bytes_s=aggregate_rate(tracker.recent_transfers(), settings.numdownloads),
    )
    budget = DiskBudget(settings.space_to_use, settings.min_free_space)
    # Every pending file is committed, not only those in flight: they will all arrive.
    room = budget.room(measure_disk(settings.datadir, pending))
    room -= int(beams_staging * (history.beam_bytes or 0))
    files_pending = len(pending) + files_per_beam * beams_staging
    beams = beams_to_request(
        settings.numrestored, files_pending, files_per_beam, wanted, room_bytes=room, history=history
    )
    return RequestPlan(beams, files_pending, room, history)
