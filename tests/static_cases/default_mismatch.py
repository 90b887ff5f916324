"""TSK401: a default of the wrong type, reported at the default value."""

import datetime as dt
import enum
from decimal import Decimal
from pathlib import Path
from typing import Literal, Optional

from task_lint import Task, task

DEFAULT_WIDTH = "100"
DEFAULT_HEIGHT = 80


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@task
def resize(
    path: Path,
    width: int = "100",  # expect: TSK401:18
    height: int = DEFAULT_HEIGHT,
    depth: int = DEFAULT_WIDTH,  # expect: TSK401:18
    ratio: float = 1,
    strict: bool = 0,  # expect: TSK401:20
) -> None:
    """Module constants are evaluated; an int is a valid float, but not a valid bool."""


@task
def paint(
    color: Color = "red",  # expect: TSK401:20
    accent: Color = Color.BLUE,
    mode: Literal["fast", "slow"] = "medium",  # expect: TSK401:37
    level: Optional[int] = None,
    price: Decimal = Decimal("1.5"),
    due: dt.timedelta = dt.timedelta(days=1),
    start: dt.date = dt.datetime(2024, 1, 1),  # expect: TSK401:22
) -> None:
    """Enum members, literals and standard library constructors are evaluated too."""


@task
def unknown(count: int = int.from_bytes(b"\x01", "big")) -> None:
    """A default that needs running code is not judged."""


class Crop(metaclass=Task):
    """Class-based tasks get the same finding."""

    def execute(self, margin: int = 2.5) -> None:  # expect: TSK401:37
        pass
