"""JSON wire format of task inputs and outputs: encode, decode and their errors."""

import dataclasses
import enum
import json
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal, Optional
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from wire_cases import (
    HAS_STR_ENUM,
    Color,
    Coordinate,
    Customer,
    Line,
    Movie,
    Node,
    Order,
    Page,
    Priority,
    Row,
    wire_case_params,
)

import task_lint
from task_lint import task

# Examples per wire case and test, bounded so that the whole file stays fast.
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def echo_task(annotation: Any) -> task_lint.Task:
    """Define a task that takes one `value` of `annotation` and returns the same type."""

    @task
    def echo(value: annotation) -> annotation:  # type: ignore[valid-type]
        return value

    return echo


def through_json(data: Any) -> Any:
    """Serialize to JSON text and parse it back, as a worker on the other side would."""
    return json.loads(json.dumps(data, allow_nan=False))


def exact_form(value: Any) -> Any:
    """Describe a value by its type at every level, plus what `==` ignores.

    `==` ignores a Decimal's exponent (`1.10 == 1.1`), a datetime's UTC offset
    (the same instant in two zones), the sign of a float zero and the difference
    between IntEnum members and plain ints. This form keeps all of them.
    """
    kind = type(value)
    if isinstance(value, enum.Enum):
        return (kind, value.name)
    if isinstance(value, Decimal):
        return (kind, str(value))
    if isinstance(value, float):
        return (kind, repr(value))
    if isinstance(value, (datetime, time)):
        return (kind, value.isoformat())
    if dataclasses.is_dataclass(value):
        return (kind, {f.name: exact_form(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, (list, tuple)):
        return (kind, [exact_form(item) for item in value])
    if isinstance(value, (set, frozenset)):
        return (kind, sorted(repr(exact_form(item)) for item in value))
    if isinstance(value, dict):
        return (kind, {key: exact_form(item) for key, item in value.items()})
    return (kind, value)


def error_locs(error: task_lint.TaskInputError) -> list[list[Any]]:
    return [detail["loc"] for detail in error.errors]


# --- Round trips of every wire format row --------------------------------------


@pytest.mark.parametrize("case", wire_case_params())
def test_inputs_round_trip_exactly(case: Any) -> None:
    echo = echo_task(case.annotation)

    @PROPERTY_SETTINGS
    @given(case.values)
    def check(value: Any) -> None:
        encoded = task_lint.encode_inputs(echo, value)
        assert through_json(encoded) == encoded

        decoded = task_lint.decode_inputs(echo, through_json(encoded))
        assert list(decoded) == ["value"]
        assert decoded["value"] == value
        assert exact_form(decoded["value"]) == exact_form(value)

    check()


@pytest.mark.parametrize("case", wire_case_params())
def test_output_round_trips_exactly(case: Any) -> None:
    echo = echo_task(case.annotation)

    @PROPERTY_SETTINGS
    @given(case.values)
    def check(value: Any) -> None:
        encoded = task_lint.encode_output(echo, value)
        assert through_json(encoded) == encoded

        decoded = task_lint.decode_output(echo, through_json(encoded))
        assert decoded == value
        assert exact_form(decoded) == exact_form(value)

    check()


# --- JSON forms of single types ------------------------------------------------


def test_scalars_encode_as_json_scalars() -> None:
    @task
    def scalars(count: int, ratio: float, name: str, enabled: bool, nothing: None) -> None:
        pass

    encoded = task_lint.encode_inputs(scalars, 3, 0.5, "x", True, None)

    assert encoded == {"count": 3, "ratio": 0.5, "name": "x", "enabled": True, "nothing": None}
    assert type(encoded["enabled"]) is bool


def test_bytes_encode_as_base64() -> None:
    echo = echo_task(bytes)

    encoded = task_lint.encode_inputs(echo, b"\x00\xffhi")

    assert encoded == {"value": "AP9oaQ=="}


def test_decimal_keeps_digits_as_written() -> None:
    echo = echo_task(Decimal)
    amount = Decimal("12345678901234567890.10")

    encoded = task_lint.encode_inputs(echo, amount)
    decoded = task_lint.decode_inputs(echo, through_json(encoded))["value"]

    assert encoded == {"value": "12345678901234567890.10"}
    assert str(decoded) == "12345678901234567890.10"
    assert decoded == amount


@pytest.mark.parametrize("text", ["1E+30", "-4.5e-7", "0.000", "-0", "123456789012345678901234567890"])
def test_decimal_keeps_exponent_form(text: str) -> None:
    echo = echo_task(Decimal)

    decoded = task_lint.decode_inputs(echo, {"value": text})["value"]
    encoded = task_lint.encode_inputs(echo, decoded)

    assert decoded == Decimal(text)
    assert str(decoded) == str(Decimal(text))
    assert encoded == {"value": str(Decimal(text))}


def test_aware_datetime_keeps_offset() -> None:
    echo = echo_task(datetime)
    plus_five_thirty = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2024, 3, 1, 9, 30, 15, 250, tzinfo=plus_five_thirty)

    encoded = task_lint.encode_inputs(echo, moment)
    decoded = task_lint.decode_inputs(echo, encoded)["value"]

    assert encoded == {"value": "2024-03-01T09:30:15.000250+05:30"}
    assert decoded == moment
    assert decoded.utcoffset() == timedelta(hours=5, minutes=30)


def test_datetime_keeps_seconds_offset() -> None:
    # Local mean time offsets of the tz database have seconds, such as Amsterdam's +00:19:32.
    echo = echo_task(datetime)
    amsterdam_mean_time = timezone(timedelta(minutes=19, seconds=32))
    moment = datetime(1900, 6, 1, 12, 0, tzinfo=amsterdam_mean_time)

    decoded = task_lint.decode_inputs(echo, through_json(task_lint.encode_inputs(echo, moment)))["value"]

    assert decoded == moment
    assert decoded.utcoffset() == timedelta(minutes=19, seconds=32)


def test_naive_datetime_stays_naive() -> None:
    echo = echo_task(datetime)
    moment = datetime(2024, 3, 1, 9, 30)

    encoded = task_lint.encode_inputs(echo, moment)
    decoded = task_lint.decode_inputs(echo, encoded)["value"]

    assert encoded == {"value": "2024-03-01T09:30:00"}
    assert decoded.tzinfo is None


def test_datetime_decodes_z_suffix_as_utc() -> None:
    echo = echo_task(datetime)

    decoded = task_lint.decode_inputs(echo, {"value": "2024-03-01T09:30:00Z"})["value"]

    assert decoded == datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert decoded.utcoffset() == timedelta(0)


def test_time_keeps_offset() -> None:
    echo = echo_task(time)
    alarm = time(6, 45, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))

    encoded = task_lint.encode_inputs(echo, alarm)
    decoded = task_lint.decode_inputs(echo, encoded)["value"]

    assert encoded == {"value": "06:45:00-03:30"}
    assert decoded == alarm
    assert decoded.utcoffset() == timedelta(hours=-3, minutes=-30)


def test_date_encodes_as_iso_date() -> None:
    echo = echo_task(date)

    encoded = task_lint.encode_inputs(echo, date(2024, 2, 29))

    assert encoded == {"value": "2024-02-29"}


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500_000), "P1DT2H3M4.5S"),
        (-timedelta(minutes=90), "-PT1H30M"),
        (timedelta(microseconds=-1), "-PT0.000001S"),
        (timedelta.max, "P999999999DT23H59M59.999999S"),
        (timedelta.min, "-P999999999D"),
    ],
    ids=["zero", "all-parts", "negative", "negative-microsecond", "max", "min"],
)
def test_timedelta_encodes_as_iso_duration(duration: timedelta, text: str) -> None:
    echo = echo_task(timedelta)

    encoded = task_lint.encode_inputs(echo, duration)
    decoded = task_lint.decode_inputs(echo, encoded)["value"]

    assert encoded == {"value": text}
    assert decoded == duration


@pytest.mark.parametrize("text", ["P1Y", "P2M", "PT", "P", "1 day", "P1000000000D"])
def test_timedelta_rejects_invalid_durations(text: str) -> None:
    echo = echo_task(timedelta)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": text})

    assert error_locs(caught.value) == [["value"]]


def test_uuid_and_path_encode_as_strings() -> None:
    @task
    def locate(id: UUID, where: Path) -> None:
        pass

    encoded = task_lint.encode_inputs(locate, UUID("12345678-1234-5678-1234-567812345678"), Path("data/in.csv"))

    assert encoded == {"id": "12345678-1234-5678-1234-567812345678", "where": "data/in.csv"}


@pytest.mark.parametrize("annotation", [PurePosixPath, PureWindowsPath])
def test_pure_path_is_rejected(annotation: type) -> None:
    # Decoding would give `Path`, which is not equal to a PureWindowsPath, so pure
    # path classes are unsupported and the message says to annotate with `Path`.
    with pytest.warns(task_lint.TaskDefinitionWarning, match="annotate with `Path`"):
        echo = echo_task(annotation)

    with pytest.raises(task_lint.UnsupportedTypeError, match=annotation.__name__):
        task_lint.encode_inputs(echo, annotation("reports", "2024", "summary.txt"))


def test_enum_encodes_member_value() -> None:
    echo = echo_task(Color)

    encoded = task_lint.encode_inputs(echo, Color.GREEN)
    decoded = task_lint.decode_inputs(echo, encoded)["value"]

    assert encoded == {"value": "green"}
    assert decoded is Color.GREEN


def test_int_enum_stays_int_enum() -> None:
    echo = echo_task(Priority)

    encoded = task_lint.encode_inputs(echo, Priority.HIGH)
    decoded = task_lint.decode_inputs(echo, through_json(encoded))["value"]

    assert encoded == {"value": 10}
    assert type(encoded["value"]) is int
    assert type(decoded) is Priority
    assert decoded is Priority.HIGH


@pytest.mark.skipif(not HAS_STR_ENUM, reason="enum.StrEnum is new in Python 3.11")
def test_str_enum_stays_str_enum() -> None:
    from wire_cases import Size

    echo = echo_task(Size)

    encoded = task_lint.encode_inputs(echo, Size.LARGE)
    decoded = task_lint.decode_inputs(echo, through_json(encoded))["value"]

    assert encoded == {"value": "l"}
    assert type(encoded["value"]) is str
    assert type(decoded) is Size


def test_enum_rejects_unknown_value() -> None:
    echo = echo_task(Priority)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": 7})

    assert error_locs(caught.value) == [["value"]]


def test_set_encodes_as_sorted_array() -> None:
    echo = echo_task(set[int])

    encoded = task_lint.encode_inputs(echo, {3, 1, 2})

    assert encoded == {"value": [1, 2, 3]}


def test_set_rejects_duplicate_items() -> None:
    echo = echo_task(set[int])

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": [1, 1]})

    assert error_locs(caught.value) == [["value"]]


def test_fixed_tuple_rejects_wrong_length() -> None:
    echo = echo_task(tuple[int, str])

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": [1, "a", "extra"]})

    assert error_locs(caught.value) == [["value"]]


def test_empty_tuple_rejects_items() -> None:
    echo = echo_task(tuple[()])

    with pytest.raises(task_lint.TaskInputError) as encoding:
        task_lint.encode_inputs(echo, (1, 2))
    with pytest.raises(task_lint.TaskInputError) as decoding:
        task_lint.decode_inputs(echo, {"value": [1, 2]})

    assert error_locs(encoding.value) == [["value"]]
    assert error_locs(decoding.value) == [["value"]]


def test_dataclasses_encode_as_objects() -> None:
    echo = echo_task(Order)
    order = Order(
        id=UUID(int=1),
        customer=Customer(name="Ada"),
        lines=[Line(sku="A-1", quantity=2, price=Decimal("9.90"))],
        placed_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    )

    encoded = task_lint.encode_inputs(echo, order)

    assert encoded == {
        "value": {
            "id": "00000000-0000-0000-0000-000000000001",
            "customer": {"name": "Ada", "email": None},
            "lines": [{"sku": "A-1", "quantity": 2, "price": "9.90"}],
            "placed_at": "2024-01-02T03:04:05+00:00",
        }
    }


def test_generic_dataclass_decodes_item_type() -> None:
    echo = echo_task(Page[Row])

    decoded = task_lint.decode_inputs(echo, {"value": {"items": [{"id": 1, "label": "one"}], "total": 1}})["value"]

    assert type(decoded) is Page
    assert decoded.items == [Row(id=1, label="one")]
    assert type(decoded.items[0]) is Row


def test_generic_dataclass_rejects_wrong_items() -> None:
    echo = echo_task(Page[Row])

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": {"items": [{"id": "1", "label": "one"}], "total": 1}})

    assert error_locs(caught.value) == [["value", "items", 0, "id"]]


def test_recursive_dataclass_round_trips() -> None:
    echo = echo_task(Node)
    tree = Node(1, [Node(2, []), Node(3, [Node(4, [])])])

    encoded = task_lint.encode_inputs(echo, tree)
    decoded = task_lint.decode_inputs(echo, through_json(encoded))["value"]

    assert encoded["value"]["children"][1]["children"][0] == {"value": 4, "children": []}
    assert decoded == tree


def test_typeddict_decodes_to_dict() -> None:
    echo = echo_task(Movie)

    decoded = task_lint.decode_inputs(echo, {"value": {"title": "Alien", "year": 1979}})["value"]

    assert decoded == {"title": "Alien", "year": 1979}
    assert type(decoded) is dict


def test_typeddict_reports_missing_and_extra_keys() -> None:
    echo = echo_task(Movie)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": {"title": "Alien", "director": "Scott"}})

    locs = error_locs(caught.value)
    assert ["value", "year"] in locs
    assert ["value", "director"] in locs


def test_namedtuple_encodes_as_object() -> None:
    echo = echo_task(Coordinate)

    encoded = task_lint.encode_inputs(echo, Coordinate(51.5, -0.1))
    decoded = task_lint.decode_inputs(echo, {"value": {"latitude": 51.5, "longitude": -0.1}})["value"]

    assert encoded == {"value": {"latitude": 51.5, "longitude": -0.1, "label": ""}}
    assert type(decoded) is Coordinate
    assert decoded == Coordinate(51.5, -0.1, "")


def test_any_passes_json_through() -> None:
    echo = echo_task(Any)
    document = {"a": [1, 2.5, None, True, "x", {"b": []}]}

    encoded = task_lint.encode_inputs(echo, document)
    decoded = task_lint.decode_inputs(echo, encoded)["value"]

    assert encoded == {"value": document}
    assert decoded == document


def test_any_rejects_non_json_value() -> None:
    echo = echo_task(Any)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.encode_inputs(echo, {1, 2})

    assert error_locs(caught.value) == [["value"]]


def test_literal_rejects_bool_for_int() -> None:
    echo = echo_task(Literal[1, 2])

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": True})

    assert error_locs(caught.value) == [["value"]]


def test_union_prefers_exact_json_type() -> None:
    echo = echo_task(float | int)

    as_int = task_lint.decode_inputs(echo, {"value": 3})["value"]
    as_float = task_lint.decode_inputs(echo, {"value": 3.0})["value"]

    assert type(as_int) is int
    assert type(as_float) is float


def test_union_encode_keeps_int() -> None:
    echo = echo_task(float | int)

    encoded = task_lint.encode_inputs(echo, 3)
    decoded = task_lint.decode_inputs(echo, through_json(encoded))["value"]

    assert encoded == {"value": 3}
    assert type(encoded["value"]) is int
    assert type(decoded) is int


def test_optional_rejects_bool_for_int() -> None:
    echo = echo_task(Optional[int])  # noqa: UP045

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": True})

    assert error_locs(caught.value) == [["value"]]


# --- Non-finite numbers ----------------------------------------------------------

NON_FINITE = "NaN and infinities are not allowed because JSON has no form for them"


@dataclasses.dataclass
class Box:
    meta: Any


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_float_rejects_non_finite_input(number: float) -> None:
    echo = echo_task(float)

    with pytest.raises(task_lint.TaskInputError) as encoding:
        task_lint.encode_inputs(echo, number)
    with pytest.raises(task_lint.TaskInputError) as decoding:
        task_lint.decode_inputs(echo, {"value": number})

    assert error_locs(encoding.value) == [["value"]]
    assert error_locs(decoding.value) == [["value"]]


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_float_rejects_non_finite_output(number: float) -> None:
    echo = echo_task(float)

    with pytest.raises(task_lint.TaskOutputError) as encoding:
        task_lint.encode_output(echo, number)
    with pytest.raises(task_lint.TaskOutputError) as decoding:
        task_lint.decode_output(echo, number)

    assert error_locs(encoding.value) == [["return"]]
    assert error_locs(decoding.value) == [["return"]]


def test_float_rejects_nan_inside_list() -> None:
    echo = echo_task(list[float])

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": [1.0, math.nan]})

    assert error_locs(caught.value) == [["value", 1]]


def test_float_rejects_out_of_range_integer() -> None:
    # JSON allows integers of any size, but the largest finite float is about 1.8e308.
    echo = echo_task(float)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": 10**400})

    assert error_locs(caught.value) == [["value"]]


def test_any_rejects_out_of_range_number() -> None:
    # json.loads turns 1e400, valid JSON, into an infinity.
    echo = echo_task(Any)
    data = json.loads('{"value": {"ratio": 1e400, "points": [1.5, -1e400]}}')

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, data)

    assert caught.value.errors == [
        {"loc": ["value", "ratio"], "msg": NON_FINITE, "input": math.inf},
        {"loc": ["value", "points", 1], "msg": NON_FINITE, "input": -math.inf},
    ]


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_any_rejects_non_finite_encoding(number: float) -> None:
    echo = echo_task(Any)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.encode_inputs(echo, {"ratio": number})

    assert error_locs(caught.value) == [["value", "ratio"]]
    assert caught.value.errors[0]["msg"] == NON_FINITE


def test_any_inside_containers_locates_non_finite() -> None:
    @task
    def record(rows: list[Any], totals: dict[str, Any], boxes: list[Box], *rest: Any, **more: Any) -> None:
        pass

    arguments = (["a", [2.5, math.inf]], {"sum": {"x": -math.inf}}, [Box(1), Box([math.nan])], 1, math.inf)
    data = json.loads('{"rows": [1e400], "totals": {"sum": -1e400}, "boxes": [{"meta": [1e999]}], "rest": [1e400]}')

    with pytest.raises(task_lint.TaskInputError) as encoding:
        task_lint.encode_inputs(record, *arguments, extra=math.inf)
    with pytest.raises(task_lint.TaskInputError) as decoding:
        task_lint.decode_inputs(record, {**data, "extra": math.inf})

    assert error_locs(encoding.value) == [
        ["rows", 1, 1],
        ["totals", "sum", "x"],
        ["boxes", 1, "meta", 0],
        ["rest", 1],
        ["extra"],
    ]
    assert error_locs(decoding.value) == [
        ["rows", 0],
        ["totals", "sum"],
        ["boxes", 0, "meta", 0],
        ["rest", 0],
        ["extra"],
    ]


def test_any_locates_every_non_json_part() -> None:
    echo = echo_task(Any)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.encode_inputs(echo, {"tags": {"a"}, 3: "x", "ok": [1, "two"]})

    assert caught.value.errors == [
        {"loc": ["value", "3"], "msg": "expected a str key, got int", "input": 3},
        {"loc": ["value", "tags"], "msg": "a value of type set annotated `Any` has no JSON form", "input": {"a"}},
    ]


def test_any_rejects_non_finite_output() -> None:
    echo = echo_task(Any)

    with pytest.raises(task_lint.TaskOutputError) as encoding:
        task_lint.encode_output(echo, [1, {"a": math.inf}])
    with pytest.raises(task_lint.TaskOutputError) as decoding:
        task_lint.decode_output(echo, json.loads('[1, {"a": 1e400}]'))

    assert error_locs(encoding.value) == [["return", 1, "a"]]
    assert error_locs(decoding.value) == [["return", 1, "a"]]


def test_any_keeps_finite_numbers() -> None:
    echo = echo_task(Any)
    value = {"small": 1e-400, "large": 1.7e308, "big_int": 10**400, "nested": [[-0.0]]}

    encoded = task_lint.encode_inputs(echo, value)

    assert encoded == {"value": value}
    assert task_lint.decode_inputs(echo, through_json(encoded)) == {"value": value}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_decimal_rejects_non_finite_input(number: str) -> None:
    echo = echo_task(Decimal)

    with pytest.raises(task_lint.TaskInputError) as encoding:
        task_lint.encode_inputs(echo, Decimal(number))
    with pytest.raises(task_lint.TaskInputError) as decoding:
        task_lint.decode_inputs(echo, {"value": number})

    assert error_locs(encoding.value) == [["value"]]
    assert error_locs(decoding.value) == [["value"]]


def test_decimal_rejects_non_finite_output() -> None:
    echo = echo_task(Decimal)

    with pytest.raises(task_lint.TaskOutputError) as caught:
        task_lint.encode_output(echo, Decimal("Infinity"))

    assert error_locs(caught.value) == [["return"]]


# --- Unsupported annotations -----------------------------------------------------


def test_unsupported_parameter_raises_on_encode() -> None:
    with pytest.warns(task_lint.TaskDefinitionWarning):

        @task
        def apply(callback: Callable[[int], int], start: int) -> int:
            return callback(start)

    with pytest.raises(task_lint.UnsupportedTypeError) as caught:
        task_lint.encode_inputs(apply, abs, 1)

    message = str(caught.value)
    assert "`callback`" in message
    assert "Callable[[int], int]" in message


def test_unsupported_parameter_raises_on_decode() -> None:
    with pytest.warns(task_lint.TaskDefinitionWarning):

        @task
        def apply(callback: Callable[[int], int], start: int) -> int:
            return callback(start)

    with pytest.raises(task_lint.UnsupportedTypeError) as caught:
        task_lint.decode_inputs(apply, {"callback": "abs", "start": 1})

    message = str(caught.value)
    assert "`callback`" in message
    assert "Callable[[int], int]" in message


def test_unsupported_return_type_raises() -> None:
    with pytest.warns(task_lint.TaskDefinitionWarning):

        @task
        def make_adder(step: int) -> Callable[[int], int]:
            return lambda number: number + step

    with pytest.raises(task_lint.UnsupportedTypeError) as caught:
        task_lint.encode_output(make_adder, abs)

    message = str(caught.value)
    assert "return type" in message
    assert "Callable[[int], int]" in message


def test_unsupported_error_is_type_error() -> None:
    assert issubclass(task_lint.UnsupportedTypeError, TypeError)


# --- Errors while decoding inputs ------------------------------------------------


def test_decode_points_into_nested_data() -> None:
    @task
    def load(rows: list[Row]) -> int:
        return len(rows)

    data = {"rows": [{"id": 1, "label": "a"}, {"id": "two", "label": "b"}]}

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(load, data)

    assert error_locs(caught.value) == [["rows", 1, "id"]]
    assert caught.value.errors[0]["input"] == "two"


def test_decode_points_into_dict_values() -> None:
    @task
    def tally(counts: dict[str, list[int]]) -> int:
        return 0

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(tally, {"counts": {"apples": [1, 2], "pears": [3, "x"]}})

    assert error_locs(caught.value) == [["counts", "pears", 1]]


def test_decode_reports_missing_required() -> None:
    @task
    def greet(name: str, greeting: str = "Hello") -> str:
        return f"{greeting}, {name}"

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(greet, {})

    assert error_locs(caught.value) == [["name"]]
    assert "missing" in caught.value.errors[0]["msg"]


def test_decode_reports_unexpected_argument() -> None:
    @task
    def greet(name: str) -> str:
        return name

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(greet, {"name": "Ada", "nickname": "A"})

    assert error_locs(caught.value) == [["nickname"]]
    assert "unexpected" in caught.value.errors[0]["msg"]


def test_decode_reports_every_error() -> None:
    @task
    def ship(order: Order, copies: int, *, priority: Priority) -> None:
        pass

    data = {
        "order": {
            "id": "not-a-uuid",
            "customer": {"name": "Ada"},
            "lines": [{"sku": "A", "quantity": 1, "price": "1.00"}, {"sku": "B", "quantity": 1.5, "price": "x"}],
            "placed_at": "2024-01-01T00:00:00",
        },
        "copies": True,
        "colour": "red",
    }

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(ship, data)

    locs = error_locs(caught.value)
    assert ["order", "id"] in locs
    assert ["order", "lines", 1, "quantity"] in locs
    assert ["order", "lines", 1, "price"] in locs
    assert ["copies"] in locs
    assert ["colour"] in locs
    assert ["priority"] in locs
    assert len(locs) == 6


def test_decode_rejects_non_object() -> None:
    echo = echo_task(int)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, [1])

    assert error_locs(caught.value) == [[]]


def test_decode_rejects_bool_for_int() -> None:
    echo = echo_task(int)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.decode_inputs(echo, {"value": True})

    assert error_locs(caught.value) == [["value"]]


def test_encode_rejects_bool_for_int() -> None:
    echo = echo_task(int)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.encode_inputs(echo, True)

    assert error_locs(caught.value) == [["value"]]


def test_encode_rejects_wrong_nested_value() -> None:
    @task
    def load(rows: list[Row]) -> int:
        return len(rows)

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.encode_inputs(load, [Row(1, "a"), Row("2", "b")])  # type: ignore[arg-type]

    assert error_locs(caught.value) == [["rows", 1, "id"]]


def test_encode_reports_every_binding_error() -> None:
    @task
    def charge_card(order_id: UUID, amount: Decimal, currency: str, *, card_token: str) -> str:
        return "charged"

    with pytest.raises(task_lint.TaskInputError) as caught:
        task_lint.encode_inputs(charge_card, "not-a-uuid", colour="red")

    assert [(error["loc"], error["msg"]) for error in caught.value.errors] == [
        (["order_id"], "expected UUID, got str"),
        (["amount"], "missing required argument"),
        (["currency"], "missing required argument"),
        (["card_token"], "missing required argument"),
        (["colour"], "unexpected keyword argument"),
    ]


def test_decode_output_points_into_data() -> None:
    echo = echo_task(list[Row])

    with pytest.raises(task_lint.TaskOutputError) as caught:
        task_lint.decode_output(echo, [{"id": 1, "label": "a"}, {"id": 2}])

    assert error_locs(caught.value) == [["return", 1, "label"]]


def test_encode_output_rejects_wrong_type() -> None:
    echo = echo_task(list[int])

    with pytest.raises(task_lint.TaskOutputError) as caught:
        task_lint.encode_output(echo, [1, "2"])

    assert error_locs(caught.value) == [["return", 1]]


# --- Argument kinds --------------------------------------------------------------


def test_encode_leaves_out_defaults() -> None:
    @task
    def resize(width: int, height: int = 100, *, keep_ratio: bool = True) -> None:
        pass

    encoded = task_lint.encode_inputs(resize, 640)

    assert encoded == {"width": 640}


def test_keyword_only_round_trip() -> None:
    @task
    def resize(width: int, *, mode: Color) -> None:
        pass

    encoded = task_lint.encode_inputs(resize, 640, mode=Color.RED)
    decoded = task_lint.decode_inputs(resize, encoded)

    assert encoded == {"width": 640, "mode": "red"}
    assert decoded == {"width": 640, "mode": Color.RED}


def test_variadic_inputs_round_trip() -> None:
    @task
    def tag(target: str, *labels: str, **weights: float) -> None:
        pass

    encoded = task_lint.encode_inputs(tag, "photo", "sunset", "beach", warm=0.5, sharp=1.0)
    decoded = task_lint.decode_inputs(tag, through_json(encoded))

    assert encoded == {"target": "photo", "labels": ["sunset", "beach"], "warm": 0.5, "sharp": 1.0}
    assert decoded == {"target": "photo", "labels": ["sunset", "beach"], "warm": 0.5, "sharp": 1.0}


def test_encode_accepts_task_name() -> None:
    @task(name="echo.int")
    def echo(value: int) -> int:
        return value

    assert task_lint.encode_inputs("echo.int", 5) == {"value": 5}
    assert task_lint.decode_output("echo.int", 5) == 5
