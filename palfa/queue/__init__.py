"""The job pooler and the queue-manager interface it submits through (no Prefect here)."""

from palfa.queue.interface import PipelineQueueManager, QueueStatus
from palfa.queue.pooler import JobPooler, PoolerPass, beam_of, results_dir

__all__ = ["JobPooler", "PipelineQueueManager", "PoolerPass", "QueueStatus", "beam_of", "results_dir"]
