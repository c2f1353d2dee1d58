"""A self-contained installation in one folder: settings file, data, results, databases.

``palfa config init DIR`` and the demo both start from here, so a new user gets a valid, checked
configuration without editing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from palfa.config.loading import load_settings, parse_settings
from palfa.config.settings import PalfaSettings

SETTINGS_FILE = "palfa.toml"

_LAYOUT: dict[str, dict[str, str]] = {
    "basic": {"log_dir": "logs"},
    "background": {"jobtracker_db": "jobtracker.db"},
    "commondb": {"url": "sqlite:///{root}/commondb.sqlite3"},
    "download": {"datadir": "data"},
    "jobpooler": {"base_results_directory": "results"},
    "processing": {"base_working_directory": "work"},
    "searching": {"base_tmp_dir": "tmp"},
}


def init_workspace(root: Path, overrides: dict[str, dict[str, Any]] | None = None) -> PalfaSettings:
    """Create ``root`` with its folders and a ``palfa.toml``; return the loaded, checked settings."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    raw: dict[str, dict[str, Any]] = {
        group: {k: v.format(root=root) for k, v in keys.items()} for group, keys in _LAYOUT.items()
    }
    for group, values in (overrides or {}).items():
        raw.setdefault(group, {}).update(values)
    parse_settings(raw, source=str(root / SETTINGS_FILE))  # fail before writing anything
    for group, key in (("basic", "log_dir"), ("download", "datadir"),
                       ("jobpooler", "base_results_directory"),
                       ("processing", "base_working_directory"), ("searching", "base_tmp_dir")):
        (root / raw[group][key]).mkdir(parents=True, exist_ok=True)
    path = root / SETTINGS_FILE
    path.write_text(to_toml(raw))
    return load_settings(path)


def to_toml(raw: dict[str, dict[str, Any]]) -> str:
    """Write settings groups as TOML tables (values are str, bool, int, float or paths)."""
    lines: list[str] = []
    for group, values in raw.items():
        lines.append(f"[{group}]")
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int | float):
                text = repr(value)
            else:
                text = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
            lines.append(f"{key} = {text}")
        lines.append("")
    return "\n".join(lines)
