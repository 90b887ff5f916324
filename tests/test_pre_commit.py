"""The `task-lint` pre-commit hook, run with real `pre-commit try-repo` on a temporary git repository.

`try-repo` clones this repository at HEAD. When tracked files have uncommitted
changes, it commits them to a temporary clone first, but it leaves untracked files
out. It then builds the hook's environment by pip-installing the clone, which needs
PyPI (or the machine's configured package index) for the dependencies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (Path(__file__).resolve().parent.parent / ".git").exists(),
        reason="pre-commit try-repo needs task_lint as a git checkout, not an unpacked sdist",
    ),
]

TIMEOUT = 300
REPO_ROOT = Path(__file__).resolve().parent.parent

SOURCE = """\
from task_lint import task


@task
def ship(order_id) -> None:
    \"\"\"Ship an order.\"\"\"
"""


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Keep pre-commit's store, pip's cache and git's user configuration inside `tmp_path`."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "GIT_AUTHOR_NAME": "task_lint tests",
        "GIT_AUTHOR_EMAIL": "tests@task-lint.invalid",
        "GIT_COMMITTER_NAME": "task_lint tests",
        "GIT_COMMITTER_EMAIL": "tests@task-lint.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    # Variables that a surrounding git hook may set would point git at another repository.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    return env


def git(project: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=project, env=env, check=True, capture_output=True, text=True, timeout=TIMEOUT
    )
    return result.stdout


def try_repo(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO_ROOT),
            "task-lint",
            "--all-files",
            "--color",
            "never",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_hook_fails_then_passes(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    git(project, env, "init", "--quiet", ".")
    jobs = project / "jobs.py"
    jobs.write_text(SOURCE, encoding="utf-8")
    (project / "notes.txt").write_text("not Python\n", encoding="utf-8")
    git(project, env, "add", "jobs.py", "notes.txt")

    failing = try_repo(project, env)

    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "task-lint" in output
    assert "Failed" in output
    assert "jobs.py:5:10: TSK101 parameter `order_id` of task `ship` has no type annotation" in output
    assert "notes.txt" not in output
    # The result cache that the hook writes must not show up as a new file to commit.
    status = git(project, env, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert [line for line in status if line.startswith("??")] == []

    jobs.write_text(SOURCE.replace("order_id)", "order_id: int)"), encoding="utf-8")
    git(project, env, "add", "jobs.py")

    passing = try_repo(project, env)

    output = passing.stdout + passing.stderr
    assert passing.returncode == 0, output
    assert "Passed" in output
    assert "TSK" not in output
