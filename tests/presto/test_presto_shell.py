"""The prefect-shell runner: same contract as the subprocess one (status, log, quoting)."""

from __future__ import annotations

import pytest

from palfa.errors import SearchError
from palfa.presto.commands import Command
from palfa.presto.runner import run_command
from tasks.presto_shell import ShellOperationRunner


def test_shell_operation_runner_captures_output_and_status(tmp_path):
    weird = tmp_path / "a file; rm -rf x"
    weird.write_text("kept\n")
    status = ShellOperationRunner().run(("cat", weird.name), tmp_path, tmp_path / "cat.log")
    assert status == 0 and weird.exists()
    assert (tmp_path / "cat.log").read_text() == "kept\n"


def test_failing_program_through_prefect_shell_is_a_search_error(tmp_path):
    with pytest.raises(SearchError, match="exited with status 4") as err:
        run_command(ShellOperationRunner(), Command(("sh", "-c", "echo broken >&2; exit 4"), "t"),
                    tmp_path, tmp_path)
    assert "broken" in str(err.value)

