"""Prefect blocks: credentials for the remote services and the pipeline's settings."""

from blocks.config import PipelineConfig
from blocks.credentials import (
    ArchiveCredentials,
    CommonDbCredentials,
    FtpCredentials,
    SmtpCredentials,
)

__all__ = [
    "ArchiveCredentials",
    "CommonDbCredentials",
    "FtpCredentials",
    "PipelineConfig",
    "SmtpCredentials",
]
