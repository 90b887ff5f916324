"""task_lint: typed Python tasks, checked before import and validated at run time.

Importing this package stays cheap: it loads neither jinja2, astroid nor flake8.
Those belong to the static half (`task-lint` and the flake8 plugin), which never
imports user code.
"""

from task_lint._version import __version__
from task_lint.errors import (
    DuplicateTaskError,
    TaskDefinitionError,
    TaskDefinitionWarning,
    TaskInputError,
    TaskLintError,
    TaskOutputError,
    UnsupportedTypeError,
)
from task_lint.model.docs import tasks_markdown
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
    chosen = all_tasks() if tasks is None else tasks
    return tasks_markdown([t.metadata.description for t in chosen], title=title)
