"""Every rule of the static checker, run on the small case files in tests/static_cases.

Each case is one file, or one package folder for cases that resolve names across
modules. A comment `# expect: TSK101:23` on a line lists the findings expected there,
by code and 1-based column in characters; a line may list several. A first-line
comment `# task-lint-config: extend-select=TSK901; task-decorators=celery.shared_task`
sets configuration options for that case.
"""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

import pytest

from task_lint.rules import RULES
from task_lint.static.checker import Checker
from task_lint.static.config import Config

CASES_DIR = Path(__file__).parent / "static_cases"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file())

_EXPECT = re.compile(r"#\s*expect:\s*(?P<findings>(?:TSK\d{3}:\d+\s*)+)$")
_CONFIG = re.compile(r"#\s*task-lint-config:\s*(?P<options>.+)$")

# Unreadable files and internal failures are not rules about tasks, and only
# `task-lint workers` reports TSK501.
NOT_IN_CASES = {"TSK001", "TSK002", "TSK501", "TSK999"}

# (path relative to the case, line, code, 1-based column)
Expected = set[tuple[str, int, str, int]]


def case_files(case: Path) -> list[Path]:
    return [case] if case.is_file() else sorted(case.rglob("*.py"))


def read_source(path: Path) -> str:
    """Read a case file the way Python does, by its coding declaration or byte order mark."""
    with tokenize.open(path) as handle:
        return handle.read()


def expected_findings(case: Path) -> Expected:
    expected: Expected = set()
    for path in case_files(case):
        relative = path.relative_to(CASES_DIR).as_posix()
        for number, line in enumerate(read_source(path).splitlines(), start=1):
            match = _EXPECT.search(line)
            if match is None:
                continue
            for item in match.group("findings").split():
                code, column = item.split(":")
                expected.add((relative, number, code, int(column)))
    return expected


def case_config(case: Path) -> Config:
    """Read `# task-lint-config: key=a,b; key=c` from the first line of the case's first file."""
    first_line = read_source(case_files(case)[0]).split("\n", 1)[0]
    match = _CONFIG.search(first_line)
    if match is None:
        return Config()
    options: dict[str, tuple[str, ...]] = {}
    for option in match.group("options").split(";"):
        key, _, value = option.partition("=")
        options[key.strip().replace("-", "_")] = tuple(part.strip() for part in value.split(",") if part.strip())
    return Config(**options)  # type: ignore[arg-type]  # keys are Config fields


def reported_findings(case: Path) -> Expected:
    report = Checker(case_config(case)).check([str(case)])
    root = CASES_DIR.resolve()
    return {
        (Path(f.path).resolve().relative_to(root).as_posix(), f.line, f.code, f.column + 1) for f in report.findings
    }


def test_cases_cover_every_rule() -> None:
    codes = {code for case in CASES for _, _, code, _ in expected_findings(CASES_DIR / case)}

    assert codes == {rule.code for rule in RULES} - NOT_IN_CASES


@pytest.mark.parametrize("case", CASES)
def test_static_case(case: str) -> None:
    path = CASES_DIR / case

    assert reported_findings(path) == expected_findings(path)
