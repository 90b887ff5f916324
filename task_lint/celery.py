"""Submit tasks to the Celery workers that `task-lint workers --target celery` generates.

    import task_lint.celery

    receipt = task_lint.celery.submit(charge_card, order_id=..., amount=Decimal("12.50"))
    receipt.get(timeout=30)  # a PaymentReceipt, decoded by the return annotation

Arguments are validated and encoded on the client, so invalid ones raise
`TaskInputError` before anything is sent. Messages and results travel as JSON.
The worker answers with an envelope (`{"ok": true, "result": ...}` or
`{"ok": false, "error": {...}}`), so a task that raised comes back as
`RemoteTaskError` with the remote exception's type, message and traceback, and its
Celery state is SUCCESS. Time limits and lost workers come back as Celery
failures, which `get` also raises as `RemoteTaskError`.

The broker and result backend come from `TASK_LINT_BROKER_URL` (default
`redis://127.0.0.1:6379/0`) and `TASK_LINT_RESULT_BACKEND` (default: the broker
URL), the same variables the generated worker application reads.

This module needs the `celery` extra (`pip install 'task-lint[celery]'`); nothing
else in task_lint imports Celery.
"""

from __future__ import annotations

import importlib
import os
from typing import Any
from uuid import UUID

try:
    import celery
except ModuleNotFoundError as error:
    if error.name != "celery":
        raise
    raise ModuleNotFoundError(
        "task_lint.celery needs Celery, which is not installed. Install the celery extra with "
        "`pip install 'task-lint[celery]'`, or in a clone of the repository with `pip install -e '.[celery]'`",
        name=error.name,
    ) from error

from task_lint.errors import ErrorDetail, TaskInputError, TaskLintError, TaskOutputError
from task_lint.runtime.metadata import TaskMetadata
from task_lint.runtime.registry import all_tasks, get_task
from task_lint.runtime.serialization import decode_output, encode_inputs
from task_lint.runtime.task import Task

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"


class RemoteTaskError(TaskLintError):
    """A task that failed in a worker: it raised, hit a time limit, or its worker died.

    `exception` is the type of the exception that the task raised (qualified
    unless built in), or the bare class name of a Celery failure such as
    `TimeLimitExceeded`. `message` is its message and `traceback` the remote
    traceback text, when known.
    """

    def __init__(self, task_name: str, exception: str, message: str, traceback: str | None = None) -> None:
        self.task_name = task_name
        self.exception = exception
        self.message = message
        self.traceback = traceback
        super().__init__(f"task `{task_name}` failed in the worker: {exception}: {message}")


def broker_url() -> str:
    return os.environ.get("TASK_LINT_BROKER_URL", DEFAULT_BROKER_URL)


def result_backend() -> str:
    return os.environ.get("TASK_LINT_RESULT_BACKEND", broker_url())


def make_app(broker: str | None = None, backend: str | None = None) -> celery.Celery:
    """Create a Celery app configured like the generated worker application (JSON only)."""
    app = celery.Celery("task_lint_client", broker=broker or broker_url())
    app.conf.update(
        result_backend=backend or result_backend(),
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
    )
    return app


def _metadata(task: Any) -> TaskMetadata:
    """Accept a task class, its metadata, an id, a registered name, or `module:qualname` to import."""
    if isinstance(task, TaskMetadata):
        return task
    if isinstance(task, Task):
        return task.metadata
    if isinstance(task, (str, UUID)):
        try:
            return get_task(task).metadata
        except KeyError:
            if not (isinstance(task, str) and ":" in task):
                raise KeyError(
                    f"no task with id or name {task!r} is registered. A task registers when the module that "
                    "defines it is imported, so import that module first, or pass 'module:qualname' "
                    "(such as 'shop.billing:compute_invoice'), which submit imports for you"
                ) from None
        return _import_task(task)
    raise TypeError(f"expected a task class, TaskMetadata, id or qualified name, got {task!r}")


def _import_task(reference: str) -> TaskMetadata:
    """Import the module of a `module:qualname` reference and return the task's metadata."""
    module_name, _, qualname = reference.partition(":")
    if not qualname or not all(part.isidentifier() for part in module_name.split(".")):
        expected = "expected 'module:qualname', such as 'shop.orders:cancel_order'"
        raise ValueError(f"invalid task reference {reference!r}; {expected}")
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # A module that the task's module imports and that is missing keeps its own error.
        if error.name is None or not (module_name == error.name or module_name.startswith(error.name + ".")):
            raise
        raise ModuleNotFoundError(
            f"cannot import module {module_name!r} of task {reference!r}: {error}. Check the spelling, "
            "and run from the folder that contains the module or add that folder to PYTHONPATH",
            name=error.name,
        ) from error
    try:
        return get_task(reference).metadata
    except KeyError:
        registered = sorted(t.metadata.qualname for t in all_tasks() if t.metadata.module == module_name)
        if registered:
            known = "its registered tasks are " + ", ".join(registered)
        else:
            known = "none of its tasks is registered; a task needs @task or metaclass=Task"
        raise KeyError(f"module {module_name!r} has no registered task {qualname!r}; {known}") from None


class SubmittedTask:
    """A task sent to the workers; `get` waits for it and decodes the result."""

    def __init__(self, metadata: TaskMetadata, result: Any) -> None:
        self.metadata = metadata
        self.async_result = result

    @property
    def id(self) -> str:
        return str(self.async_result.id)

    def get(self, timeout: float | None = None) -> Any:
        """Wait for the result and decode it by the task's return annotation.

        Raises `RemoteTaskError` when the task failed in the worker, `TaskInputError`
        when the worker rejected the arguments, and Celery's `TimeoutError` when the
        result does not arrive within `timeout` seconds.
        """
        envelope = self.async_result.get(timeout=timeout, propagate=False)
        name = self.metadata.name
        if self.async_result.failed() or isinstance(envelope, BaseException):
            exception = envelope if isinstance(envelope, BaseException) else None
            kind = type(exception).__name__ if exception is not None else "CeleryFailure"
            raise RemoteTaskError(name, kind, str(exception or envelope), self.async_result.traceback)
        if not isinstance(envelope, dict) or "ok" not in envelope:
            raise RemoteTaskError(name, "InvalidResponse", f"unexpected response from the worker: {envelope!r}")
        if envelope["ok"]:
            return decode_output(self.metadata, envelope.get("result"))
        error = envelope.get("error") or {}
        kind = str(error.get("type"))
        details: list[ErrorDetail] = [
            {"loc": list(item.get("loc", [])), "msg": str(item.get("msg", "")), "input": None}
            for item in error.get("errors", [])
        ]
        if kind == "invalid_input":
            raise TaskInputError(name, details)
        if kind == "invalid_output":
            raise TaskOutputError(name, details)
        raise RemoteTaskError(
            name,
            str(error.get("exception", kind)),
            str(error.get("message", "")),
            error.get("traceback"),
        )


class Client:
    """Submits tasks through one Celery app (by default configured from the environment)."""

    def __init__(self, app: celery.Celery | None = None) -> None:
        self.app = app or make_app()

    def submit(self, task: Any, /, *args: Any, **kwargs: Any) -> SubmittedTask:
        """Validate and encode the arguments, then send the task by its qualified name."""
        metadata = _metadata(task)
        encoded = encode_inputs(metadata, *args, **kwargs)
        options: dict[str, Any] = {"serializer": "json"}
        queue = metadata.options.get("queue")
        if isinstance(queue, str):
            options["queue"] = queue
        result = self.app.send_task(metadata.qualified_name, kwargs=encoded, **options)
        return SubmittedTask(metadata, result)


_default: list[Client] = []


def submit(task: Any, /, *args: Any, **kwargs: Any) -> SubmittedTask:
    """Submit a task with the default client (broker and backend from the environment)."""
    if not _default:
        _default.append(Client())
    return _default[0].submit(task, *args, **kwargs)
