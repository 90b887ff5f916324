"""Plans for generated workers: plain data that the templates render without deciding anything.

A plan lists one decoder and one encoder per type node that the task's parameters
and result use, named after the type (`decode_list_of_order`), and the tables they
need (enum members, object fields, union options). Names that the plan invents
are ASCII identifiers checked by a pattern. Everything that comes from user code
(field names, enum values, module paths, docstrings) stays data for the quoting
filter.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from task_lint.model.record import Record
from task_lint.model.schema import input_schema, output_schema
from task_lint.model.task import TaskDescription
from task_lint.model.types import (
    AnyType,
    ArrayType,
    Definitions,
    EnumDef,
    EnumLiteral,
    JSONValue,
    LiteralType,
    MappingType,
    ObjectDef,
    RefType,
    ScalarType,
    TupleType,
    TypeNode,
    UnionType,
    render_type,
)

if TYPE_CHECKING:
    from task_lint.codegen.selfcontained import CarriedCode

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

CodecKind = Literal["scalar", "any", "array", "tuple", "mapping", "union", "literal", "enum", "object"]


class CodecSpec(Record):
    """One generated decoder/encoder pair, or a scalar helper from the template's prelude.

    `name` is the suffix of `decode_<name>` and `encode_<name>`. `options` holds the
    kind-specific tables, which contain user values only as data.
    """

    name: str
    kind: CodecKind
    expected: str
    options: dict[str, Any] = {}  # noqa: RUF012  # Record copies dict defaults per instance


class ParameterSpec(Record):
    """How one parameter reaches the call: by position, as `*args`, or by keyword."""

    name: str
    kind: str
    codec: str
    required: bool


class ClassSpec(Record):
    """A user class the worker loads after importing the task's module."""

    variable: str
    module: str
    qualname: str


class WorkerPlan(Record):
    """Everything a worker template renders for one task."""

    task_name: str
    qualified_name: str
    module: str
    qualname: str
    is_async: bool
    doc: str | None
    parameters: tuple[ParameterSpec, ...]
    result_codec: str
    codecs: tuple[CodecSpec, ...]
    classes: tuple[ClassSpec, ...]
    scalar_kinds: tuple[str, ...]
    # Kinds whose generic helpers the worker needs ("array" also for `*args`), so
    # that a worker carries, and compiles at each start, only the helpers it calls.
    composite_kinds: tuple[str, ...]
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    options: dict[str, JSONValue]
    source_path: str
    source_sha256: str
    source_root: str
    generator_version: str
    carried: CarriedCode | None = None


class PlanError(Exception):
    """A task whose types a worker cannot decode (unsupported or unresolved)."""


def _slug(text: str) -> str:
    ascii_text = text.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower()
    return slug or "value"


def _shorten(slug: str, limit: int) -> str:
    """Cut a slug to at most `limit` characters, at an underscore where there is one."""
    if len(slug) <= limit:
        return slug
    cut = slug.rfind("_", 0, limit + 1)
    return slug[:cut] if cut > 0 else slug[:limit]


class _Planner:
    def __init__(self, description: TaskDescription) -> None:
        self.description = description
        self.definitions: Definitions = description.definitions
        self.codecs: dict[str, CodecSpec] = {}
        self.by_node: dict[TypeNode, str] = {}
        self.by_definition: dict[str, str] = {}
        self.classes: dict[str, ClassSpec] = {}
        self.scalars: set[str] = set()

    def codec(self, node: TypeNode) -> str:
        """Return the codec name for a node, planning it (and its parts) on first use."""
        known = self.by_node.get(node)
        if known is not None:
            return known
        name: str
        if isinstance(node, ScalarType):
            self.scalars.add(node.kind)
            name = node.kind
        elif isinstance(node, AnyType):
            self.scalars.add("any")
            name = "any"
        elif isinstance(node, RefType):
            name = self._definition(node.key)
        else:
            name = self._composite(node)
        self.by_node[node] = name
        return name

    def _unique(self, base: str) -> str:
        name = base
        counter = 2
        while name in self.codecs or name in self.by_definition.values():
            name = f"{base}_{counter}"
            counter += 1
        return name

    def _add(self, spec: CodecSpec) -> str:
        if not IDENTIFIER.match(spec.name):
            raise PlanError(f"generated name {spec.name!r} is not an identifier")
        self.codecs[spec.name] = spec
        return spec.name

    def _composite(self, node: TypeNode) -> str:
        expected = render_type(node, self.definitions)
        if isinstance(node, ArrayType):
            item = self.codec(node.item)
            name = self._unique(f"{node.container}_of_{item}")
            build = {"sequence": "list"}.get(node.container, node.container)
            return self._add(
                CodecSpec(name, "array", expected, {"item": item, "build": build, "container": node.container})
            )
        if isinstance(node, TupleType):
            items = [self.codec(item) for item in node.items]
            name = self._unique("tuple_of_" + "_".join(items) if items else "empty_tuple")
            return self._add(CodecSpec(name, "tuple", expected, {"items": items}))
        if isinstance(node, MappingType):
            value = self.codec(node.value)
            name = self._unique(f"mapping_of_{value}")
            return self._add(CodecSpec(name, "mapping", expected, {"value": value, "container": node.container}))
        if isinstance(node, UnionType):
            choices = [
                (self.codec(option), isinstance(option, ScalarType) and option.kind == "float")
                for option in node.options
            ]
            name = self._unique("_or_".join(option for option, _ in choices))
            return self._add(CodecSpec(name, "union", expected, {"options": choices}))
        if isinstance(node, LiteralType):
            return self._literal(node, expected)
        raise PlanError(f"`{expected}` has no JSON form, so no worker can decode it")

    def _literal(self, node: LiteralType, expected: str) -> str:
        values = []
        for value in node.values:
            if isinstance(value, EnumLiteral):
                variable = self._class_of(value.enum_key)
                values.append({"wire": value.value, "enum": variable, "member": value.member})
            elif isinstance(value, bytes):
                raise PlanError(f"`{expected}` has a bytes value, which workers do not support")
            else:
                values.append({"wire": value, "enum": None, "member": None})
        name = self._unique("literal_" + _shorten("_".join(_slug(str(v["wire"])) for v in values), 40))
        return self._add(CodecSpec(name, "literal", expected, {"values": values}))

    def _class_of(self, key: str) -> str:
        definition = self.definitions[key]
        known = self.classes.get(key)
        if known is not None:
            return known.variable
        variable = "_class_" + _slug(definition.qualname)
        taken = {spec.variable for spec in self.classes.values()}
        base, counter = variable, 2
        while variable in taken:
            variable = f"{base}_{counter}"
            counter += 1
        self.classes[key] = ClassSpec(variable, definition.module, definition.qualname)
        return variable

    def _definition(self, key: str) -> str:
        known = self.by_definition.get(key)
        if known is not None:
            return known
        definition = self.definitions.get(key)
        if definition is None:
            raise PlanError(f"type `{key}` is referenced but not defined")
        name = self._unique(_slug(definition.name))
        # Registered before the fields are planned, so that recursive types terminate.
        self.by_definition[key] = name
        if isinstance(definition, EnumDef):
            variable = self._class_of(key)
            members = [{"wire": member.value, "member": member.name} for member in definition.members]
            return self._add(CodecSpec(name, "enum", definition.name, {"class": variable, "members": members}))
        return self._object(definition, name)

    def _object(self, definition: ObjectDef, name: str) -> str:
        self.codecs[name] = CodecSpec(name, "object", definition.name, {})  # placeholder for recursion
        fields = [
            {"name": field.name, "codec": self.codec(field.type), "required": field.required}
            for field in definition.fields
        ]
        variable = None if definition.kind == "typeddict" else self._class_of(definition.key)
        return self._add(
            CodecSpec(name, "object", definition.name, {"class": variable, "kind": definition.kind, "fields": fields})
        )


def plan_worker(
    description: TaskDescription,
    *,
    source_path: str,
    source_sha256: str,
    source_root: str,
    generator_version: str,
    carried: CarriedCode | None = None,
) -> WorkerPlan:
    """Plan the worker of one task; raise `PlanError` when its types cannot be decoded.

    With `carried`, the worker runs that code instead of importing the task's module.
    """
    planner = _Planner(description)
    parameters = []
    for parameter in description.parameters:
        node = parameter.annotation if parameter.annotation is not None else AnyType()
        parameters.append(
            ParameterSpec(
                parameter.name,
                parameter.kind,
                planner.codec(node),
                parameter.default is None and not parameter.is_variadic,
            )
        )
    result = planner.codec(description.returns if description.returns is not None else AnyType())
    options: dict[str, JSONValue] = {
        key: value for key, value in description.options.items() if isinstance(value, (str, int, float, bool))
    }
    codecs = tuple(planner.codecs[name] for name in sorted(planner.codecs))
    composite_kinds = {codec.kind for codec in codecs if codec.kind not in ("scalar", "any")}
    if any(parameter.kind == "var_positional" for parameter in parameters):
        composite_kinds.add("array")
    return WorkerPlan(
        task_name=description.name,
        qualified_name=description.qualified_name,
        module=description.module,
        qualname=description.qualname,
        is_async=description.is_async,
        doc=description.doc,
        parameters=tuple(parameters),
        result_codec=result,
        codecs=codecs,
        classes=tuple(sorted(planner.classes.values(), key=lambda spec: spec.variable)),
        scalar_kinds=tuple(sorted(planner.scalars)),
        composite_kinds=tuple(sorted(composite_kinds)),
        input_schema=input_schema(description),
        output_schema=output_schema(description),
        options=options,
        source_path=source_path,
        source_sha256=source_sha256,
        source_root=source_root,
        generator_version=generator_version,
        carried=carried,
    )
