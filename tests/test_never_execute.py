"""The static half never imports, execs or evals the code it reads.

fixtures/canary contains a package in which every piece of code that runs on import
(module top levels, a class body, a decorator call, a default value, an annotation)
writes a marker file into `TASK_LINT_CANARY_DIR`. The CLI commands must leave no
marker, in a subprocess and in this process, and must not add the package to
`sys.modules`. Importing the package for real must write every marker, so that the
canaries can fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from task_lint import cli
from task_lint.static import inference

REPOSITORY = Path(__file__).resolve().parents[1]
CANARY_ROOT = REPOSITORY / "fixtures" / "canary"

MARKERS = {
    "import-package",
    "import-tasks",
    "import-aliases",
    "class-body",
    "decorator-call",
    "default-value",
    "annotation",
}

CANARY_TASKS = {"canary.aliases:ping", "canary.tasks:Export", "canary.tasks:checksum", "canary.tasks:resize"}

# The TSK901 finding on `checksum` shows that `check` read the package.
COMMANDS = {
    "check": ["check", "--no-cache", "--extend-select", "TSK901"],
    "schema": ["schema"],
    "docs": ["docs"],
}
EXIT_CODES = {"check": 1, "schema": 0, "docs": 0}


def task_lint_command() -> list[str]:
    script = Path(sys.executable).with_name("task-lint")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "task_lint.cli"]


def canary_modules() -> set[str]:
    """Modules loaded from the canary package, by name or by file."""
    found = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if name == "canary" or name.startswith("canary.") or path.startswith(str(CANARY_ROOT)):
            found.add(name)
    return found


def check_output(command: str, output: str) -> None:
    """Assert that the command's output covers the canary's tasks, so that it read the package."""
    if command == "check":
        assert "TSK901 task `canary.checksum` has no docstring" in output
    elif command == "schema":
        assert set(json.loads(output)) == CANARY_TASKS
    else:
        assert "canary.checksum" in output


@pytest.fixture
def marker_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "markers"
    folder.mkdir()
    monkeypatch.setenv("TASK_LINT_CANARY_DIR", str(folder))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_process_runs_nothing(command: str, marker_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [*task_lint_command(), *COMMANDS[command], str(CANARY_ROOT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == EXIT_CODES[command], result.stderr
    check_output(command, result.stdout)
    assert sorted(path.name for path in marker_dir.iterdir()) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_in_process_runs_nothing(
    command: str,
    marker_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    inference.reset()
    before = canary_modules()

    exit_code = cli.main([*COMMANDS[command], str(CANARY_ROOT)])

    assert exit_code == EXIT_CODES[command]
    check_output(command, capsys.readouterr().out)
    assert sorted(path.name for path in marker_dir.iterdir()) == []
    assert canary_modules() - before == set()


def test_astroid_reads_canary_without_running(
    marker_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import astroid

    monkeypatch.chdir(tmp_path)
    inference.reset()

    cli.main(["check", "--no-cache", str(CANARY_ROOT)])

    # `step = task if ... else job` in canary.aliases is a question for astroid.
    assert "canary.aliases" in astroid.MANAGER.astroid_cache
    assert sorted(path.name for path in marker_dir.iterdir()) == []
    assert "canary.aliases" not in sys.modules


def test_import_writes_every_marker(marker_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import canary.tasks, canary.aliases"],
        env={**os.environ, "PYTHONPATH": str(CANARY_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert {path.name for path in marker_dir.iterdir()} == MARKERS
