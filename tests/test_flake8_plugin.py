"""The `TSK` flake8 plugin, driven through real flake8 in subprocesses.

Each test writes a small project under `tmp_path` and runs flake8 with that folder as
the working directory, so flake8 finds the `setup.cfg`, `tox.ini` or `.flake8` there
the way it does for a user. Other installed plugins (pycodestyle, pyflakes, perhaps
flake8-annotations) report too, so tests pick the lines with the codes they check.
"""

from __future__ import annotations

import ast
import gc
import multiprocessing
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

from task_lint.static import plugin_support

pytestmark = pytest.mark.slow

TIMEOUT = 120

MISSING_ANNOTATION = """\
from task_lint import task


@task
def ship(order_id, express: bool = False) -> None:
    \"\"\"Ship an order.\"\"\"
"""

CELERY_AND_PREFECT = """\
import prefect
from celery import shared_task


@shared_task
def resize(width) -> None:
    \"\"\"Resize.\"\"\"


@prefect.task
def crop(height) -> None:
    \"\"\"Crop.\"\"\"
"""

_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+[0-9]+) (?P<text>.*)$")


class Line(NamedTuple):
    """One line of flake8's default output format."""

    path: str
    line: int
    column: int
    code: str
    text: str


def flake8(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m flake8` in `cwd`, which makes flake8 read the config files there."""
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_utf8_env(),
        timeout=TIMEOUT,
        check=False,
    )


def flake8_patched(cwd: Path, patch: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run flake8's `main` in a fresh interpreter after executing `patch` there.

    With the `fork` start method, `-j` workers inherit the patch.
    """
    script = f"{patch}\nimport sys\nfrom flake8.main import cli\nsys.exit(cli.main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_utf8_env(),
        timeout=TIMEOUT,
        check=False,
    )


def _utf8_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}


def parse(output: str) -> list[Line]:
    lines = []
    for raw in output.splitlines():
        match = _LINE.match(raw)
        assert match is not None, f"not a flake8 line: {raw!r}"
        lines.append(
            Line(match["path"], int(match["line"]), int(match["column"]), match["code"], match["text"]),
        )
    return lines


def tsk(output: str) -> list[Line]:
    return [line for line in parse(output) if line.code.startswith("TSK")]


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def column_of(path: Path, line: int, word: str) -> int:
    """Return flake8's 1-based column of `word` on a line, counted in characters."""
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    return text.index(word) + 1


# --- Files and stdin -----------------------------------------------------------------


def test_file_reports_missing_annotation(tmp_path: Path) -> None:
    path = write(tmp_path, "jobs.py", MISSING_ANNOTATION)

    result = flake8(tmp_path, "jobs.py")

    assert result.returncode == 1, result.stderr
    found = tsk(result.stdout)
    assert [(line.path, line.line, line.code) for line in found] == [("jobs.py", 5, "TSK101")]
    assert found[0].column == column_of(path, 5, "order_id")
    assert found[0].text == "parameter `order_id` of task `ship` has no type annotation"


def test_stdin_matches_file(tmp_path: Path) -> None:
    source = MISSING_ANNOTATION + "\n\nimport os\n"
    write(tmp_path, "jobs.py", source)

    on_disk = flake8(tmp_path, "jobs.py")
    on_stdin = flake8(tmp_path, "--stdin-display-name", "jobs.py", "-", stdin=source)

    assert on_disk.returncode == 1
    assert on_stdin.returncode == 1
    assert tsk(on_disk.stdout)
    assert on_stdin.stdout == on_disk.stdout
    assert on_stdin.stderr == ""


def test_stdin_buffer_wins_over_disk(tmp_path: Path) -> None:
    """An editor's unsaved buffer is checked, not the saved file."""
    write(tmp_path, "jobs.py", MISSING_ANNOTATION.replace("order_id,", "order_id: int,"))
    assert tsk(flake8(tmp_path, "jobs.py").stdout) == []

    result = flake8(tmp_path, "--stdin-display-name", "jobs.py", "-", stdin=MISSING_ANNOTATION)

    assert [(line.path, line.line, line.code) for line in tsk(result.stdout)] == [("jobs.py", 5, "TSK101")]


def test_stdin_unsaved_new_file(tmp_path: Path) -> None:
    result = flake8(tmp_path, "--stdin-display-name", "draft.py", "-", stdin=MISSING_ANNOTATION)

    assert not (tmp_path / "draft.py").exists()
    assert [(line.path, line.line, line.code) for line in tsk(result.stdout)] == [("draft.py", 5, "TSK101")]


def test_parallel_jobs_match_serial(tmp_path: Path) -> None:
    for number in range(6):
        write(tmp_path, f"jobs_{number}.py", MISSING_ANNOTATION.replace("ship", f"ship_{number}"))
    write(tmp_path, "plain.py", "import os\n")

    serial = flake8(tmp_path, "-j1", ".")
    parallel = flake8(tmp_path, "-j2", ".")

    assert serial.returncode == 1
    assert parallel.returncode == 1
    assert len(tsk(serial.stdout)) == 6
    assert sorted(parallel.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    assert parallel.stderr == ""


# --- noqa ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "reported"),
    [
        ("# noqa", False),
        ("# noqa: TSK101", False),
        ("# noqa:TSK1", False),
        ("# NOQA: E501,TSK101", False),
        ("# noqa: E501", True),
        ("# noqa: TSK102", True),
    ],
    ids=["bare", "code", "prefix", "list", "other-code", "other-tsk-code"],
)
def test_noqa_on_parameter_line(tmp_path: Path, comment: str, reported: bool) -> None:
    write(
        tmp_path,
        "jobs.py",
        f"""\
        from task_lint import task


        @task
        def ship(
            order_id,  {comment}
            express: bool = False,
        ) -> None:
            \"\"\"Ship an order.\"\"\"
        """,
    )

    result = flake8(tmp_path, "jobs.py")

    codes = [line.code for line in tsk(result.stdout)]
    assert codes == (["TSK101"] if reported else [])


def test_noqa_keeps_other_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "jobs.py",
        """\
        from task_lint import task


        @task
        def ship(
            order_id,  # noqa: TSK101
            express,
        ) -> None:
            \"\"\"Ship an order.\"\"\"
        """,
    )

    result = flake8(tmp_path, "jobs.py")

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(7, "TSK101")]


# --- Options and configuration files -------------------------------------------------


def test_decorators_default_unset(tmp_path: Path) -> None:
    write(tmp_path, "media.py", CELERY_AND_PREFECT)

    result = flake8(tmp_path, "media.py")

    assert tsk(result.stdout) == []


def test_decorators_on_command_line(tmp_path: Path) -> None:
    write(tmp_path, "media.py", CELERY_AND_PREFECT)

    result = flake8(tmp_path, "--task-decorators", "celery.shared_task, prefect.task", "media.py")

    found = [(line.line, line.code) for line in tsk(result.stdout)]
    assert found == [(6, "TSK101"), (11, "TSK101")]


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_decorators_from_config_file(tmp_path: Path, config_name: str) -> None:
    write(
        tmp_path,
        config_name,
        """\
        [flake8]
        task-decorators =
            celery.shared_task ,
            prefect.task,airflow.sdk.task
        """,
    )
    write(tmp_path, "media.py", CELERY_AND_PREFECT)

    result = flake8(tmp_path, "media.py")

    assert result.returncode == 1, result.stderr
    found = [(line.line, line.code) for line in tsk(result.stdout)]
    assert found == [(6, "TSK101"), (11, "TSK101")]


def test_decorators_config_one_line(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[flake8]\ntask-decorators = celery.shared_task, prefect.task\n")
    write(tmp_path, "media.py", CELERY_AND_PREFECT)

    result = flake8(tmp_path, "media.py")

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(6, "TSK101"), (11, "TSK101")]


def test_decorators_config_on_stdin(tmp_path: Path) -> None:
    write(tmp_path, "tox.ini", "[flake8]\ntask-decorators =\n    celery.shared_task\n    prefect.task\n")

    result = flake8(tmp_path, "--stdin-display-name", "media.py", "-", stdin=CELERY_AND_PREFECT)

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(6, "TSK101"), (11, "TSK101")]


def test_decorators_config_parallel(tmp_path: Path) -> None:
    write(tmp_path, ".flake8", "[flake8]\ntask-decorators = celery.shared_task,\n    prefect.task\n")
    for number in range(3):
        write(tmp_path, f"media_{number}.py", CELERY_AND_PREFECT)

    result = flake8(tmp_path, "-j2", ".")

    found = sorted((line.path, line.line) for line in tsk(result.stdout))
    expected = sorted((f"./media_{n}.py", line) for n in range(3) for line in (6, 11))
    assert found == expected


SOURCE_WITHOUT_DOCSTRING = """\
from task_lint import task


@task
def ship(order_id: int) -> None:
    pass
"""


def test_opt_in_rule_silent_by_default(tmp_path: Path) -> None:
    write(tmp_path, "jobs.py", SOURCE_WITHOUT_DOCSTRING)

    result = flake8(tmp_path, "jobs.py")

    assert result.returncode == 0, result.stdout
    assert tsk(result.stdout) == []


def test_extend_select_enables_opt_in(tmp_path: Path) -> None:
    write(tmp_path, "jobs.py", SOURCE_WITHOUT_DOCSTRING)

    result = flake8(tmp_path, "--extend-select", "TSK901", "jobs.py")

    found = tsk(result.stdout)
    assert [(line.line, line.code) for line in found] == [(5, "TSK901")]
    assert found[0].text == "task `ship` has no docstring"


def test_extend_select_from_config(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[flake8]\nextend-select = TSK901\n")
    write(tmp_path, "jobs.py", SOURCE_WITHOUT_DOCSTRING)

    result = flake8(tmp_path, "jobs.py")

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(5, "TSK901")]


def test_extend_ignore_hides_rule(tmp_path: Path) -> None:
    write(tmp_path, "jobs.py", MISSING_ANNOTATION)

    result = flake8(tmp_path, "--extend-ignore", "TSK101", "jobs.py")

    assert tsk(result.stdout) == []


# --- Columns -------------------------------------------------------------------------


def test_column_after_non_ascii_string(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "greet.py",
        """\
        from task_lint import task


        @task
        def greet(greeting: str = "héllo wörld", name=None) -> str:
            \"\"\"Greet.\"\"\"
            return greeting
        """,
    )
    text = path.read_text(encoding="utf-8").splitlines()[4]
    byte_column = text.encode("utf-8").index(b"name") + 1

    result = flake8(tmp_path, "greet.py")

    found = [line for line in tsk(result.stdout) if line.code == "TSK101"]
    assert len(found) == 1
    assert found[0].column == column_of(path, 5, "name=")
    assert found[0].column != byte_column


def test_column_after_non_ascii_identifier(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "wave.py",
        """\
        from task_lint import task


        @task
        def wave(größe: int, who) -> None:
            \"\"\"Wave.\"\"\"
        """,
    )

    result = flake8(tmp_path, "wave.py")

    found = tsk(result.stdout)
    assert [(line.line, line.code) for line in found] == [(5, "TSK101")]
    assert found[0].column == column_of(path, 5, "who")


def test_column_on_stdin_non_ascii(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from task_lint import task


        @task
        def wave(größe: int, who, ünit: str = "ß") -> None:
            \"\"\"Wave.\"\"\"
        """
    )
    path = write(tmp_path, "wave.py", source)

    result = flake8(tmp_path, "--stdin-display-name", "wave.py", "-", stdin=source)

    found = tsk(result.stdout)
    assert [line.column for line in found] == [column_of(path, 5, "who")]


# --- Internal failures ---------------------------------------------------------------

# Make task discovery fail for `broken.py` only, as a bug in task_lint would.
FAIL_ON_BROKEN = """\
from task_lint.static import discovery

_collect = discovery.TaskCollector.collect


def _failing_collect(self):
    if self.module.path.endswith("broken.py"):
        raise RuntimeError("injected failure")
    return _collect(self)


discovery.TaskCollector.collect = _failing_collect
"""

# Make the plugin's adapter itself fail, outside the checker's own error handling.
FAIL_IN_ADAPTER = """\
from task_lint.static import plugin_support

_check_buffer = plugin_support.check_buffer


def _failing_check_buffer(text, tree, path, *args):
    if path.endswith("broken.py"):
        raise ValueError("injected failure")
    return _check_buffer(text, tree, path, *args)


plugin_support.check_buffer = _failing_check_buffer
"""

BROKEN_SOURCE = """\
import os

from task_lint import task


@task
def ship(order_id) -> None:
    \"\"\"Ship an order.\"\"\"
"""


def _write_failure_project(root: Path) -> None:
    write(root, "broken.py", BROKEN_SOURCE)
    write(root, "good.py", MISSING_ANNOTATION)
    write(root, "other.py", "import sys\n")


def _assert_failure_contained(result: subprocess.CompletedProcess[str], error: str) -> None:
    lines = parse(result.stdout)
    broken = [line for line in lines if line.path.endswith("broken.py")]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert [line.code for line in broken if line.code.startswith("TSK")] == ["TSK999"]
    assert f"{error}: injected failure" in next(line.text for line in broken if line.code == "TSK999")
    assert "F401" in {line.code for line in broken}
    assert [line.code for line in lines if line.path.endswith("good.py")].count("TSK101") == 1
    assert [line.code for line in lines if line.path.endswith("other.py")] == ["F401"]


def test_internal_failure_one_finding(tmp_path: Path) -> None:
    _write_failure_project(tmp_path)

    result = flake8_patched(tmp_path, FAIL_ON_BROKEN, "-j1", "broken.py", "good.py", "other.py")

    _assert_failure_contained(result, "RuntimeError")


def test_adapter_failure_one_finding(tmp_path: Path) -> None:
    _write_failure_project(tmp_path)

    result = flake8_patched(tmp_path, FAIL_IN_ADAPTER, "-j1", "broken.py", "good.py", "other.py")

    _assert_failure_contained(result, "ValueError")


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="workers inherit the injected failure only when forked"
)
@pytest.mark.parametrize(
    ("patch", "error"),
    [(FAIL_ON_BROKEN, "RuntimeError"), (FAIL_IN_ADAPTER, "ValueError")],
    ids=["checker", "adapter"],
)
def test_internal_failure_parallel(tmp_path: Path, patch: str, error: str) -> None:
    _write_failure_project(tmp_path)

    result = flake8_patched(tmp_path, patch, "-j2", "broken.py", "good.py", "other.py")

    _assert_failure_contained(result, error)


def test_failure_on_stdin_one_finding(tmp_path: Path) -> None:
    result = flake8_patched(tmp_path, FAIL_ON_BROKEN, "--stdin-display-name", "broken.py", "-", stdin=BROKEN_SOURCE)

    lines = parse(result.stdout)
    assert result.returncode == 1, result.stderr
    assert [line.code for line in lines if line.code.startswith("TSK")] == ["TSK999"]
    assert "F401" in {line.code for line in lines}


# --- Spawned workers -----------------------------------------------------------------

SPAWN_MAIN = """\
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv.pop(1))
    from flake8.main import cli

    sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_options_reach_spawned_workers(tmp_path: Path, method: str) -> None:
    """Workers that re-parse the options (the default from Python 3.14) still see them."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    write(tmp_path, "setup.cfg", "[flake8]\ntask-decorators = celery.shared_task, prefect.task\n")
    for number in range(3):
        write(tmp_path, f"media_{number}.py", CELERY_AND_PREFECT)
    write(tmp_path, "run_flake8.py", SPAWN_MAIN)

    result = subprocess.run(
        [sys.executable, "run_flake8.py", method, "-j2", "media_0.py", "media_1.py", "media_2.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_utf8_env(),
        timeout=TIMEOUT,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert len(tsk(result.stdout)) == 6


# --- Resolution across modules -------------------------------------------------------


def _write_reexport_project(root: Path) -> None:
    write(root, "shop/__init__.py", 'from shop.util import job\n\n__all__ = ["job"]\n')
    write(root, "shop/util.py", "from task_lint import task as job\n")
    write(
        root,
        "shop/orders.py",
        """\
        from shop import job


        @job
        def ship(order_id) -> None:
            \"\"\"Ship an order.\"\"\"
        """,
    )


def test_reexported_decorator_from_file(tmp_path: Path) -> None:
    _write_reexport_project(tmp_path)

    result = flake8(tmp_path, "shop/orders.py")

    found = tsk(result.stdout)
    assert [(line.path, line.line, line.code) for line in found] == [("shop/orders.py", 5, "TSK101")]
    assert "`order_id` of task `ship`" in found[0].text


def test_reexported_decorator_on_stdin(tmp_path: Path) -> None:
    _write_reexport_project(tmp_path)
    source = (tmp_path / "shop/orders.py").read_text(encoding="utf-8")

    result = flake8(tmp_path, "--stdin-display-name", "shop/orders.py", "-", stdin=source)

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(5, "TSK101")]


def test_reexported_decorator_parallel(tmp_path: Path) -> None:
    _write_reexport_project(tmp_path)
    write(tmp_path, "shop/billing.py", "from shop import job\n\n\n@job\ndef bill(amount) -> None:\n    pass\n")

    result = flake8(tmp_path, "-j2", "shop")

    found = sorted((line.path, line.line, line.code) for line in tsk(result.stdout))
    assert found == [("shop/billing.py", 5, "TSK101"), ("shop/orders.py", 5, "TSK101")]


def test_relative_reexport_resolves(tmp_path: Path) -> None:
    _write_reexport_project(tmp_path)
    write(tmp_path, "shop/returns.py", 'from . import job\n\n\n@job\ndef refund(amount) -> None:\n    """R."""\n')

    result = flake8(tmp_path, "shop/returns.py")

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(5, "TSK101")]


def test_duplicate_name_across_files(tmp_path: Path) -> None:
    source = '''\
    from task_lint import task


    @task(name="billing.total")
    def total(amount: int) -> int:
        """Add up."""
        return amount
    '''
    write(tmp_path, "setup.cfg", "")
    write(tmp_path, "first.py", source)
    write(tmp_path, "second.py", source)

    result = flake8(tmp_path, "second.py")
    first = flake8(tmp_path, "first.py")

    found = tsk(result.stdout)
    assert [(line.path, line.line, line.code) for line in found] == [("second.py", 5, "TSK206")]
    assert found[0].text == "task name `billing.total` is also used by `first:total` at first.py:5"
    # Checked alone, the file with the first definition gets the finding instead.
    found_first = tsk(first.stdout)
    assert [(line.path, line.line, line.code) for line in found_first] == [("first.py", 5, "TSK206")]
    assert found_first[0].text == "task name `billing.total` is also used by `second:total` at second.py:5"


def test_duplicate_name_outside_project_not_searched(tmp_path: Path) -> None:
    # Without a project file, the folder may be a home folder with a loose script.
    # Its other files are not read, as in the CLI.
    source = """\
    from task_lint import task


    @task(name="billing.total")
    def total(amount: int) -> int:
        return amount
    """
    write(tmp_path, "first.py", source)
    write(tmp_path, "second.py", source)

    result = flake8(tmp_path, "second.py")

    assert [line.code for line in tsk(result.stdout)] == []


def test_latin1_normalised_import_found(tmp_path: Path) -> None:
    # `tªsk_lint` is `task_lint` after NFKC normalisation, as Python reads it; the
    # plugin must not decode flake8's already-decoded text a second time.
    source = "# -*- coding: latin-1 -*-\nfrom t\xaask_lint import task\n\n\n@task\ndef f(x) -> int:\n    return 1\n"
    (tmp_path / "mod.py").write_bytes(source.encode("latin-1"))

    result = flake8(tmp_path, "--select", "TSK101", "mod.py")

    assert "mod.py:6:7: TSK101" in result.stdout


def test_project_names_keep_no_trees(tmp_path: Path) -> None:
    # The scan for duplicate names parses every module of the project. Kept alive,
    # those trees would make the next collection and the interpreter's exit walk
    # millions of objects, so they must be freed without the collector.
    write(tmp_path, "setup.cfg", "")
    for index in range(20):
        source = f"from task_lint import task\n\n\n@task\ndef step{index}() -> None:\n    pass\n"
        write(tmp_path, f"step{index}.py", source)

    def live_modules() -> int:
        return sum(isinstance(item, ast.Module) for item in gc.get_objects())

    before = live_modules()
    names = plugin_support._project_names.__wrapped__(str(tmp_path), (), ())
    after = live_modules()

    assert sorted(name.qualified_name for name in names) == sorted(f"step{index}:step{index}" for index in range(20))
    assert after - before < 20


COMPILER_ONLY_ERRORS = {
    "await": ("def fetch(url: str) -> str:\n    return await get(url)\n", (6, 12), "'await' outside async function"),
    "repeated keyword": (
        "def fetch(url: str) -> str:\n    return url\n",
        (4, 17),
        "keyword argument repeated: name",
    ),
    "duplicate argument": ("def fetch(url: str, url: str) -> str:\n    return url\n", (5, 21), "duplicate argument"),
    "return outside function": ("def fetch(url: str) -> str:\n    return url\nreturn 1\n", (7, 1), "outside function"),
}


@pytest.mark.parametrize("case", sorted(COMPILER_ONLY_ERRORS))
def test_compiler_only_error_reported(tmp_path: Path, case: str) -> None:
    # The file parses, so flake8 reports no E999, but importing it fails. The CLI
    # reports the same finding.
    body, position, message = COMPILER_ONLY_ERRORS[case]
    decorator = '@task(name="a", name="b")' if case == "repeated keyword" else "@task"
    write(tmp_path, "jobs.py", f"from task_lint import task\n\n\n{decorator}\n{body}")

    result = flake8(tmp_path, "--select", "TSK", "jobs.py")

    found = tsk(result.stdout)
    assert [((line.line, line.column), line.code) for line in found] == [(position, "TSK001")]
    assert message in found[0].text


def count_names_analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the path of each file that the duplicate-name scan analyses instead of reading from the cache."""
    analysed: list[str] = []
    original = plugin_support.analyse_names

    def counting(project: plugin_support.Project, path: str) -> plugin_support.FileResult:
        analysed.append(os.path.basename(path))
        return original(project, path)

    monkeypatch.setattr(plugin_support, "analyse_names", counting)
    return analysed


def named_task(name: str, decorator: str = "task", source: str = "task_lint") -> str:
    return f'from {source} import {decorator}\n\n\n@{decorator}(name="{name}")\ndef run() -> None:\n    pass\n'


def scan_names(root: Path) -> list[str]:
    return sorted(name.name for name in plugin_support._project_names.__wrapped__(str(root), (), ()))


def billing_project(root: Path) -> None:
    """Write a project whose `first.py` and `second.py` define the tasks `billing.total` and `billing.refund`."""
    write(root, "pyproject.toml", "")
    write(root, "first.py", named_task("billing.total"))
    write(root, "second.py", named_task("billing.refund"))


def test_project_names_cached_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Editors start flake8 for each check of a buffer, so the names must outlive the process.
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    billing_project(tmp_path)
    analysed = count_names_analyses(monkeypatch)

    first = scan_names(tmp_path)
    analysed_first = sorted(analysed)
    second = scan_names(tmp_path)

    assert first == second == ["billing.refund", "billing.total"]
    assert analysed_first == ["first.py", "second.py"]
    assert sorted(analysed) == ["first.py", "second.py"]
    assert (tmp_path / ".task_lint_cache" / ".gitignore").is_file()


def test_project_names_cache_sees_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    billing_project(tmp_path)
    scan_names(tmp_path)
    analysed = count_names_analyses(monkeypatch)

    write(tmp_path, "first.py", named_task("billing.charge"))
    names = scan_names(tmp_path)

    assert names == ["billing.charge", "billing.refund"]
    assert analysed == ["first.py"]


def test_project_names_cache_sees_dependency_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `first.py` is a task only through the decorator that `helpers.py` exports.
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    write(tmp_path, "pyproject.toml", "")
    write(tmp_path, "helpers.py", "from task_lint import task as job\n")
    write(tmp_path, "first.py", named_task("billing.total", decorator="job", source="helpers"))
    assert scan_names(tmp_path) == ["billing.total"]

    write(tmp_path, "helpers.py", "from task_lint import task\n\njob = print\n")

    assert scan_names(tmp_path) == []


def test_unchanged_names_read_no_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With every module's size and modification time as stored, the names come
    # from the cache without reading, hashing or analysing any module.
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    billing_project(tmp_path)
    first = scan_names(tmp_path)
    analysed = count_names_analyses(monkeypatch)

    def no_hashing(data: bytes) -> str:
        raise AssertionError("a module was read and hashed")

    monkeypatch.setattr(plugin_support, "content_hash", no_hashing)
    second = scan_names(tmp_path)

    assert first == second == ["billing.refund", "billing.total"]
    assert analysed == []


def test_names_cache_added_removed_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    write(tmp_path, "pyproject.toml", "")
    write(tmp_path, "first.py", named_task("billing.total"))
    scan_names(tmp_path)

    write(tmp_path, "second.py", named_task("billing.refund"))
    added = scan_names(tmp_path)
    (tmp_path / "first.py").unlink()
    removed = scan_names(tmp_path)

    assert added == ["billing.refund", "billing.total"]
    assert removed == ["billing.refund"]


def test_names_cache_edit_other_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The decorator comes from a module of a second source root, which the scan
    # stamps as well as the modules under the first one.
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    app, shared = tmp_path / "app", tmp_path / "shared"
    write(app, "pyproject.toml", "")
    write(app, "first.py", named_task("billing.total", decorator="job", source="helpers"))
    write(shared, "helpers.py", "from task_lint import task as job\n")
    roots = (str(app), str(shared))

    def scan() -> list[str]:
        return sorted(name.name for name in plugin_support._project_names.__wrapped__(str(app), (), roots))

    before = scan()
    write(shared, "helpers.py", "from task_lint import task\n\njob = print\n")
    after = scan()

    assert before == ["billing.total"]
    assert after == []


def decorator_in_other_root(root: Path, exported: bool) -> None:
    """Write `src/svc` and `lib/shared`, whose `deco.py` exports the task decorator as `job` or a plain function."""
    write(root, "pyproject.toml", "")
    write(root, "src/svc/__init__.py", "")
    write(root, "lib/shared/__init__.py", "")
    plain = "def job(**options):\n    return lambda function: function\n"
    write(root, "lib/shared/deco.py", "from task_lint import task as job\n" if exported else plain)
    write(root, "src/svc/a.py", 'from shared.deco import job\n\n\n@job(name="alpha")\ndef run(x) -> None:\n    pass\n')
    write(root, "src/svc/c.py", named_task("alpha"))


def test_decorator_from_configured_root(tmp_path: Path) -> None:
    # The pre-filter must count modules under --task-source-roots as project
    # modules, as `task-lint check --source-root` does.
    decorator_in_other_root(tmp_path, exported=True)

    result = flake8(tmp_path, "--select", "TSK101", "--task-source-roots", "src,lib", "src/svc/a.py")

    assert [line.code for line in tsk(result.stdout)] == ["TSK101"], result.stdout + result.stderr


def test_names_cache_decorator_other_root(tmp_path: Path) -> None:
    # `a.py` becomes a task named "alpha", like the one in `c.py`, only when the
    # module of another source root starts to export the decorator.
    decorator_in_other_root(tmp_path, exported=False)
    arguments = ("--select", "TSK206", "--task-source-roots", "src,lib", "src/svc/c.py")
    before = flake8(tmp_path, *arguments)

    write(tmp_path, "lib/shared/deco.py", "from task_lint import task as job\n")
    after = flake8(tmp_path, *arguments)

    assert tsk(before.stdout) == []
    assert [line.code for line in tsk(after.stdout)] == ["TSK206"], after.stdout + after.stderr


def test_names_cache_marker_above_root(tmp_path: Path) -> None:
    # `src/__init__.py` makes `src` a package, so the other task becomes `src.app.a:run`.
    write(tmp_path, "pyproject.toml", "")
    write(tmp_path, "src/app/__init__.py", "")
    write(tmp_path, "src/app/a.py", named_task("same"))
    write(tmp_path, "src/app/jobs/b.py", named_task("same"))
    arguments = ("--select", "TSK206", "src/app/jobs/b.py")
    before = flake8(tmp_path, *arguments)

    write(tmp_path, "src/__init__.py", "")
    after = flake8(tmp_path, *arguments)

    assert "`app.a:run`" in before.stdout
    assert "`src.app.a:run`" in after.stdout, after.stdout + after.stderr


def test_project_names_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASK_LINT_CACHE_DIR", str(tmp_path / "elsewhere"))
    write(tmp_path / "project", "pyproject.toml", "")
    write(tmp_path / "project", "first.py", named_task("billing.total"))

    scan_names(tmp_path / "project")

    assert list((tmp_path / "elsewhere").glob("results-names-*.json")) != []
    assert not (tmp_path / "project" / ".task_lint_cache").exists()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 and later compile only texts that need it")
def test_plugin_compiles_every_file_before_312(tmp_path: Path) -> None:
    # The CLI compiles every file on 3.10 and 3.11, so the plugin must too, even
    # for errors that no word in the text points to.
    source = "from task_lint import task\n\nprint(sep='', sep='')\n\n\n@task\ndef f() -> None:\n    pass\n"
    write(tmp_path, "jobs.py", source)

    result = flake8(tmp_path, "--select", "TSK001", "jobs.py")

    assert [(line.line, line.code) for line in tsk(result.stdout)] == [(3, "TSK001")]
