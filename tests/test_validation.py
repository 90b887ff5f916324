"""Validated task calls: argument binding, strict value checks and error locations."""

import asyncio
import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple, Optional, TypedDict, Union
from uuid import UUID

import pytest

from task_lint import Task, TaskInputError, TaskLintError, TaskOutputError, task


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Point(NamedTuple):
    x: int
    y: int


class Movie(TypedDict):
    title: str
    year: int


@dataclass
class Item:
    id: int
    name: str


@dataclass
class Order:
    item: Item
    tags: list[str] = field(default_factory=list)


def errors_of(call: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Call a task, expect `TaskInputError`, and return its `errors`."""
    with pytest.raises(TaskInputError) as excinfo:
        call(*args, **kwargs)
    return list(excinfo.value.errors)


def locs_of(call: Any, *args: Any, **kwargs: Any) -> list[list[str | int]]:
    return [error["loc"] for error in errors_of(call, *args, **kwargs)]


@task
def bind_all(a: int, /, b: float, *args: str, c: bool = False, **kwargs: int) -> tuple[Any, ...]:
    return (a, b, args, c, kwargs)


@task
def bind_plain(x: int, y: str = "y", *, z: float, w: int = 0) -> tuple[Any, ...]:
    return (x, y, z, w)


@task
def bind_positional_only(a: int, b: int = 2, /) -> tuple[int, int]:
    return (a, b)


# --- binding ------------------------------------------------------------------------


def test_positional_and_keyword_binding() -> None:
    assert bind_plain(1, "a", z=1.5) == (1, "a", 1.5, 0)
    assert bind_plain(x=1, y="a", z=1.5, w=3) == (1, "a", 1.5, 3)
    assert bind_plain(1, z=2.0) == (1, "y", 2.0, 0)


def test_positional_only_binding() -> None:
    assert bind_positional_only(1) == (1, 2)
    assert bind_positional_only(1, 5) == (1, 5)


def test_variadic_binding() -> None:
    result = bind_all(1, 2.0, "p", "q", c=True, extra=4)

    assert result == (1, 2.0, ("p", "q"), True, {"extra": 4})


def test_positional_only_name_goes_to_kwargs() -> None:
    result = bind_all(1, 2.0, a=9)

    assert result == (1, 2.0, (), False, {"a": 9})


def test_too_many_positional_arguments() -> None:
    errors = errors_of(bind_plain, 1, "a", 3.0, z=1.0)

    assert len(errors) == 1
    assert errors[0]["loc"] == [2]
    assert "too many positional arguments" in errors[0]["msg"]
    assert errors[0]["input"] == 3.0


def test_too_many_positional_only_arguments() -> None:
    errors = errors_of(bind_positional_only, 1, 2, 3)

    assert len(errors) == 1
    assert "too many positional arguments" in errors[0]["msg"]


def test_missing_required_argument() -> None:
    errors = errors_of(bind_plain, z=1.0)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["x"]
    assert "missing" in errors[0]["msg"]


def test_missing_keyword_only_argument() -> None:
    errors = errors_of(bind_plain, 1)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["z"]
    assert "missing" in errors[0]["msg"]


def test_unexpected_keyword_argument() -> None:
    errors = errors_of(bind_plain, 1, z=1.0, colour="red")

    assert len(errors) == 1
    assert errors[0]["loc"] == ["colour"]
    assert "unexpected keyword argument" in errors[0]["msg"]


def test_value_given_twice() -> None:
    errors = errors_of(bind_plain, 1, "a", y="b", z=1.0)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["y"]
    assert "multiple values" in errors[0]["msg"]


def test_positional_only_passed_by_keyword() -> None:
    errors = errors_of(bind_positional_only, a=1)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["a"]
    assert "positional-only" in errors[0]["msg"]


def test_positional_only_by_keyword_with_kwargs() -> None:
    # Python raises "missing 1 required positional argument: 'a'" for this call,
    # because `a=` lands in **kwargs and leaves `a` itself unfilled.
    errors = errors_of(bind_all, a=1, b=2.0)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["a"]
    assert errors[0]["msg"].startswith("missing required argument; pass it by position")


def test_keyword_for_var_positional_name() -> None:
    errors = errors_of(bind_all, 1, 2.0, args="x")

    assert errors == [{"loc": ["args"], "msg": "expected int, got str", "input": "x"}]


def test_var_positional_error_location() -> None:
    errors = errors_of(bind_all, 1, 2.0, "p", 7, "q", 8)

    assert [error["loc"] for error in errors] == [["args", 1], ["args", 3]]
    assert errors[0]["msg"] == "expected str, got int"


def test_var_keyword_error_location() -> None:
    errors = errors_of(bind_all, 1, 2.0, good=1, bad="x")

    assert errors == [{"loc": ["bad"], "msg": "expected int, got str", "input": "x"}]


def test_defaults_not_validated() -> None:
    @task
    def with_odd_default(n: int = "seven") -> Any:  # type: ignore[assignment]  # wrong default on purpose
        return n

    assert with_odd_default() == "seven"


# --- strict scalars -----------------------------------------------------------------


@task
def scalars(i: int, f: float, s: str, b: bool, dec: Decimal, d: date) -> None:
    return None


SCALARS_OK: dict[str, Any] = {
    "i": 1,
    "f": 1.5,
    "s": "text",
    "b": True,
    "dec": Decimal("1.10"),
    "d": date(2024, 1, 2),
}


def scalar_errors(**override: Any) -> list[dict[str, Any]]:
    return errors_of(scalars, **{**SCALARS_OK, **override})


def test_valid_scalars_accepted() -> None:
    assert scalars(**SCALARS_OK) is None


@pytest.mark.parametrize(
    ("name", "value", "msg"),
    [
        ("i", "1", "expected int, got str"),
        ("i", 1.0, "expected int, got float"),
        ("i", True, "expected int, got bool"),
        ("i", None, "expected int, got None"),
        ("f", "1.5", "expected float, got str"),
        ("f", True, "expected float, got bool"),
        ("s", 1, "expected str, got int"),
        ("s", b"text", "expected str, got bytes"),
        ("b", 1, "expected bool, got int"),
        ("b", "true", "expected bool, got str"),
        ("dec", 1, "expected Decimal, got int"),
        ("dec", "1.10", "expected Decimal, got str"),
    ],
)
def test_scalar_not_coerced(name: str, value: Any, msg: str) -> None:
    errors = scalar_errors(**{name: value})

    assert errors == [{"loc": [name], "msg": msg, "input": value}]


def test_int_accepted_for_float() -> None:
    assert scalars(**{**SCALARS_OK, "f": 3}) is None


def test_large_int_accepted_for_int() -> None:
    assert scalars(**{**SCALARS_OK, "i": 2**80}) is None


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_float_rejects_nan_and_infinity(value: float) -> None:
    errors = scalar_errors(f=value)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["f"]
    assert "NaN and infinities are not allowed" in errors[0]["msg"]


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_decimal_rejects_nan_and_infinity(value: Decimal) -> None:
    errors = scalar_errors(dec=value)

    assert len(errors) == 1
    assert "NaN and infinities are not allowed" in errors[0]["msg"]


def test_finite_float_for_decimal_message() -> None:
    errors = scalar_errors(dec=1.5)

    assert errors == [{"loc": ["dec"], "msg": "expected Decimal, got float", "input": 1.5}]


def test_finite_decimal_for_float_message() -> None:
    errors = scalar_errors(f=Decimal("1.5"))

    assert errors == [{"loc": ["f"], "msg": "expected float, got Decimal", "input": Decimal("1.5")}]


def test_datetime_rejected_for_date() -> None:
    moment = datetime(2024, 1, 2, 3, 4)

    errors = scalar_errors(d=moment)

    assert len(errors) == 1
    assert errors[0]["loc"] == ["d"]
    assert errors[0]["msg"].startswith("expected date, got datetime")


# --- containers ---------------------------------------------------------------------


@task
def containers(
    numbers: list[int],
    pair: tuple[int, str],
    many: tuple[int, ...],
    tags: set[str],
    frozen: frozenset[int],
    scores: dict[str, float],
    nested: dict[str, list[int]],
) -> None:
    return None


CONTAINERS_OK: dict[str, Any] = {
    "numbers": [1, 2],
    "pair": (1, "a"),
    "many": (1, 2, 3),
    "tags": {"a"},
    "frozen": frozenset({1}),
    "scores": {"a": 1.5, "b": 2},
    "nested": {"a": [1]},
}


def container_errors(**override: Any) -> list[dict[str, Any]]:
    return errors_of(containers, **{**CONTAINERS_OK, **override})


def test_valid_containers_accepted() -> None:
    assert containers(**CONTAINERS_OK) is None


def test_empty_containers_accepted() -> None:
    empty = {"numbers": [], "many": (), "tags": set(), "frozen": frozenset(), "scores": {}, "nested": {}}

    assert containers(**{**CONTAINERS_OK, **empty}) is None


def test_list_item_error_location() -> None:
    errors = container_errors(numbers=[1, "2", 3, True])

    assert errors == [
        {"loc": ["numbers", 1], "msg": "expected int, got str", "input": "2"},
        {"loc": ["numbers", 3], "msg": "expected int, got bool", "input": True},
    ]


def test_tuple_for_list_rejected() -> None:
    errors = container_errors(numbers=(1, 2))

    assert len(errors) == 1
    assert errors[0]["loc"] == ["numbers"]
    assert errors[0]["msg"] == "expected list[int], got tuple"


def test_fixed_tuple_item_error() -> None:
    errors = container_errors(pair=(1, 2))

    assert errors == [{"loc": ["pair", 1], "msg": "expected str, got int", "input": 2}]


def test_fixed_tuple_wrong_length() -> None:
    errors = container_errors(pair=(1, "a", 3))

    assert len(errors) == 1
    assert errors[0]["loc"] == ["pair"]
    assert "2 items" in errors[0]["msg"]


def test_list_for_tuple_rejected() -> None:
    errors = container_errors(pair=[1, "a"])

    assert len(errors) == 1
    assert errors[0]["loc"] == ["pair"]


def test_variadic_tuple_item_error() -> None:
    errors = container_errors(many=(1, 2, "3"))

    assert errors == [{"loc": ["many", 2], "msg": "expected int, got str", "input": "3"}]


def test_set_member_error_location() -> None:
    # A set has no positions, so the location ends with the member itself.
    errors = container_errors(tags={"a", 7})

    assert errors == [{"loc": ["tags", 7], "msg": "expected str, got int", "input": 7}]


def test_set_for_frozenset_rejected() -> None:
    errors = container_errors(frozen={1})

    assert len(errors) == 1
    assert errors[0]["loc"] == ["frozen"]


def test_dict_value_error_location() -> None:
    errors = container_errors(scores={"a": 1.0, "b": "high"})

    assert errors == [{"loc": ["scores", "b"], "msg": "expected float, got str", "input": "high"}]


def test_dict_key_error() -> None:
    errors = container_errors(scores={1: 1.0})

    assert len(errors) == 1
    assert errors[0]["loc"][0] == "scores"
    assert errors[0]["input"] == 1
    assert "key" in errors[0]["msg"]


def test_nested_container_error_location() -> None:
    errors = container_errors(nested={"a": [1, "2"], "b": "x"})

    assert errors == [
        {"loc": ["nested", "a", 1], "msg": "expected int, got str", "input": "2"},
        {"loc": ["nested", "b"], "msg": "expected list[int], got str", "input": "x"},
    ]


# --- dataclasses, TypedDict, NamedTuple ---------------------------------------------


@task
def records(items: list[Item], order: Order, movie: Movie, point: Point) -> None:
    return None


RECORDS_OK: dict[str, Any] = {
    "items": [Item(1, "a")],
    "order": Order(Item(2, "b"), ["x"]),
    "movie": {"title": "Alien", "year": 1979},
    "point": Point(1, 2),
}


def record_errors(**override: Any) -> list[dict[str, Any]]:
    return errors_of(records, **{**RECORDS_OK, **override})


def test_valid_records_accepted() -> None:
    assert records(**RECORDS_OK) is None


def test_dataclass_field_in_list_location() -> None:
    errors = record_errors(items=[Item(1, "a"), Item(2, "b"), Item("3", "c")])

    assert errors == [{"loc": ["items", 2, "id"], "msg": "expected int, got str", "input": "3"}]


def test_nested_dataclass_locations() -> None:
    errors = record_errors(order=Order(Item("1", 2), ["x", 3]))

    assert [error["loc"] for error in errors] == [
        ["order", "item", "id"],
        ["order", "item", "name"],
        ["order", "tags", 1],
    ]


def test_dict_for_dataclass_rejected() -> None:
    errors = record_errors(items=[{"id": 1, "name": "a"}])

    assert len(errors) == 1
    assert errors[0]["loc"] == ["items", 0]
    assert errors[0]["msg"] == "expected Item, got dict"


def test_typeddict_field_type_error() -> None:
    errors = record_errors(movie={"title": "Alien", "year": "1979"})

    assert errors == [{"loc": ["movie", "year"], "msg": "expected int, got str", "input": "1979"}]


def test_typeddict_missing_key() -> None:
    errors = record_errors(movie={"title": "Alien"})

    assert len(errors) == 1
    assert errors[0]["loc"] == ["movie", "year"]
    assert "missing" in errors[0]["msg"]


def test_typeddict_unexpected_key() -> None:
    errors = record_errors(movie={"title": "Alien", "year": 1979, "rating": 5})

    assert len(errors) == 1
    assert errors[0]["loc"] == ["movie", "rating"]
    assert "unexpected" in errors[0]["msg"]


def test_namedtuple_field_type_error() -> None:
    errors = record_errors(point=Point(1, "2"))

    assert errors == [{"loc": ["point", "y"], "msg": "expected int, got str", "input": "2"}]


def test_plain_tuple_for_namedtuple_rejected() -> None:
    errors = record_errors(point=(1, 2))

    assert len(errors) == 1
    assert errors[0]["loc"] == ["point"]
    assert errors[0]["msg"] == "expected Point, got tuple"


# --- unions, Literal, enums ---------------------------------------------------------


@task
def choices(
    maybe: Optional[int],  # noqa: UP045  # the typing.Optional spelling on purpose
    either: Union[int, str],  # noqa: UP007  # the typing.Union spelling on purpose
    piped: float | None,
    mode: Literal["fast", "slow"],
    number: Literal[1, 2],
    color: Color,
    level: Level,
) -> None:
    return None


CHOICES_OK: dict[str, Any] = {
    "maybe": None,
    "either": "x",
    "piped": 1,
    "mode": "fast",
    "number": 2,
    "color": Color.RED,
    "level": Level.HIGH,
}


def choice_errors(**override: Any) -> list[dict[str, Any]]:
    return errors_of(choices, **{**CHOICES_OK, **override})


def test_valid_choices_accepted() -> None:
    assert choices(**CHOICES_OK) is None
    assert choices(**{**CHOICES_OK, "maybe": 3, "either": 4, "piped": None}) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("maybe", "1"),
        ("maybe", True),
        ("either", 1.5),
        ("either", None),
        ("piped", "1.0"),
        ("mode", "medium"),
        ("mode", "FAST"),
        ("number", 3),
        ("number", True),
        ("number", 1.0),
        ("color", "red"),
        ("color", Level.LOW),
        ("level", 1),
    ],
)
def test_choice_rejected(name: str, value: Any) -> None:
    errors = choice_errors(**{name: value})

    assert len(errors) == 1
    assert errors[0]["loc"] == [name]
    assert errors[0]["input"] == value


def test_union_error_names_members() -> None:
    errors = choice_errors(either=1.5)

    assert errors[0]["msg"] == "expected int | str, got float"


def test_enum_error_names_enum() -> None:
    errors = choice_errors(color="red")

    assert errors[0]["msg"] == "expected Color, got str"


# --- all errors at once -------------------------------------------------------------


def test_all_value_errors_reported_together() -> None:
    errors = errors_of(scalars, i="1", f="x", s=1, b=True, dec=Decimal("1"), d=date(2024, 1, 1))

    assert [error["loc"] for error in errors] == [["i"], ["f"], ["s"]]


def test_errors_across_parameters_and_depths() -> None:
    errors = record_errors(
        items=[Item(1, 2)],
        movie={"title": 1, "year": 1979},
        point=Point("0", 0),
    )

    assert [error["loc"] for error in errors] == [
        ["items", 0, "name"],
        ["movie", "title"],
        ["point", "x"],
    ]


def test_error_entries_have_three_keys() -> None:
    errors = record_errors(items=[Item(1, 2)])

    assert set(errors[0]) == {"loc", "msg", "input"}


def test_input_error_is_type_error() -> None:
    with pytest.raises(TypeError) as excinfo:
        scalars(**{**SCALARS_OK, "i": "1"})

    assert isinstance(excinfo.value, TaskInputError)
    assert isinstance(excinfo.value, TaskLintError)
    assert excinfo.value.task_name == "scalars"


def test_input_error_message_lists_locations() -> None:
    with pytest.raises(TaskInputError) as excinfo:
        records(**{**RECORDS_OK, "items": [Item(1, "a"), Item("2", "b")]})

    message = str(excinfo.value)
    assert message.startswith("invalid input for task `records` (1 error)")
    assert "items.1.id: expected int, got str" in message


def test_valid_call_after_invalid_call() -> None:
    with pytest.raises(TaskInputError):
        scalars(**{**SCALARS_OK, "i": "1"})

    assert scalars(**SCALARS_OK) is None


@task
def charge_card(order_id: UUID, amount: Decimal, currency: str, card_token: str) -> str:
    return "charged"


@task
async def charge_card_async(order_id: UUID, amount: Decimal, currency: str, card_token: str) -> str:
    return "charged"


class ChargeCard(metaclass=Task):
    def execute(self, order_id: UUID, amount: Decimal, currency: str, card_token: str) -> str:
        return "charged"


CHARGE_TASKS = pytest.mark.parametrize(
    "charge", [charge_card, charge_card_async, ChargeCard], ids=["sync", "async", "class"]
)


@CHARGE_TASKS
def test_every_missing_argument_reported(charge: Any) -> None:
    order_id = UUID(int=1)

    errors = errors_of(charge, order_id=order_id)

    call = {"args": [], "kwargs": {"order_id": order_id}}
    assert errors == [
        {"loc": ["amount"], "msg": "missing required argument", "input": call},
        {"loc": ["currency"], "msg": "missing required argument", "input": call},
        {"loc": ["card_token"], "msg": "missing required argument", "input": call},
    ]


@CHARGE_TASKS
def test_missing_and_invalid_reported_together(charge: Any) -> None:
    errors = errors_of(charge, "not-a-uuid", amount=12.5)

    assert [(error["loc"], error["msg"]) for error in errors] == [
        (["order_id"], "expected UUID, got str"),
        (["amount"], "expected Decimal, got float"),
        (["currency"], "missing required argument"),
        (["card_token"], "missing required argument"),
    ]


@CHARGE_TASKS
def test_every_unplaced_argument_reported(charge: Any) -> None:
    errors = errors_of(charge, UUID(int=1), Decimal("1"), "eur", "tok", 5, 6, colour="red", size=3)

    assert [(error["loc"], error["input"]) for error in errors] == [
        ([4], 5),
        ([5], 6),
        (["colour"], "red"),
        (["size"], 3),
    ]
    assert errors[0]["msg"] == "too many positional arguments: the task takes at most 4 positional arguments"
    assert errors[2]["msg"] == "unexpected keyword argument"


@CHARGE_TASKS
def test_valid_call_after_binding_errors(charge: Any) -> None:
    with pytest.raises(TaskInputError):
        charge(currency="eur")

    result = charge(UUID(int=1), Decimal("1"), "eur", card_token="tok")

    assert (asyncio.run(result) if asyncio.iscoroutine(result) else result) == "charged"


@task
def bind_kinds(a: int, b: str, /, c: float, *, d: bool, e: int = 0) -> None:
    return None


def test_keyword_only_and_positional_only_missing() -> None:
    errors = errors_of(bind_kinds, c="x")

    assert [(error["loc"], error["msg"]) for error in errors] == [
        (["a"], "missing required argument"),
        (["b"], "missing required argument"),
        (["c"], "expected float, got str"),
        (["d"], "missing required argument"),
    ]


def test_keyword_only_invalid_with_missing() -> None:
    errors = errors_of(bind_kinds, 1, "b", d=1, e="2")

    assert [(error["loc"], error["msg"]) for error in errors] == [
        (["c"], "missing required argument"),
        (["d"], "expected bool, got int"),
        (["e"], "expected int, got str"),
    ]


def test_every_positional_only_by_keyword_reported() -> None:
    errors = errors_of(bind_kinds, a=1, b="b", c=1.0, d=True)

    assert [error["loc"] for error in errors] == [["a"], ["b"]]
    assert errors[0] == {
        "loc": ["a"],
        "msg": "positional-only argument passed by keyword; pass it by position",
        "input": 1,
    }


def test_multiple_values_with_missing() -> None:
    errors = errors_of(bind_plain, 1, x=2)

    assert [(error["loc"], error["input"]) for error in errors] == [
        (["x"], 2),
        (["z"], {"args": [1], "kwargs": {"x": 2}}),
    ]
    assert "multiple values" in errors[0]["msg"]


def test_surplus_positional_with_invalid_value() -> None:
    errors = errors_of(bind_positional_only, "1", 2, 3)

    assert [(error["loc"], error["input"]) for error in errors] == [(["a"], "1"), ([2], 3)]


@task
def bind_kinds_keyword_only(*, d: bool) -> None:
    return None


def test_no_positional_parameters_message() -> None:
    errors = errors_of(bind_kinds_keyword_only, 1, d=True)

    assert errors == [
        {"loc": [0], "msg": "too many positional arguments: the task takes no positional arguments", "input": 1}
    ]


def test_generic_validator_reports_every_error() -> None:
    # A parameter named with the compiled call's `_tl_` prefix cannot appear in its
    # source, so this task runs through the generic `CallValidator.check` instead.
    @task
    def refund(_tl_order: int, amount: Decimal, *, reason: str) -> None:
        return None

    errors = errors_of(refund, "7", unknown=1)

    assert [(error["loc"], error["msg"]) for error in errors] == [
        (["_tl_order"], "expected int, got str"),
        (["amount"], "missing required argument"),
        (["reason"], "missing required argument"),
        (["unknown"], "unexpected keyword argument"),
    ]


# --- return values ------------------------------------------------------------------


def test_wrong_return_raises_output_error() -> None:
    @task(validate_return=True)
    def count_words(text: str) -> int:
        return str(len(text.split()))  # type: ignore[return-value]  # wrong on purpose

    with pytest.raises(TaskOutputError) as excinfo:
        count_words("a b")

    assert excinfo.value.errors == [{"loc": ["return"], "msg": "expected int, got str", "input": "2"}]


def test_correct_return_passes() -> None:
    @task(validate_return=True)
    def count_words(text: str) -> int:
        return len(text.split())

    assert count_words("a b c") == 3


def test_nested_return_error_location() -> None:
    @task(validate_return=True)
    def list_items(count: int) -> list[Item]:
        return [Item(i, "x") for i in range(count)] + [Item(count, None)]  # type: ignore[arg-type]  # on purpose

    with pytest.raises(TaskOutputError) as excinfo:
        list_items(2)

    assert excinfo.value.errors == [{"loc": ["return", 2, "name"], "msg": "expected str, got None", "input": None}]


def test_nan_return_rejected() -> None:
    @task(validate_return=True)
    def ratio(a: float, b: float) -> float:
        return math.nan

    with pytest.raises(TaskOutputError):
        ratio(1.0, 2.0)


def test_none_return_rejected_for_int() -> None:
    @task(validate_return=True)
    def nothing(n: int) -> int:
        return None  # type: ignore[return-value]  # wrong on purpose

    with pytest.raises(TaskOutputError):
        nothing(1)


def test_async_wrong_return_raises_output_error() -> None:
    @task(validate_return=True)
    async def fetch_count(url: str) -> int:
        await asyncio.sleep(0)
        return url  # type: ignore[return-value]  # wrong on purpose

    coroutine = fetch_count("u")

    with pytest.raises(TaskOutputError) as excinfo:
        asyncio.run(coroutine)
    assert excinfo.value.errors == [{"loc": ["return"], "msg": "expected int, got str", "input": "u"}]


def test_async_correct_return_passes() -> None:
    @task(validate_return=True)
    async def fetch_count(url: str) -> int:
        await asyncio.sleep(0)
        return len(url)

    assert asyncio.run(fetch_count("abc")) == 3


def test_async_input_checked_before_return() -> None:
    @task(validate_return=True)
    async def fetch_count(url: str) -> int:
        return len(url)

    with pytest.raises(TaskInputError) as excinfo:
        fetch_count(5)

    assert not isinstance(excinfo.value, TaskOutputError)
    assert excinfo.value.errors[0]["loc"] == ["url"]


def test_return_unchecked_by_default() -> None:
    @task
    def count_words(text: str) -> int:
        return "many"  # type: ignore[return-value]  # wrong on purpose

    assert count_words("a") == "many"


def test_output_error_message_says_output() -> None:
    @task(validate_return=True)
    def count_words(text: str) -> int:
        return "many"  # type: ignore[return-value]  # wrong on purpose

    with pytest.raises(TaskOutputError) as excinfo:
        count_words("a")

    first_line = str(excinfo.value).splitlines()[0]
    assert "invalid input" not in first_line
    assert "count_words" in first_line
