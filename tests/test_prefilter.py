"""The pre-filter is sound: it never skips a file in which the full analysis finds a task.

`Prefilter.select` decides from bytes alone which files can define a task. Soundness
means: for any project, the selected files include every file where the analysis
without the pre-filter (`collect_tasks` on every file) finds at least one task.
Selecting too many files only costs time, so over-inclusion is allowed.

Hypothesis builds small projects with a package, a subpackage and a top-level
module. Chains of re-exports connect them: `__init__` files, `import x as y`, star
imports, aliases such as `job = task` and task base classes in other modules.
Configured decorators, full-width spellings and files that name nothing at all
come up as well. Each project is also checked with only some of its files given,
as pre-commit passes them, and the checker must report the same findings with and
without the pre-filter.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from task_lint.static.checker import Checker, collect_tasks
from task_lint.static.config import DEFAULT_EXCLUDE, Config
from task_lint.static.project import ModuleInfo, Prefilter, Project, iter_python_files

# --- Helpers ----------------------------------------------------------------------------


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def python_files(root: Path) -> list[str]:
    return sorted(str(path) for path in root.rglob("*.py"))


def files_with_tasks(paths: Iterable[str], decorators: tuple[str, ...] = ()) -> set[str]:
    """Run the full analysis on every file, as `--no-prefilter` does, and return the files that define a task."""
    project = Project((), decorators)
    found = set()
    for path in paths:
        module = project.module_for_path(path)
        if isinstance(module, ModuleInfo) and collect_tasks(project, module):
            found.add(path)
    return found


def selected(paths: Iterable[str], decorators: tuple[str, ...] = ()) -> set[str]:
    return Prefilter(decorators).select({path: Path(path).read_bytes() for path in paths})


def assert_sound(root: Path, decorators: tuple[str, ...] = ()) -> set[str]:
    """Assert that the pre-filter keeps every file with a task; return those files."""
    paths = python_files(root)
    with_tasks = files_with_tasks(paths, decorators)
    kept = selected(paths, decorators)
    assert with_tasks <= kept, f"skipped files that define tasks: {sorted(with_tasks - kept)}"
    return with_tasks


def task_file(decorator_line: str = "@job") -> str:
    return f"""\
    {decorator_line}
    def run(x) -> int:
        return 1
    """


# --- Targeted examples ------------------------------------------------------------------


def test_package_reexport_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from task_lint import task as job\n",
            "shop/orders.py": "from shop import job\n\n" + textwrap.dedent(task_file()),
        },
    )

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "shop/orders.py") in with_tasks


def test_relative_package_import_kept(tmp_path: Path) -> None:
    # `from . import job` and `from .. import job` name no module at all.
    write(
        tmp_path,
        {
            "shop/__init__.py": "from task_lint import task as job\n",
            "shop/orders.py": "from . import job\n\n" + textwrap.dedent(task_file()),
            "shop/billing/__init__.py": "",
            "shop/billing/invoices.py": "from .. import job\n\n" + textwrap.dedent(task_file()),
        },
    )

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "shop/orders.py") in with_tasks
    assert str(tmp_path / "shop/billing/invoices.py") in with_tasks


def test_import_as_alias_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/decorators.py": "from task_lint import task\n",
            "shop/orders.py": "import shop.decorators as d\n\n" + textwrap.dedent(task_file("@d.task")),
        },
    )

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "shop/orders.py") in with_tasks


def test_star_import_chain_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from .api import *\n",
            "shop/api.py": "from .base import *\n",
            "shop/base.py": "from task_lint import task\n\njob = task\n",
            "app.py": "from shop import job\n\n" + textwrap.dedent(task_file()),
        },
    )

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "app.py") in with_tasks


def test_alias_module_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "helpers.py": "import task_lint\n\njob = task_lint.task\nwork = job\n",
            "app.py": "from helpers import work\n\n" + textwrap.dedent(task_file("@work")),
        },
    )

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "app.py") in with_tasks


def test_base_class_elsewhere_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/base.py": """\
            from task_lint import Task

            class BaseJob(metaclass=Task):
                abstract = True
            """,
            "shop/middle.py": """\
            from .base import BaseJob

            class ShopJob(BaseJob):
                abstract = True
            """,
            "shop/refunds.py": """\
            from shop.middle import ShopJob

            class Refund(ShopJob):
                def execute(self, amount) -> int:
                    return 1
            """,
        },
    )

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "shop/refunds.py") in with_tasks


def test_configured_decorator_kept(tmp_path: Path) -> None:
    decorators = ("celery.shared_task",)
    write(
        tmp_path,
        {
            "jobs.py": "from celery import shared_task\n\n" + textwrap.dedent(task_file("@shared_task")),
            "more.py": "import celery as c\n\n" + textwrap.dedent(task_file("@c.shared_task")),
        },
    )

    with_tasks = assert_sound(tmp_path, decorators)

    assert with_tasks == {str(tmp_path / "jobs.py"), str(tmp_path / "more.py")}


def test_project_configured_decorator_kept(tmp_path: Path) -> None:
    # The decorator is a plain function of the project: its module names nothing.
    decorators = ("shop.hooks.job",)
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/hooks.py": "def job(function):\n    return function\n",
            "shop/orders.py": "from .hooks import job\n\n" + textwrap.dedent(task_file()),
        },
    )

    with_tasks = assert_sound(tmp_path, decorators)

    assert str(tmp_path / "shop/orders.py") in with_tasks


def test_full_width_import_kept(tmp_path: Path) -> None:
    # Python reads identifiers after NFKC normalisation, so this imports task_lint.
    wide = "".join(chr(ord(letter) + 0xFEE0) for letter in "task_lint")
    write(tmp_path, {"wide.py": f"from {wide} import task\n\n" + textwrap.dedent(task_file("@task"))})
    imported = subprocess.run(
        [sys.executable, "-c", "import wide; print(wide.run.__name__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    with_tasks = assert_sound(tmp_path)

    assert imported.returncode == 0, imported.stderr
    assert str(tmp_path / "wide.py") in with_tasks


def test_latin1_ordinal_spelling_kept(tmp_path: Path) -> None:
    # U+00AA (feminine ordinal) is `a` after NFKC, and Latin-1 can encode it.
    source = "# -*- coding: latin-1 -*-\nfrom t\u00aask_lint import task\n\n" + textwrap.dedent(task_file("@task"))
    write(tmp_path, {"ordinal.py": source.encode("latin-1")})

    with_tasks = assert_sound(tmp_path)

    assert str(tmp_path / "ordinal.py") in with_tasks


def test_utf7_spelling_kept(tmp_path: Path) -> None:
    # An ASCII file whose UTF-7 text spells `task_lint`; Python imports it.
    source = "# coding: utf-7\nfrom +AHQ-ask+AF8-lint import task\n\n" + textwrap.dedent(task_file("@task"))
    write(tmp_path, {"seven.py": source.encode("ascii")})
    imported = subprocess.run(
        [sys.executable, "-c", "import seven; print(seven.run.__name__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    with_tasks = assert_sound(tmp_path)

    assert imported.returncode == 0, imported.stderr
    assert str(tmp_path / "seven.py") in with_tasks


def test_comment_mention_kept(tmp_path: Path) -> None:
    write(tmp_path, {"notes.py": "# Tasks will move to task_lint later.\nVALUE = 1\n"})

    kept = selected(python_files(tmp_path))

    assert kept == {str(tmp_path / "notes.py")}


def test_unrelated_file_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "textutils.py": """\
            import functools
            import re

            @functools.lru_cache
            def task(pattern: str) -> re.Pattern[str]:
                return re.compile(pattern)
            """
        },
    )

    kept = selected(python_files(tmp_path))

    assert kept == set()


def test_changed_file_alone_kept(tmp_path: Path) -> None:
    # pre-commit passes only the changed files; the re-export is in one that did not change.
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/decorators.py": "from task_lint import task as job\n",
            "shop/orders.py": "from .decorators import job\n\n" + textwrap.dedent(task_file()),
            "shop/billing/__init__.py": "from .. import decorators\n",
            "shop/billing/invoices.py": "from . import decorators\n\n" + textwrap.dedent(task_file("@decorators.job")),
            "report.py": "from shop.decorators import job\n\n" + textwrap.dedent(task_file()),
        },
    )
    changed = [str(tmp_path / "shop/orders.py"), str(tmp_path / "shop/billing/invoices.py")]
    script = str(tmp_path / "report.py")

    assert files_with_tasks(changed) == set(changed)
    assert selected(changed) == set(changed)
    assert files_with_tasks([script]) == {script}
    assert selected([script]) == {script}


def test_changed_file_cli_reports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from task_lint import task as job\n",
            "shop/orders.py": "from . import job\n\n" + textwrap.dedent(task_file()),
        },
    )

    result = subprocess.run(
        [sys.executable, "-m", "task_lint.cli", "check", "--no-cache", "shop/orders.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert "shop/orders.py:4:9: TSK101" in result.stdout


def test_installed_package_alias_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `make` lives in an installed package outside the project and returns
    # task_lint's decorator; astroid follows it, so the full analysis finds a task.
    library = tmp_path / "site"
    project = tmp_path / "project"
    write(library, {"prefilter_vendor_lib.py": "from task_lint import task\n\ndef make():\n    return task\n"})
    write(
        project,
        {"app.py": "from prefilter_vendor_lib import make\n\njob = make()\n\n" + textwrap.dedent(task_file())},
    )
    monkeypatch.syspath_prepend(str(library))

    assert_sound(project)


def test_stdlib_mostly_skipped() -> None:
    stdlib = sysconfig.get_paths()["stdlib"]
    paths = list(iter_python_files([stdlib], DEFAULT_EXCLUDE))

    kept = selected(paths)

    assert len(paths) > 500
    assert len(kept) <= len(paths) // 100, sorted(kept)[:20]


# --- Generated projects -----------------------------------------------------------------

# Every generated project gets package and module names of its own, because
# astroid caches modules by name for the whole process.
_PROJECT_NUMBERS = itertools.count()

# Module slots: (file path, dotted name) with `{P}` and `{U}` standing for the names.
MODULES = [
    ("{P}/__init__.py", "{P}"),
    ("{P}/a.py", "{P}.a"),
    ("{P}/b.py", "{P}.b"),
    ("{P}/sub/__init__.py", "{P}.sub"),
    ("{P}/sub/c.py", "{P}.sub.c"),
    ("{U}.py", "{U}"),
]
# Relative module references that are valid from each slot.
RELATIVE = {
    "{P}": [".", ".a", ".b", ".sub", ".sub.c"],
    "{P}.a": [".", ".b", ".sub", ".sub.c"],
    "{P}.b": [".", ".a", ".sub.c"],
    "{P}.sub": [".", ".c", "..", "..a"],
    "{P}.sub.c": [".", "..", "..a", "..b"],
    "{U}": [],
}
# Small pools of names, so that imports, aliases and decorators often meet.
NAMES = ["task", "Task", "job", "work", "Base", "deco"]
ALIASES = ["job", "work", "Base", "deco", "m", "tl"]
DOTTED = ["tl.task", "task_lint.task", "task_lint.Task", "m.job", "m.task", "m.Base", "{P}.job", "{P}.a.job"]
DOTTED += ["celery.shared_task", "m.shared_task"]
DECORATOR_CHOICES = [(), ("celery.shared_task",), ("{P}.a.deco",), ("{P}.deco",), ("{U}.work",)]
# Statement kinds, repeated to weight them: imports and task definitions come most often.
KINDS = [0, 0, 1, 1, 1, 2, 3, 4, 4, 5, 6, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13]


def widen(identifier: str) -> str:
    """Spell ASCII letters, digits and `_` in full width, which NFKC maps back."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isalnum() or char == "_" else char for char in identifier)


def expressions() -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(set(NAMES + ALIASES)) + DOTTED)


@st.composite
def statement(draw: Callable[..., Any], slot: str, index: int) -> str:
    """Draw one top-level statement for the module in `slot`."""
    absolute = [name for _, name in MODULES]
    references = absolute + RELATIVE[slot]
    kind = draw(st.sampled_from(KINDS))
    name = draw(st.sampled_from(NAMES))
    alias = draw(st.sampled_from(ALIASES))
    expression = draw(expressions())

    if kind == 0:
        return draw(
            st.sampled_from(
                [
                    "from task_lint import task",
                    "from task_lint import task as {alias}",
                    "import task_lint",
                    "import task_lint as tl",
                    "from task_lint import Task",
                    "from task_lint import *",
                    "from task_lint.runtime.task import task as {alias}",
                    "from " + widen("task_lint") + " import task as {alias}",
                ]
            )
        ).replace("{alias}", alias)

    if kind == 1:
        reference = draw(st.sampled_from(references))
        form = draw(st.sampled_from(["from {ref} import {name}", "from {ref} import {name} as {alias}"]))
        return form.replace("{ref}", reference).replace("{name}", name).replace("{alias}", alias)

    if kind == 2:
        reference = draw(st.sampled_from(references))
        return f"from {reference} import *"

    if kind == 3:
        module = draw(st.sampled_from(absolute))
        if draw(st.booleans()):
            return f"import {module} as {alias}"
        return f"import {module}"

    if kind == 4:
        return f"{alias} = {expression}"

    if kind == 5:
        # The static pass uses astroid to evaluate a conditional expression.
        return f"{alias} = {expression} if FLAG else {draw(expressions())}"

    if kind == 6:
        call = draw(st.sampled_from(["", "()", '(name="n{index}")'])).replace("{index}", str(index))
        return f"@{expression}{call}\ndef f{index}(x) -> int:\n    return 1"

    if kind == 7:
        return f"class C{index}({expression}):\n    def execute(self, x) -> int:\n        return 1"

    if kind == 8:
        base = draw(st.sampled_from(["Base", "work", "job"]))
        return f"class {base}(metaclass={expression}):\n    abstract = True"

    if kind == 9:
        return f"def {alias}(function):\n    return function"

    if kind == 10:
        return draw(st.sampled_from(["from celery import shared_task", "import celery", "import celery as m"]))

    if kind == 11:
        exported = draw(st.lists(st.sampled_from(NAMES + ALIASES), max_size=3, unique=True))
        return f"__all__ = {exported!r}"

    if kind == 12:
        # An import with every identifier in full width, which Python reads as ASCII.
        reference = draw(st.sampled_from(absolute))
        return f"from {widen(reference)} import {widen(name)} as {alias}"

    return draw(st.sampled_from(["def helper():\n    return 1", "FLAG = True", "VALUE = [1, 2]", "pass"]))


def relative_reference(source: str, target: str) -> str | None:
    """Return the relative module reference from module `source` to module `target`, if there is one."""
    package_slots = {name for path, name in MODULES if path.endswith("__init__.py")}
    base = source if source in package_slots else source.rpartition(".")[0]
    dots = "."
    while base:
        if target == base:
            return dots
        if target.startswith(base + "."):
            return dots + target[len(base) + 1 :]
        base = base.rpartition(".")[0]
        dots += "."
    return None


# How a chain starts: the statement that binds `{n}` to a task decorator or task base
# class, whether `{n}` is a base class, and the decorator to configure, if any.
CHAIN_SOURCES = [
    ("from task_lint import task as {n}", False, None),
    ("import task_lint as tl\n{n} = tl.task", False, None),
    ("from task_lint import Task\n\nclass {n}(metaclass=Task):\n    abstract = True", True, None),
    ("def {n}(function):\n    return function", False, "{module}.{n}"),
    ("from celery import shared_task as {n}", False, "celery.shared_task"),
    ("from " + widen("task_lint") + " import task as {n}", False, None),
    ("import task_lint\n{n} = task_lint.task if FLAG else task_lint.task", False, None),
]
CHAIN_NAMES = ["job", "work", "deco", "Base", "runner"]


@st.composite
def chain(draw: Callable[..., Any], index: int) -> tuple[dict[str, list[str]], str | None]:
    """Draw statements that carry a task decorator or base class through re-exports to a task.

    Returns statements per module slot and the decorator to configure, if the chain needs one.
    """
    slots = [name for _, name in MODULES]
    hops = draw(st.lists(st.sampled_from(slots), min_size=1, max_size=4, unique=True))
    source, is_class, configured = draw(st.sampled_from(CHAIN_SOURCES))
    name = draw(st.sampled_from(CHAIN_NAMES))
    statements: dict[str, list[str]] = {slot: [] for slot in slots}
    statements[hops[0]].append(source.replace("{n}", name))
    if configured is not None:
        configured = configured.replace("{module}", hops[0]).replace("{n}", name)

    for step, (previous, current) in enumerate(itertools.pairwise(hops)):
        new_name = draw(st.sampled_from(CHAIN_NAMES))
        relative = relative_reference(current, previous)
        reference = draw(st.sampled_from([previous] if relative is None else [previous, relative]))
        form = draw(st.integers(0, 4))
        if form == 0:
            statements[current].append(f"from {reference} import {name} as {new_name}")
        elif form == 1:
            statements[current].append(f"from {reference} import {name}")
            new_name = name
        elif form == 2:
            statements[current].append(f"from {reference} import *")
            new_name = name
        elif form == 3:
            module_alias = f"hop{index}_{step}"
            statements[current].append(f"import {previous} as {module_alias}\n{new_name} = {module_alias}.{name}")
        else:
            statements[current].append(f"from {widen(reference)} import {widen(name)} as {new_name}")
        name = new_name

    last = hops[-1]
    if is_class:
        statements[last].append(f"class Job{index}({name}):\n    def execute(self, x) -> int:\n        return 1")
    else:
        call = draw(st.sampled_from(["", "()"]))
        statements[last].append(f"@{name}{call}\ndef job{index}(x) -> int:\n    return 1")
    return statements, configured


@st.composite
def projects(draw: Callable[..., Any]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Draw a project: file path templates to source text, and the configured decorators.

    Each module gets random statements (which may complete, break or shadow a chain)
    and the statements of up to three chains.
    """
    statements: dict[str, list[str]] = {}
    counter = itertools.count()
    for _, slot in MODULES:
        count = draw(st.integers(0, 4))
        statements[slot] = [draw(statement(slot, next(counter))) for _ in range(count)]
    decorators = set(draw(st.sampled_from(DECORATOR_CHOICES)))
    for _ in range(draw(st.integers(0, 3))):
        chain_statements, configured = draw(chain(next(counter)))
        for slot, lines in chain_statements.items():
            statements[slot].extend(lines)
        if configured is not None:
            decorators.add(configured)
    files = {path: "\n\n".join(statements[slot]) + "\n" for path, slot in MODULES}
    return files, tuple(sorted(decorators))


def materialise(root: Path, files: dict[str, str], decorators: tuple[str, ...]) -> tuple[list[str], tuple[str, ...]]:
    """Write a drawn project under `root` with fresh names; return its paths and decorators."""
    number = next(_PROJECT_NUMBERS)
    package, module = f"gen_pkg{number}", f"gen_mod{number}"

    def fill(text: str) -> str:
        return text.replace("{P}", package).replace("{U}", module)

    wide_package, wide_module = widen(package), widen(module)
    paths = []
    for template, text in files.items():
        path = root / fill(template)
        path.parent.mkdir(parents=True, exist_ok=True)
        # `widen("{P}")` keeps the braces, so full-width placeholders are filled in too.
        content = fill(text.replace(widen("{P}"), wide_package).replace(widen("{U}"), wide_module))
        path.write_text(content, encoding="utf-8")
        paths.append(str(path))
    return sorted(paths), tuple(fill(decorator) for decorator in decorators)


GENERATED = settings(
    max_examples=int(os.environ.get("TASK_LINT_PREFILTER_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@GENERATED
@given(project=projects(), data=st.data())
def test_generated_projects_sound(
    tmp_path_factory: pytest.TempPathFactory, project: tuple[dict[str, str], tuple[str, ...]], data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("generated")
    paths, decorators = materialise(root, *project)
    with_tasks = files_with_tasks(paths, decorators)
    changed = data.draw(st.sets(st.sampled_from(paths), min_size=1), label="changed files")

    kept_all = selected(paths, decorators)
    kept_changed = selected(changed, decorators)
    skipped_alone = sorted(path for path in with_tasks if not selected([path], decorators))
    skipped_changed = sorted((with_tasks & changed) - kept_changed)

    assert with_tasks <= kept_all, f"skipped: {sorted(with_tasks - kept_all)}"
    assert skipped_changed == []
    assert skipped_alone == []


@GENERATED
@given(project=projects())
def test_generated_findings_unchanged(
    tmp_path_factory: pytest.TempPathFactory, project: tuple[dict[str, str], tuple[str, ...]]
) -> None:
    root = tmp_path_factory.mktemp("generated")
    _, decorators = materialise(root, *project)
    config = Config(task_decorators=decorators)

    filtered = Checker(config, prefilter=True).check([str(root)])
    unfiltered = Checker(config, prefilter=False).check([str(root)])

    assert filtered.findings == unfiltered.findings
