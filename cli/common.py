"""What every command shares: the console, the settings option, error reporting."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from palfa.config.loading import load_settings
from palfa.config.settings import PalfaSettings

console = Console()

ConfigOption = typer.Option(
    Path("palfa.toml"), "--config", "-c", envvar="PALFA_CONFIG",
    help="Settings file (TOML); make one with `palfa config init DIR`.",
)


def settings_from(path: Path, check: bool = True) -> PalfaSettings:
    """The file's settings, or the defaults when the default file does not exist."""
    if path == Path("palfa.toml") and not path.exists():
        return load_settings(None, check=check)
    return load_settings(path, check=check)
