"""Runs PRESTO programs through prefect-shell, so their output lands in the Prefect logs too.

``palfa.presto`` runs programs through a ``Runner``; this one wraps each argv in a
``ShellOperation`` (the argv quoted with ``shlex.join``, so file names never become shell syntax),
streams the output to the run's logs and copies it into the results directory's log.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from prefect_shell import ShellOperation


class ShellOperationRunner:
    def run(self, argv: Sequence[str], cwd: Path, log: Path) -> int:
        with ShellOperation(commands=[f"{shlex.join(argv)} 2>&1"], working_dir=cwd,
                            stream_output=True) as operation:
            process = operation.trigger()
            with suppress(RuntimeError):  # non-zero exit: the caller reports it with the log
                process.wait_for_completion()
            lines = process.fetch_result()
        with log.open("a") as out:
            out.writelines(line.rstrip("\n") + "\n" for line in lines)
        return int(process.return_code or 0)
