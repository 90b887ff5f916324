"""task_lint: typed Python tasks, checked before import and validated at run time.

Importing this package stays cheap: it loads neither jinja2, astroid nor flake8.
Those belong to the static half (`task-lint` and the flake8 plugin), which never
imports user code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'task_lint' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


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


def markdown_docs(tasks: list[Task] | None = None, title: str = "Tasks") -> str:
    """Render Markdown reference docs for tasks, by default every registered task."""
    from task_lint.model.docs import tasks_markdown
    from task_lint.runtime.registry import all_tasks

    chosen = all_tasks() if tasks is None else tasks
    return tasks_markdown([t.metadata.description for t in chosen], title=title)
