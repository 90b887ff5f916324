"""Validation, encoding and decoding driven by the type model.

`build_codec` compiles a type node into a `Codec` with four operations:

- `check(value)`: a fast strict test of a Python value, used on every task call.
- `errors(value, loc, out)`: the slow path that explains why `check` failed.
- `encode(value)`: the JSON form of a value that passed `check`.
- `decode(data, out)`: the Python value of a JSON form. It appends errors to `out`
  with `loc` relative to this codec and returns `INVALID` when the data is invalid.

Checks are strict: no coercion, `True` is not an `int`, and an `int` is accepted where
`float` is declared. NaN and infinities are rejected, because JSON has no form for them.

A codec built from a static description (no live classes) still decodes: objects
come back as dicts and enum members as their values, which is enough to validate
wire data.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from task_lint.errors import ErrorDetail
from task_lint.model.compiled import ObjectFields, compile_array_of_objects, compile_object_check
from task_lint.model.record import Record
from task_lint.model.types import (
    AnyType,
    ArrayType,
    Definition,
    Definitions,
    EnumDef,
    EnumLiteral,
    JSONScalar,
    JSONValue,
    LiteralType,
    LiteralValue,
    MappingType,
    ObjectDef,
    RefType,
    ScalarType,
    TupleType,
    TypeNode,
    UnionType,
    UnresolvedType,
    UnsupportedType,
    render_type,
)
from task_lint.model.wire import (
    DATE_PATTERN,
    DATETIME_PATTERN,
    DECIMAL_PATTERN,
    TIME_PATTERN,
    UUID_PATTERN,
    format_duration,
    parse_duration,
)


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
"""Returned by `Codec.decode` for data that did not decode; the reason is in `out`."""

ErrorList = list[ErrorDetail]


def type_name(value: Any) -> str:
    """Name a value's type the way messages show it: `int`, `NoneType` becomes `None`."""
    if value is None:
        return "None"
    return type(value).__name__


def _error(out: ErrorList, msg: str, value: Any) -> None:
    out.append({"loc": [], "msg": msg, "input": value})


def _prefix(out: ErrorList, start: int, key: str | int) -> None:
    # Children report locations relative to themselves; the parent prepends its key
    # only when something failed, so valid data never pays for building locations.
    for index in range(start, len(out)):
        out[index]["loc"].insert(0, key)


class Codec:
    """Strict validation, encoding and decoding for one type."""

    __slots__ = ("check", "expected", "node")

    def __init__(self, node: TypeNode, expected: str) -> None:
        self.node = node
        self.expected = expected
        self.check: Callable[[Any], bool] = self._check

    def _check(self, value: Any) -> bool:
        raise NotImplementedError

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        """Append an error for each invalid part of a Python value, with `loc` as prefix."""
        if not self.check(value):
            out.append({"loc": list(loc), "msg": f"expected {self.expected}, got {type_name(value)}", "input": value})

    def encode(self, value: Any) -> JSONValue:
        raise NotImplementedError

    def decode(self, data: Any, out: ErrorList) -> Any:
        raise NotImplementedError


# --- Scalars --------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return value.__class__ is int or (isinstance(value, int) and not isinstance(value, bool))


def _is_float(value: Any) -> bool:
    if value.__class__ is float or (isinstance(value, float)):
        return math.isfinite(value)
    return _is_int(value) and _fits_float(value)


def _fits_float(value: int) -> bool:
    return -_FLOAT_LIMIT < value < _FLOAT_LIMIT


# The smallest integer that float() rounds to infinity: the largest float,
# 2**1024 - 2**971, plus half of its last unit.
_FLOAT_LIMIT = 2**1024 - 2**970

NON_FINITE_MESSAGE = "NaN and infinities are not allowed because JSON has no form for them"


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_decimal(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return value is True or value is False


def _is_none(value: Any) -> bool:
    return value is None


def _is_bytes(value: Any) -> bool:
    return isinstance(value, bytes)


def _is_datetime(value: Any) -> bool:
    return isinstance(value, datetime)


def _is_time(value: Any) -> bool:
    return isinstance(value, time)


def _is_timedelta(value: Any) -> bool:
    return isinstance(value, timedelta)


def _is_uuid(value: Any) -> bool:
    return isinstance(value, UUID)


def _is_path(value: Any) -> bool:
    return isinstance(value, Path)


def _encode_str(value: str) -> str:
    return value if value.__class__ is str else str.__str__(value)


def _parse_datetime(text: str) -> datetime:
    if not _DATETIME_RE.match(text):
        raise ValueError("expected the form YYYY-MM-DDTHH:MM[:SS[.ffffff]][+HH:MM]")
    # Python 3.10 rejects a trailing "Z", which JavaScript's toISOString() produces.
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text[:10] + "T" + text[11:])


def _parse_date(text: str) -> date:
    if not _DATE_RE.match(text):
        raise ValueError("expected the form YYYY-MM-DD")
    return date.fromisoformat(text)


def _parse_time(text: str) -> time:
    if not _TIME_RE.match(text):
        raise ValueError("expected the form HH:MM[:SS[.ffffff]][+HH:MM]")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return time.fromisoformat(text)


_DECIMAL_RE = re.compile(DECIMAL_PATTERN)
_DATETIME_RE = re.compile(DATETIME_PATTERN)
_DATE_RE = re.compile(DATE_PATTERN)
_TIME_RE = re.compile(TIME_PATTERN)
_UUID_RE = re.compile(UUID_PATTERN)


def _parse_decimal(text: str) -> Decimal:
    if not _DECIMAL_RE.match(text):
        raise ValueError("expected a decimal number such as '12.50'")
    return Decimal(text)


def _parse_uuid(text: str) -> UUID:
    if not _UUID_RE.match(text):
        raise ValueError("expected the 8-4-4-4-12 hexadecimal form")
    return UUID(text)


def _parse_bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


_STRING_SCALARS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], str], Callable[[str], Any], str]] = {
    # kind: (check, encode, parse, what the JSON string must be)
    "bytes": (_is_bytes, lambda v: base64.b64encode(v).decode("ascii"), _parse_bytes, "a base64 string"),
    "datetime": (_is_datetime, lambda v: v.isoformat(), _parse_datetime, "an ISO 8601 date-time string"),
    "date": (_is_date, lambda v: v.isoformat(), _parse_date, "an ISO 8601 date string"),
    "time": (_is_time, lambda v: v.isoformat(), _parse_time, "an ISO 8601 time string"),
    "timedelta": (_is_timedelta, format_duration, parse_duration, "an ISO 8601 duration string"),
    "decimal": (_is_decimal, str, _parse_decimal, "a decimal number as a string"),
    "uuid": (_is_uuid, str, _parse_uuid, "a UUID string"),
    "path": (_is_path, str, Path, "a path string"),
}


class ScalarCodec(Codec):
    __slots__ = ("_encode", "_parse", "_wire", "kind")

    def __init__(self, node: ScalarType, expected: str) -> None:
        super().__init__(node, expected)
        self.kind = node.kind
        if node.kind in _STRING_SCALARS:
            check, self._encode, self._parse, self._wire = _STRING_SCALARS[node.kind]
        else:
            check = _JSON_SCALAR_CHECKS[node.kind]
            self._encode = _JSON_SCALAR_ENCODERS[node.kind]
            self._parse = _reject_parse
            self._wire = _JSON_SCALAR_WIRE[node.kind]
        self.check = check

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        if self.check(value):
            return
        if (self.kind == "float" and isinstance(value, float)) or (
            self.kind == "decimal" and isinstance(value, Decimal)
        ):
            msg = NON_FINITE_MESSAGE
        elif self.kind == "float" and _is_int(value):
            msg = "integer is too large for a float"
        elif self.kind == "date" and isinstance(value, datetime):
            msg = "expected date, got datetime; pass value.date() to drop the time"
        else:
            msg = f"expected {self.expected}, got {type_name(value)}"
        out.append({"loc": list(loc), "msg": msg, "input": value})

    def encode(self, value: Any) -> JSONValue:
        return self._encode(value)

    def decode(self, data: Any, out: ErrorList) -> Any:
        kind = self.kind
        if kind == "str":
            if data.__class__ is str:
                return data
        elif kind == "int":
            if data.__class__ is int:
                return data
            # JSON has one number type, and JSON Schema counts 1.0 as an integer.
            if data.__class__ is float and data.is_integer():
                return int(data)
        elif kind == "float":
            if data.__class__ is float or data.__class__ is int:
                if data.__class__ is int and not _fits_float(data):
                    _error(out, "integer is too large for a float", data)
                    return INVALID
                if math.isfinite(data):
                    return float(data)
                _error(out, NON_FINITE_MESSAGE, data)
                return INVALID
        elif kind == "bool":
            if data is True or data is False:
                return data
        elif kind == "none":
            if data is None:
                return None
        elif data.__class__ is str:
            try:
                return self._parse(data)
            except (ValueError, binascii.Error, InvalidOperation, UnicodeEncodeError) as error:
                _error(out, f"invalid {self.expected} {data!r}: {error}", data)
                return INVALID
        _error(out, f"expected {self._wire}, got {json_type_name(data)}", data)
        return INVALID


def _reject_parse(text: str) -> Any:
    raise ValueError(text)


_JSON_SCALAR_CHECKS: dict[str, Callable[[Any], bool]] = {
    "int": _is_int,
    "float": _is_float,
    "str": _is_str,
    "bool": _is_bool,
    "none": _is_none,
}
_JSON_SCALAR_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "float": float,
    "str": _encode_str,
    "bool": bool,
    "none": lambda value: None,
}
_JSON_SCALAR_WIRE = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "a boolean",
    "none": "null",
}


def json_type_name(data: Any) -> str:
    """Name a decoded JSON value's type the way messages show it: `an array`, `null`."""
    if data is None:
        return "null"
    if data is True or data is False:
        return "a boolean"
    if isinstance(data, int):
        return "an integer"
    if isinstance(data, float):
        return "a number"
    if isinstance(data, str):
        return "a string"
    if isinstance(data, list):
        return "an array"
    if isinstance(data, dict):
        return "an object"
    return type_name(data)


# --- Any --------------------------------------------------------------------------

# Containers nested deeper than this under `Any` have no JSON form, because
# `is_json_value` and `copy_json` recurse and Python's default recursion limit is 1000.
_MAX_JSON_DEPTH = 500


def is_json_value(value: Any, depth: int = 0) -> bool:
    """Return whether a Python value is plain JSON: dicts with str keys, lists, finite numbers."""
    if value is None or value is True or value is False or value.__class__ is str or value.__class__ is int:
        return True
    if value.__class__ is float:
        return math.isfinite(value)
    if depth > _MAX_JSON_DEPTH:
        return False
    if isinstance(value, (list, tuple)):
        return all(is_json_value(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(key.__class__ is str and is_json_value(item, depth + 1) for key, item in value.items())
    return False


def has_non_finite_float(data: Any) -> bool:
    """Return whether NaN or an infinity is anywhere in the lists, tuples and dicts of data."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, (list, tuple)):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
    return False


def non_finite_floats(data: Any) -> ErrorList:
    """List each NaN or infinity in the lists, tuples and dicts of data, in document order."""
    problems: ErrorList = []
    pending: list[tuple[Any, list[str | int]]] = [(data, [])]
    while pending:
        part, loc = pending.pop()
        if isinstance(part, float):
            if not math.isfinite(part):
                problems.append({"loc": loc, "msg": NON_FINITE_MESSAGE, "input": part})
            continue
        # Reversed, so that the stack gives the items back in document order.
        pending.extend((item, [*loc, key]) for key, item in reversed(_json_items(part)))
    return problems


def json_problems(value: Any) -> ErrorList:
    """List each part of a value that makes `is_json_value` false, in document order.

    It walks with a stack instead of recursion, so deep data cannot exhaust the
    Python stack.
    """
    problems: ErrorList = []
    pending: list[tuple[Any, list[str | int], int]] = [(value, [], 0)]
    while pending:
        part, loc, depth = pending.pop()
        if part is None or part.__class__ in (bool, str, int):
            continue
        if part.__class__ is float:
            if not math.isfinite(part):
                problems.append({"loc": loc, "msg": NON_FINITE_MESSAGE, "input": part})
            continue
        if not isinstance(part, (list, tuple, dict)):
            message = f"a value of type {type_name(part)} annotated `Any` has no JSON form"
            problems.append({"loc": loc, "msg": message, "input": part})
            continue
        if depth > _MAX_JSON_DEPTH:
            message = f"nested more than {_MAX_JSON_DEPTH} levels deep"
            problems.append({"loc": loc, "msg": message, "input": part})
            continue
        children: list[tuple[Any, Any]] = []
        if isinstance(part, dict):
            for key, item in part.items():
                if key.__class__ is str:
                    children.append((key, item))
                else:
                    message = f"expected a str key, got {type_name(key)}"
                    problems.append({"loc": [*loc, repr(key)], "msg": message, "input": key})
        else:
            children = list(enumerate(part))
        pending.extend((item, [*loc, key], depth + 1) for key, item in reversed(children))
    return problems


def _json_items(part: Any) -> list[tuple[Any, Any]]:
    """Return (index, item) pairs of a list or tuple, (key, value) pairs of a dict, else nothing."""
    if isinstance(part, (list, tuple)):
        return list(enumerate(part))
    if isinstance(part, dict):
        return list(part.items())
    return []


class EncodeError(ValueError):
    """A value with no JSON form, met while encoding.

    `errors` lists the parts that have none, with `loc` relative to the value being
    encoded. A container codec that catches it prepends the key of its item.
    """

    def __init__(self, errors: ErrorList) -> None:
        super().__init__(errors[0]["msg"])
        self.errors = errors


def _locate(error: EncodeError, parts: Iterable[tuple[str | int, Codec, Any]]) -> EncodeError:
    """Return the error of the first (key, codec, item) part that fails to encode, with `key` prepended.

    Containers encode in comprehensions, which do not tell which item failed, so
    this runs only after a failure and encodes the items again one at a time. It
    returns `error` itself if no part fails.
    """
    for key, codec, item in parts:
        try:
            codec.encode(item)
        except EncodeError as inner:
            for detail in inner.errors:
                detail["loc"].insert(0, key)
            return inner
    return error


class AnyCodec(Codec):
    """`Any`: every Python value is valid in a call, but only plain JSON can be encoded or decoded."""

    __slots__ = ()

    def _check(self, value: Any) -> bool:
        return True

    def encode(self, value: Any) -> JSONValue:
        if not is_json_value(value):
            raise EncodeError(json_problems(value))
        return copy_json(value)

    def decode(self, data: Any, out: ErrorList) -> Any:
        # `json.loads` turns a number too large for a float, such as 1e400, into an infinity.
        if has_non_finite_float(data):
            out.extend(non_finite_floats(data))
            return INVALID
        return data


def copy_json(value: Any) -> JSONValue:
    """Copy plain JSON data, turning tuples into lists as JSON would."""
    if isinstance(value, (list, tuple)):
        return [copy_json(item) for item in value]
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    return value  # type: ignore[no-any-return]  # a JSON scalar, checked by is_json_value


# --- Containers -------------------------------------------------------------------


# Item types that pass a scalar check with no further test. Floats are not here,
# because NaN and infinities must be rejected one by one.
_EXACT_ITEM_TYPES: dict[str, type] = {"int": int, "str": str, "bool": bool}

_CONTAINER_TYPES: dict[str, tuple[type, ...]] = {
    "list": (list,),
    "tuple": (tuple,),
    "set": (set,),
    "frozenset": (frozenset,),
    "sequence": (list, tuple),
}


class ArrayCodec(Codec):
    __slots__ = ("_build", "_types", "container", "item")

    def __init__(self, node: ArrayType, expected: str, item: Codec) -> None:
        super().__init__(node, expected)
        self.item = item
        self.container = node.container
        self._types = _CONTAINER_TYPES[node.container]
        self._build: Callable[[list[Any]], Any] = {
            "list": list,
            "sequence": list,
            "tuple": tuple,
            "set": set,
            "frozenset": frozenset,
        }[node.container]
        item_check = item.check
        types: Any = self._types
        exact = _EXACT_ITEM_TYPES.get(item.kind) if isinstance(item, ScalarCodec) else None
        if isinstance(item, AnyCodec):
            self.check = lambda value: isinstance(value, types)
        elif exact is not None:

            def check(value: Any) -> bool:
                if not isinstance(value, types):
                    return False
                # Items of exactly the declared class need no function call.
                for member in value:
                    if member.__class__ is not exact and not item_check(member):
                        return False
                return True

            self.check = check
        elif isinstance(item, ObjectCodec) and item.compiled_fields is not None and item.cls is not None:
            compiled = compile_array_of_objects(types, item.cls, item.compiled_fields, self.expected)
            self.check = compiled or (lambda value: isinstance(value, types) and all(map(item_check, value)))
        else:
            self.check = lambda value: isinstance(value, types) and all(map(item_check, value))

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        types: Any = self._types
        if not isinstance(value, types):
            super().errors(value, loc, out)
            return
        if self.container in ("set", "frozenset"):
            # Sets have no positions; report the member itself as the location.
            for member in _ordered(value):
                if not self.item.check(member):
                    self.item.errors(member, [*loc, _loc_key(member)], out)
            return
        for index, item in enumerate(value):
            if not self.item.check(item):
                self.item.errors(item, [*loc, index], out)

    def encode(self, value: Any) -> JSONValue:
        encode = self.item.encode
        is_set = self.container in ("set", "frozenset")
        try:
            encoded = [encode(item) for item in value]
        except EncodeError as error:
            keys = [_loc_key(item) for item in value] if is_set else range(len(value))
            raise _locate(error, ((key, self.item, item) for key, item in zip(keys, value, strict=True))) from None
        if is_set:
            return sorted(encoded, key=_json_sort_key)
        return encoded

    def decode(self, data: Any, out: ErrorList) -> Any:
        if data.__class__ is not list:
            _error(out, f"expected an array for {self.expected}, got {json_type_name(data)}", data)
            return INVALID
        decode = self.item.decode
        items = []
        failed = False
        for index, item in enumerate(data):
            start = len(out)
            decoded = decode(item, out)
            if decoded is INVALID:
                _prefix(out, start, index)
                failed = True
            else:
                items.append(decoded)
        if failed:
            return INVALID
        try:
            result = self._build(items)
        except TypeError as error:  # unhashable members of a set
            _error(out, f"cannot build {self.expected}: {error}", data)
            return INVALID
        if self.container in ("set", "frozenset") and len(result) != len(items):
            _error(out, f"duplicate items in {self.expected}", data)
            return INVALID
        return result


def _loc_key(member: Any) -> str | int:
    if isinstance(member, (str, int)) and not isinstance(member, bool):
        return member
    return repr(member)


def _ordered(values: Any) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def _json_sort_key(value: JSONValue) -> str:
    # Sets are encoded in a deterministic order so that equal sets give equal JSON.
    import json

    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class TupleCodec(Codec):
    __slots__ = ("items",)

    def __init__(self, node: TupleType, expected: str, items: list[Codec]) -> None:
        super().__init__(node, expected)
        self.items = items
        checks = [item.check for item in items]
        size = len(items)

        def check(value: Any) -> bool:
            if not isinstance(value, tuple) or len(value) != size:
                return False
            for item_check, item in zip(checks, value, strict=True):
                if not item_check(item):
                    return False
            return True

        self.check = check

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        if not isinstance(value, tuple) or len(value) != len(self.items):
            super().errors(value, loc, out)
            if isinstance(value, tuple):
                out[-1]["msg"] = f"expected {self.expected} with {len(self.items)} items, got {len(value)}"
            return
        for index, (codec, item) in enumerate(zip(self.items, value, strict=True)):
            if not codec.check(item):
                codec.errors(item, [*loc, index], out)

    def encode(self, value: Any) -> JSONValue:
        try:
            return [codec.encode(item) for codec, item in zip(self.items, value, strict=True)]
        except EncodeError as error:
            parts = ((index, codec, item) for index, (codec, item) in enumerate(zip(self.items, value, strict=True)))
            raise _locate(error, parts) from None

    def decode(self, data: Any, out: ErrorList) -> Any:
        if data.__class__ is not list:
            _error(out, f"expected an array for {self.expected}, got {json_type_name(data)}", data)
            return INVALID
        if len(data) != len(self.items):
            _error(out, f"expected {len(self.items)} items for {self.expected}, got {len(data)}", data)
            return INVALID
        decoded_items = []
        failed = False
        for index, (codec, item) in enumerate(zip(self.items, data, strict=True)):
            start = len(out)
            decoded = codec.decode(item, out)
            if decoded is INVALID:
                _prefix(out, start, index)
                failed = True
            decoded_items.append(decoded)
        return INVALID if failed else tuple(decoded_items)


class MappingCodec(Codec):
    __slots__ = ("_types", "value")

    def __init__(self, node: MappingType, expected: str, value: Codec) -> None:
        super().__init__(node, expected)
        self.value = value
        types: tuple[type, ...] = (dict,) if node.container == "dict" else (Mapping,)
        self._types: Any = types
        value_check = value.check

        def check(mapping: Any) -> bool:
            if not isinstance(mapping, types):
                return False
            for key, item in cast(Any, mapping).items():
                if not (isinstance(key, str) and value_check(item)):
                    return False
            return True

        self.check = check

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        if not isinstance(value, self._types):
            super().errors(value, loc, out)
            return
        for key, item in value.items():
            if not isinstance(key, str):
                out.append({"loc": [*loc, repr(key)], "msg": f"expected a str key, got {type_name(key)}", "input": key})
            elif not self.value.check(item):
                self.value.errors(item, [*loc, key], out)

    def encode(self, value: Any) -> JSONValue:
        encode = self.value.encode
        try:
            return {_encode_str(key): encode(item) for key, item in value.items()}
        except EncodeError as error:
            raise _locate(error, ((key, self.value, item) for key, item in value.items())) from None

    def decode(self, data: Any, out: ErrorList) -> Any:
        if data.__class__ is not dict:
            _error(out, f"expected an object for {self.expected}, got {json_type_name(data)}", data)
            return INVALID
        decode = self.value.decode
        result = {}
        failed = False
        for key, item in data.items():
            start = len(out)
            decoded = decode(item, out)
            if decoded is INVALID:
                _prefix(out, start, key)
                failed = True
            result[key] = decoded
        return INVALID if failed else result


# --- Unions and literals ----------------------------------------------------------


class UnionCodec(Codec):
    __slots__ = ("options",)

    def __init__(self, node: UnionType, expected: str, options: list[Codec]) -> None:
        super().__init__(node, expected)
        self.options = options
        checks = [option.check for option in options]
        others = [option.check for option in options if not _is_none_codec(option)]
        if len(options) == 2 and len(others) == 1:
            other = others[0]
            self.check = lambda value: value is None or other(value)
        else:

            def check(value: Any) -> bool:
                for option_check in checks:
                    if option_check(value):
                        return True
                return False

            self.check = check

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        if self.check(value):
            return
        # With one option besides None, the inner reason is the useful one.
        others = [option for option in self.options if not _is_none_codec(option)]
        if len(others) == 1 and value is not None:
            others[0].errors(value, loc, out)
            if out and out[-1]["loc"] == list(loc) and "got" in out[-1]["msg"]:
                out[-1]["msg"] = f"expected {self.expected}, got {type_name(value)}"
            return
        super().errors(value, loc, out)

    def encode(self, value: Any) -> JSONValue:
        # Prefer an option of the value's own type, so that 3 in `float | int` stays an int.
        matching = [option for option in self.options if option.check(value)]
        for option in matching:
            if _exact_value_match(option, value):
                return option.encode(value)
        if matching:
            return matching[0].encode(value)
        raise ValueError(f"{value!r} matches no member of {self.expected}")

    def decode(self, data: Any, out: ErrorList) -> Any:
        # First pass: an option whose JSON form matches exactly, so that `float | int`
        # decodes 3 as an int. Second pass: the first option that decodes at all.
        for exact in (True, False):
            for option in self.options:
                if exact and not _exact_json_match(option, data):
                    continue
                attempt: ErrorList = []
                decoded = option.decode(data, attempt)
                if decoded is not INVALID:
                    return decoded
        attempts: ErrorList = []
        for option in self.options:
            option.decode(data, attempts)
        reasons = "; ".join(sorted({error["msg"] for error in attempts if not error["loc"]}))
        _error(out, f"matches no member of {self.expected}" + (f" ({reasons})" if reasons else ""), data)
        return INVALID


def _is_none_codec(codec: Codec) -> bool:
    return isinstance(codec, ScalarCodec) and codec.kind == "none"


def _exact_value_match(codec: Codec, value: Any) -> bool:
    # Options that accept anything (`Any`, unresolved names) are a last resort.
    if isinstance(codec, (AnyCodec, OpaqueCodec)):
        return False
    if isinstance(codec, ScalarCodec) and codec.kind == "float":
        return isinstance(value, float)
    return True


def _exact_json_match(codec: Codec, data: Any) -> bool:
    if isinstance(codec, ScalarCodec) and codec.kind == "float":
        return data.__class__ is float
    return True


def _literal_matches(expected: Any, value: Any) -> bool:
    # `True == 1` in Python, but `Literal[1]` must reject `True`.
    return value.__class__ is expected.__class__ and value == expected


class LiteralCodec(Codec):
    __slots__ = ("members", "values", "wire_values")

    def __init__(self, node: LiteralType, expected: str, values: list[Any], wire_values: list[JSONValue]) -> None:
        super().__init__(node, expected)
        self.values = values
        self.wire_values = wire_values
        self.check = lambda value: any(value is literal or _literal_matches(literal, value) for literal in values)

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        if not self.check(value):
            out.append({"loc": list(loc), "msg": f"expected {self.expected}, got {value!r}", "input": value})

    def encode(self, value: Any) -> JSONValue:
        for literal, wire in zip(self.values, self.wire_values, strict=True):
            if value is literal or _literal_matches(literal, value):
                return wire
        raise ValueError(f"{value!r} is not one of {self.expected}")

    def decode(self, data: Any, out: ErrorList) -> Any:
        for literal, wire in zip(self.values, self.wire_values, strict=True):
            if _literal_matches(wire, data):
                return literal
        _error(out, f"expected one of {self.wire_values!r} for {self.expected}", data)
        return INVALID


# --- Named types ------------------------------------------------------------------


def resolve_origin(definition: Definition) -> Any:
    """Return the live class of a definition; None for a definition read from source.

    The codec never imports a module to find a class. The static half uses it on
    descriptions read from source, and importing user code there is not allowed.
    """
    return definition.origin


class StaticEnumMember(Record):
    """An enum member known only from source: `Color.RED` read by the static half.

    Codecs built from static descriptions (no live classes) accept these where the
    runtime would accept the live member.
    """

    enum_key: str
    name: str
    value: JSONScalar


class EnumCodec(Codec):
    __slots__ = ("_by_value", "definition", "enum_class")

    def __init__(self, definition: EnumDef, node: TypeNode, expected: str, enum_class: Any) -> None:
        super().__init__(node, expected)
        self.definition = definition
        self.enum_class = enum_class
        self._by_value: dict[tuple[type, Any], Any] = {}
        for member in definition.members:
            live = getattr(enum_class, member.name) if enum_class is not None else member.value
            self._by_value[(_wire_type(member.value), member.value)] = live
        if enum_class is not None:
            self.check = lambda value: isinstance(value, enum_class)
        else:
            key = definition.key
            self.check = lambda value: isinstance(value, StaticEnumMember) and value.enum_key == key

    def encode(self, value: Any) -> JSONValue:
        return value.value  # type: ignore[no-any-return]  # a live or static member; its value is a JSON scalar

    def decode(self, data: Any, out: ErrorList) -> Any:
        if not isinstance(data, (dict, list)):
            found = self._by_value.get((_wire_type(data), data), INVALID)
            if found is INVALID and data.__class__ is int:
                found = self._by_value.get((float, data), INVALID)
            if found is not INVALID:
                return found
        values = [member.value for member in self.definition.members]
        _error(out, f"expected one of {values!r} for {self.expected}", data)
        return INVALID


def _wire_type(value: Any) -> type:
    return bool if isinstance(value, bool) else type(value)


class ObjectCodec(Codec):
    """Dataclasses, TypedDicts and NamedTuples, whose JSON form is an object."""

    __slots__ = ("_names", "_required", "cls", "compiled_fields", "definition", "fields")

    def __init__(self, definition: ObjectDef, node: TypeNode, expected: str, cls: Any) -> None:
        super().__init__(node, expected)
        self.definition = definition
        self.cls = cls
        self.fields: list[tuple[str, Codec]] = []
        self.compiled_fields: ObjectFields | None = None
        self._names = frozenset(f.name for f in definition.fields)
        self._required = [f.name for f in definition.fields if f.required]
        self.check = self._check_object

    def set_fields(self, fields: list[tuple[str, Codec]]) -> None:
        self.fields = fields
        cls = self.cls
        if cls is None or self.definition.kind == "typeddict":
            return
        specs: ObjectFields = [
            (name, codec.check, codec.kind if isinstance(codec, ScalarCodec) else None) for name, codec in fields
        ]
        self.compiled_fields = specs
        compiled = compile_object_check(cls, specs, self.definition.qualname)
        if compiled is not None:
            self.check = compiled
            return
        checks = tuple((name, codec.check) for name, codec in fields)

        def check(value: Any) -> bool:
            if not isinstance(value, cls):
                return False
            for name, field_check in checks:
                if not field_check(getattr(value, name)):
                    return False
            return True

        self.check = check

    def _check_object(self, value: Any) -> bool:
        kind = self.definition.kind
        if kind == "typeddict" or self.cls is None:
            if not isinstance(value, dict) or not self._names.issuperset(value):
                return False
            for name in self._required:
                if name not in value:
                    return False
            for name, codec in self.fields:
                if name in value and not codec.check(value[name]):
                    return False
            return True
        if not isinstance(value, self.cls):
            return False
        for name, codec in self.fields:
            if not codec.check(getattr(value, name)):
                return False
        return True

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        by_key = self.definition.kind == "typeddict" or self.cls is None
        if by_key and isinstance(value, dict):
            for name in self._required:
                if name not in value:
                    out.append({"loc": [*loc, name], "msg": "missing required key", "input": value})
            for key in value:
                if key not in self._names:
                    out.append({"loc": [*loc, key], "msg": "unexpected key", "input": value[key]})
            for name, codec in self.fields:
                if name in value and not codec.check(value[name]):
                    codec.errors(value[name], [*loc, name], out)
            return
        if by_key or not isinstance(value, self.cls):
            super().errors(value, loc, out)
            return
        for name, codec in self.fields:
            item = getattr(value, name)
            if not codec.check(item):
                codec.errors(item, [*loc, name], out)

    def encode(self, value: Any) -> JSONValue:
        by_key = self.definition.kind == "typeddict" or self.cls is None
        try:
            if by_key:
                return {name: codec.encode(value[name]) for name, codec in self.fields if name in value}
            return {name: codec.encode(getattr(value, name)) for name, codec in self.fields}
        except EncodeError as error:
            if by_key:
                parts = ((name, codec, value[name]) for name, codec in self.fields if name in value)
            else:
                parts = ((name, codec, getattr(value, name)) for name, codec in self.fields)
            raise _locate(error, parts) from None

    def decode(self, data: Any, out: ErrorList) -> Any:
        if data.__class__ is not dict:
            _error(out, f"expected an object for {self.expected}, got {json_type_name(data)}", data)
            return INVALID
        start = len(out)
        values: dict[str, Any] = {}
        for name, codec in self.fields:
            if name not in data:
                continue
            before = len(out)
            decoded = codec.decode(data[name], out)
            if decoded is not INVALID:
                values[name] = decoded
            else:
                _prefix(out, before, name)
        for name in self._required:
            if name not in data:
                out.append({"loc": [name], "msg": "missing required field", "input": data})
        for key in data:
            if key not in self._names:
                out.append({"loc": [key], "msg": f"unexpected field for {self.expected}", "input": data[key]})
        if len(out) > start:
            return INVALID
        if self.cls is None or self.definition.kind == "typeddict":
            return values
        try:
            return self.cls(**values)
        except Exception as error:  # noqa: BLE001  # __post_init__ may raise anything
            _error(out, f"{self.expected} rejected the data: {type(error).__name__}: {error}", data)
            return INVALID


class OpaqueCodec(Codec):
    """Unsupported and unresolved types: validated with isinstance when possible, never encoded."""

    __slots__ = ("reason",)

    def __init__(self, node: UnsupportedType | UnresolvedType, expected: str) -> None:
        super().__init__(node, expected)
        self.reason = node.reason
        origin = node.origin if isinstance(node, UnsupportedType) else None
        if isinstance(origin, type):
            self.check = lambda value: isinstance(value, origin)
        else:
            self.check = lambda value: True

    def encode(self, value: Any) -> JSONValue:
        raise EncodeError([{"loc": [], "msg": f"`{self.expected}` has no JSON form: {self.reason}", "input": value}])

    def decode(self, data: Any, out: ErrorList) -> Any:
        _error(out, f"`{self.expected}` has no JSON form: {self.reason}", data)
        return INVALID


class _RefCodec(Codec):
    """A reference resolved on first use, so that recursive types compile."""

    __slots__ = ("_builder", "_key", "_target")

    def __init__(self, node: RefType, expected: str, builder: CodecBuilder) -> None:
        super().__init__(node, expected)
        self._builder = builder
        self._key = node.key
        self._target: Codec | None = None
        self.check = self._first_check

    def target(self) -> Codec:
        if self._target is None:
            self._target = self._builder.definition_codec(self._key)
            self.check = self._target.check
        return self._target

    def _first_check(self, value: Any) -> bool:
        return self.target().check(value)

    def errors(self, value: Any, loc: list[str | int], out: ErrorList) -> None:
        self.target().errors(value, loc, out)

    def encode(self, value: Any) -> JSONValue:
        return self.target().encode(value)

    def decode(self, data: Any, out: ErrorList) -> Any:
        return self.target().decode(data, out)


# --- Building ---------------------------------------------------------------------


class CodecBuilder:
    """Compile type nodes of one set of definitions into codecs, caching by node."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self._nodes: dict[TypeNode, Codec] = {}
        self._definitions: dict[str, Codec] = {}
        self._building: set[str] = set()

    def build(self, node: TypeNode) -> Codec:
        cached = self._nodes.get(node)
        if cached is not None and not isinstance(node, UnsupportedType):
            return cached
        codec = self._build(node)
        self._nodes[node] = codec
        return codec

    def _build(self, node: TypeNode) -> Codec:
        expected = render_type(node, self.definitions)
        if isinstance(node, ScalarType):
            return ScalarCodec(node, expected)
        if isinstance(node, AnyType):
            return AnyCodec(node, expected)
        if isinstance(node, ArrayType):
            return ArrayCodec(node, expected, self.build(node.item))
        if isinstance(node, TupleType):
            return TupleCodec(node, expected, [self.build(item) for item in node.items])
        if isinstance(node, MappingType):
            return MappingCodec(node, expected, self.build(node.value))
        if isinstance(node, UnionType):
            return UnionCodec(node, expected, [self.build(option) for option in node.options])
        if isinstance(node, LiteralType):
            values = [self._literal_value(value) for value in node.values]
            wire = [self._literal_wire(value) for value in node.values]
            return LiteralCodec(node, expected, values, wire)
        if isinstance(node, RefType):
            # Only a reference back into a type still being built needs the lazy
            # forwarder; any other resolves now, so checks call the real codec.
            if node.key in self._building:
                return _RefCodec(node, expected, self)
            return self.definition_codec(node.key)
        if isinstance(node, (UnsupportedType, UnresolvedType)):
            return OpaqueCodec(node, expected)
        raise TypeError(f"unknown type node {node!r}")

    def definition_codec(self, key: str) -> Codec:
        cached = self._definitions.get(key)
        if cached is not None:
            return cached
        definition = self.definitions[key]
        node = RefType(key)
        expected = definition.name
        cls = resolve_origin(definition)
        if isinstance(definition, EnumDef):
            codec: Codec = EnumCodec(definition, node, expected, cls)
            self._definitions[key] = codec
            return codec
        object_codec = ObjectCodec(definition, node, expected, cls)
        # Register before building fields so that a recursive field finds this codec.
        self._definitions[key] = object_codec
        self._building.add(key)
        try:
            fields = [(f.name, self.build(f.type)) for f in definition.fields]
        finally:
            self._building.discard(key)
        object_codec.set_fields(fields)
        return object_codec

    def _literal_value(self, value: LiteralValue) -> Any:
        if isinstance(value, EnumLiteral):
            definition = self.definitions.get(value.enum_key)
            cls = resolve_origin(definition) if definition is not None else None
            if cls is None:
                return StaticEnumMember(value.enum_key, value.member, value.value)
            return getattr(cls, value.member)
        return value

    @staticmethod
    def _literal_wire(value: LiteralValue) -> JSONValue:
        if isinstance(value, EnumLiteral):
            return value.value
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        return value


def build_codec(node: TypeNode, definitions: Definitions) -> Codec:
    """Compile one type node into a codec."""
    return CodecBuilder(definitions).build(node)


def decode_value(node: TypeNode, definitions: Definitions, data: Any) -> tuple[Any, ErrorList]:
    """Decode JSON data by a type; return the value (or `INVALID`) and the errors."""
    out: ErrorList = []
    try:
        value = build_codec(node, definitions).decode(data, out)
    except RecursionError:
        return INVALID, [{"loc": [], "msg": "input is nested too deeply", "input": None}]
    return value, out


def validate_value(node: TypeNode, definitions: Definitions, value: Any) -> ErrorList:
    """Return the errors of a Python value against a type, an empty list when valid."""
    codec = build_codec(node, definitions)
    out: ErrorList = []
    if not codec.check(value):
        codec.errors(value, [], out)
    return out
