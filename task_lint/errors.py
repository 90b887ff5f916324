"""Exceptions and warnings raised by task_lint.

Every exception derives from `TaskLintError`, so a caller can catch the library's
errors in one clause. `TaskInputError` also derives from `TypeError`, because a call
with arguments of the wrong type is a `TypeError` in plain Python too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict


class ErrorDetail(TypedDict):
    """One invalid value: where it sits, what is wrong, and the value itself."""

    loc: list[str | int]
    msg: str
    input: Any


class TaskLintError(Exception):
    """Base class of every exception that task_lint raises."""


class TaskDefinitionError(TaskLintError):
    """A task definition that strict mode rejects, or a class-based task without `execute`."""


class DuplicateTaskError(TaskLintError):
    """Two different tasks registered under the same explicit name."""


class UnsupportedTypeError(TaskLintError, TypeError):
    """An annotation that has no JSON form, met while encoding or decoding."""


class TaskInputError(TaskLintError, TypeError):
    """Arguments that do not match a task's annotations.

    `errors` lists every invalid value at once, each as a dict with `loc` (the
    parameter name, then list indexes or object keys), `msg` and `input`.
    """

    what = "input"

    def __init__(self, task_name: str, errors: Sequence[ErrorDetail]) -> None:
        self.task_name = task_name
        self.errors: list[ErrorDetail] = list(errors)
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.errors)
        noun = "error" if count == 1 else "errors"
        lines = [f"invalid {self.what} for task `{self.task_name}` ({count} {noun})"]
        for error in self.errors:
            where = ".".join(str(part) for part in error["loc"]) or "<input>"
            lines.append(f"  {where}: {error['msg']} (input: {_short_repr(error['input'])})")
        return "\n".join(lines)


class TaskOutputError(TaskInputError):
    """A return value, or an encoded output, that does not match the return annotation."""

    what = "output"


class TaskDefinitionWarning(UserWarning):
    """A task with missing or unsupported annotations, reported when it is defined."""


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    if len(text) > limit:
        return text[: limit - 3] + "..."
    return text
