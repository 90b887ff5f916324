"""Compute default values from source without running user code.

`evaluate` understands literals, containers, arithmetic on small numbers, enum
members (`Color.RED`), module-level constants of the project, and constructors of
standard library types called with such values (`Decimal("1.50")`,
`timedelta(days=30)`, `Path("out")`). Building those standard library objects from
literals runs no user code. Anything else is `UNKNOWN_VALUE`, and the default is
then left out of the schema instead of guessed.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import operator
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

from task_lint.model.codec import Codec, CodecBuilder, StaticEnumMember, copy_json, is_json_value
from task_lint.model.types import (
    DefaultValue,
    Definitions,
    JSONValue,
    TypeNode,
    TypeSummary,
    default_display,
    summarize,
)
from task_lint.static import names
from task_lint.static.project import ModuleInfo, Project, Symbol
from task_lint.static.symbols import ScopeSymbols

__all__ = [
    "UNKNOWN_VALUE",
    "StaticEnumMember",
    "judge_default",
    "evaluate",
    "is_mutable_default",
    "static_default",
    "static_wire",
]


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN_VALUE"


UNKNOWN_VALUE: Any = _Unknown()

EnumResolver = Callable[[Symbol, str], StaticEnumMember | None]

# Standard library callables that are safe to call with literal arguments.
_CONSTRUCTORS: dict[str, Callable[..., Any]] = {
    "decimal.Decimal": decimal.Decimal,
    "uuid.UUID": uuid.UUID,
    "pathlib.Path": pathlib.Path,
    "pathlib.PurePath": pathlib.PurePath,
    "pathlib.PosixPath": pathlib.PosixPath,
    "pathlib.PurePosixPath": pathlib.PurePosixPath,
    "pathlib.PureWindowsPath": pathlib.PureWindowsPath,
    "datetime.date": datetime.date,
    "datetime.datetime": datetime.datetime,
    "datetime.time": datetime.time,
    "datetime.timedelta": datetime.timedelta,
    "datetime.timezone": datetime.timezone,
    "frozenset": frozenset,
    "tuple": tuple,
    "float": float,
    "int": int,
    "str": str,
    "bytes": bytes,
    "bool": bool,
}
_CONSTANTS: dict[str, Any] = {
    "datetime.timezone.utc": datetime.timezone.utc,
    "datetime.UTC": datetime.timezone.utc,
    "math.inf": float("inf"),
    "math.nan": float("nan"),
    "math.pi": 3.141592653589793,
    "math.e": 2.718281828459045,
}
_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_MAX_INT_BITS = 4096
_MAX_SIZE = 10_000


def evaluate(
    node: ast.expr,
    project: Project,
    module: ModuleInfo,
    scopes: tuple[ScopeSymbols, ...],
    enum_member: EnumResolver | None,
    _depth: int = 0,
) -> Any:
    """Return the value of a default expression, or `UNKNOWN_VALUE` when it needs running code."""
    if _depth > 50:
        return UNKNOWN_VALUE
    try:
        return _evaluate(node, project, module, scopes, enum_member, _depth)
    except (ValueError, TypeError, ArithmeticError, decimal.InvalidOperation, RecursionError, MemoryError):
        return UNKNOWN_VALUE


def _evaluate(
    node: ast.expr,
    project: Project,
    module: ModuleInfo,
    scopes: tuple[ScopeSymbols, ...],
    enum_member: EnumResolver | None,
    depth: int,
) -> Any:
    def inner(child: ast.expr) -> Any:
        return evaluate(child, project, module, scopes, enum_member, depth + 1)

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        operand = inner(node.operand)
        if operand is UNKNOWN_VALUE:
            return UNKNOWN_VALUE
        if isinstance(node.op, ast.Not):
            return not operand
        if not isinstance(operand, (int, float, complex, decimal.Decimal, datetime.timedelta)) or isinstance(
            operand, bool
        ):
            return UNKNOWN_VALUE
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        return _binary(node, inner)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        if len(node.elts) > _MAX_SIZE:
            return UNKNOWN_VALUE
        items = [inner(item) for item in node.elts]
        if any(item is UNKNOWN_VALUE for item in items):
            return UNKNOWN_VALUE
        if isinstance(node, ast.Tuple):
            return tuple(items)
        return list(items) if isinstance(node, ast.List) else set(items)
    if isinstance(node, ast.Dict):
        if len(node.keys) > _MAX_SIZE or any(key is None for key in node.keys):
            return UNKNOWN_VALUE
        keys = [inner(key) for key in node.keys if key is not None]
        values = [inner(value) for value in node.values]
        if any(item is UNKNOWN_VALUE for item in (*keys, *values)):
            return UNKNOWN_VALUE
        return dict(zip(keys, values, strict=True))
    if isinstance(node, (ast.Name, ast.Attribute)):
        return _named_value(node, project, module, scopes, enum_member, depth)
    if isinstance(node, ast.Call):
        return _call(node, project, module, scopes, inner)
    return UNKNOWN_VALUE


def _binary(node: ast.BinOp, inner: Callable[[ast.expr], Any]) -> Any:
    left: Any = inner(node.left)
    right: Any = inner(node.right)
    if left is UNKNOWN_VALUE or right is UNKNOWN_VALUE:
        return UNKNOWN_VALUE
    numbers = (int, float, decimal.Decimal, datetime.timedelta)
    if (
        not isinstance(left, numbers)
        or not isinstance(right, numbers)
        or isinstance(left, bool)
        or isinstance(right, bool)
    ):
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            return left + right if len(left) + len(right) <= _MAX_SIZE else UNKNOWN_VALUE
        return UNKNOWN_VALUE
    # Bound the work: `10 ** 10 ** 10` must not hang the checker.
    too_big = not isinstance(right, int) or abs(right) > 64 or (isinstance(left, int) and left.bit_length() > 64)
    if isinstance(node.op, ast.Pow) and too_big:
        return UNKNOWN_VALUE
    operation = _OPERATORS.get(type(node.op))
    if operation is None:
        return UNKNOWN_VALUE
    result = operation(left, right)
    if isinstance(result, int) and result.bit_length() > _MAX_INT_BITS:
        return UNKNOWN_VALUE
    return result


def _named_value(
    node: ast.Name | ast.Attribute,
    project: Project,
    module: ModuleInfo,
    scopes: tuple[ScopeSymbols, ...],
    enum_member: EnumResolver | None,
    depth: int,
) -> Any:
    # An enum member such as `Color.RED` or `models.Color.RED`.
    if isinstance(node, ast.Attribute) and enum_member is not None:
        owner = project.resolve_expr(module, node.value, scopes)
        if owner.kind == "class":
            member = enum_member(owner, node.attr)
            return member if member is not None else UNKNOWN_VALUE
    symbol = project.resolve_expr(module, node, scopes)
    if symbol.qualified is not None:
        constant = _CONSTANTS.get(names.normalize(symbol.qualified))
        if constant is not None:
            return constant
    # A module-level constant of the project, such as `DEFAULT_TIMEOUT = 30`.
    if symbol.kind == "assign" and symbol.module is not None and isinstance(symbol.node, ast.expr):
        return evaluate(symbol.node, project, symbol.module, (), enum_member, depth + 1)
    return UNKNOWN_VALUE


def _call(
    node: ast.Call,
    project: Project,
    module: ModuleInfo,
    scopes: tuple[ScopeSymbols, ...],
    inner: Callable[[ast.expr], Any],
) -> Any:
    qualified = project.qualified_name(module, node.func, scopes)
    if qualified is None:
        return UNKNOWN_VALUE
    qualified = names.normalize(qualified)
    constructor = _CONSTRUCTORS.get(qualified)
    if constructor is None:
        if qualified in names.MUTABLE_FACTORIES and qualified in ("list", "dict", "set"):
            constructor = {"list": list, "dict": dict, "set": set}[qualified]
        else:
            return UNKNOWN_VALUE
    if any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords):
        return UNKNOWN_VALUE
    args = [inner(arg) for arg in node.args]
    kwargs = {keyword.arg: inner(keyword.value) for keyword in node.keywords if keyword.arg is not None}
    if any(value is UNKNOWN_VALUE for value in (*args, *kwargs.values())):
        return UNKNOWN_VALUE
    if qualified in ("int", "str", "bytes") and args and isinstance(args[0], (str, bytes)) and len(args[0]) > _MAX_SIZE:
        return UNKNOWN_VALUE
    return constructor(*args, **kwargs)


# Codecs by id of the summary of their annotation: the defaults of many tasks share
# an annotation read, and a summary is the same object only for the same definitions.
_CODECS: dict[int, tuple[TypeSummary, Codec]] = {}
_CODECS_LIMIT = 10_000


def _codec(node: TypeNode, definitions: Definitions) -> Codec:
    summary = summarize(node, definitions)
    cached = _CODECS.get(id(summary))
    if cached is not None and cached[0] is summary:
        return cached[1]
    codec = CodecBuilder(definitions).build(node)
    if len(_CODECS) >= _CODECS_LIMIT:
        _CODECS.clear()
    _CODECS[id(summary)] = (summary, codec)
    return codec


def static_wire(value: Any, node: TypeNode | None, definitions: Definitions) -> tuple[bool, bool, JSONValue]:
    """Return `(valid, encoded, JSON form)` of an evaluated default against its annotation.

    `valid` is whether the value checks against the annotation, `encoded` whether
    it also has a JSON form: a `None` in a union with an unresolved name is valid
    but cannot be encoded. Mirrors the runtime: with no annotation, only plain JSON
    values have a known form.
    """
    if node is None:
        if is_json_value(value):
            return True, True, copy_json(value)
        return True, False, None
    try:
        codec = _codec(node, definitions)
        if not codec.check(value):
            return False, False, None
    except (ValueError, TypeError, RecursionError):
        return False, False, None
    try:
        return True, True, codec.encode(value)
    except (ValueError, TypeError, RecursionError):
        return True, False, None


def judge_default(
    node: ast.expr,
    annotation: TypeNode | None,
    project: Project,
    module: ModuleInfo,
    scopes: tuple[ScopeSymbols, ...],
    enum_member: EnumResolver | None,
    definitions: Definitions,
) -> tuple[DefaultValue, bool]:
    """Describe a default as the runtime would, and tell whether it is known not to match its annotation.

    The description contains the display text and, when the default matches, its JSON form.
    """
    value = evaluate(node, project, module, scopes, enum_member)
    if value is UNKNOWN_VALUE:
        return DefaultValue(display=_source_text(node)), False
    display = f"{_enum_name(value, definitions)}" if isinstance(value, StaticEnumMember) else default_display(value)
    valid, encoded, wire = static_wire(value, annotation, definitions)
    if not encoded:
        return DefaultValue(display=display), not valid
    return DefaultValue(display=display, known=True, wire=wire), False


def static_default(
    node: ast.expr,
    annotation: TypeNode | None,
    project: Project,
    module: ModuleInfo,
    scopes: tuple[ScopeSymbols, ...],
    enum_member: EnumResolver | None,
    definitions: Definitions,
) -> DefaultValue:
    """Describe a default as the runtime would: display text and, when it matches, its JSON form."""
    return judge_default(node, annotation, project, module, scopes, enum_member, definitions)[0]


def _enum_name(member: StaticEnumMember, definitions: Definitions) -> str:
    definition = definitions.get(member.enum_key)
    owner = definition.name if definition is not None else member.enum_key
    return f"{owner}.{member.name}"


def _source_text(node: ast.expr) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001  # unparse of exotic nodes can fail; the display is cosmetic
        return "..."


def is_mutable_default(node: ast.expr, project: Project, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...]) -> bool:
    """Return whether a default builds a mutable container: `[]`, `{}`, `set()`, `deque()` and the like."""
    if isinstance(node, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(node, ast.Call):
        qualified = project.qualified_name(module, node.func, scopes)
        return qualified is not None and names.normalize(qualified) in names.MUTABLE_FACTORIES
    return False
