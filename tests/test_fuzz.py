"""Fuzz the static pass with generated programs and generated task signatures.

hypothesmith generates programs from Python's grammar and from libcst nodes. Each
program is wrapped in two ways. In the first, every top-level function of the
program gets `@task` and a known task follows the program. In the second, the
whole program is the body of a task. A second property builds tasks whose
annotations and defaults are generated expressions. The analysis must not fail on
any of them (no TSK999, which is what an escaped exception becomes), and the
flake8 plugin's `run()` must return normally.

`TASK_LINT_FUZZ_EXAMPLES` sets the number of examples per property (default 50).
The examples are the same on every run unless `TASK_LINT_FUZZ_RANDOM=1` is set.
`bench/fuzz.py` runs the same properties with thousands.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import tempfile
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from task_lint.flake8_plugin import TaskLintPlugin
from task_lint.static.checker import analyse_path
from task_lint.static.project import Project

EXAMPLES = int(os.environ.get("TASK_LINT_FUZZ_EXAMPLES", "50"))

# Generated programs contain code such as `1()`, for which Python's compiler warns
# when the generators or this test compile them. Those warnings are not about task_lint.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

# Imported under a name that generated programs are unlikely to rebind.
IMPORT = "from task_lint import task as fuzz_task_decorator\n"
NEIGHBOUR = """

@fuzz_task_decorator
def fuzz_neighbour(x, y: int = 1) -> int:
    return y
"""
BODY_HEAD = """\
from task_lint import task as fuzz_task_decorator


@fuzz_task_decorator
def fuzz_body(x: int, y=None) -> int:
"""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_FILE_NUMBERS = itertools.count()


def programs() -> st.SearchStrategy[str]:
    """Programs from the grammar (odd syntax) and from libcst nodes (varied definitions)."""
    return st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node())


def source_lines(text: str) -> list[str]:
    """Split lines where Python's tokenizer does (`str.splitlines` also splits at form feeds)."""
    return _LINE.findall(text)


def parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def decorate_functions(program: str) -> str:
    """Return the program with `@task` on each top-level function, the import and a known task."""
    lines = source_lines(program)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    tree = parse(program)
    has_future = False
    if tree is not None:
        for node in reversed(tree.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # A top-level `def` or its first decorator starts a line of its own.
                first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
                lines.insert(first - 1, "@fuzz_task_decorator\n")
        has_future = any(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in tree.body)
    # `from __future__` imports must stay first, so the import goes last after them.
    if has_future:
        return "".join(lines) + IMPORT + NEIGHBOUR
    return IMPORT + "".join(lines) + NEIGHBOUR


def inside_task(program: str) -> str:
    """Return the program as the body of a task."""
    return BODY_HEAD + textwrap.indent(program, "    ") + "\n    pass\n"


@dataclass
class Outcome:
    """What the analysis and the plugin returned for one wrapped program."""

    compiled: bool
    codes: list[str] = field(default_factory=list)
    plugin_messages: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)


def analyse(text: str, folder: Path) -> Outcome:
    """Run the checker's per-file analysis and the flake8 plugin on one source text."""
    path = folder / f"fuzz_case_{next(_FILE_NUMBERS)}.py"
    path.write_text(text, encoding="utf-8")
    try:
        result = analyse_path(Project(), str(path))
        tree = parse(text)
        outcome = Outcome(compiled=tree is not None and compiles(text))
        outcome.codes = [finding.code for finding in result.findings]
        outcome.internal_errors = [finding.message for finding in result.findings if finding.code == "TSK999"]
        if tree is not None:
            # flake8 runs AST plugins only on files it could parse.
            plugin = TaskLintPlugin(tree, source_lines(text), str(path))
            outcome.plugin_messages = [message for _, _, message, _ in plugin.run()]
            outcome.internal_errors += [message for message in outcome.plugin_messages if message.startswith("TSK999")]
        return outcome
    finally:
        path.unlink()


def compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# --- Task signatures with generated annotations and defaults ---------------------------
#
# hypothesmith rarely generates functions with parameters, so a second strategy
# builds expressions from names that the annotation reader knows and puts them
# into the annotations and defaults of a task's signature.

SIGNATURE_HEAD = """\
import typing
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import *

from task_lint import task


class Color(Enum):
    RED = "red"


@dataclass
class Point:
    x: int


"""
SIGNATURE_NAMES = [
    "int", "str", "bytes", "float", "bool", "None", "list", "dict", "tuple", "set", "frozenset", "type",
    "Optional", "Union", "Literal", "Any", "Annotated", "Callable", "Sequence", "Mapping", "TypedDict",
    "datetime", "Decimal", "Path", "Color", "Point", "typing", "task", "undefined_name",
]  # fmt: skip
SIGNATURE_ATTRIBUTES = ["RED", "List", "Optional", "x", "now", "value", "missing"]


def leaf_expressions() -> st.SearchStrategy[ast.expr]:
    constants = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=5),
        st.binary(max_size=5),
        st.just(...),
    )
    return st.one_of(
        st.sampled_from(SIGNATURE_NAMES).map(lambda name: ast.Name(name, ast.Load())),
        constants.map(ast.Constant),
    )


def compound_expressions(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    operators = st.sampled_from([ast.BitOr(), ast.Add(), ast.Mult(), ast.Sub(), ast.Pow(), ast.Mod()])
    some = st.lists(children, max_size=3)
    pairs = st.lists(st.tuples(children, children), max_size=3)
    return st.one_of(
        st.builds(ast.Subscript, children, children, st.just(ast.Load())),
        st.builds(ast.Subscript, children, some.map(lambda items: ast.Tuple(items, ast.Load())), st.just(ast.Load())),
        st.builds(ast.Attribute, children, st.sampled_from(SIGNATURE_ATTRIBUTES), st.just(ast.Load())),
        st.builds(ast.BinOp, children, operators, children),
        st.builds(ast.UnaryOp, st.sampled_from([ast.USub(), ast.Not(), ast.Invert()]), children),
        st.builds(ast.Call, children, some, st.just([])),
        st.builds(ast.List, some, st.just(ast.Load())),
        st.builds(ast.Tuple, some, st.just(ast.Load())),
        st.builds(ast.Set, some.filter(bool)),
        pairs.map(lambda items: ast.Dict([key for key, _ in items], [value for _, value in items])),
        st.builds(ast.IfExp, children, children, children),
        st.builds(ast.Lambda, st.just(ast.arguments([], [], None, [], [], None, [])), children),
    )


def expression_texts() -> st.SearchStrategy[str]:
    nodes = st.recursive(leaf_expressions(), compound_expressions, max_leaves=6)
    return nodes.map(lambda node: ast.unparse(ast.fix_missing_locations(node)))


@st.composite
def signatures(draw: st.DrawFn) -> str:
    """Draw a module with one task whose annotations and defaults are generated expressions."""
    parameters = [
        f"a: {draw(expression_texts())}",
        f"b: {draw(expression_texts())} = {draw(expression_texts())}",
        "*args",
        f"c={draw(expression_texts())}",
    ]
    returns = draw(expression_texts())
    body = f"@task\ndef fuzz_signature({', '.join(parameters)}) -> {returns}:\n    return None\n"
    return SIGNATURE_HEAD + body


FUZZ = settings(
    max_examples=EXAMPLES,
    # The same examples on every run, so that CI passes or fails on the code alone;
    # TASK_LINT_FUZZ_RANDOM=1 and bench/fuzz.py draw new ones.
    derandomize=os.environ.get("TASK_LINT_FUZZ_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@FUZZ
@given(program=programs())
def test_generated_programs_no_crash(program: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        decorated = analyse(decorate_functions(program), Path(folder))
        body = analyse(inside_task(program), Path(folder))

    assert decorated.internal_errors == []
    assert body.internal_errors == []
    if decorated.compiled:
        # The known task next to the program is always found.
        assert "TSK101" in decorated.codes


def test_wrapping_keeps_programs_valid() -> None:
    program = 'from __future__ import annotations\n"""Doc."""\n\n@other\ndef f(a, *b, c=1):\n    return a\x0c\n'

    decorated = decorate_functions(program)
    body = inside_task("x = 1")

    assert compiles(decorated)
    assert decorated.count("@fuzz_task_decorator") == 2
    assert compiles(body)


@FUZZ
@given(module=signatures())
def test_generated_signatures_no_crash(module: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = analyse(module, Path(folder))

    assert outcome.internal_errors == []
