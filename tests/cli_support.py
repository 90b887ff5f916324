"""Helpers for the `task-lint` command tests: small projects on disk and CLI runs.

In-process runs call `task_lint.cli.main` and capture its output with pytest's
`capsys`. End-to-end runs start the installed console script next to
`sys.executable` in a subprocess.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from task_lint.cli import main

# A task with two default findings (TSK102 on the `def` line, TSK101 on `width`)
# and two opt-in ones (TSK901 for the docstring, TSK902 for `Any`).
SAMPLE = """\
from typing import Any

from task_lint import task


@task
def resize(path: str, width, options: Any = None):
    return path
"""

# Positions of SAMPLE's findings: (line, 1-based column, code).
SAMPLE_DEFAULT = [(7, 1, "TSK102"), (7, 23, "TSK101")]
SAMPLE_ALL = [(7, 1, "TSK102"), (7, 1, "TSK901"), (7, 23, "TSK101"), (7, 39, "TSK902")]

FINDING_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<code>TSK\d{3}) (?P<message>.+)$")


@dataclass
class Run:
    """Exit code and captured output of one `task-lint` run."""

    code: int
    out: str
    err: str

    def findings(self) -> list[tuple[str, int, int, str]]:
        """Parse text-format output into (path, line, column, code) tuples."""
        parsed = []
        for line in self.out.splitlines():
            match = FINDING_LINE.match(line)
            assert match is not None, f"not a finding line: {line!r}"
            parsed.append((match["path"], int(match["line"]), int(match["column"]), match["code"]))
        return parsed

    def codes(self) -> list[str]:
        return [code for _, _, _, code in self.findings()]

    def positions(self) -> list[tuple[int, int, str]]:
        return [(line, column, code) for _, line, column, code in self.findings()]


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write dedented source files under `root`, creating folders as needed."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run `task-lint` in this process; argparse errors count as exit code 2."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else 2
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def console_script() -> str:
    """Return the path of the installed `task-lint` executable."""
    folder = os.path.dirname(sys.executable)
    name = "task-lint.exe" if os.name == "nt" else "task-lint"
    return os.path.join(folder, name)


def run_process(args: Sequence[str], cwd: Path, timeout: float = 120) -> Run:
    """Run the installed `task-lint` executable in a subprocess."""
    completed = subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)
