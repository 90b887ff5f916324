"""The public API: what `import task_lint` exports and loads, and which layer may import which."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import task_lint

PACKAGE = Path(task_lint.__file__).parent
HEAVY = ("jinja2", "astroid", "flake8", "celery", "kombu", "pycodestyle", "pyflakes")


def loaded_modules(code: str) -> list[str]:
    """Run code in a fresh interpreter and return the top-level modules it loaded."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(completed.stdout.splitlines()[-1]))


def test_import_loads_no_static_tools() -> None:
    loaded = loaded_modules("import task_lint")

    for name in HEAVY:
        assert name not in loaded


def test_runtime_use_loads_no_static_tools() -> None:
    code = textwrap.dedent(
        """\
        from decimal import Decimal
        import task_lint
        from task_lint import task

        @task
        def total(prices: list[Decimal]) -> Decimal:
            return sum(prices, Decimal(0))

        assert total([Decimal("1.5")]) == Decimal("1.5")
        data = task_lint.encode_inputs(total, [Decimal("2")])
        assert task_lint.decode_inputs(total, data) == {"prices": [Decimal("2")]}
        total.metadata.json_schema()
        task_lint.markdown_docs([total])
        """
    )

    loaded = loaded_modules(code)

    for name in HEAVY:
        assert name not in loaded


def test_static_analysis_loads_no_runtime_reader() -> None:
    # flake8 loads the analysis for every check of a buffer in an editor, so it keeps
    # out what only the runtime half needs: the live-type reader and inspect.
    loaded = loaded_modules("import task_lint.static.checks, task_lint.static.plugin_support")

    assert "inspect" not in loaded
    assert "dataclasses" not in loaded
    assert "task_lint.model.from_runtime" not in loaded_full("import task_lint.static.checks")


def loaded_full(code: str) -> list[str]:
    """Run code in a fresh interpreter and return every module it loaded, submodules included."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(completed.stdout.splitlines()[-1]))


def test_all_lists_every_export() -> None:
    exported = set(task_lint._EXPORTS) | {"__version__", "markdown_docs"}

    assert set(task_lint.__all__) == exported


@pytest.mark.parametrize("name", sorted(task_lint.__all__))
def test_exported_name_resolves(name: str) -> None:
    assert getattr(task_lint, name) is not None


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'missing_name'"):
        task_lint.missing_name  # the attribute access is the test


def without_dunders(names: list[str]) -> set[str]:
    return {name for name in names if not (name.startswith("__") and name.endswith("__"))}


def test_dir_lists_all_exports() -> None:
    # Beyond `__all__`, dir() lists the task_lint submodules that were imported.
    listed = {name for name in without_dunders(dir(task_lint)) if f"task_lint.{name}" not in sys.modules}

    assert listed == without_dunders(task_lint.__all__)
    assert "__version__" in dir(task_lint)


def test_dir_in_fresh_interpreter() -> None:
    # `import task_lint` imports the private `_version` submodule, which dir() leaves out.
    script = "import json, task_lint\nprint(json.dumps(dir(task_lint)))"
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)

    names = json.loads(completed.stdout)

    assert without_dunders(names) == without_dunders(task_lint.__all__)


@pytest.mark.parametrize("name", ["Any", "TYPE_CHECKING", "annotations", "importlib"])
def test_helper_names_not_exported(name: str) -> None:
    assert not hasattr(task_lint, name)


def test_helper_name_annotation_unresolved() -> None:
    # The static pass never read `task_lint.Any` as typing.Any, so the runtime must not either.
    # An unresolved annotation gets no definition warning, because it may resolve later.
    @task_lint.task
    def record(payload: task_lint.Any) -> None:  # type: ignore[name-defined]  # the missing name is the test
        pass

    assert [problem.code for problem in record.metadata.problems] == ["TSK103"]


def test_star_import_and_lazy_attributes() -> None:
    code = textwrap.dedent(
        """\
        import json, sys
        import task_lint
        lazy = "task_lint.runtime.task" not in sys.modules
        namespace = {}
        exec("from task_lint import *", namespace)
        print(json.dumps([lazy, task_lint.task.__module__, sorted(set(namespace) - {"__builtins__"})]))
        """
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    lazy, task_module, star_names = json.loads(completed.stdout)

    assert lazy
    assert task_module == "task_lint.runtime.task"
    assert star_names == sorted(task_lint.__all__)


# --- Layers -------------------------------------------------------------------------

# What each layer must never import, from the design: the model is the ground
# floor; the runtime wing never loads the static wing, code generation or the
# static tools; the static wing never loads the runtime wing.
FORBIDDEN = {
    "task_lint/model": (
        "task_lint.runtime",
        "task_lint.static",
        "task_lint.codegen",
        "task_lint.cli",
        "jinja2",
        "astroid",
        "flake8",
    ),
    "task_lint/runtime": ("task_lint.static", "task_lint.codegen", "task_lint.cli", "jinja2", "astroid", "flake8"),
    "task_lint/static": ("task_lint.runtime", "task_lint.codegen", "task_lint.cli", "jinja2", "celery"),
    "task_lint/errors.py": ("task_lint.runtime", "task_lint.static", "task_lint.codegen"),
    "task_lint/rules.py": ("task_lint.runtime", "task_lint.static", "task_lint.codegen"),
}


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def layer_files() -> list[tuple[str, Path]]:
    files = []
    for layer in FORBIDDEN:
        target = PACKAGE.parent / layer
        paths = [target] if target.is_file() else sorted(target.rglob("*.py"))
        files.extend((layer, path) for path in paths)
    return files


@pytest.mark.parametrize(("layer", "path"), layer_files(), ids=lambda value: str(value).rsplit("task_lint/", 1)[-1])
def test_layer_imports_stay_down(layer: str, path: Path) -> None:
    imports = imported_names(path)

    for forbidden in FORBIDDEN[layer]:
        offending = sorted(name for name in imports if name == forbidden or name.startswith(forbidden + "."))
        assert offending == [], f"{path.name} imports {offending}"
