"""Generated workers pass ruff and flake8 with their default settings, and read like hand-written code.

The workers of the example project and of a project with long, quoted and
non-ASCII values are generated into one folder, then linted in a subprocess with
`--isolated`, so that no configuration file of this repository applies.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from cli_support import write_files
from worker_support import EXAMPLE_ROOT

from task_lint.cli import main

pytestmark = pytest.mark.slow

AWKWARD = '''\
import enum
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypedDict

from task_lint import task


class Größe(enum.Enum):
    KLEIN = "a value with 'single' and \\"double\\" quotes and a backslash \\\\ at the end"
    GROSS = "{{ not a template }} {% neither %} and a very long value that cannot fit on one line at all"


class Pair(NamedTuple):
    left: int
    right: float


class Options(TypedDict, total=False):
    verbose: bool
    depth: int


@dataclass
class Tree:
    name: str
    children: "list[Tree]" = field(default_factory=list)


@task(name="a rather long task name that goes on and on and on past the seventy-ninth column")
def very_long_task_name_that_keeps_going_for_a_while_longer(
    größe: Größe = Größe.KLEIN,
    mode: Literal["first mode with a long description", "second\\nmode", 7, False] = "second\\nmode",
    pattern: str = r"^(?P<year>\\d{4})-(?P<month>\\d{2})-(?P<day>\\d{2})T(?P<rest>.*)\\\\$",
    raw: bytes = b"\\x00\\xff" * 20,
    pair: Pair | None = None,
    options: Options | None = None,
    tree: Tree | None = None,
    mapping: dict[str, list[tuple[int, str]]] | None = None,
    anything: Any = None,
    frozen: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Do nothing, with a docstring of many lines.

    The second paragraph holds \u2028 a line separator, a NUL \\x00 and triple quotes \\"\\"\\" and
    a line that is far longer than seventy-nine characters, so that the literal has to be split.
    """
    return {}
'''


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("style")
    write_files(root / "awkward", {"awkward_jobs.py": AWKWARD})
    output = root / "workers"
    main(["workers", str(EXAMPLE_ROOT), "-o", str(output)])
    assert main(["workers", str(root / "awkward"), "-o", str(output)]) == 0
    assert len(list(output.glob("*.py"))) == 29
    return output


def lint(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, timeout=300, check=False)


def test_ruff_defaults_pass(generated: Path) -> None:
    result = lint("ruff", "check", "--isolated", "--no-cache", str(generated))

    assert result.returncode == 0, result.stdout + result.stderr


def test_flake8_defaults_pass(generated: Path) -> None:
    result = lint("flake8", "--isolated", str(generated))

    # flake8-annotations is installed in the development environment; its ANN
    # codes are not among flake8's defaults (E, W, F and C90 from mccabe).
    default_codes = re.compile(r":\d+:\d+: (E|W|F|C9)\d+ ")
    problems = [line for line in result.stdout.splitlines() if default_codes.search(line)]
    assert problems == []
    assert result.stderr == ""


def test_ruff_readability_rules_pass(generated: Path) -> None:
    # Rules a reviewer would apply beyond the defaults: bugbear, simplify,
    # comprehensions, returns and pyupgrade for the oldest supported Python.
    result = lint(
        "ruff",
        "check",
        "--isolated",
        "--no-cache",
        "--target-version",
        "py310",
        "--select",
        "E,W,F,B,SIM,C4,PIE,RET,UP,N",
        str(generated),
    )

    assert result.returncode == 0, result.stdout + result.stderr


def code_without_strings(source: str) -> str:
    """Return the source with string literals and comments removed."""
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        # FSTRING_MIDDLE exists from Python 3.12; before that an f-string is one STRING token.
        if token.type not in (tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)):
            kept.append(token.string)
    return " ".join(kept)


def test_no_template_syntax_left(generated: Path) -> None:
    for path in sorted(generated.glob("*.py")):
        code = code_without_strings(path.read_text(encoding="utf-8"))
        for marker in ("{{", "}}", "{%", "%}", "{#", "#}"):
            assert marker not in code, f"{path.name}: {marker}"


def test_files_end_with_entry_point(generated: Path) -> None:
    for path in sorted(generated.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert text.endswith('\n\nif __name__ == "__main__":\n    sys.exit(main())\n'), path.name
        assert "\n\n\n\n" not in text, path.name
        assert not any(line != line.rstrip() for line in text.splitlines()), path.name


def test_long_values_are_split(generated: Path) -> None:
    awkward = next(generated.glob("awkward_jobs__*.py")).read_text(encoding="utf-8")

    assert max(len(line) for line in awkward.splitlines()) <= 79
    # Long text breaks after a space, not inside a word.
    assert "    'a rather long task name that goes on and on and on past the '\n    'seventy-ninth column'\n" in awkward


HELPER_JOBS = """\
from task_lint import task


@task
def add(a: int, b: int = 2) -> int:
    return a + b


@task
def gather(*items: int) -> int:
    return sum(items)


@task
def count(levels: dict[str, int]) -> int:
    return len(levels)
"""


def defined_functions(path: Path) -> set[str]:
    return set(re.findall(r"^def (\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE))


def test_worker_carries_only_needed_helpers(tmp_path: Path) -> None:
    # Python compiles a worker run as a script on every start, so helpers the
    # task never calls would cost start-up time.
    write_files(tmp_path / "src", {"helper_jobs.py": HELPER_JOBS})
    output = tmp_path / "workers"
    assert main(["workers", str(tmp_path / "src"), "-o", str(output)]) == 0

    add = defined_functions(output / "helper_jobs__add.py")
    gather = defined_functions(output / "helper_jobs__gather.py")
    count = defined_functions(output / "helper_jobs__count.py")

    generic = {"decode_array", "decode_tuple", "decode_mapping", "decode_union", "decode_object", "decode_enum"}
    assert add & generic == set()
    assert gather & generic == {"decode_array"}
    assert count & generic == {"decode_mapping"}
    assert "import collections.abc" not in (output / "helper_jobs__add.py").read_text(encoding="utf-8")
    result = lint("ruff", "check", "--isolated", "--no-cache", str(output))
    assert result.returncode == 0, result.stdout
