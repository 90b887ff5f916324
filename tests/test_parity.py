"""The static pass and the runtime describe every task the same way.

For each task of fixtures/example_project, and for extra cases in temporary modules,
the JSON Schema of the inputs and of the result, the problems and the rendered
signature from source must equal what the runtime builds after importing the module.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from parity_support import TaskView, both_views, runtime_views, static_views

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE_ROOT = REPOSITORY / "fixtures" / "example_project"

EXAMPLE_STATIC = static_views(EXAMPLE_ROOT)
EXAMPLE_TASKS = sorted(EXAMPLE_STATIC)


@pytest.fixture(scope="module")
def example_runtime() -> dict[str, TaskView]:
    return runtime_views(EXAMPLE_ROOT, ["shop"])


def test_example_same_tasks(example_runtime: dict[str, TaskView]) -> None:
    assert EXAMPLE_TASKS == sorted(example_runtime)


def test_example_has_every_form() -> None:
    kinds = {view.description.kind for view in EXAMPLE_STATIC.values()}
    modules = {view.description.module for view in EXAMPLE_STATIC.values()}

    assert kinds == {"function", "class"}
    assert modules == {f"shop.{name}" for name in ("billing", "maintenance", "media", "notifications", "orders")} | {
        "shop.problems",
        "shop.reports",
    }


@pytest.mark.parametrize("name", EXAMPLE_TASKS)
def test_example_input_schema(name: str, example_runtime: dict[str, TaskView]) -> None:
    assert EXAMPLE_STATIC[name].input_schema == example_runtime[name].input_schema


@pytest.mark.parametrize("name", EXAMPLE_TASKS)
def test_example_output_schema(name: str, example_runtime: dict[str, TaskView]) -> None:
    assert EXAMPLE_STATIC[name].output_schema == example_runtime[name].output_schema


@pytest.mark.parametrize("name", EXAMPLE_TASKS)
def test_example_problems(name: str, example_runtime: dict[str, TaskView]) -> None:
    assert EXAMPLE_STATIC[name].problems == example_runtime[name].problems


@pytest.mark.parametrize("name", EXAMPLE_TASKS)
def test_example_signature(name: str, example_runtime: dict[str, TaskView]) -> None:
    assert EXAMPLE_STATIC[name].signature == example_runtime[name].signature


def test_example_problem_codes() -> None:
    codes = {name: [problem.split()[0] for problem in view.problems] for name, view in EXAMPLE_STATIC.items()}

    assert codes["shop.problems:tag_products"] == ["TSK101"]
    assert codes["shop.problems:count_visits"] == ["TSK102"]
    assert codes["shop.problems:apply_discount_rule"] == ["TSK301"]
    assert codes["shop.problems:refund_order"] == ["TSK103"]
    assert sum(len(found) for found in codes.values()) == 4


# --- Extra cases in temporary modules ---------------------------------------------------------

PARITY_CASES: dict[str, dict[str, str]] = {
    "generic_dataclass": {
        "parity_generic.py": """\
        from dataclasses import dataclass
        from datetime import date
        from decimal import Decimal
        from typing import Generic, NamedTuple, TypeVar

        from task_lint import task

        Row = TypeVar("Row")


        class SalesRow(NamedTuple):
            day: date
            revenue: Decimal


        @dataclass
        class Page(Generic[Row]):
            items: list[Row]
            page: int = 1


        @task
        def daily(rows: list[SalesRow], page: int = 1) -> Page[SalesRow]:
            return Page(rows, page)


        @task
        def pages(first: Page[int], second: Page[str]) -> list[Page[SalesRow]]:
            return []
        """
    },
    "nested_dataclasses_across_modules": {
        "parity_nested/__init__.py": "",
        "parity_nested/address.py": """\
        from dataclasses import dataclass


        @dataclass(frozen=True)
        class Address:
            street: str
            city: str
            country: str = "DE"
        """,
        "parity_nested/order.py": """\
        from dataclasses import dataclass, field
        from typing import Optional

        from parity_nested.address import Address


        @dataclass
        class Line:
            sku: str
            quantity: int = 1


        @dataclass
        class Order:
            \"\"\"A customer order.\"\"\"

            lines: list[Line]
            shipping: Address
            billing: Optional[Address] = None
            tags: list[str] = field(default_factory=list)
        """,
        "parity_nested/tasks.py": """\
        from parity_nested.order import Order

        from task_lint import task


        @task
        def place(order: Order) -> Order:
            return order
        """,
    },
    "enums": {
        "parity_enums.py": """\
        import enum
        from typing import Literal, Optional

        from task_lint import task


        class Color(enum.Enum):
            RED = enum.auto()
            GREEN = enum.auto()
            CRIMSON = 1


        class Priority(enum.IntEnum):
            LOW = 1
            HIGH = 5
            URGENT = enum.auto()


        class Currency(str, enum.Enum):
            EUR = "EUR"
            USD = "USD"


        @task
        def paint(
            color: Color = Color.CRIMSON,
            priority: Priority = Priority.URGENT,
            currency: Currency = Currency.USD,
            accent: Literal[Color.RED, Color.GREEN] = Color.GREEN,
            mixed: Literal["none", Priority.LOW] = "none",
            maybe: Optional[Color] = None,
        ) -> Literal[Currency.EUR]:
            return Currency.EUR
        """
    },
    "typeddict_and_namedtuple": {
        "parity_records.py": """\
        from decimal import Decimal
        from typing import NamedTuple, Optional, TypedDict

        from task_lint import task


        class Totals(TypedDict, total=False):
            net: Decimal
            tax: Decimal


        class Invoice(Totals):
            number: str


        class Size(NamedTuple):
            width: int
            height: int = 480
            label: str = "default"


        @task
        def bill(totals: Totals, invoice: Invoice, size: Optional[Size] = None) -> Size:
            return size or Size(640)
        """
    },
    "optional_and_constant_defaults": {
        "parity_defaults/__init__.py": "",
        "parity_defaults/settings.py": """\
        PAGE_SIZE = 25
        PREFIX = "shop" + "-"
        """,
        "parity_defaults/tasks.py": """\
        import datetime as dt
        from datetime import timedelta
        from decimal import Decimal
        from pathlib import Path
        from typing import Optional

        from parity_defaults.settings import PAGE_SIZE, PREFIX

        from task_lint import task

        RETRIES = 3
        LIMIT = RETRIES * 10


        @task
        def search(
            query: Optional[str] = None,
            page_size: int = PAGE_SIZE,
            prefix: str = PREFIX,
            retries: int = RETRIES,
            limit: int = LIMIT,
            rate: Decimal = Decimal("1.5"),
            delay: timedelta = timedelta(days=1),
            since: dt.date = dt.date(2024, 2, 29),
            folder: Path = Path("out"),
            sizes: tuple[int, ...] = (1, 2, 3),
            ratio: float = -0.5,
            wrong: int = "3",
        ) -> None:
            pass
        """,
    },
    "class_based_tasks": {
        "parity_classes/__init__.py": "",
        "parity_classes/base.py": """\
        from task_lint import Task


        class Job(metaclass=Task):
            abstract = True
            LIMIT = 5

            def execute(self, count: int = LIMIT) -> int:
                \"\"\"Count up to a limit.\"\"\"
                return count
        """,
        "parity_classes/jobs.py": """\
        from task_lint import Task

        from parity_classes.base import Job


        class Inherited(Job):
            pass


        class Scaled(metaclass=Task, queue="math"):
            \"\"\"Scale a value.\"\"\"

            FACTOR = 2.5
            Number = float

            @staticmethod
            def execute(value: Number, factor: float = FACTOR) -> float:
                return value * factor


        class Counter(metaclass=Task):
            @classmethod
            def execute(cls, start: int, errors: list[ValueError]) -> None:
                pass
        """,
    },
    "postponed_annotations": {
        "parity_future/__init__.py": "",
        "parity_future/models.py": """\
        from __future__ import annotations

        from dataclasses import dataclass
        from typing import TYPE_CHECKING, Optional

        if TYPE_CHECKING:
            from decimal import Decimal


        @dataclass
        class Item:
            sku: str
            price: Optional[Decimal] = None
            children: list[Item] | None = None
        """,
        "parity_future/tasks.py": """\
        from __future__ import annotations

        import datetime as dt
        from typing import TYPE_CHECKING

        from parity_future.models import Item

        from task_lint import task

        if TYPE_CHECKING:
            from uuid import UUID


        @task
        def restock(item: Item, when: dt.datetime, order: UUID | None = None) -> dict[str, UUID]:
            return {}
        """,
    },
    # The static pass reuses the read of an annotation text for later tasks whose
    # names resolve alike. These tasks share texts that must still read differently.
    "shared_annotation_texts": {
        "parity_shared/__init__.py": "",
        "parity_shared/models_a.py": """\
        import enum
        from dataclasses import dataclass


        class Level(enum.Enum):
            LOW = 1
            HIGH = 2
            TOP = 2


        @dataclass
        class Item:
            sku: str
            level: Level = Level.LOW


        @dataclass
        class Order:
            id: int
            items: list[Item]
        """,
        "parity_shared/models_b.py": """\
        from dataclasses import dataclass


        @dataclass
        class Order:
            code: str
        """,
        "parity_shared/one.py": """\
        from __future__ import annotations

        from parity_shared.models_a import Level, Order

        from task_lint import task


        @task
        def first(a: Order, b: list[Order]) -> Order:
            return a


        @task
        def second(b: list[Order], level: Level = Level.TOP) -> list[Order]:
            return b
        """,
        "parity_shared/two.py": """\
        import parity_shared.models_a as ma
        from parity_shared.models_b import Order

        from task_lint import task


        @task
        def third(b: list[Order]) -> Order:
            return b[0]


        @task
        def fourth(x: ma.Order, y: Order) -> list[Order]:
            return [y]


        @task
        def fifth(y: Order, x: ma.Order) -> list["Order"]:
            return [y]
        """,
        "parity_shared/three.py": """\
        from task_lint import task

        Order = dict[str, int]


        @task
        def sixth(b: list[Order], c: "list[Order]") -> Order:
            return {}
        """,
    },
}


@pytest.fixture(params=sorted(PARITY_CASES))
def parity_case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, TaskView], dict[str, TaskView]]:
    return both_views(tmp_path, PARITY_CASES[request.param])


def test_case_same_tasks(parity_case: tuple[dict[str, TaskView], dict[str, TaskView]]) -> None:
    static, runtime = parity_case

    assert sorted(static) == sorted(runtime)
    assert static != {}


def test_case_input_schema(parity_case: tuple[dict[str, TaskView], dict[str, TaskView]]) -> None:
    static, runtime = parity_case

    for name, view in static.items():
        assert view.input_schema == runtime[name].input_schema, name


def test_case_output_schema(parity_case: tuple[dict[str, TaskView], dict[str, TaskView]]) -> None:
    static, runtime = parity_case

    for name, view in static.items():
        assert view.output_schema == runtime[name].output_schema, name


def test_case_problems(parity_case: tuple[dict[str, TaskView], dict[str, TaskView]]) -> None:
    static, runtime = parity_case

    for name, view in static.items():
        assert view.problems == runtime[name].problems, name


def test_case_signature(parity_case: tuple[dict[str, TaskView], dict[str, TaskView]]) -> None:
    static, runtime = parity_case

    for name, view in static.items():
        assert view.signature == runtime[name].signature, name


def test_case_description(parity_case: tuple[dict[str, TaskView], dict[str, TaskView]]) -> None:
    static, runtime = parity_case

    for name, view in static.items():
        assert view.description == runtime[name].description, name
