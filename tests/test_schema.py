"""JSON Schema (draft 2020-12) of task inputs and outputs."""

import enum
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NamedTuple, Optional, TypedDict
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator, FormatChecker
from wire_cases import Color, Customer, Movie, Node, Order, Priority, Row, wire_case_params

import task_lint
from task_lint import task

PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Only(enum.Enum):
    """An enum with a single member."""

    ONLY = "only"


class Shade(enum.Enum):
    """Paint shades offered in the shop."""

    LIGHT = "light"
    DARK = "dark"


class Address(TypedDict):
    street: str
    city: str


class Span(NamedTuple):
    start: int
    end: int = 0


@dataclass
class Tree:
    label: str
    children: list["Tree"]


def echo_task(annotation: Any) -> task_lint.Task:
    """Define a task that takes one `value` of `annotation` and returns the same type."""

    @task
    def echo(value: annotation) -> annotation:  # type: ignore[valid-type]
        return value

    return echo


# JSON Schema 2020-12 takes "date-time", "time" and "duration" from RFC 3339. Section
# 5.6 requires a "Z" or "+HH:MM" offset on every date-time and time, and appendix A
# allows durations in whole units with no sign. These checks run in every
# environment, while jsonschema checks these formats only when optional packages
# (rfc3339-validator, isoduration) are installed.
RFC3339_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
RFC3339_DATE_TIME = re.compile(rf"^\d{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt]{RFC3339_TIME}$")
RFC3339_FULL_TIME = re.compile(rf"^{RFC3339_TIME}$")
RFC3339_DURATION = re.compile(r"^P(?!$)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$|^P\d+W$")

FORMATS = FormatChecker(formats=("date", "uuid"))


@FORMATS.checks("date-time")
def is_rfc3339_date_time(value: object) -> bool:
    return not isinstance(value, str) or RFC3339_DATE_TIME.match(value) is not None


@FORMATS.checks("time")
def is_rfc3339_time(value: object) -> bool:
    return not isinstance(value, str) or RFC3339_FULL_TIME.match(value) is not None


@FORMATS.checks("duration")
def is_rfc3339_duration(value: object) -> bool:
    return not isinstance(value, str) or RFC3339_DURATION.match(value) is not None


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """Check the schema against the draft 2020-12 metaschema and return a validator that also checks formats."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)


def refs_in(schema: Any) -> list[str]:
    """Return every `$ref` value in a schema, at any depth."""
    if isinstance(schema, dict):
        found = [schema["$ref"]] if isinstance(schema.get("$ref"), str) else []
        for value in schema.values():
            found.extend(refs_in(value))
        return found
    if isinstance(schema, list):
        return [ref for item in schema for ref in refs_in(item)]
    return []


# --- Every wire format row -----------------------------------------------------


@pytest.mark.parametrize("case", wire_case_params())
def test_input_schema_accepts_encoded_values(case: Any) -> None:
    echo = echo_task(case.annotation)
    validator = validator_for(echo.metadata.json_schema())

    @PROPERTY_SETTINGS
    @given(case.values)
    def check(value: Any) -> None:
        encoded = json.loads(json.dumps(task_lint.encode_inputs(echo, value)))
        errors = [error.message for error in validator.iter_errors(encoded)]
        assert errors == []

    check()


@pytest.mark.parametrize("case", wire_case_params())
def test_output_schema_accepts_encoded_values(case: Any) -> None:
    echo = echo_task(case.annotation)
    validator = validator_for(echo.metadata.output_json_schema())

    @PROPERTY_SETTINGS
    @given(case.values)
    def check(value: Any) -> None:
        encoded = json.loads(json.dumps(task_lint.encode_output(echo, value)))
        errors = [error.message for error in validator.iter_errors(encoded)]
        assert errors == []

    check()


@pytest.mark.parametrize("case", wire_case_params())
def test_schema_refs_point_into_defs(case: Any) -> None:
    echo = echo_task(case.annotation)

    for schema in (echo.metadata.json_schema(), echo.metadata.output_json_schema()):
        defs = schema.get("$defs", {})
        for ref in refs_in(schema):
            assert ref.startswith("#/$defs/")
            assert ref.removeprefix("#/$defs/") in defs


@pytest.mark.parametrize(
    ("format_name", "text"),
    [
        ("date-time", "1985-04-12T23:20:50.52Z"),
        ("date-time", "1996-12-19T16:39:57-08:00"),
        ("time", "23:20:50.52Z"),
        ("time", "16:39:57-08:00"),
        ("duration", "P3Y6M4DT12H30M5S"),
        ("duration", "PT36H"),
        ("duration", "P1W"),
        ("date", "1985-04-12"),
    ],
)
def test_format_checker_accepts_rfc3339(format_name: str, text: str) -> None:
    assert FORMATS.conforms(text, format_name)


@pytest.mark.parametrize(
    ("format_name", "text"),
    [
        ("date-time", "1985-04-12T23:20:50"),
        ("date-time", "1985-04-12T23:20:50+05:30:15"),
        ("time", "23:20:50"),
        ("duration", "-PT1H"),
        ("duration", "PT0.5S"),
        ("duration", "P"),
    ],
)
def test_format_checker_rejects_non_rfc3339(format_name: str, text: str) -> None:
    assert not FORMATS.conforms(text, format_name)


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        pytest.param(datetime, datetime(2024, 1, 31, 17, 0), id="naive-datetime"),
        pytest.param(datetime, datetime(2024, 1, 31, 17, 0, tzinfo=timezone.utc), id="utc-datetime"),
        pytest.param(time, time(17, 0), id="naive-time"),
        pytest.param(time, time(17, 0, tzinfo=timezone(timedelta(hours=-8))), id="aware-time"),
        pytest.param(timedelta, timedelta(hours=1, minutes=30), id="positive-duration"),
        pytest.param(timedelta, -timedelta(hours=1), id="negative-duration"),
        pytest.param(timedelta, timedelta(seconds=1, microseconds=500_000), id="fractional-duration"),
    ],
)
def test_encoded_value_matches_format(annotation: Any, value: Any) -> None:
    echo = echo_task(annotation)
    validator = validator_for(echo.metadata.json_schema())

    encoded = task_lint.encode_inputs(echo, value)
    errors = [error.message for error in validator.iter_errors(encoded)]

    assert errors == []


# --- Invalid data --------------------------------------------------------------


INVALID_VALUES = [
    pytest.param(int, "1", id="str-for-int"),
    pytest.param(int, True, id="bool-for-int"),
    pytest.param(int, 1.5, id="fraction-for-int"),
    pytest.param(float, "1.5", id="str-for-float"),
    pytest.param(float, False, id="bool-for-float"),
    pytest.param(str, 1, id="int-for-str"),
    pytest.param(bool, 0, id="int-for-bool"),
    pytest.param(None, 0, id="int-for-None"),
    pytest.param(bytes, 5, id="int-for-bytes"),
    pytest.param(Decimal, 1.5, id="number-for-Decimal"),
    pytest.param(Decimal, "1.5.0", id="malformed-Decimal"),
    pytest.param(Decimal, "NaN", id="nan-Decimal"),
    pytest.param(UUID, "not-a-uuid", id="malformed-UUID"),
    pytest.param(date, 20240101, id="int-for-date"),
    pytest.param(Color, "purple", id="out-of-set-Enum"),
    pytest.param(Priority, 7, id="out-of-set-IntEnum"),
    pytest.param(Priority, "10", id="str-for-IntEnum"),
    pytest.param(Literal["a", "b"], "c", id="out-of-set-Literal"),
    pytest.param(Literal[1, 2], True, id="bool-for-int-Literal"),
    pytest.param(list[int], {"a": 1}, id="object-for-list"),
    pytest.param(list[int], [1, "2"], id="wrong-item"),
    pytest.param(set[int], [1, 1], id="duplicate-set-items"),
    pytest.param(tuple[int, str], [1], id="short-tuple"),
    pytest.param(tuple[int, str], [1, "a", 2], id="long-tuple"),
    pytest.param(tuple[int, str], ["a", 1], id="swapped-tuple"),
    pytest.param(dict[str, int], {"a": "b"}, id="wrong-dict-value"),
    pytest.param(Optional[int], "x", id="str-for-Optional-int"),  # noqa: UP045
    pytest.param(int | str, [1], id="array-for-union"),
    pytest.param(Row, {"id": 1}, id="dataclass-missing-field"),
    pytest.param(Row, {"id": 1, "label": "a", "extra": 2}, id="dataclass-extra-field"),
    pytest.param(Row, [1, "a"], id="array-for-dataclass"),
    pytest.param(Movie, {"title": "Alien"}, id="TypedDict-missing-key"),
    pytest.param(Movie, {"title": "Alien", "year": 1979, "genre": "horror"}, id="TypedDict-extra-key"),
    pytest.param(Span, {"end": 3}, id="NamedTuple-missing-field"),
    pytest.param(
        Order,
        {"id": str(UUID(int=1)), "customer": {"name": 1}, "lines": [], "placed_at": "2024-01-01T00:00:00"},
        id="nested-wrong-type",
    ),
]


@pytest.mark.parametrize(("annotation", "data"), INVALID_VALUES)
def test_input_schema_rejects_invalid_values(annotation: Any, data: Any) -> None:
    echo = echo_task(annotation)
    validator = validator_for(echo.metadata.json_schema())

    assert not validator.is_valid({"value": data})


@pytest.mark.parametrize(("annotation", "data"), INVALID_VALUES)
def test_decoder_rejects_schema_invalid_values(annotation: Any, data: Any) -> None:
    # The schema and the decoder must agree, so a form that passes the schema passes the task.
    echo = echo_task(annotation)

    with pytest.raises(task_lint.TaskInputError):
        task_lint.decode_inputs(echo, {"value": data})


@pytest.mark.parametrize(("annotation", "data"), INVALID_VALUES)
def test_output_schema_rejects_invalid_values(annotation: Any, data: Any) -> None:
    echo = echo_task(annotation)
    validator = validator_for(echo.metadata.output_json_schema())

    assert not validator.is_valid(data)


def test_input_schema_rejects_missing_required() -> None:
    @task
    def greet(name: str, greeting: str = "Hello") -> str:
        return f"{greeting}, {name}"

    validator = validator_for(greet.metadata.json_schema())

    assert not validator.is_valid({"greeting": "Hi"})
    assert validator.is_valid({"name": "Ada"})


def test_input_schema_rejects_extra_property() -> None:
    @task
    def greet(name: str) -> str:
        return name

    schema = greet.metadata.json_schema()
    validator = validator_for(schema)

    assert schema["additionalProperties"] is False
    assert not validator.is_valid({"name": "Ada", "nickname": "A"})


def test_input_schema_rejects_non_object() -> None:
    @task
    def greet(name: str) -> str:
        return name

    validator = validator_for(greet.metadata.json_schema())

    assert not validator.is_valid(["Ada"])
    assert not validator.is_valid("Ada")


# --- Structure -----------------------------------------------------------------


def test_input_schema_declares_dialect() -> None:
    @task
    def resize_image(max_width: int) -> None:
        """Shrink an image to fit a width."""

    schema = resize_image.metadata.json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["title"] == "resize_image"
    assert schema["description"] == "Shrink an image to fit a width."


def test_properties_have_titles() -> None:
    @task
    def resize_image(max_width: int, keep_aspect_ratio: bool = True) -> None:
        pass

    properties = resize_image.metadata.json_schema()["properties"]

    assert list(properties) == ["max_width", "keep_aspect_ratio"]
    assert properties["max_width"]["title"] == "Max Width"
    assert properties["keep_aspect_ratio"]["title"] == "Keep Aspect Ratio"


def test_property_types_match_annotations() -> None:
    @task
    def record(count: int, ratio: float, name: str, flag: bool, tags: list[str], sizes: tuple[int, int]) -> None:
        pass

    properties = record.metadata.json_schema()["properties"]

    assert properties["count"]["type"] == "integer"
    assert properties["ratio"]["type"] == "number"
    assert properties["name"]["type"] == "string"
    assert properties["flag"]["type"] == "boolean"
    assert properties["tags"]["type"] == "array"
    assert properties["tags"]["items"] == {"type": "string"}
    assert properties["sizes"]["prefixItems"] == [{"type": "integer"}, {"type": "integer"}]


def test_descriptions_from_google_docstring() -> None:
    @task
    def resize_image(path: Path, max_width: int, quality: int = 85) -> Path:
        """Shrink an image to fit a width.

        Args:
            path: Image file to read.
            max_width (int): Largest width in pixels,
                kept when the image is narrower.
            quality: JPEG quality from 1 to 95.

        Returns:
            Path of the written image.
        """
        return path

    schema = resize_image.metadata.json_schema()
    properties = schema["properties"]

    assert schema["description"] == "Shrink an image to fit a width."
    assert properties["path"]["description"] == "Image file to read."
    assert properties["max_width"]["description"] == "Largest width in pixels, kept when the image is narrower."
    assert properties["quality"]["description"] == "JPEG quality from 1 to 95."
    assert resize_image.metadata.output_json_schema()["description"] == "Path of the written image."


def test_descriptions_from_numpy_docstring() -> None:
    @task
    def scale(values: list[float], factor: float = 2.0) -> list[float]:
        """Multiply every value by a factor.

        Parameters
        ----------
        values : list of float
            Numbers to scale.
        factor : float, optional
            Multiplier applied to each value.

        Returns
        -------
        list of float
            The scaled numbers.
        """
        return [value * factor for value in values]

    schema = scale.metadata.json_schema()
    properties = schema["properties"]

    assert schema["description"] == "Multiply every value by a factor."
    assert properties["values"]["description"] == "Numbers to scale."
    assert properties["factor"]["description"] == "Multiplier applied to each value."
    assert scale.metadata.output_json_schema()["description"] == "The scaled numbers."


def test_undocumented_parameter_has_no_description() -> None:
    @task
    def greet(name: str, greeting: str) -> str:
        """Greet someone.

        Args:
            name: Who to greet.
        """
        return f"{greeting}, {name}"

    properties = greet.metadata.json_schema()["properties"]

    assert properties["name"]["description"] == "Who to greet."
    assert "description" not in properties["greeting"]


def test_required_lists_parameters_without_default() -> None:
    @task
    def search(query: str, limit: int = 10, *, language: str, fuzzy: bool = False) -> list[str]:
        return []

    schema = search.metadata.json_schema()

    assert schema["required"] == ["query", "language"]


def test_keyword_only_required_is_required() -> None:
    @task
    def search(*, query: str) -> list[str]:
        return []

    schema = search.metadata.json_schema()
    validator = validator_for(schema)

    assert schema["required"] == ["query"]
    assert not validator.is_valid({})
    assert validator.is_valid({"query": "cats"})


def test_defaults_in_wire_form() -> None:
    @task
    def invoice(
        amount: Decimal = Decimal("1.50"),
        shade: Shade = Shade.DARK,
        priority: Priority = Priority.HIGH,
        due: datetime = datetime(2024, 1, 31, 17, 0),
        start: date = date(2024, 1, 1),
        grace: timedelta = timedelta(days=3),
        size: tuple[int, int] = (640, 480),
        folder: Path = Path("out/invoices"),
        account: UUID = UUID(int=255),
    ) -> None:
        pass

    properties = invoice.metadata.json_schema()["properties"]

    assert properties["amount"]["default"] == "1.50"
    assert properties["shade"]["default"] == "dark"
    assert properties["priority"]["default"] == 10
    assert properties["due"]["default"] == "2024-01-31T17:00:00"
    assert properties["start"]["default"] == "2024-01-01"
    assert properties["grace"]["default"] == "P3D"
    assert properties["size"]["default"] == [640, 480]
    assert properties["folder"]["default"] == "out/invoices"
    assert properties["account"]["default"] == "00000000-0000-0000-0000-0000000000ff"


def test_defaults_validate_against_schema() -> None:
    @task
    def invoice(
        amount: Decimal = Decimal("1.50"),
        shade: Shade = Shade.DARK,
        due: datetime = datetime(2024, 1, 31, 17, 0),
        size: tuple[int, int] = (640, 480),
    ) -> None:
        pass

    schema = invoice.metadata.json_schema()
    defaults = {name: prop["default"] for name, prop in schema["properties"].items()}

    assert validator_for(schema).is_valid(defaults)


def test_optional_default_none_allows_null() -> None:
    @task
    def search(query: str, limit: Optional[int] = None) -> list[str]:  # noqa: UP045
        return []

    schema = search.metadata.json_schema()
    limit = schema["properties"]["limit"]
    validator = validator_for(schema)

    assert schema["required"] == ["query"]
    assert limit["default"] is None
    assert {"type": "null"} in limit["anyOf"]
    assert validator.is_valid({"query": "cats", "limit": None})
    assert validator.is_valid({"query": "cats", "limit": 5})
    assert validator.is_valid({"query": "cats"})
    assert not validator.is_valid({"query": "cats", "limit": "5"})


def test_one_value_literal() -> None:
    @task
    def export(format: Literal["csv"]) -> None:
        pass

    schema = export.metadata.json_schema()
    validator = validator_for(schema)

    assert schema["properties"]["format"]["enum"] == ["csv"]
    assert validator.is_valid({"format": "csv"})
    assert not validator.is_valid({"format": "json"})


def test_one_member_enum() -> None:
    @task
    def export(mode: Only) -> None:
        pass

    schema = export.metadata.json_schema()
    validator = validator_for(schema)

    assert schema["properties"]["mode"] == {"$ref": "#/$defs/Only", "title": "Mode"}
    assert schema["$defs"]["Only"]["enum"] == ["only"]
    assert validator.is_valid({"mode": "only"})
    assert not validator.is_valid({"mode": "other"})


def test_enum_definition_in_defs() -> None:
    @task
    def paint(shade: Shade, priority: Priority) -> None:
        pass

    defs = paint.metadata.json_schema()["$defs"]

    assert defs["Shade"]["title"] == "Shade"
    assert defs["Shade"]["description"] == "Paint shades offered in the shop."
    assert defs["Shade"]["type"] == "string"
    assert defs["Shade"]["enum"] == ["light", "dark"]
    assert defs["Priority"]["type"] == "integer"
    assert defs["Priority"]["enum"] == [1, 5, 10]


def test_dataclass_definition_in_defs() -> None:
    @task
    def place(order: Order) -> None:
        pass

    schema = place.metadata.json_schema()
    defs = schema["$defs"]

    assert schema["properties"]["order"]["$ref"] == "#/$defs/Order"
    assert set(defs) == {"Order", "Customer", "Line"}
    assert defs["Order"]["type"] == "object"
    assert defs["Order"]["required"] == ["id", "customer", "lines", "placed_at"]
    assert defs["Order"]["additionalProperties"] is False
    assert defs["Order"]["properties"]["customer"]["$ref"] == "#/$defs/Customer"
    assert defs["Order"]["properties"]["lines"]["items"] == {"$ref": "#/$defs/Line"}
    assert defs["Customer"]["required"] == ["name"]
    assert defs["Customer"]["properties"]["email"]["default"] is None


def test_typeddict_definition_in_defs() -> None:
    @task
    def ship(address: Address, movie: Movie) -> None:
        pass

    defs = ship.metadata.json_schema()["$defs"]

    assert defs["Address"]["type"] == "object"
    assert defs["Address"]["required"] == ["street", "city"]
    assert defs["Address"]["additionalProperties"] is False
    assert defs["Movie"]["required"] == ["title", "year"]
    assert "rating" in defs["Movie"]["properties"]


def test_partial_typeddict_requires_nothing() -> None:
    class Filters(TypedDict, total=False):
        title: str
        year: int

    @task
    def find(filters: Filters) -> None:
        pass

    schema = find.metadata.json_schema()
    validator = validator_for(schema)

    assert "required" not in schema["$defs"]["Filters"]
    assert validator.is_valid({"filters": {}})
    assert not validator.is_valid({"filters": {"title": 1}})


def test_namedtuple_definition_in_defs() -> None:
    @task
    def measure(span: Span) -> int:
        return span.end - span.start

    defs = measure.metadata.json_schema()["$defs"]

    assert defs["Span"]["type"] == "object"
    assert defs["Span"]["required"] == ["start"]
    assert defs["Span"]["properties"]["end"]["default"] == 0


def test_recursive_dataclass_uses_ref() -> None:
    @task
    def count_leaves(tree: Tree) -> int:
        return 0

    schema = count_leaves.metadata.json_schema()
    validator = validator_for(schema)
    deep = {"label": "root", "children": [{"label": "a", "children": [{"label": "b", "children": []}]}]}
    broken = {"label": "root", "children": [{"label": "a", "children": [{"label": 2, "children": []}]}]}

    assert len(json.dumps(schema)) < 2000
    assert schema["$defs"]["Tree"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    assert validator.is_valid({"tree": deep})
    assert not validator.is_valid({"tree": broken})


def test_recursive_wire_case_uses_ref() -> None:
    echo = echo_task(Node)

    schema = echo.metadata.output_json_schema()

    assert schema["$ref"] == "#/$defs/Node"
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}


def test_var_keyword_sets_additional_properties() -> None:
    @task
    def tag(target: str, *labels: str, **weights: float) -> None:
        pass

    schema = tag.metadata.json_schema()
    validator = validator_for(schema)

    assert schema["properties"]["labels"]["type"] == "array"
    assert schema["additionalProperties"] == {"type": "number"}
    assert schema["required"] == ["target"]
    assert validator.is_valid({"target": "photo", "labels": ["a"], "warm": 0.5})
    assert not validator.is_valid({"target": "photo", "warm": "high"})


def test_output_schema_structure() -> None:
    @task
    def latest(count: int) -> list[Row]:
        """List the newest rows.

        Returns:
            The newest rows first.
        """
        return []

    schema = latest.metadata.output_json_schema()
    validator = validator_for(schema)

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "latest result"
    assert schema["description"] == "The newest rows first."
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": "#/$defs/Row"}
    assert set(schema["$defs"]) == {"Row"}
    assert validator.is_valid([{"id": 1, "label": "a"}])
    assert not validator.is_valid([{"id": 1}])


def test_output_schema_of_none() -> None:
    @task
    def notify(message: str) -> None:
        pass

    schema = notify.metadata.output_json_schema()

    assert schema["type"] == "null"
    assert validator_for(schema).is_valid(None)


def test_output_schema_without_annotation_allows_anything() -> None:
    with pytest.warns(task_lint.TaskDefinitionWarning):

        @task
        def legacy(value: int):  # type: ignore[no-untyped-def]
            return value

    validator = validator_for(legacy.metadata.output_json_schema())

    assert validator.is_valid({"any": ["json"]})
    assert validator.is_valid(None)


def test_schema_of_customer_defaults() -> None:
    @task
    def register(customer: Customer) -> None:
        pass

    validator = validator_for(register.metadata.json_schema())

    assert validator.is_valid({"customer": {"name": "Ada"}})
    assert validator.is_valid({"customer": {"name": "Ada", "email": None}})
    assert not validator.is_valid({"customer": {"name": "Ada", "email": 3}})


def test_json_schema_is_serializable() -> None:
    @task
    def place(order: Order, shade: Shade = Shade.LIGHT) -> Order:
        return order

    text = json.dumps([place.metadata.json_schema(), place.metadata.output_json_schema()])

    assert json.loads(text)[0]["properties"]["shade"]["default"] == "light"
