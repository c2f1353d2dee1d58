"""The manual's generic queue-manager interface (section 4.4).

The job pooler talks to whatever runs beam searches (Prefect work pools here; a batch system
directly, elsewhere) only through this class, so a new back-end is one subclass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import NamedTuple


class QueueStatus(NamedTuple):
    running: int
    queued: int


class PipelineQueueManager(ABC):
    """One queue that runs one beam search per submission, named by a unique queue id."""

    @abstractmethod
    def submit(self, files: list[str], outdir: Path, obs_name: str) -> str:
        """Queue a search of ``files`` into ``outdir``; the queue id. Raises QueueError."""

    @abstractmethod
    def can_submit(self) -> bool:
        """Whether another job fits under the running and queued limits now."""

    @abstractmethod
    def is_running(self, queue_id: str) -> bool:
        """True while the job is queued or running (False once it ended, however it ended)."""

    @abstractmethod
    def delete(self, queue_id: str) -> None:
        """Remove the job from the queue (stopping it if it runs). Raises QueueError."""

    @abstractmethod
    def status(self) -> QueueStatus:
        """How many jobs run and how many wait."""

    @abstractmethod
    def had_errors(self, queue_id: str) -> bool:
        """Whether a job that ended failed (an error, a crash, a lost worker, a cancellation)."""

    @abstractmethod
    def get_errors(self, queue_id: str) -> str:
        """The error log of a job that failed; empty when it had none."""
