"""The task registry: every task class, by id, by qualified name and by explicit name."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from uuid import UUID

from task_lint.errors import DuplicateTaskError

if TYPE_CHECKING:
    from task_lint.runtime.task import Task


class Registry:
    """A thread-safe set of task classes.

    A task is stored under its `TaskMetadata.id`, its qualified name (`module:qualname`)
    and, when it has one, its explicit `name=`. Registering a task with a qualified
    name that is already present replaces the old task, as a module reload does.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Task] = {}
        self._by_qualified_name: dict[str, Task] = {}
        self._by_explicit_name: dict[str, Task] = {}

    def register(self, task: Task) -> None:
        """Add a task, replacing one with the same qualified name.

        Raises `DuplicateTaskError` when a different task already uses the same explicit name.
        """
        metadata = task.metadata
        explicit = metadata.explicit_name
        with self._lock:
            previous = self._by_qualified_name.get(metadata.qualified_name)
            if explicit is not None:
                holder = self._by_explicit_name.get(explicit)
                if holder is not None and holder is not previous:
                    raise DuplicateTaskError(
                        f"task name {explicit!r} is used by {holder.metadata.qualified_name} "
                        f"({holder.metadata.location}) and by {metadata.qualified_name} ({metadata.location}); "
                        "give one of them another name="
                    )
            if previous is not None:
                self._remove_locked(previous)
            self._by_id[metadata.id] = task
            self._by_qualified_name[metadata.qualified_name] = task
            if explicit is not None:
                self._by_explicit_name[explicit] = task

    def _remove_locked(self, task: Task) -> None:
        metadata = task.metadata
        self._by_id.pop(metadata.id, None)
        if self._by_qualified_name.get(metadata.qualified_name) is task:
            del self._by_qualified_name[metadata.qualified_name]
        explicit = metadata.explicit_name
        if explicit is not None and self._by_explicit_name.get(explicit) is task:
            del self._by_explicit_name[explicit]

    def unregister(self, task: Task) -> None:
        with self._lock:
            self._remove_locked(task)

    def get(self, key: str | UUID) -> Task:
        """Return the task with this id, qualified name or explicit name; raise `KeyError` otherwise."""
        text = str(key)
        with self._lock:
            found = self._by_id.get(text) or self._by_qualified_name.get(text) or self._by_explicit_name.get(text)
        if found is None:
            raise KeyError(f"no task with id or name {text!r}; qualified names have the form 'module:function'")
        return found

    def all(self) -> list[Task]:
        """Return every task, in registration order."""
        with self._lock:
            return list(self._by_qualified_name.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_qualified_name)

    def __contains__(self, key: Any) -> bool:
        try:
            self.get(key)
        except KeyError:
            return False
        return True

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._by_qualified_name.clear()
            self._by_explicit_name.clear()


_default_registry = Registry()
_current = _default_registry
_swap_lock = threading.Lock()


def current_registry() -> Registry:
    """Return the registry that new tasks join."""
    return _current


@contextlib.contextmanager
def isolated_registry() -> Iterator[Registry]:
    """Register tasks defined inside the block in a new, empty registry.

    The previous registry is restored on exit, so tests leak no tasks. The switch is
    process-wide: tasks defined in other threads during the block join it too.
    """
    global _current
    registry = Registry()
    with _swap_lock:
        previous = _current
        _current = registry
    try:
        yield registry
    finally:
        with _swap_lock:
            _current = previous


def get_task(key: str | UUID) -> Task:
    """Return a task by id, qualified name (`module:qualname`) or explicit name."""
    return _current.get(key)


def all_tasks() -> list[Task]:
    """Return every registered task, in registration order."""
    return _current.all()
