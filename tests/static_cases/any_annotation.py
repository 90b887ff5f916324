# task-lint-config: extend-select=TSK902
"""TSK902 (off by default): `Any` in any form, reported at the annotation."""

import typing
from dataclasses import dataclass
from typing import Any, Optional
from typing import Any as Whatever

from task_lint import Task, task

Payload = dict[str, Any]


@dataclass
class Event:
    name: str
    data: Any


@task
def store(
    payload: Any,  # expect: TSK902:14
    nested: dict[str, list[Any]],  # expect: TSK902:13
    quoted: "Optional['Any']",  # expect: TSK902:13
    qualified: typing.Any,  # expect: TSK902:16
    renamed: Whatever,  # expect: TSK902:14
    aliased: Payload,  # expect: TSK902:14
    anything: object,  # expect: TSK902:15
    event: Event,  # expect: TSK902:12
    precise: dict[str, int],
) -> None:
    """Each of these turns off validation for all or part of the value."""


@task
def load(key: str) -> dict[str, Any]:  # expect: TSK902:23
    """A return type with `Any` is reported at the return annotation."""
    return {}


class Replay(metaclass=Task):
    def execute(self, events: list[Any]) -> None:  # expect: TSK902:31
        pass
