"""TSK301: annotations without a JSON form, reported at the annotation."""

import enum
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath

from task_lint import Task, task


class Connection:
    """A plain class: it is neither a dataclass nor any other type of the wire format."""


class Permission(enum.Flag):
    READ = 1
    WRITE = 2


@task
def apply_rule(price: Decimal, rule: Callable[[Decimal], Decimal]) -> Decimal:  # expect: TSK301:38
    """Apply a discount rule to a price."""
    return rule(price)


@task
def query(
    connection: Connection,  # expect: TSK301:17
    lock: threading.Lock,  # expect: TSK301:11
    kind: type[int],  # expect: TSK301:11
    counts: dict[int, str],  # expect: TSK301:13
    where: PurePath,  # expect: TSK301:12
    access: Permission,  # expect: TSK301:13
    handlers: list[Callable[..., None]],  # expect: TSK301:15
) -> int:
    """Every parameter type here is reported."""
    return 0


@task
def open_stream(path: str) -> Connection:  # expect: TSK301:31
    """An unserializable return type is reported at the return annotation."""
    return Connection()


class Watch(metaclass=Task):
    """Class-based tasks are read the same way."""

    def execute(self, callback: Callable[[str], None]) -> None:  # expect: TSK301:33
        pass
