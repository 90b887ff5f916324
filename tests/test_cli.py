"""The `task-lint` command: exit codes, file discovery, rule selection, `noqa`, configuration,
order, parallel runs, `--output`, and the `rule`, `schema` and `docs` commands.

Report formats are tested in test_cli_formats.py and the result cache in test_cli_cache.py.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import errno
import json
import os
import shlex
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_support import SAMPLE, SAMPLE_ALL, SAMPLE_DEFAULT, console_script, run_main, run_process, write_files

from task_lint.rules import RULES
from task_lint.static import checker as checker_module
from task_lint.static.checker import AUTO_JOBS_MIN_FILES, Checker
from task_lint.static.config import OFF_BY_DEFAULT, Config, DecisionEngine

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE_PROJECT = REPOSITORY / "fixtures" / "example_project"

CLEAN = '''\
from task_lint import task


@task
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b
'''


def missing_annotation(name: str) -> str:
    """Return the source of a task `name` whose parameter `x` has no annotation (TSK101 on line 5)."""
    return f"from task_lint import task\n\n\n@task\ndef {name}(x) -> int:\n    return 1\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is also the current folder, so the cache stays inside it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    return tmp_path


# --- Exit codes ----------------------------------------------------------------------


def test_clean_project_exits_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"clean.py": CLEAN})

    run = run_main(capsys, "check", "--no-cache", ".")

    assert run.code == 0
    assert run.out == ""


def test_findings_exit_one(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.code == 1
    assert run.positions() == SAMPLE_DEFAULT
    assert "Found 2 findings in 1 file." in run.err


def test_exit_zero_keeps_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--exit-zero", "tasks.py")

    assert run.code == 0
    assert run.positions() == SAMPLE_DEFAULT


def test_missing_path_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "check", "--no-cache", "nowhere.py")

    assert run.code == 2
    assert "nowhere.py" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("value", ["-1", "many"])
def test_invalid_jobs_exits_two(project: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--jobs", value, "tasks.py")

    assert run.code == 2
    assert "--jobs" in run.err
    assert run.out == ""


def test_invalid_code_prefix_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--select", "TSK-1", "tasks.py")

    assert run.code == 2
    assert "TSK-1" in run.err


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_code_prefix_matching_no_rule_exits_two(project: Path, capsys: pytest.CaptureFixture[str], option: str) -> None:
    # TSK1O1 (a letter O) would select nothing and look like a clean run.
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", option, "TSK1O1", "tasks.py")

    assert run.code == 2
    assert f"code prefix 'TSK1O1' in {option} matches no rule" in run.err


def test_code_prefix_matching_no_rule_in_pyproject(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE, "pyproject.toml": '[tool.task_lint]\nignore = ["E501"]\n'})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.code == 2
    assert "'E501'" in run.err
    assert "pyproject.toml" in run.err


def test_unknown_format_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--format", "xml", "tasks.py")

    assert run.code == 2
    assert "xml" in run.err


def test_missing_config_file_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--config", "absent.toml", "tasks.py")

    assert run.code == 2
    assert "absent.toml" in run.err


def test_console_script_exit_codes(tmp_path: Path) -> None:
    write_files(tmp_path, {"clean/clean.py": CLEAN, "dirty/tasks.py": SAMPLE})

    clean = run_process(["check", "--no-cache", "clean"], tmp_path)
    dirty = run_process(["check", "--no-cache", "dirty"], tmp_path)
    usage = run_process(["check", "--no-cache", "--select", "TSK-1", "dirty"], tmp_path)

    assert clean.code == 0
    assert dirty.code == 1
    assert usage.code == 2
    assert dirty.positions() == SAMPLE_DEFAULT


def test_module_entry_point_runs(tmp_path: Path) -> None:
    write_files(tmp_path, {"tasks.py": SAMPLE})

    completed = subprocess.run(
        [sys.executable, "-m", "task_lint.cli", "check", "--no-cache", "tasks.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 1
    assert "tasks.py:7:23: TSK101" in completed.stdout


# --- Finding files -------------------------------------------------------------------


def test_skips_tool_and_build_folders(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "app/kept.py": missing_annotation("kept"),
            ".git/in_git.py": missing_annotation("in_git"),
            ".venv/lib/in_dot_venv.py": missing_annotation("in_dot_venv"),
            "venv/lib/in_venv.py": missing_annotation("in_venv"),
            "build/lib/in_build.py": missing_annotation("in_build"),
            "node_modules/pkg/in_node_modules.py": missing_annotation("in_node_modules"),
        },
    )

    run = run_main(capsys, "check", "--no-cache", ".")

    assert [path for path, *_ in run.findings()] == ["app/kept.py"]


def test_skips_virtualenv_with_pyvenv_cfg(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "py311/lib/in_env.py": missing_annotation("in_env"),
            "py311/pyvenv.cfg": "home = /usr/bin\n",
            "tools/in_tools.py": missing_annotation("in_tools"),
        },
    )

    run = run_main(capsys, "check", "--no-cache", ".")

    assert [path for path, *_ in run.findings()] == ["tools/in_tools.py"]


def test_exclude_replaces_default_list(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "build/in_build.py": missing_annotation("in_build"),
            "migrations/in_migrations.py": missing_annotation("in_migrations"),
        },
    )

    run = run_main(capsys, "check", "--no-cache", "--exclude", "migrations", ".")

    assert [path for path, *_ in run.findings()] == ["build/in_build.py"]


def test_extend_exclude_glob(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "app/handwritten.py": missing_annotation("handwritten"),
            "app/gen_models.py": missing_annotation("gen_models"),
            "gen_out/tasks_out.py": missing_annotation("tasks_out"),
            "build/in_build.py": missing_annotation("in_build"),
        },
    )

    run = run_main(capsys, "check", "--no-cache", "--extend-exclude", "gen_*", ".")

    assert [path for path, *_ in run.findings()] == ["app/handwritten.py"]


def test_extend_exclude_relative_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "app/legacy.py": missing_annotation("legacy"),
            "app/current.py": missing_annotation("current"),
            "other/app/legacy.py": missing_annotation("other_legacy"),
        },
    )

    run = run_main(capsys, "check", "--no-cache", "--extend-exclude", "app/legacy.py", ".")

    assert [path for path, *_ in run.findings()] == ["app/current.py", "other/app/legacy.py"]


def test_reads_only_python_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"notes.txt": missing_annotation("notes"), "real.py": missing_annotation("real")})

    run = run_main(capsys, "check", "--no-cache", ".")

    assert [path for path, *_ in run.findings()] == ["real.py"]


def test_mixes_files_and_folders(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "single.py": missing_annotation("single"),
            "pkg/one.py": missing_annotation("one"),
            "skipped/two.py": missing_annotation("two"),
        },
    )

    run = run_main(capsys, "check", "--no-cache", "single.py", "pkg")

    assert [path for path, *_ in run.findings()] == ["pkg/one.py", "single.py"]


def test_task_decorators_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "jobs.py": """\
            from celery import shared_task


            @shared_task
            def send(to) -> None:
                pass
            """
        },
    )

    without = run_main(capsys, "check", "--no-cache", "jobs.py")
    with_option = run_main(capsys, "check", "--no-cache", "--task-decorators", "celery.shared_task", "jobs.py")

    assert without.code == 0
    assert with_option.positions() == [(5, 10, "TSK101")]


# --- Rule selection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param([], SAMPLE_DEFAULT, id="default leaves opt-in rules off"),
        pytest.param(["--select", "TSK"], SAMPLE_ALL, id="select TSK turns opt-in rules on"),
        pytest.param(["--select", "TSK1"], SAMPLE_DEFAULT, id="select a family"),
        pytest.param(["--select", "TSK101"], [(7, 23, "TSK101")], id="select one code"),
        pytest.param(
            ["--extend-select", "TSK901"], [(7, 1, "TSK102"), (7, 1, "TSK901"), (7, 23, "TSK101")], id="extend-select"
        ),
        pytest.param(["--extend-ignore", "TSK101"], [(7, 1, "TSK102")], id="extend-ignore"),
        pytest.param(["--extend-ignore", "TSK1"], [], id="extend-ignore a family"),
        # As in flake8, --ignore replaces the default ignore list, which contains the opt-in rules.
        pytest.param(
            ["--ignore", "TSK101"],
            [(7, 1, "TSK102"), (7, 1, "TSK901"), (7, 39, "TSK902")],
            id="ignore replaces defaults",
        ),
        pytest.param(["--select", "TSK10", "--ignore", "TSK1"], SAMPLE_DEFAULT, id="longer select wins"),
        pytest.param(["--select", "TSK1", "--ignore", "TSK10"], [], id="longer ignore wins"),
        pytest.param(["--select", "TSK101", "--ignore", "TSK10"], [(7, 23, "TSK101")], id="exact code wins"),
        pytest.param(
            ["--extend-select", "TSK9", "--extend-ignore", "TSK902"],
            [(7, 1, "TSK102"), (7, 1, "TSK901"), (7, 23, "TSK101")],
            id="longer extend-ignore wins",
        ),
        pytest.param(["--select", "TSK1,TSK902"], [*SAMPLE_DEFAULT, (7, 39, "TSK902")], id="comma-separated list"),
    ],
)
def test_selection_options(
    project: Path, capsys: pytest.CaptureFixture[str], options: list[str], expected: list[tuple[int, int, str]]
) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", *options, "tasks.py")

    assert run.positions() == sorted(expected)
    assert run.code == (1 if expected else 0)


SELECTION_CASES = [
    {},
    {"select": ["TSK"]},
    {"select": ["TSK1"]},
    {"select": ["TSK9"]},
    {"ignore": ["TSK101"]},
    {"ignore": ["TSK9"]},
    {"extend_select": ["TSK901"]},
    {"extend_select": ["TSK9"], "extend_ignore": ["TSK902"]},
    {"extend_ignore": ["TSK1", "TSK3"]},
    {"select": ["TSK10"], "ignore": ["TSK1"]},
    {"select": ["TSK1"], "ignore": ["TSK10"]},
    {"select": ["TSK"], "ignore": ["TSK9"], "extend_select": ["TSK902"]},
    {"select": ["TSK2"], "extend_select": ["TSK101"], "extend_ignore": ["TSK20"]},
    {"ignore": ["TSK"], "extend_select": ["TSK3"]},
]


@pytest.mark.parametrize("options", SELECTION_CASES, ids=lambda options: repr(options) or "defaults")
def test_decisions_match_flake8(options: dict[str, list[str]]) -> None:
    flake8_style_guide = pytest.importorskip("flake8.style_guide")
    namespace = argparse.Namespace(
        select=options.get("select"),
        ignore=options.get("ignore"),
        extend_select=options.get("extend_select", []),
        extend_ignore=options.get("extend_ignore", []),
        # flake8's defaults once task_lint's plugin is registered under `TSK`.
        extended_default_select=["TSK"],
        extended_default_ignore=list(OFF_BY_DEFAULT),
    )
    flake8_engine = flake8_style_guide.DecisionEngine(namespace)
    config = Config(**{key: tuple(value) for key, value in options.items()})
    ours = DecisionEngine(config)

    for rule in RULES:
        expected = flake8_engine.decision_for(rule.code) is flake8_style_guide.Decision.Selected
        assert ours.is_selected(rule.code) == expected, rule.code


# --- noqa ----------------------------------------------------------------------------

NOQA_TASK = """\
from task_lint import task


@task
def resize(path: str, width):{comment}
    return path
"""


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        pytest.param("", ["TSK102", "TSK101"], id="no comment"),
        pytest.param("  # noqa", [], id="bare"),
        pytest.param("  # NOQA", [], id="upper case"),
        pytest.param("  # noqa: TSK101", ["TSK102"], id="one code"),
        pytest.param("  # noqa:TSK101,TSK102", [], id="two codes without spaces"),
        pytest.param("  # noqa: TSK102, TSK101", [], id="two codes with spaces"),
        pytest.param("  # noqa: TSK1", [], id="prefix"),
        pytest.param("  # noqa: TSK10", [], id="longer prefix"),
        pytest.param("  # noqa: E501", ["TSK102", "TSK101"], id="other code"),
        pytest.param("  # noqa: E501,TSK102", ["TSK101"], id="other code and ours"),
        pytest.param("  # type: ignore  # noqa: TSK101", ["TSK102"], id="after another comment"),
        # flake8 compares codes case-sensitively, so a lower-case code hides nothing.
        pytest.param("  # noqa: tsk101", ["TSK102", "TSK101"], id="lower-case code"),
    ],
)
def test_noqa_comment_forms(
    project: Path, capsys: pytest.CaptureFixture[str], comment: str, expected: list[str]
) -> None:
    write_files(project, {"tasks.py": NOQA_TASK.format(comment=comment)})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.codes() == expected


@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\x85", "\u2028"])
def test_lines_after_separator_characters(project: Path, capsys: pytest.CaptureFixture[str], separator: str) -> None:
    # Python ends lines only at \n, \r\n and \r. A form feed (a page break in old
    # code) and the other separators that `str.splitlines` splits on do not count.
    source = (
        f"from task_lint import task\n# page{separator}break\n\n@task\n"
        "def résumé(x, y) -> int:  # noqa: TSK101\n    return 1\n\n"
        "@task\ndef café(x) -> int:\n    return 1\n"
    )
    (project / "tasks.py").write_text(source, encoding="utf-8")

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == [(9, 10, "TSK101")]


def test_noqa_on_other_line_ignored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "tasks.py": """\
            from task_lint import task  # noqa


            @task  # noqa
            def resize(path: str, width):
                return path  # noqa
            """
        },
    )

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.codes() == ["TSK102", "TSK101"]


def test_noqa_covers_backslash_continuation(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "tasks.py": """\
            from task_lint import task


            @task
            def resize(path: str, \\
                       width):  # noqa: TSK102
                return path
            """
        },
    )

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == [(6, 12, "TSK101")]


def test_noqa_covers_multiline_string(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "tasks.py": '''\
            from task_lint import task


            @task
            def resize(path: str, width, note: str = """
            """):  # noqa: TSK102
                return path
            '''
        },
    )

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == [(5, 23, "TSK101")]


def test_noqa_after_bracketed_def(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # flake8 joins lines for `noqa` only across backslashes and multi-line strings.
    # Inside brackets each physical line is separate, so this `noqa` covers line 7 only.
    write_files(
        project,
        {
            "tasks.py": """\
            from task_lint import task


            @task
            def resize(
                path: str,
                width,
            ):  # noqa: TSK101, TSK102
                return path
            """
        },
    )

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == [(5, 1, "TSK102"), (7, 5, "TSK101")]


@pytest.mark.parametrize(
    "line",
    ["# flake8: noqa", "# FLAKE8: NOQA", "# flake8=noqa", "  # flake8: noqa", "# flake8: noqa: TSK101"],
)
def test_file_noqa_hides_everything(project: Path, capsys: pytest.CaptureFixture[str], line: str) -> None:
    write_files(project, {"tasks.py": SAMPLE + line + "\n"})

    run = run_main(capsys, "check", "--no-cache", "--select", "TSK", "tasks.py")

    assert run.code == 0
    assert run.out == ""


def test_file_noqa_after_code_ignored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE + "value = 1  # flake8: noqa\n"})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == SAMPLE_DEFAULT


def test_noqa_matches_flake8(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    forms = [
        "",
        "  # noqa",
        "  # NOQA",
        "  # noqa: TSK101",
        "  # noqa:TSK101,TSK102",
        "  # noqa: TSK1",
        "  # noqa: E501",
        "  # noqa : TSK101",
        "  # noqa: tsk101",
        "  # noqa:TSK102 TSK101",
    ]
    lines = ["from typing import Any", "from task_lint import task", ""]
    for number, comment in enumerate(forms):
        lines += ["", "@task", f"def resize_{number}(path: Any, width):{comment}", "    return path", ""]
    lines += [
        "",
        "@task",
        "def bracketed(",
        "    path: Any,",
        "    width,",
        "):  # noqa: TSK101",
        "    return path",
    ]
    write_files(tmp_path, {"tasks.py": "\n".join(lines) + "\n"})

    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "TSK", "tasks.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    ours = run_process(["check", "--no-cache", "--select", "TSK", "tasks.py"], tmp_path)

    assert flake8.stderr == ""
    assert ours.out.splitlines() == flake8.stdout.splitlines()


# --- pyproject.toml ------------------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        pytest.param('extend-select = ["TSK901", "TSK902"]', id="list with dashes"),
        pytest.param('extend_select = ["TSK901", "TSK902"]', id="list with underscores"),
        pytest.param('extend-select = "TSK901, TSK902"', id="comma-separated string"),
        pytest.param('extend_select = "TSK901,TSK902"', id="string without spaces"),
        pytest.param('select = ["TSK"]', id="select"),
    ],
)
def test_pyproject_select_values(project: Path, capsys: pytest.CaptureFixture[str], setting: str) -> None:
    write_files(project, {"pyproject.toml": f"[tool.task_lint]\n{setting}\n", "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == SAMPLE_ALL


@pytest.mark.parametrize("key", ["extend-ignore", "extend_ignore"])
def test_pyproject_ignore_spellings(project: Path, capsys: pytest.CaptureFixture[str], key: str) -> None:
    write_files(project, {"pyproject.toml": f'[tool.task_lint]\n{key} = ["TSK102"]\n', "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.positions() == [(7, 23, "TSK101")]


def test_pyproject_unknown_key_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"pyproject.toml": '[tool.task_lint]\nselect-codes = ["TSK1"]\n', "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.code == 2
    assert "select-codes" in run.err
    assert run.out == ""


def test_pyproject_invalid_toml_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"pyproject.toml": '[tool.task_lint\nselect = ["TSK1"]\n', "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.code == 2
    assert str(project / "pyproject.toml") in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    "setting",
    ["select = 5", 'select = ["TSK 1"]', "jobs = -1", "jobs = true", 'format = "xml"', "format = 1"],
)
def test_pyproject_invalid_value_exits_two(project: Path, capsys: pytest.CaptureFixture[str], setting: str) -> None:
    write_files(project, {"pyproject.toml": f"[tool.task_lint]\n{setting}\n", "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.code == 2
    assert setting.split(" =", maxsplit=1)[0] in run.err


def test_command_line_overrides_pyproject(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"pyproject.toml": '[tool.task_lint]\nselect = ["TSK101"]\n', "tasks.py": SAMPLE})

    from_file = run_main(capsys, "check", "--no-cache", "tasks.py")
    overridden = run_main(capsys, "check", "--no-cache", "--select", "TSK102", "tasks.py")

    assert from_file.codes() == ["TSK101"]
    assert overridden.codes() == ["TSK102"]


def test_pyproject_found_above_checked_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {"repo/pyproject.toml": '[tool.task_lint]\nextend-ignore = ["TSK101"]\n', "repo/src/app/tasks.py": SAMPLE},
    )

    run = run_main(capsys, "check", "--no-cache", "repo/src")

    assert run.codes() == ["TSK102"]


def test_config_option_names_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"settings/lint.toml": '[tool.task_lint]\nselect = ["TSK101"]\n', "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--config", "settings/lint.toml", "tasks.py")

    assert run.codes() == ["TSK101"]


def test_pyproject_exclude_and_decorators(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {
            "pyproject.toml": """\
            [tool.task_lint]
            task-decorators = "celery.shared_task"
            extend-exclude = ["app/legacy"]
            """,
            "app/jobs.py": "from celery import shared_task\n\n\n@shared_task\ndef send(to) -> None:\n    pass\n",
            "app/legacy/old.py": missing_annotation("old"),
        },
    )

    # Run from a subfolder: a pattern with a slash is relative to the pyproject.toml.
    (project / "app").joinpath("inner").mkdir()
    inner = project / "app" / "inner"
    run = run_main(capsys, "check", "--no-cache", str(project))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(inner)
        from_inner = run_main(capsys, "check", "--no-cache", str(project))

    assert run.findings() == [(str(project / "app" / "jobs.py"), 5, 10, "TSK101")]
    assert from_inner.findings() == run.findings()


def test_pyproject_format_and_jobs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"pyproject.toml": '[tool.task_lint]\nformat = "json"\njobs = 2\n', "tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert [entry["code"] for entry in json.loads(run.out)] == ["TSK102", "TSK101"]


# --- Order and parallel runs ---------------------------------------------------------


def several_files(root: Path) -> None:
    """Write a project of several packages whose findings interleave by path, line and column."""
    files = {
        "pkg/__init__.py": "",
        "pkg/models.py": """\
        from dataclasses import dataclass


        @dataclass
        class Item:
            name: str
        """,
        "zeta.py": SAMPLE,
        "alpha.py": missing_annotation("alpha"),
        "pkg/b_tasks.py": """\
        from task_lint import task

        from pkg.models import Item


        @task(name="shared")
        def first(item: Item, count, *rest: int):
            return item


        @task
        def second(a, b, c=[]) -> int:
            return 1
        """,
        "pkg/a_tasks.py": """\
        from collections.abc import Callable

        from task_lint import task


        @task(name="shared")
        def third(callback: Callable[[int], int], /) -> int:
            return 1
        """,
    }
    for number in range(6):
        files[f"pkg/gen_{number}.py"] = missing_annotation(f"generated_{number}")
    write_files(root, files)


def test_order_is_path_line_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    several_files(project)

    run = run_main(capsys, "check", "--no-cache", ".")
    findings = run.findings()

    assert len(findings) > 10
    assert findings == sorted(findings)


def test_same_output_twice(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    several_files(project)

    first = run_main(capsys, "check", "--no-cache", ".")
    second = run_main(capsys, "check", "--no-cache", ".")

    assert first.out == second.out


def test_argument_order_irrelevant(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    several_files(project)

    forward = run_main(capsys, "check", "--no-cache", "alpha.py", "pkg", "zeta.py")
    backward = run_main(capsys, "check", "--no-cache", "zeta.py", "pkg", "alpha.py")

    assert forward.out == backward.out


def test_same_file_twice_reported_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "tasks.py", "./tasks.py", ".")

    assert run.positions() == SAMPLE_DEFAULT


@pytest.mark.parametrize("jobs", ["2", "3", "0"])
def test_jobs_match_serial_run(project: Path, capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    several_files(project)

    serial = run_main(capsys, "check", "--no-cache", "--jobs", "1", ".")
    parallel = run_main(capsys, "check", "--no-cache", "--jobs", jobs, ".")

    assert "TSK206" in serial.codes()
    assert parallel.out == serial.out
    assert parallel.code == serial.code


def many_files(root: Path, count: int) -> None:
    several_files(root)
    write_files(root, {f"many/m{number:03d}.py": missing_annotation(f"task_{number}") for number in range(count)})


def test_default_jobs_match_serial_run(project: Path) -> None:
    # Enough files to analyse that the default runs one process per CPU.
    many_files(project, AUTO_JOBS_MIN_FILES)

    serial = run_process(["check", "--no-cache", "--jobs", "1", "."], cwd=project)
    default = run_process(["check", "--no-cache", "."], cwd=project)

    assert serial.code == 1
    assert default.err == serial.err
    assert default.out == serial.out


JOB_FROM_HELPER = "from {module} import job\n\n\n@job\ndef {name}(x) -> int:\n    return 1\n"


def two_roots_project(root: Path, scripts: int = 1) -> None:
    """Write `src/app` (root `src`) with a re-exported decorator, and scripts (their own root) that import it."""
    files = {
        "pyproject.toml": "",
        "src/app/__init__.py": "",
        "src/app/jobs.py": "from task_lint import task as job\n",
        "src/app/ns/inner.py": JOB_FROM_HELPER.format(module="app.jobs", name="in_namespace"),
        "src/app/pkg/__init__.py": "",
        "src/app/pkg/outer.py": JOB_FROM_HELPER.format(module="app.jobs", name="in_package"),
    }
    for number in range(scripts):
        files[f"scripts/s{number:03d}.py"] = JOB_FROM_HELPER.format(module="app.jobs", name=f"script_{number}")
    write_files(root, files)


def test_path_order_does_not_change_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `app/ns` has no `__init__.py`, so it is a namespace package inside `app`, and
    # the script finds `app` only under the root of the other files.
    two_roots_project(project)
    paths = ["scripts/s000.py", "src/app/ns/inner.py", "src/app/pkg/outer.py"]

    runs = [run_main(capsys, "check", "--no-cache", *order) for order in (paths, paths[::-1], paths[1:] + paths[:1])]

    assert runs[0].out.count("TSK101") == 3
    assert runs[1].out == runs[0].out
    assert runs[2].out == runs[0].out


def test_jobs_match_serial_run_across_roots(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two_roots_project(project, scripts=40)

    serial = run_main(capsys, "check", "--no-cache", "--jobs", "1", "scripts", "src")
    parallel = run_main(capsys, "check", "--no-cache", "--jobs", "2", "scripts", "src")
    reversed_paths = run_main(capsys, "check", "--no-cache", "--jobs", "2", "src", "scripts")

    assert serial.out.count("TSK101") == 42
    assert parallel.out == serial.out
    assert reversed_paths.out == serial.out


def test_namespace_folder_named_as_python(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two_roots_project(project)

    run = run_main(capsys, "schema", "src")

    assert sorted(json.loads(run.out)) == ["app.ns.inner:in_namespace", "app.pkg.outer:in_package"]


@pytest.mark.parametrize(("count", "jobs"), [(2000, 2), (64, 2), (10, 2), (3, 2), (1, 2), (100, 4), (500, 7)])
def test_chunks_shrink_towards_the_end(count: int, jobs: int) -> None:
    work = [(f"m{number}.py", number % 3 == 0) for number in range(count)]

    chunks = checker_module._chunks(work, jobs)

    assert [item for chunk in chunks for item in chunk] == work
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] <= max(checker_module.MIN_CHUNK, count // (jobs * 4), -(-count // jobs))
    # The last chunk of each process is small, so that no process waits long for another.
    assert all(size <= checker_module.MIN_CHUNK for size in sizes[-jobs:])
    if count >= jobs:
        assert len(chunks) >= jobs


@pytest.mark.parametrize("jobs", [3, 100_000])
def test_jobs_at_most_one_per_cpu(project: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    many_files(project, 8)
    started: list[int] = []

    class RecordingPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, max_workers: int, **options: Any) -> None:
            started.append(max_workers)
            # Start two workers whatever the request, so that a regression fails this test
            # instead of starting a hundred thousand processes.
            super().__init__(min(max_workers, 2), **options)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(checker_module, "cpu_count", lambda: 2)
    serial = Checker(Config(), jobs=1).check(["."])

    parallel = Checker(Config(), jobs=jobs).check(["."])

    assert started == [2]
    assert parallel.findings == serial.findings


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_console_script_writes_whole_report(
    project: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    # The console script flushes and then ends its process without the interpreter's
    # clean-up, so a report larger than a pipe's buffer must still arrive whole.
    many_files(project, 900)
    in_process = run_main(capsys, "check", "--no-cache", "--format", output_format, ".")

    console = run_process(["check", "--no-cache", "--format", output_format, "."], cwd=project)
    cached_once = run_process(["check", "--format", output_format, "."], cwd=project)
    cached_twice = run_process(["check", "--format", output_format, "."], cwd=project)

    assert len(in_process.out) > 65536
    assert (console.code, console.out) == (in_process.code, in_process.out)
    assert cached_once.out == cached_twice.out == in_process.out
    assert (project / ".task_lint_cache").is_dir()


def test_output_dash_is_stdout(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    several_files(project)
    plain = run_main(capsys, "check", "--no-cache", ".")

    dash = run_main(capsys, "check", "--no-cache", "--output", "-", ".")

    assert (dash.code, dash.out, dash.err) == (plain.code, plain.out, plain.err)
    assert not (project / "-").exists()


def test_closed_reader_keeps_exit_code(project: Path) -> None:
    # The reader stops after 100 bytes of a long report. The check still exits with 1
    # for its findings, wherever its standard error goes.
    many_files(project, 900)
    check = subprocess.Popen(
        [console_script(), "check", "--no-cache", "."],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert check.stdout is not None
    start = check.stdout.read(100)
    check.stdout.close()

    assert check.wait(timeout=120) == 1
    assert len(start) == 100


def test_console_script_survives_closed_reader(project: Path) -> None:
    many_files(project, 400)

    # `head -c 100` closes the pipe long before the report ends.
    pipeline = subprocess.run(
        f"{shlex.quote(console_script())} check --no-cache . | head -c 100",
        shell=True,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )

    assert len(pipeline.stdout) == 100
    assert "Traceback" not in pipeline.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("command", [["check", "--no-cache", "."], ["rule", "TSK101"], ["schema", "."]])
def test_full_disk_one_error_line(project: Path, command: list[str]) -> None:
    several_files(project)

    with open("/dev/full", "w", encoding="utf-8") as full:
        completed = subprocess.run(
            [console_script(), *command], cwd=project, stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "No space left on device" in completed.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 1 with a POSIX shell")
@pytest.mark.parametrize("command", [["check", "--no-cache", "."], ["schema", "."], ["docs", "."], ["rule", "TSK101"]])
def test_closed_standard_output_one_error_line(project: Path, command: list[str]) -> None:
    # With file descriptor 1 closed, Python starts with sys.stdout set to None.
    several_files(project)

    completed = run_without_stdout(project, command)

    assert completed.returncode == 2
    assert completed.stderr == f"task-lint: error: standard output: {os.strerror(errno.EBADF)}\n"


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 1 with a POSIX shell")
def test_closed_standard_output_with_output_file(project: Path) -> None:
    several_files(project)

    completed = run_without_stdout(project, ["check", "--no-cache", "--output", "report.txt", "."])

    assert completed.returncode == 1
    assert completed.stderr == ""
    assert "TSK101" in (project / "report.txt").read_text(encoding="utf-8")


def run_without_stdout(cwd: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run task-lint with file descriptor 1 closed (`>&-`)."""
    line = " ".join(shlex.quote(part) for part in [console_script(), *command])
    return subprocess.run(
        ["sh", "-c", line + " >&-"], cwd=cwd, stderr=subprocess.PIPE, text=True, timeout=60, check=False
    )


def child_processes(parent: int) -> list[int]:
    """Return the ids of the processes whose parent is `parent`, read from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(entry))
    return children


def is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table from /proc")
def test_workers_end_with_killed_parent(project: Path) -> None:
    # A supervisor or the out-of-memory killer may kill the check itself. Its
    # worker processes must not wait for work forever.
    task = "\n\n@task\ndef task_{n}(a: int, b: list[str], c=None) -> dict[str, int]:\n    return {{}}\n"
    tasks = "".join(task.format(n=n) for n in range(40))
    write_files(project, {f"many/m{n:03d}.py": "from task_lint import task\n" + tasks for n in range(400)})
    check = subprocess.Popen(
        [console_script(), "check", "--no-cache", "--jobs", "2", "."],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    workers: list[int] = []
    while not workers and check.poll() is None and time.monotonic() < deadline:
        workers = child_processes(check.pid)
        time.sleep(0.01)
    if not workers:
        check.wait()
        pytest.skip("the check ended before its workers could be seen")

    check.kill()
    check.wait()
    deadline = time.monotonic() + 10
    while any(is_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert [pid for pid in workers if is_running(pid)] == []


@pytest.mark.parametrize("threaded", [False, True])
def test_processes_start_beside_threads(project: Path, threaded: bool) -> None:
    # A host with threads (a language server, a test runner) gets spawned workers,
    # not forked ones, which could inherit a held lock.
    many_files(project, 8)
    serial = Checker(Config(), jobs=1).check(["."])
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    if threaded:
        helper.start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parallel = Checker(Config(), jobs=2).check(["."])
    finally:
        stop.set()
        if threaded:
            helper.join()

    assert [str(warning.message) for warning in caught if "fork" in str(warning.message)] == []
    assert parallel.findings == serial.findings
    assert len(serial.findings) > 8


# --- Duplicate names across the project --------------------------------------------

NAMED_TASK = """\
from task_lint import task


@task(name="billing.total")
def total(amount: int) -> int:
    \"\"\"Add up.\"\"\"
    return amount
"""

DUPLICATE = "pk/two.py:5:1: TSK206 task name `billing.total` is also used by `pk.one:total` at pk/one.py:5\n"
# Checked alone, the file with the first definition gets the finding, naming the later one.
DUPLICATE_AT_FIRST = "pk/one.py:5:1: TSK206 task name `billing.total` is also used by `pk.two:total` at pk/two.py:5\n"


def test_duplicate_found_checking_either_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A pre-commit hook passes only the changed files; the unchanged one still counts.
    write_files(project, {"pyproject.toml": "", "pk/__init__.py": "", "pk/one.py": NAMED_TASK, "pk/two.py": NAMED_TASK})

    whole = run_main(capsys, "check", "--no-cache", ".")
    later = run_main(capsys, "check", "--no-cache", "pk/two.py")
    absolute = run_main(capsys, "check", "--no-cache", str(project / "pk" / "two.py"))
    earlier = run_main(capsys, "check", "--no-cache", "pk/one.py")

    assert whole.out == later.out == DUPLICATE
    assert absolute.out == DUPLICATE.replace("pk/two.py", str(project / "pk" / "two.py"), 1)
    assert (earlier.code, earlier.out) == (1, DUPLICATE_AT_FIRST)


def test_cached_run_of_other_files_not_replayed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Checking one.py reads two.py for the duplicate-name rule, and the other way
    # round: the two runs read the same files but report on different ones.
    write_files(project, {"pyproject.toml": "", "pk/__init__.py": "", "pk/one.py": NAMED_TASK, "pk/two.py": NAMED_TASK})

    earlier = run_main(capsys, "check", "pk/one.py")
    later = run_main(capsys, "check", "pk/two.py")
    earlier_again = run_main(capsys, "check", "pk/one.py")

    assert (earlier.code, earlier.out) == (1, DUPLICATE_AT_FIRST)
    assert later.out == DUPLICATE
    assert (earlier_again.code, earlier_again.out) == (1, DUPLICATE_AT_FIRST)


def test_cached_file_reported_under_this_runs_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"pyproject.toml": "", "pk/__init__.py": "", "pk/one.py": NAMED_TASK, "pk/two.py": NAMED_TASK})
    absolute = str(project / "pk" / "two.py")

    first = run_main(capsys, "check", absolute)
    relative = run_main(capsys, "check", "pk/two.py")

    assert first.out == DUPLICATE.replace("pk/two.py", absolute, 1)
    assert relative.out == DUPLICATE


def test_folder_without_a_project_is_not_scanned(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"alpha.py": NAMED_TASK, "loose/two.py": NAMED_TASK})

    run = run_main(capsys, "check", "--no-cache", "loose/two.py")
    configured = run_main(capsys, "check", "--no-cache", "--source-root", ".", "loose/two.py")

    assert (run.code, run.out) == (0, "")
    assert "TSK206" in configured.out


def test_cached_rerun_after_rename_elsewhere(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {".git/HEAD": "", "pk/__init__.py": "", "pk/one.py": NAMED_TASK, "pk/two.py": NAMED_TASK})
    assert run_main(capsys, "check", "pk/two.py").out == DUPLICATE

    write_files(project, {"pk/one.py": NAMED_TASK.replace("billing.total", "billing.sum")})
    rerun = run_main(capsys, "check", "pk/two.py")

    assert (rerun.code, rerun.out) == (0, "")


# --- --output ------------------------------------------------------------------------


def test_output_writes_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--output", "report.txt", "tasks.py")
    on_stdout = run_main(capsys, "check", "--no-cache", "tasks.py")

    assert run.code == 1
    assert run.out == ""
    assert (project / "report.txt").read_text(encoding="utf-8") == on_stdout.out


def test_output_creates_missing_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--format", "json", "--output", "reports/ci/out.json", "tasks.py")

    assert run.code == 1
    assert len(json.loads((project / "reports" / "ci" / "out.json").read_text(encoding="utf-8"))) == 2


def test_output_replaces_whole_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE, "report.txt": "old line\n" * 1000})

    run_main(capsys, "check", "--no-cache", "--output", "report.txt", "tasks.py")

    assert (project / "report.txt").read_text(encoding="utf-8").count("\n") == 2
    assert sorted(path.name for path in project.iterdir()) == ["report.txt", "tasks.py"]


def test_output_uncreatable_folder_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE, "blocker": "a file, not a folder\n"})

    run = run_main(capsys, "check", "--no-cache", "--output", "blocker/reports/out.txt", "tasks.py")

    assert run.code == 2
    assert "blocker/reports/out.txt" in run.err
    assert (project / "blocker").read_text(encoding="utf-8") == "a file, not a folder\n"
    assert sorted(path.name for path in project.iterdir()) == ["blocker", "tasks.py"]


def test_output_onto_folder_exits_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})
    (project / "out").mkdir()

    run = run_main(capsys, "check", "--no-cache", "--output", "out", "tasks.py")

    assert run.code == 2
    assert list((project / "out").iterdir()) == []
    assert sorted(path.name for path in project.iterdir()) == ["out", "tasks.py"]


# --- task-lint rule ------------------------------------------------------------------


def test_rule_prints_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "rule", "TSK101")
    first_line = run.out.splitlines()[0]

    assert run.code == 0
    assert first_line == "TSK101 missing-parameter-annotation (on by default)"
    assert "Message: parameter `{param}` of task `{task}` has no type annotation" in run.out
    assert "Example:\n    @task\n    def resize(path: str, width):" in run.out
    assert "Fix:\n    @task\n    def resize(path: str, width: int):" in run.out


def test_rule_accepts_name_and_lower_case(capsys: pytest.CaptureFixture[str]) -> None:
    by_code = run_main(capsys, "rule", "TSK301")
    by_name = run_main(capsys, "rule", "unserializable-type")
    lower = run_main(capsys, "rule", "tsk301")

    assert by_name.out == by_code.out
    assert lower.out == by_code.out


def test_rule_marks_opt_in_rules(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "rule", "TSK901")

    assert "off by default" in run.out.splitlines()[0]
    assert "--extend-select TSK901" in run.out.splitlines()[0]


def test_rule_all_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "rule", "--all")
    headings = [line.split()[0] for line in run.out.splitlines() if line.startswith("TSK")]

    assert run.code == 0
    assert headings == [rule.code for rule in RULES]


def test_rule_output_has_no_trailing_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "rule", "--all")

    assert [line for line in run.out.splitlines() if line != line.rstrip()] == []


def test_rule_unknown_code_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "rule", "TSK555")

    assert run.code == 2
    assert "TSK555" in run.err
    assert "TSK101" in run.err
    assert run.out == ""


def test_rule_without_code_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "rule")

    assert run.code == 2
    assert "--all" in run.err


# --- task-lint schema and docs -------------------------------------------------------


def test_schema_of_example_project(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "schema", str(EXAMPLE_PROJECT))
    schemas = json.loads(run.out)

    assert run.code == 0
    assert list(schemas) == sorted(schemas)
    assert "shop.billing:charge_card" in schemas
    assert "shop.problems:scale_price" in schemas
    assert "shop.maintenance:RotateLogs" in schemas
    for name, schema in schemas.items():
        assert ":" in name
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object", name


def test_schema_validates_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_main(capsys, "schema", str(EXAMPLE_PROJECT))
    schema = json.loads(run.out)["shop.problems:tag_products"]
    validator = jsonschema.Draft202012Validator(schema)

    assert validator.is_valid({"skus": ["a", "b"], "tags": ["sale"]})
    assert not validator.is_valid({"skus": "not a list", "tags": []})


def test_schema_of_one_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"clean.py": CLEAN})

    run = run_main(capsys, "schema", "clean.py")
    schemas = json.loads(run.out)

    assert list(schemas) == ["clean:add"]
    assert schemas["clean:add"]["properties"]["a"]["type"] == "integer"
    assert schemas["clean:add"]["required"] == ["a", "b"]


def test_schema_never_runs_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = project / "ran.txt"
    write_files(
        project,
        {
            "loud.py": f"""\
            from pathlib import Path

            from task_lint import task

            Path({str(marker)!r}).write_text("imported")


            @task
            def add(a: int, b: int = len(Path({str(marker)!r}).write_text("default"))) -> int:
                return a + b
            """
        },
    )

    schema = run_main(capsys, "schema", "loud.py")
    docs = run_main(capsys, "docs", "loud.py")

    assert schema.code == 0
    assert docs.code == 0
    assert not marker.exists()


def test_schema_reports_unparsable_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"clean.py": CLEAN, "broken.py": "from task_lint import task\n\ndef oops(:\n"})

    run = run_main(capsys, "schema", ".")

    assert run.code == 1
    assert list(json.loads(run.out)) == ["clean:add"]
    assert "broken.py:3:" in run.err
    assert "TSK001" in run.err


def test_docs_of_example_project(capsys: pytest.CaptureFixture[str]) -> None:
    schema = run_main(capsys, "schema", str(EXAMPLE_PROJECT))
    docs = run_main(capsys, "docs", str(EXAMPLE_PROJECT))

    assert docs.code == 0
    assert docs.out.splitlines()[0] == "# Tasks"
    for name in json.loads(schema.out):
        assert f"`{name}`" in docs.out


def test_docs_title_and_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"clean.py": CLEAN})

    run = run_main(capsys, "docs", "--title", "Math tasks", "--output", "docs/TASKS.md", "clean.py")
    text = (project / "docs" / "TASKS.md").read_text(encoding="utf-8")

    assert run.code == 0
    assert run.out == ""
    assert text.splitlines()[0] == "# Math tasks"
    assert "Add two numbers." in text


def test_schema_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"clean.py": CLEAN})

    run = run_main(capsys, "schema", "--output", "schema.json", "clean.py")

    assert run.code == 0
    assert list(json.loads((project / "schema.json").read_text(encoding="utf-8"))) == ["clean:add"]


def test_console_script_schema_and_docs(tmp_path: Path) -> None:
    schema = run_process(["schema", str(EXAMPLE_PROJECT)], tmp_path)
    docs = run_process(["docs", str(EXAMPLE_PROJECT)], tmp_path)

    assert schema.code == 0
    assert docs.code == 0
    assert len(json.loads(schema.out)) == docs.out.count("\n## ")


# --- The console script --------------------------------------------------------------

GC_PROBE = '''\
import gc

from task_lint import task


@task
def collector_enabled() -> bool:
    """Tell whether the garbage collector runs in this process."""
    return gc.isenabled()
'''

# Runs `task-lint` the way its console script does, and reports the collector's state after the command.
CONSOLE = """\
import gc, sys
import task_lint.cli as cli
sys.argv = ["task-lint", *sys.argv[1:]]
command = cli.main
def main(argv):
    code = command(argv)
    print("collector enabled:", gc.isenabled(), file=sys.stderr)
    return code
cli.main = main
cli.console_main()
"""


def test_console_script_pauses_collector_for_analysis(project: Path) -> None:
    write_files(project, {"probe_gc.py": GC_PROBE})

    checked = subprocess.run(
        [sys.executable, "-c", CONSOLE, "check", "--no-cache", "probe_gc.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    ran = run_process(["run", "probe_gc:collector_enabled", "--source-root", ".", "--input", "{}"], project)

    assert checked.returncode == 0, checked.stderr
    assert "collector enabled: False" in checked.stderr
    assert (ran.code, json.loads(ran.out)) == (0, {"ok": True, "result": True})
