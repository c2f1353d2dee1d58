"""Running one PRESTO program: argv in, output appended to a log, exit status and outputs checked.

``Runner`` is the seam between the domain package and whoever runs processes: ``SubprocessRunner``
here, a prefect-shell ``ShellOperation`` in ``tasks/presto_shell.py``.
"""

from __future__ import annotations

import glob
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from palfa.errors import SearchError
from palfa.presto.commands import Command

LOG_TAIL_LINES = 20


class Runner(Protocol):
    def run(self, argv: Sequence[str], cwd: Path, log: Path) -> int:
        """Run ``argv`` in ``cwd`` appending its stdout and stderr to ``log``; the exit status."""
        ...


class SubprocessRunner:
    def run(self, argv: Sequence[str], cwd: Path, log: Path) -> int:
        with log.open("ab") as out:
            return subprocess.run(list(argv), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, check=False).returncode


def log_tail(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    if not log.is_file():
        return "(no output)"
    text = log.read_text(errors="replace").replace("\r", "\n")
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(tail) or "(no output)"


def run_command(runner: Runner, command: Command, cwd: Path, logdir: Path) -> None:
    """Run ``command``; a missing program, a non-zero exit or missing outputs is a SearchError
    naming the program, its command line and the end of its log."""
    log = logdir / f"{Path(command.program).name}.log"
    line = shlex.join(command.argv)
    with log.open("a") as out:
        out.write(f"\n$ {line}\n")
    try:
        status = runner.run(command.argv, cwd, log)
    except FileNotFoundError:
        status = 127
        with log.open("a") as out:
            out.write(f"{command.program}: command not found\n")
    missing = [o for o in command.outputs if not glob.glob(str(cwd / o))]
    if status == 0 and not missing:
        return
    if status != 0:
        problem = f"exited with status {status}"
        fix = ("install PRESTO and put its bin/ on PATH" if status == 127 else
               "see the log; fix the input or the setting it names, then retry the beam")
    else:
        problem = f"exited 0 but wrote no {', '.join(missing)}"
        fix = "see the log; check disk space in the scratch directory, then retry the beam"
    raise SearchError(
        f"PRESTO program {command.program}",
        f"{problem}\n  command: {line}\n  log: {log}\n  last lines:\n{_indent(log_tail(log))}",
        fix,
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
