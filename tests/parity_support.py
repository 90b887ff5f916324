"""The static and the runtime view of the same tasks, for tests that hold them equal.

The static view comes from `Checker.describe`, which reads source only. The runtime
view imports the modules inside `task_lint.isolated_registry()` and reads each
task's `TaskMetadata`; the imported modules are removed from `sys.modules`
afterwards, and `sys.path` is restored.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import task_lint
from task_lint.model.schema import input_schema, output_schema
from task_lint.model.task import TaskDescription, annotation_problems
from task_lint.static.checker import Checker
from task_lint.static.config import Config


class TaskView(NamedTuple):
    """What both halves must agree on for one task."""

    description: TaskDescription
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    problems: list[str]
    signature: str


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def view(description: TaskDescription, problems: list[str]) -> TaskView:
    return TaskView(
        description, input_schema(description), output_schema(description), problems, description.render_signature()
    )


def static_views(*paths: Path) -> dict[str, TaskView]:
    """Describe the tasks under the paths from source, keyed by qualified name."""
    descriptions, unreadable = Checker(Config()).describe([str(path) for path in paths])
    assert unreadable == []
    return {d.qualified_name: view(d, [str(problem) for problem in annotation_problems(d)]) for d in descriptions}


def runtime_views(root: Path, modules: list[str]) -> dict[str, TaskView]:
    """Import the modules from `root` and describe their tasks from live objects, keyed by qualified name."""
    # A module that another test left imported would not define its tasks again.
    packages = {module.split(".")[0] for module in modules}
    earlier = {
        name: sys.modules.pop(name) for name in list(sys.modules) if name in packages or name.split(".")[0] in packages
    }
    before = set(sys.modules)
    sys.path.insert(0, str(root))
    dont_write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        with task_lint.isolated_registry() as registry, warnings.catch_warnings():
            # Tasks with annotation problems warn when they are defined, and the views list those problems anyway.
            warnings.simplefilter("ignore", task_lint.TaskDefinitionWarning)
            importlib.invalidate_caches()
            for module in modules:
                importlib.import_module(module)
            return {
                task.metadata.qualified_name: view(
                    task.metadata.description, [str(problem) for problem in task.metadata.problems]
                )
                for task in registry.all()
            }
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
        sys.path.remove(str(root))
        for name in set(sys.modules) - before:
            del sys.modules[name]
        sys.modules.update(earlier)


def both_views(root: Path, files: dict[str, str]) -> tuple[dict[str, TaskView], dict[str, TaskView]]:
    """Write the files under `root`, then return the static and the runtime views of their tasks."""
    write_files(root, files)
    modules = [name.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for name in files]
    return static_views(root), runtime_views(root, modules)
