"""One block that holds a whole installation: its settings and its service credentials.

Flows take the block's name as their only configuration parameter, so a deployment on a cluster
and the local demo run the same code against different saved documents.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field

from blocks.credentials import (
    ArchiveCredentials,
    CommonDbCredentials,
    FtpCredentials,
    SmtpCredentials,
)
from palfa.config.checks import check_settings
from palfa.config.loading import raise_problems
from palfa.config.settings import PalfaSettings

DEFAULT_BLOCK_NAME = "palfa"


class PipelineConfig(Block):
    """Settings (manual section 4.5) plus the credentials blocks of one installation."""

    _block_type_name = "PALFA Pipeline Config"
    _documentation_url = "https://github.com/plazar/pipeline2.0"

    settings: PalfaSettings = Field(
        default_factory=PalfaSettings, description="All setting groups of the pipeline."
    )
    archive: ArchiveCredentials = Field(
        default_factory=ArchiveCredentials, description="Restore web service credentials."
    )
    ftp: FtpCredentials = Field(default_factory=FtpCredentials, description="FTP credentials.")
    commondb: CommonDbCredentials = Field(
        default_factory=CommonDbCredentials, description="Common database credentials."
    )
    smtp: SmtpCredentials = Field(default_factory=SmtpCredentials, description="SMTP credentials.")

    def checked(self) -> PipelineConfig:
        """Run the manual's sanity checks; raise ConfigError naming every bad setting."""
        raise_problems(check_settings(self.settings), source=f"block {self._block_document_name}")
        return self


def load_config(name: str = DEFAULT_BLOCK_NAME) -> PipelineConfig:
    return PipelineConfig.load(name).checked()
