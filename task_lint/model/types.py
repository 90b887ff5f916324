"""The type model: one description of an annotation for both halves of task_lint.

The runtime half builds these nodes from live `typing` objects and the static half
builds them from source. Schema generation, validation, serialization, docs and
worker code read only these nodes, so both halves agree by construction.

Named types (dataclasses, TypedDicts, NamedTuples and enums) are stored once as
definitions and referenced by key with `RefType`, the way JSON Schema keeps them in
`$defs`. References also make recursive types finite.

Fields named `origin` hold the live class on the runtime side and `None` on the
static side. They take no part in equality, so a runtime node equals the static node
for the same source.
"""

from __future__ import annotations

import enum
import functools
from datetime import date, time, timedelta
from pathlib import PurePath
from typing import Any, Literal, Union, get_args

from task_lint.model.record import Record

# Union[] rather than |, because the recursive alias names itself in strings.
JSONScalar = Union[str, int, float, bool, None]  # noqa: UP007
JSONValue = Union[JSONScalar, list["JSONValue"], dict[str, "JSONValue"]]  # noqa: UP007

# Reasons of `UnsupportedType` nodes that both halves give.
NO_JSON_FORM = "is not a dataclass, TypedDict, NamedTuple, enum or one of the types of the wire format"
PURE_PATH_REASON = "is a pure path class, which would decode as `Path`; annotate with `Path`"

ScalarKind = Literal[
    "int",
    "float",
    "str",
    "bool",
    "none",
    "bytes",
    "datetime",
    "date",
    "time",
    "timedelta",
    "decimal",
    "uuid",
    "path",
]

SCALAR_KINDS: tuple[ScalarKind, ...] = get_args(ScalarKind)

# How a scalar reads in signatures and docs.
SCALAR_DISPLAY: dict[ScalarKind, str] = {
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "none": "None",
    "bytes": "bytes",
    "datetime": "datetime",
    "date": "date",
    "time": "time",
    "timedelta": "timedelta",
    "decimal": "Decimal",
    "uuid": "UUID",
    "path": "Path",
}

ArrayContainer = Literal["list", "tuple", "set", "frozenset", "sequence"]
MappingContainer = Literal["dict", "mapping"]
ObjectKind = Literal["dataclass", "typeddict", "namedtuple"]


class TypeNode(Record):
    """Base class of every node of the type model."""

    __slots__ = ()


class ScalarType(TypeNode):
    """A type whose JSON form is one scalar, such as `int`, `Decimal` or `datetime`."""

    kind: ScalarKind


class AnyType(TypeNode):
    """`Any` or `object`: any JSON value, passed through unchanged."""


class ArrayType(TypeNode):
    """A homogeneous collection: `list[T]`, `tuple[T, ...]`, `set[T]`, `frozenset[T]` or `Sequence[T]`.

    All decode from a JSON array. `Sequence[T]` accepts a list or a tuple and decodes to a list.
    """

    item: TypeNode
    container: ArrayContainer = "list"


class TupleType(TypeNode):
    """A fixed-length tuple such as `tuple[int, str]`; `tuple[()]` has no items."""

    items: tuple[TypeNode, ...]


class MappingType(TypeNode):
    """`dict[str, T]` or `Mapping[str, T]`, whose JSON form is an object.

    `Mapping[str, T]` accepts any mapping and decodes to a dict.
    """

    value: TypeNode
    container: MappingContainer = "dict"


class UnionType(TypeNode):
    """`Union[...]`, `A | B` or `Optional[T]`, flattened, with `None` as a scalar option."""

    options: tuple[TypeNode, ...]


class EnumLiteral(Record):
    """A `Literal[...]` value that is an enum member, such as `Literal[Color.RED]`."""

    enum_key: str
    member: str
    value: JSONScalar


LiteralValue = Union[str, int, bool, None, bytes, EnumLiteral]  # noqa: UP007  # a runtime alias on Python 3.10


class LiteralType(TypeNode):
    """`Literal[...]`, with its values in declaration order."""

    values: tuple[LiteralValue, ...]


class RefType(TypeNode):
    """A reference to a named definition (dataclass, TypedDict, NamedTuple or enum)."""

    key: str


class UnsupportedType(TypeNode):
    """A resolved annotation with no JSON form, such as a callable or a plain class."""

    display: str
    reason: str
    origin: Any = None
    _uncompared = ("origin",)


class UnresolvedType(TypeNode):
    """An annotation whose meaning is unknown, such as a name imported only for type checkers."""

    display: str
    reason: str


class DefaultValue(Record):
    """A default value: its JSON form when known, and how it reads in docs.

    `wire` holds the JSON form only when `known` is true. The static half leaves a
    default unknown when it cannot compute it without running code.
    """

    display: str
    known: bool = False
    wire: JSONValue = None


class FieldDef(Record):
    """One field of a dataclass, TypedDict or NamedTuple."""

    name: str
    type: TypeNode
    required: bool
    default: DefaultValue | None = None


class ObjectDef(Record):
    """A class whose JSON form is an object: a dataclass, TypedDict or NamedTuple.

    For a generic dataclass such as `Page[Row]`, the fields already carry the type
    arguments and `name` includes them.
    """

    key: str
    name: str
    module: str
    qualname: str
    kind: ObjectKind
    fields: tuple[FieldDef, ...]
    doc: str | None = None
    origin: Any = None
    _uncompared = ("origin",)


class EnumMember(Record):
    """One enum member with its JSON value."""

    name: str
    value: JSONScalar


class EnumDef(Record):
    """An `Enum`, `IntEnum` or `StrEnum` whose member values are JSON scalars."""

    key: str
    name: str
    module: str
    qualname: str
    members: tuple[EnumMember, ...]
    doc: str | None = None
    origin: Any = None
    _uncompared = ("origin",)


Definition = Union[ObjectDef, EnumDef]  # noqa: UP007  # a runtime alias on Python 3.10
Definitions = dict[str, Definition]


def definition_key(name: str, module: str, qualname: str, taken: Definitions) -> str:
    """Choose the `$defs` key of a named type.

    The key is the type's display name, or its full dotted path when another type
    already uses that name. Both halves walk parameters in the same order, so they
    choose the same keys.
    """
    key = _json_pointer_safe(name)
    existing = taken.get(key)
    if existing is None or (existing.module, existing.qualname, existing.name) == (module, qualname, name):
        return key
    return _json_pointer_safe(f"{module}.{name}")


@functools.lru_cache(maxsize=1024)
def _json_pointer_safe(name: str) -> str:
    # `$ref` values are URI fragments, where brackets, commas and spaces are not
    # allowed unescaped, so `Page[Row, int]` becomes `Page_Row_int_`.
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name.replace(", ", ","))


def render_type(node: TypeNode, definitions: Definitions) -> str:
    """Render a node as a Python annotation, for signatures, docs and messages."""
    if isinstance(node, ScalarType):
        return SCALAR_DISPLAY[node.kind]
    if isinstance(node, AnyType):
        return "Any"
    if isinstance(node, ArrayType):
        item = render_type(node.item, definitions)
        if node.container == "tuple":
            return f"tuple[{item}, ...]"
        if node.container == "sequence":
            return f"Sequence[{item}]"
        return f"{node.container}[{item}]"
    if isinstance(node, TupleType):
        if not node.items:
            return "tuple[()]"
        return "tuple[" + ", ".join(render_type(item, definitions) for item in node.items) + "]"
    if isinstance(node, MappingType):
        outer = "dict" if node.container == "dict" else "Mapping"
        return f"{outer}[str, {render_type(node.value, definitions)}]"
    if isinstance(node, UnionType):
        return " | ".join(render_type(option, definitions) for option in node.options)
    if isinstance(node, LiteralType):
        return "Literal[" + ", ".join(_render_literal(value, definitions) for value in node.values) + "]"
    if isinstance(node, RefType):
        definition = definitions.get(node.key)
        return definition.name if definition is not None else node.key
    if isinstance(node, (UnsupportedType, UnresolvedType)):
        return node.display
    raise TypeError(f"unknown type node {node!r}")


def _render_literal(value: LiteralValue, definitions: Definitions) -> str:
    if isinstance(value, EnumLiteral):
        definition = definitions.get(value.enum_key)
        enum_name = definition.name if definition is not None else value.enum_key
        return f"{enum_name}.{value.member}"
    return repr(value)


def iter_nodes(node: TypeNode) -> list[TypeNode]:
    """Return the node and every node nested in it, without following references."""
    found: list[TypeNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if isinstance(current, ArrayType):
            stack.append(current.item)
        elif isinstance(current, TupleType):
            stack.extend(reversed(current.items))
        elif isinstance(current, MappingType):
            stack.append(current.value)
        elif isinstance(current, UnionType):
            stack.extend(reversed(current.options))
    return found


class _Facts:
    """The findings of one walk of a type node, or of a definition's fields.

    `refs` contains the keys referenced, one tuple per root node, in walk order.
    `problems` contains the unsupported and unresolved nodes, in walk order.
    """

    __slots__ = ("has_any", "problems", "refs", "subject")

    def __init__(self, subject: object, roots: list[TypeNode]) -> None:
        self.subject = subject  # keeps the object alive, so that its id stays its own
        self.has_any = False
        self.problems: list[UnsupportedType | UnresolvedType] = []
        refs: list[tuple[str, ...]] = []
        for root in roots:
            keys: list[str] = []
            for nested in iter_nodes(root):
                if isinstance(nested, RefType):
                    keys.append(nested.key)
                elif isinstance(nested, LiteralType):
                    keys.extend(v.enum_key for v in nested.values if isinstance(v, EnumLiteral))
                elif isinstance(nested, (UnsupportedType, UnresolvedType)):
                    self.problems.append(nested)
                elif isinstance(nested, AnyType):
                    self.has_any = True
            refs.append(tuple(keys))
        self.refs = tuple(refs)


# Facts by id of the node or definition they describe. Types are immutable, and
# the many tasks that share a type, or a definition, walk it only once.
_FACTS: dict[int, _Facts] = {}
_FACTS_LIMIT = 20_000


def _facts(subject: TypeNode | Definition) -> _Facts:
    found = _FACTS.get(id(subject))
    if found is not None and found.subject is subject:
        return found
    if isinstance(subject, ObjectDef):
        found = _Facts(subject, [f.type for f in subject.fields])
    elif isinstance(subject, EnumDef):
        found = _Facts(subject, [])
    else:
        found = _Facts(subject, [subject])
    if len(_FACTS) >= _FACTS_LIMIT:
        _FACTS.clear()
    _FACTS[id(subject)] = found
    return found


class TypeSummary:
    """A type node read against the definitions of one task: what it reaches, its problems, whether it contains `Any`.

    `lookups` lists every key the walk looked up and what it found, so a later call
    can tell whether other definitions would give the same result.
    """

    __slots__ = ("has_any", "lookups", "node", "problems", "reached")

    def __init__(self, node: TypeNode, definitions: Definitions) -> None:
        self.node = node
        own = _facts(node)
        seen: dict[str, Definition] = {}
        lookups: dict[str, Definition | None] = {}
        pending = list(reversed(own.refs))
        while pending:
            for key in pending.pop():
                if key in lookups:
                    continue
                definition = lookups[key] = definitions.get(key)
                if definition is None:
                    continue
                seen[key] = definition
                if isinstance(definition, ObjectDef):
                    pending.extend(reversed(_facts(definition).refs))
        self.lookups = tuple(lookups.items())
        self.reached = list(seen.values())
        problems: list[UnsupportedType | UnresolvedType] = []
        has_any = own.has_any
        for found in (own, *(_facts(d) for d in self.reached if isinstance(d, ObjectDef))):
            has_any = has_any or found.has_any
            for nested in found.problems:
                if nested not in problems:
                    problems.append(nested)
        self.problems = problems
        self.has_any = has_any


# Summaries by id of their node. Tasks that share a node (the static pass reuses
# the reads of repeated annotations) and hold the same definitions share one.
_SUMMARIES: dict[int, TypeSummary] = {}


def summarize(node: TypeNode, definitions: Definitions) -> TypeSummary:
    """Return the summary of a type node against these definitions."""
    found = _SUMMARIES.get(id(node))
    if (
        found is not None
        and found.node is node
        and all(definitions.get(key) is definition for key, definition in found.lookups)
    ):
        return found
    found = TypeSummary(node, definitions)
    if len(_SUMMARIES) >= _FACTS_LIMIT:
        _SUMMARIES.clear()
    _SUMMARIES[id(node)] = found
    return found


def reachable_definitions(nodes: list[TypeNode], definitions: Definitions) -> list[Definition]:
    """Return the definitions that the nodes reference, directly or through fields, in first-use order."""
    seen: dict[str, Definition] = {}
    pending: list[tuple[str, ...]] = [keys for node in reversed(nodes) for keys in reversed(_facts(node).refs)]
    while pending:
        for key in pending.pop():
            definition = definitions.get(key)
            if definition is None or key in seen:
                continue
            seen[key] = definition
            if isinstance(definition, ObjectDef):
                pending.extend(reversed(_facts(definition).refs))
    return list(seen.values())


def problem_nodes(node: TypeNode, definitions: Definitions) -> list[UnsupportedType | UnresolvedType]:
    """Return every unsupported or unresolved node inside a type, fields of definitions included."""
    return list(summarize(node, definitions).problems)


def contains_any(node: TypeNode, definitions: Definitions) -> bool:
    """Return whether `Any` appears anywhere in the type, fields of definitions included."""
    return summarize(node, definitions).has_any


def default_display(value: Any) -> str:
    """Render a default value as Python source: `Color.RED`, `timedelta(days=30)`, `Path('out')`."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, PurePath):
        return f"{type(value).__name__.removeprefix('Posix').removeprefix('Windows')}({str(value)!r})"
    text = repr(value)
    if isinstance(value, (date, time, timedelta)):
        return text.removeprefix("datetime.")
    return text
