"""Well-formed tasks of every form produce no finding."""

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple, Optional, TypedDict
from uuid import UUID

import task_lint
import task_lint as tl
from task_lint import Task, task
from task_lint import task as job


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Address:
    street: str
    city: str
    tags: list[str] = field(default_factory=list)


class Totals(TypedDict, total=False):
    net: Decimal
    tax: Decimal


class Size(NamedTuple):
    width: int
    height: int = 0


@task
def plain(count: int, label: str = "x") -> str:
    """Repeat a label."""
    return label * count


@task(name="clean.options", retries=2)
async def with_options(url: str, timeout: float = 2.5) -> bytes:
    """Fetch a page."""
    return url.encode()


@task_lint.task
def qualified(when: dt.datetime, delay: dt.timedelta = dt.timedelta(minutes=5)) -> dt.date:
    """Use a fully qualified decorator."""
    return (when + delay).date()


@tl.task()
def aliased_module(order_id: UUID, address: Address, color: Color = Color.RED) -> Optional[Totals]:
    """Use the package under another name."""
    return None


@job
def aliased_decorator(
    size: Size, path: Path, *, mode: Literal["fit", "fill"] = "fit", price: Decimal = Decimal("9.90")
) -> tuple[int, int]:
    """Use the decorator under another name, with keyword-only parameters."""
    return size.width, size.height


class Export(metaclass=Task, queue="exports"):
    """A class-based task."""

    def execute(self, path: Path, limit: int | None = None) -> list[str]:
        return []
