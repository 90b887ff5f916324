"""One case per row of the wire format: an annotation and a Hypothesis strategy of its values.

`test_serialization.py` round-trips these values through JSON, and `test_schema.py`
validates their JSON form against the task's JSON Schema.
"""

import dataclasses
import enum
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, Optional, TypedDict, TypeVar, Union
from uuid import UUID

import pytest
from hypothesis import strategies as st

HAS_STR_ENUM = sys.version_info >= (3, 11)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    NORMAL = 5
    HIGH = 10


if HAS_STR_ENUM:

    class Size(enum.StrEnum):
        SMALL = "s"
        LARGE = "l"


@dataclass
class Customer:
    name: str
    email: str | None = None


@dataclass
class Line:
    sku: str
    quantity: int
    price: Decimal


@dataclass
class Order:
    id: UUID
    customer: Customer
    lines: list[Line]
    placed_at: datetime


@dataclass
class Row:
    id: int
    label: str


RowT = TypeVar("RowT")


@dataclass
class Page(Generic[RowT]):
    items: list[RowT]
    total: int


@dataclass
class Node:
    value: int
    children: list["Node"]


@dataclass(frozen=True)
class Point:
    x: int
    y: int


class MovieRequiredKeys(TypedDict):
    title: str
    year: int


class Movie(MovieRequiredKeys, total=False):
    """A TypedDict with required keys and one optional key, `rating`."""

    rating: float


class MovieFilter(TypedDict, total=False):
    title: str
    min_year: int


class Coordinate(NamedTuple):
    latitude: float
    longitude: float
    label: str = ""


@dataclasses.dataclass(frozen=True)
class WireCase:
    """An annotation, a strategy of valid values, and the test id."""

    id: str
    annotation: Any
    values: st.SearchStrategy[Any]


# Fixed UTC offsets in whole minutes, from -23:59 to +23:59, the only offsets that
# RFC 3339 date-times can write. Zone-aware tzinfo (zoneinfo) is left out because
# Python compares datetimes in a repeated hour as unequal across zones, which would
# fail the round trip for reasons outside the codec.
MINUTES_PER_DAY = 24 * 60
fixed_offsets = st.integers(-(MINUTES_PER_DAY - 1), MINUTES_PER_DAY - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)

finite_floats = st.floats(allow_nan=False, allow_infinity=False)

# 30 significant digits with an exponent, so the decoder must keep every digit.
thirty_digit_decimals = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
    st.integers(10**29, 10**30 - 1) | st.integers(-(10**30) + 1, -(10**29)),
    st.integers(-40, 40),
)
decimals = st.decimals(allow_nan=False, allow_infinity=False) | thirty_digit_decimals

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite_floats | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)

customers = st.builds(Customer, name=st.text(), email=st.none() | st.text())
lines = st.builds(Line, sku=st.text(), quantity=st.integers(), price=decimals)
orders = st.builds(
    Order,
    id=st.uuids(),
    customer=customers,
    lines=st.lists(lines, max_size=3),
    placed_at=st.datetimes(timezones=fixed_offsets),
)
rows = st.builds(Row, id=st.integers(), label=st.text())
pages = st.builds(Page, items=st.lists(rows, max_size=4), total=st.integers())
trees = st.recursive(
    st.builds(Node, value=st.integers(), children=st.just([])),
    lambda subtrees: st.builds(Node, value=st.integers(), children=st.lists(subtrees, max_size=3)),
    max_leaves=10,
)
movies = st.fixed_dictionaries(
    {"title": st.text(), "year": st.integers()},
    optional={"rating": finite_floats},
)
movie_filters = st.fixed_dictionaries({}, optional={"title": st.text(), "min_year": st.integers()})
coordinates = st.builds(Coordinate, latitude=finite_floats, longitude=finite_floats, label=st.text())

WIRE_CASES: list[WireCase] = [
    WireCase("int", int, st.integers()),
    WireCase("float", float, finite_floats),
    WireCase("str", str, st.text()),
    WireCase("bool", bool, st.booleans()),
    WireCase("None", None, st.none()),
    WireCase("bytes", bytes, st.binary()),
    WireCase("datetime-naive", datetime, st.datetimes()),
    WireCase("datetime-aware", datetime, st.datetimes(timezones=fixed_offsets)),
    WireCase("date", date, st.dates()),
    WireCase("time-naive", time, st.times()),
    WireCase("time-aware", time, st.times(timezones=fixed_offsets)),
    WireCase("timedelta", timedelta, st.timedeltas()),
    WireCase("Decimal", Decimal, decimals),
    WireCase("UUID", UUID, st.uuids()),
    WireCase("Path", Path, st.text().map(Path)),
    WireCase("Enum", Color, st.sampled_from(Color)),
    WireCase("IntEnum", Priority, st.sampled_from(Priority)),
    WireCase("list", list[int], st.lists(st.integers())),
    WireCase("tuple-variadic", tuple[str, ...], st.lists(st.text()).map(tuple)),
    WireCase("tuple-fixed", tuple[int, str, bool], st.tuples(st.integers(), st.text(), st.booleans())),
    WireCase("set", set[str], st.sets(st.text())),
    WireCase("frozenset", frozenset[int], st.frozensets(st.integers())),
    WireCase(
        "frozenset-dataclass", frozenset[Point], st.frozensets(st.builds(Point, x=st.integers(), y=st.integers()))
    ),
    WireCase("dict", dict[str, float], st.dictionaries(st.text(), finite_floats)),
    WireCase("Optional", Optional[int], st.none() | st.integers()),  # noqa: UP045
    WireCase("Union", Union[int, str, None], st.integers() | st.text() | st.none()),  # noqa: UP007
    WireCase("pipe-union", int | str, st.integers() | st.text()),
    WireCase("union-float-int", float | int, finite_floats | st.integers()),
    WireCase("union-date-datetime", date | datetime, st.dates() | st.datetimes()),
    WireCase("union-objects", Row | Movie, rows | movies),
    WireCase("Literal", Literal["a", 1, True, None], st.sampled_from(["a", 1, True, None])),
    WireCase("dataclass-nested", Order, orders),
    WireCase("dataclass-generic", Page[Row], pages),
    WireCase("dataclass-recursive", Node, trees),
    WireCase("TypedDict-total", Movie, movies),
    WireCase("TypedDict-partial", MovieFilter, movie_filters),
    WireCase("NamedTuple", Coordinate, coordinates),
    WireCase("Any", Any, json_values),
    WireCase(
        "nested-optional",
        Optional[list[Optional[Row]]],  # noqa: UP045
        st.none() | st.lists(st.none() | rows),
    ),
    WireCase(
        "nested-union",
        dict[str, Union[int, list[Optional[str]]]],  # noqa: UP007, UP045
        st.dictionaries(st.text(), st.integers() | st.lists(st.none() | st.text())),
    ),
    WireCase(
        "list-of-enum-union", list[Color | Priority], st.lists(st.sampled_from(Color) | st.sampled_from(Priority))
    ),
]

if HAS_STR_ENUM:
    WIRE_CASES.append(WireCase("StrEnum", Size, st.sampled_from(Size)))


def wire_case_params() -> list[Any]:
    """Return `pytest.param`s of every case; the StrEnum case is a skipped placeholder before 3.11."""
    params = [pytest.param(case, id=case.id) for case in WIRE_CASES]
    if not HAS_STR_ENUM:
        skip = pytest.mark.skip(reason="enum.StrEnum is new in Python 3.11")
        params.append(pytest.param(None, id="StrEnum", marks=skip))
    return params
