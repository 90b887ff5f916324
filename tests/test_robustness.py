"""The static pass reads the standard library, badly encoded files and huge expressions without crashing.

The standard library of the Python running the tests includes test data with bad
syntax and odd encodings (`test/tokenizedata`, `test/test_future_stmt`, and on
older Pythons `test/badsyntax_*.py` and `lib2to3/tests/data`). Every `.py` file
under it goes through `task-lint check` and through the flake8 plugin without a
traceback or an internal error (TSK999), and every file that the interpreter
cannot compile gets a TSK001 or TSK002 finding.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import sysconfig
import time
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flake8.processor import FileProcessor

from task_lint.flake8_plugin import TaskLintPlugin
from task_lint.static.config import DEFAULT_EXCLUDE
from task_lint.static.project import iter_python_files
from task_lint.static.source import SourceFile, needs_compiler

STDLIB = sysconfig.get_paths()["stdlib"]
TASK_LINT = str(Path(sys.executable).with_name("task-lint"))

# Parts of the paths of stdlib test data with bad syntax and odd encodings. The
# flake8 command runs on every file whose path contains one of them.
ODD_DATA_PARTS = ("tokenizedata", "encoded_modules", "test_future_stmt", "lib2to3", "badsyntax", "bad_coding")


# --- Helpers ----------------------------------------------------------------------------


def run_check(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TASK_LINT, "check", "--no-cache", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def check_json(path: Path) -> list[dict[str, Any]]:
    """Run `task-lint check --format json` on one file and return its findings."""
    result = run_check("--format", "json", path.name, cwd=path.parent)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def positions(findings: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """Return `(code, line, 1-based column)` of each finding."""
    return [(finding["code"], finding["line"], finding["column"]) for finding in findings]


def run_flake8(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


FLAKE8_OPTIONS = argparse.Namespace(
    hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None, verbose=0, stdin_display_name="stdin"
)


def run_plugin(path: str) -> list[tuple[int, int, str]] | None:
    """Run the TSK plugin on one file as flake8 does; None when flake8 would report E999 instead.

    flake8 reads the file with its `FileProcessor` (falling back to Latin-1 when
    the file cannot be decoded), parses the joined lines and runs AST plugins on
    the tree only when parsing succeeds.
    """
    TaskLintPlugin.parse_options(argparse.Namespace(task_decorators=[], task_source_roots=[]))
    processor = FileProcessor(path, FLAKE8_OPTIONS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = processor.build_ast()
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    plugin = TaskLintPlugin(tree, processor.lines, path)
    return [(line, column, message) for line, column, message, _ in plugin.run()]


@cache
def stdlib_files() -> tuple[str, ...]:
    """Every `.py` file that `task-lint check <stdlib>` reads (site-packages is excluded by default)."""
    return tuple(os.path.normpath(path) for path in iter_python_files([STDLIB], DEFAULT_EXCLUDE))


@cache
def uncompilable_stdlib_files() -> frozenset[str]:
    """The files of the run that the interpreter rejects, found by compiling each one's bytes."""
    rejected = set()
    for path in stdlib_files():
        data = Path(path).read_bytes()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(data, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            rejected.add(path)
    return frozenset(rejected)


def finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": TSK" in line]


# --- The standard library through `task-lint check` --------------------------------------


def test_stdlib_check_without_prefilter() -> None:
    started = time.monotonic()
    result = run_check("--no-prefilter", "--exit-zero", "--jobs", "2", STDLIB)
    elapsed = time.monotonic() - started
    print(f"task-lint check --no-prefilter on {len(stdlib_files())} stdlib files: {elapsed:.1f} s")
    lines = finding_lines(result.stdout)
    internal_errors = [line for line in lines if ": TSK999 " in line]
    reported = {line.split(":", 1)[0] for line in lines if ": TSK001 " in line or ": TSK002 " in line}
    unreported = sorted(uncompilable_stdlib_files() - reported)
    wrongly_reported = sorted(reported - uncompilable_stdlib_files())

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert internal_errors == []
    assert uncompilable_stdlib_files(), "expected the stdlib test data to contain files with bad syntax"
    assert unreported == []
    assert wrongly_reported == []


def test_stdlib_check_with_prefilter() -> None:
    started = time.monotonic()
    result = run_check("--jobs", "2", STDLIB)
    elapsed = time.monotonic() - started
    print(f"task-lint check on {len(stdlib_files())} stdlib files: {elapsed:.1f} s")

    # No stdlib file names task_lint, so the pre-filter skips all of them.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert finding_lines(result.stdout) == []


# --- The standard library through flake8 -------------------------------------------------


def test_stdlib_flake8_plugin_every_file() -> None:
    # Every file, in this process, the way flake8 reads it and calls the plugin.
    internal_errors = []
    for path in stdlib_files():
        results = run_plugin(path)
        if results is not None:
            internal_errors.extend(f"{path}: {message}" for _, _, message in results if message.startswith("TSK999"))

    assert internal_errors == []


def test_stdlib_flake8_command_sample() -> None:
    # flake8 runs pycodestyle and pyflakes on each file as well, which took three
    # minutes for the whole stdlib of Python 3.13 on a 2-core machine. So the
    # command runs on every 20th file in sorted order plus all bad-syntax and
    # odd-encoding test data; the test above covers every file in-process.
    files = stdlib_files()
    odd_data = [path for path in files if any(part in path for part in ODD_DATA_PARTS)]
    sample = sorted({*files[::20], *odd_data})
    started = time.monotonic()
    result = run_flake8("--select", "TSK", "-j", "2", *sample)
    elapsed = time.monotonic() - started
    print(f"flake8 --select TSK on {len(sample)} stdlib files: {elapsed:.1f} s")

    assert odd_data, "expected bad-syntax test data in the stdlib"
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "TSK999" not in result.stdout


# --- Files that cannot be decoded or parsed ----------------------------------------------

# name: (bytes, code, line, 1-based column in characters)
UNREADABLE = {
    "invalid_utf8.py": (b'import task_lint\nlabel = "\xc3\xa9t\xff"\n', "TSK002", 2, 12),
    "invalid_first_line.py": (b'label = "\xff"  # task_lint\n', "TSK002", 1, 10),
    "wrong_coding.py": (b'# -*- coding: ascii -*-\nimport task_lint\nlabel = "\xe9"\n', "TSK002", 3, 10),
    "unknown_coding.py": (b"#!/usr/bin/env python\n# coding: no-such-codec\nimport task_lint\n", "TSK002", 2, 11),
    "syntax_error.py": ('import task_lint\nlabel = "café" )\n'.encode(), "TSK001", 2, 16),
    "late_future.py": ('import task_lint\nlabel = "é"; from __future__ import annotations\n'.encode(), "TSK001", 2, 14),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_file_one_finding(tmp_path: Path, name: str) -> None:
    data, code, line, column = UNREADABLE[name]
    path = tmp_path / name
    path.write_bytes(data)

    findings = check_json(path)

    assert positions(findings) == [(code, line, column)]


def test_syntax_error_flake8_e999(tmp_path: Path) -> None:
    # flake8 reports the parse error itself (E999) and runs no AST plugin on the file.
    path = tmp_path / "syntax_error.py"
    path.write_bytes(UNREADABLE["syntax_error.py"][0])

    result = run_flake8("--select", "E999,TSK", path.name, cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert " E999 " in result.stdout
    assert "TSK" not in result.stdout


@pytest.mark.parametrize("name", sorted(name for name in UNREADABLE if UNREADABLE[name][1] == "TSK002"))
def test_undecodable_file_flake8_survives(tmp_path: Path, name: str) -> None:
    # flake8 falls back to Latin-1 for a file it cannot decode, so the plugin gets mis-decoded text.
    path = tmp_path / name
    path.write_bytes(UNREADABLE[name][0])

    result = run_flake8("--select", "TSK", path.name, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# Errors that only the compiler reports, some of them where the walk for them has to
# look into a function body. Each is (source, the line Python reports).
COMPILER_ONLY = {
    "return at module level": ("x = 1\nreturn x\n", 2),
    "yield in class body": ("class C:\n    yield 1\n", 2),
    "break in one-line def": ("def f(): break\n", 1),
    "continue in body": ("def f():\n    x = 1\n    continue\n", 3),
    "break in loop else": ("def f(y):\n    for x in y:\n        pass\n    else:\n        break\n", 5),
    "break in nested def in loop": ("for x in y:\n    def f():\n        break\n", 3),
    "duplicate argument in nested def": ("def f():\n    def g(a, a):\n        pass\n", 2),
    "duplicate argument in nested async def": ("def f():\n    async def g(a, a): pass\n", 2),
    "duplicate argument in method of nested class": ("def f():\n    class C:\n        def g(self, a, a): ...\n", 3),
    "break after carriage returns": ("def f():\r    x = 1\r    break\r", 3),
    "break after CRLF": ("def f():\r\n    x = 1\r\n    break\r\n", 3),
}


@pytest.mark.parametrize("name", sorted(COMPILER_ONLY))
def test_compiler_only_error_found(name: str) -> None:
    text, line = COMPILER_ONLY[name]
    with pytest.raises(SyntaxError) as compiled:
        compile(text, "<test>", "exec", dont_inherit=True)

    with pytest.raises(SyntaxError) as parsed:
        SourceFile(text, "<test>").parse()

    assert compiled.value.lineno == line
    assert parsed.value.lineno == line


# Errors from the compiler's symbol table and code generator: a text with a word that
# the walk does not look for is compiled, and the walk finds the rest. Each must give
# the message, line and column that `compile` gives, on every Python version.
COMPILED = {
    "await at module level": "x = 1\nawait x\n",
    "await in a function": "def f():\n    return await g()\n",
    "await in an f-string": "def f():\n    return f'{await g()}'\n",
    "await in a lambda": "async def f():\n    g = lambda: await h\n",
    "async for in a function": "def f():\n    async for a in b:\n        pass\n",
    "async with in a function": "def f():\n    async with \\\n            a:\n        pass\n",
    "async comprehension": "def f():\n    return [a async for a in b]\n",
    "return value in async generator": "async def f():\n    yield 1\n    return 2\n",
    "yield from in async function": "async def f():\n    yield from g()\n",
    "yield in comprehension": "def f():\n    return [(yield) for a in b]\n",
    "yield in an expression at module level": "x = [(yield)]\n",
    "nonlocal at module level": "nonlocal x\n",
    "nonlocal without binding": "def f():\n    nonlocal x\n",
    "global parameter": "def f(x):\n    global x\n",
    "assignment before global": "def f():\n    x = 1\n    global x\n",
    "annotated global": "def f():\n    global x\n    x: int = 1\n",
    "star import in a function": "def f():\n    from os import \\\n        *\n",
    "duplicate lambda argument": "f = lambda x, x: 0\n",
    "assignment to __debug__": "def f():\n    __debug__ = 1\n",
    "assignment expression in comprehension iterable": "def f():\n    return [x for x in (y := [1])]\n",
    "assignment expression in class comprehension": "class A:\n    [y := 1 for x in z]\n",
    "two starred targets": "def f(d):\n    a, *b, *c = d\n",
    "starred target alone": "def f(b):\n    *a = b\n",
    "starred for target": "def f(b):\n    for *a in b:\n        pass\n",
    "starred value": "def f(a):\n    x = *a\n",
    "starred return": "def f(a):\n    return *a\n",
    "bare except not last": "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
    "keyword repeated in a decorator": "@task(name='a',\n      name='b')\ndef f():\n    pass\n",
    "keyword repeated in a class header": "class A(metaclass=M,\n        metaclass=N):\n    pass\n",
    "duplicate argument": "def f(a, a):\n    pass\n",
    "duplicate annotated argument": "def t(x: int, x: int) -> None:\n    pass\n",
    "duplicate star argument": "def h(a, *a):\n    pass\n",
    "duplicate argument in a method": "class C:\n    def n(self, b, **b):\n        pass\n",
    "future import in try": "import os\ntry:\n    from __future__ import annotations\nexcept ImportError:\n    pass\n",
    "future import in a function": "def f():\n    x = 1\n    from __future__ import braces\n",
    "future import in a class": "class A:\n    from __future__ import annotations\n",
}
if sys.version_info >= (3, 11):
    COMPILED["return in except star"] = "def f():\n    try:\n        pass\n    except* ValueError:\n        return 1\n"
if sys.version_info >= (3, 12):
    COMPILED["duplicate type parameter"] = "def f[T, T]():\n    pass\n"
    COMPILED["yield in a type parameter bound"] = "def f():\n    def g[T: (yield)](): pass\n"


@pytest.mark.parametrize("name", sorted(COMPILED))
def test_compiled_error_found(name: str) -> None:
    text = COMPILED[name]
    with pytest.raises(SyntaxError) as compiled:
        compile(text, "<test>", "exec", dont_inherit=True)
    ast.parse(text)  # raises nothing: only the compiler rejects the text

    found = reported_syntax_error(text)

    expected = compiled.value
    assert found is not None
    assert (found.msg, found.lineno, found.offset) == (expected.msg, expected.lineno, expected.offset)


def reported_syntax_error(text: str) -> SyntaxError | None:
    """Return the error that a file reported on gets: from parsing, else from compiling."""
    source = SourceFile(text, "<test>")
    try:
        tree = source.parse()
    except SyntaxError as error:
        return error
    return source.compiler_error(tree)


def test_plain_task_module_not_compiled() -> None:
    # The common case costs one parse: multiplication, `**` and subscripted
    # annotations do not make a text look like a compiler-only error.
    text = (
        "from task_lint import task\n\n\n@task\n"
        "def scale(values: list[int], factor: int = 2, **options: str) -> dict[str, int]:\n"
        "    total = sum(value * factor for value in values) ** 2\n"
        "    return {'total': total * 3}\n"
    )

    assert not needs_compiler(text)


@pytest.mark.parametrize(
    "text",
    ["x = *a\n", "*a = b\n", "a, *b = c\n", "for *a in b: pass\n", "x = [\n    *a]\n", "def f():\n    return *a\n"],
)
def test_starred_operand_needs_compiler(text: str) -> None:
    assert needs_compiler(text)


def test_compiled_error_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(
        "from task_lint import task\n\n\n@task\ndef fetch(url: str) -> str:\n    return await get(url)\n"
    )

    result = run_check("jobs.py", cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == ["jobs.py:6:12: TSK001 file cannot be parsed: 'await' outside async function"]


@pytest.mark.parametrize(
    "text",
    [
        "from __future__ import annotations\n\n\ndef f():\n    return '__future__'\n",
        "def f():\n    'break'\n    return 1\n",
        "def f():\n    while True:\n        break\n    return 1\n",
        "def f():\n    label = 'def g(a, a): pass'\n",
        "async def f():\n    async for x in y:\n        continue\n",
    ],
)
def test_compiler_accepts_function_body(text: str) -> None:
    compile(text, "<test>", "exec", dont_inherit=True)

    SourceFile(text, "<test>").parse()


# --- Latin-1 and BOM files ---------------------------------------------------------------

LATIN1_SOURCE = """\
# -*- coding: latin-1 -*-
from task_lint import task


@task
def café(naïve, größe: int = 2) -> str:
    return "déjà vu"


@task
def été(x: str, z) -> str:
    return x
"""

BOM_SOURCE = """\
from task_lint import task


@task
def résumé(naïve, y: int = 1) -> str:
    \"\"\"Résumé of «ünïcödé» text.\"\"\"
    return "€"


@task
def été(x: str, z) -> str:
    return x
"""

# Unannotated parameters after non-ASCII text on their line: (code, line, 1-based column).
LATIN1_EXPECTED = [("TSK101", 6, 10), ("TSK101", 11, 17)]
BOM_EXPECTED = [("TSK101", 5, 12), ("TSK101", 11, 17)]


def test_latin1_file_read_right(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(LATIN1_SOURCE.encode("latin-1"))

    findings = check_json(path)

    assert positions(findings) == LATIN1_EXPECTED
    assert "`café`" in findings[0]["message"]
    assert "`naïve`" in findings[0]["message"]


def test_bom_file_read_right(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + BOM_SOURCE.encode("utf-8"))

    findings = check_json(path)

    assert positions(findings) == BOM_EXPECTED
    assert "`résumé`" in findings[0]["message"]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("latin.py", LATIN1_SOURCE.encode("latin-1"), LATIN1_EXPECTED),
        ("bom.py", b"\xef\xbb\xbf" + BOM_SOURCE.encode("utf-8"), BOM_EXPECTED),
    ],
)
def test_odd_encodings_flake8_columns(tmp_path: Path, name: str, data: bytes, expected: list[Any]) -> None:
    path = tmp_path / name
    path.write_bytes(data)

    result = run_flake8("--select", "TSK101", name, cwd=tmp_path)
    found = [(line.split(": ")[1].split()[0], *map(int, line.split(":")[1:3])) for line in finding_lines(result.stdout)]

    assert "Traceback" not in result.stderr
    assert found == expected


# --- Expressions of thousands of terms ---------------------------------------------------


def big_sources() -> dict[str, str]:
    # The task `big` starts on line 5; its unannotated parameter `y` is at column 9 (1-based).
    head = "import os\nfrom task_lint import task\n\n@task\ndef big(y, x: "
    tail = ") -> int:\n    return 1\n"
    return {
        "sum_5000.py": head + "int = " + " + ".join(["1"] * 5000) + tail,
        "union_2000.py": head + " | ".join(["int"] * 2000) + tail,
        "strings_3000.py": head + "str = " + " + ".join(["'a'"] * 3000) + tail,
        "attribute_3000.py": head + "os" + ".sep" * 3000 + tail,
        "nested_190.py": head + "list = " + "[" * 190 + "]" * 190 + tail,
        "nested_1500.py": head + "list = " + "[" * 1500 + "]" * 1500 + tail,
    }


def python_parses(text: str) -> bool:
    try:
        compile(text, "<big>", "exec", dont_inherit=True)
    except (SyntaxError, RecursionError, MemoryError):
        return False
    return True


def ast_parses(text: str) -> bool:
    # flake8 runs AST plugins whenever ast.parse succeeds. Before Python 3.12 the
    # compiler can still reject a tree the parser accepted (too deeply nested).
    try:
        ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError):
        return False
    return True


@pytest.mark.parametrize("name", sorted(big_sources()))
def test_big_expression_check(tmp_path: Path, name: str) -> None:
    text = big_sources()[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    findings = check_json(path)
    codes = [finding["code"] for finding in findings]

    assert "TSK999" not in codes
    if python_parses(text):
        # The task is found: its unannotated parameter `y` is reported.
        assert ("TSK101", 5, 9) in positions(findings)
    else:
        # More than 200 nested brackets are beyond CPython's parser.
        assert codes == ["TSK001"]


@pytest.mark.parametrize("name", sorted(big_sources()))
def test_big_expression_plugin(tmp_path: Path, name: str) -> None:
    text = big_sources()[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    results = run_plugin(str(path))

    if ast_parses(text) and python_parses(text):
        assert results is not None
        assert not any(message.startswith("TSK999") for _, _, message in results)
        assert (5, 8) in [(line, column) for line, column, message in results if message.startswith("TSK101")]
    elif ast_parses(text):
        # Before 3.12 the compiler rejects what the parser took, and the plugin
        # reports that as the CLI does.
        assert results is not None
        assert [message.split()[0] for _, _, message in results] == ["TSK001"]
    else:
        assert results is None


@pytest.mark.parametrize("name", sorted(big_sources()))
def test_big_expression_flake8_command(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(big_sources()[name], encoding="utf-8")

    result = run_flake8("--select", "TSK,E999", name, cwd=tmp_path)

    # NOTE: pyflakes 4.1.0 and flake8-annotations 3.3.0 walk the tree recursively
    # and raise RecursionError on the long chains here, which stops the whole flake8
    # run. Only a traceback through task_lint fails this test; the test above runs
    # the plugin on the same files as flake8 would.
    assert f"{os.sep}task_lint{os.sep}" not in result.stderr
    if "Traceback" not in result.stderr:
        assert result.returncode == 1, result.stderr
        assert " TSK999 " not in result.stdout
