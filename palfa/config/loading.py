"""Reading settings from a TOML file, with every problem reported at once."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from palfa.config.checks import Problem, check_settings
from palfa.config.settings import PalfaSettings
from palfa.errors import ConfigError

_PATH_KEYS = {
    ("basic", "log_dir"), ("download", "datadir"), ("jobpooler", "base_results_directory"),
    ("processing", "base_working_directory"), ("processing", "default_zaplist"),
    ("processing", "zaplistdir"), ("searching", "base_tmp_dir"), ("background", "jobtracker_db"),
}


def load_settings(path: Path | None = None, *, check: bool = True) -> PalfaSettings:
    """Load ``path`` (TOML, groups as tables); relative paths are taken from the file's folder."""
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(str(path), "settings file not found",
                              "give the path of an existing TOML file (see palfa config init)")
        try:
            raw = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), f"not valid TOML ({exc})", "correct the syntax") from exc
        base = path.parent.resolve()
    settings = parse_settings(_resolve_paths(raw, base), source=str(path or "defaults"))
    if check:
        raise_problems(check_settings(settings), source=str(path or "defaults"))
    return settings


def parse_settings(raw: dict[str, Any], source: str = "settings") -> PalfaSettings:
    try:
        return PalfaSettings.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), err["msg"],
                    "see `palfa config show` for the expected type and default")
            for err in exc.errors()
        ]
        raise_problems(problems, source)
        raise  # unreachable: raise_problems always raises for a non-empty list


def raise_problems(problems: list[Problem], source: str) -> None:
    if problems:
        raise ConfigError(
            source, f"{len(problems)} setting(s) are invalid:\n  " + "\n  ".join(map(str, problems)),
            "", problems=problems,
        )


def _resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    out = {group: dict(values) if isinstance(values, dict) else values
           for group, values in raw.items()}
    for group, key in _PATH_KEYS:
        values = out.get(group)
        if isinstance(values, dict) and isinstance(values.get(key), str):
            value = values[key]
            if "://" not in value and not Path(value).is_absolute():
                values[key] = str(base / value)
    return out
