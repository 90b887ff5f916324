"""task_lint: typed Python tasks, checked before import and validated at run time.

Importing this package stays cheap: it loads neither jinja2, astroid nor flake8.
Those belong to the static half (`task-lint` and the flake8 plugin), which never
imports user code.
"""

# Every module-level name is an attribute of the package, so this file has no
# `from __future__ import annotations` and no helper imports that stay bound
# (`task_lint.Any` would otherwise exist). An annotation that names a lazily
# loaded class is a string instead, and TYPE_CHECKING is deleted after use.
from typing import TYPE_CHECKING

from task_lint._version import __version__

# Public names and the modules that define them. They load on first use, so that
# `import task_lint` and the `task-lint` command do not pay for the runtime half
# until they need it.
_EXPORTS = {
    "DuplicateTaskError": "task_lint.errors",
    "TaskDefinitionError": "task_lint.errors",
    "TaskDefinitionWarning": "task_lint.errors",
    "TaskInputError": "task_lint.errors",
    "TaskLintError": "task_lint.errors",
    "TaskOutputError": "task_lint.errors",
    "UnsupportedTypeError": "task_lint.errors",
    "Problem": "task_lint.model.task",
    "TaskDescription": "task_lint.model.task",
    "TaskAnalyzer": "task_lint.runtime.metadata",
    "TaskMetadata": "task_lint.runtime.metadata",
    "Registry": "task_lint.runtime.registry",
    "all_tasks": "task_lint.runtime.registry",
    "get_task": "task_lint.runtime.registry",
    "isolated_registry": "task_lint.runtime.registry",
    "bind_inputs": "task_lint.runtime.serialization",
    "decode_inputs": "task_lint.runtime.serialization",
    "decode_output": "task_lint.runtime.serialization",
    "encode_inputs": "task_lint.runtime.serialization",
    "encode_output": "task_lint.runtime.serialization",
    "Task": "task_lint.runtime.task",
    "task": "task_lint.runtime.task",
}

if TYPE_CHECKING:
    from task_lint.errors import (
        DuplicateTaskError,
        TaskDefinitionError,
        TaskDefinitionWarning,
        TaskInputError,
        TaskLintError,
        TaskOutputError,
        UnsupportedTypeError,
    )
    from task_lint.model.task import Problem, TaskDescription
    from task_lint.runtime.metadata import TaskAnalyzer, TaskMetadata
    from task_lint.runtime.registry import Registry, all_tasks, get_task, isolated_registry
    from task_lint.runtime.serialization import (
        bind_inputs,
        decode_inputs,
        decode_output,
        encode_inputs,
        encode_output,
    )
    from task_lint.runtime.task import Task, task

del TYPE_CHECKING


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'task_lint' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names, loaded or not, the dunder names and the submodules imported so far."""
    import sys

    loaded = {
        name
        for name in globals()
        if name.startswith("__") or (not name.startswith("_") and f"{__name__}.{name}" in sys.modules)
    }
    return sorted({*__all__, *loaded})


__all__ = [
    "DuplicateTaskError",
    "Problem",
    "Registry",
    "Task",
    "TaskAnalyzer",
    "TaskDefinitionError",
    "TaskDefinitionWarning",
    "TaskDescription",
    "TaskInputError",
    "TaskLintError",
    "TaskMetadata",
    "TaskOutputError",
    "UnsupportedTypeError",
    "__version__",
    "all_tasks",
    "bind_inputs",
    "decode_inputs",
    "decode_output",
    "encode_inputs",
    "encode_output",
    "get_task",
    "isolated_registry",
    "markdown_docs",
    "task",
]


def markdown_docs(tasks: "list[Task] | None" = None, title: str = "Tasks") -> str:
    """Render Markdown reference docs for tasks, by default every registered task."""
    from task_lint.model.docs import tasks_markdown
    from task_lint.runtime.registry import all_tasks

    chosen = all_tasks() if tasks is None else tasks
    return tasks_markdown([t.metadata.description for t in chosen], title=title)
