"""JSON Schema (draft 2020-12) of a task's inputs and output, from the type model.

The input schema is one object whose properties are the parameters, the form that
a web form renders and that workers receive. Named types go to `$defs`.
"""

from __future__ import annotations

from typing import Any

from task_lint.model.task import ParameterDescription, TaskDescription
from task_lint.model.types import (
    AnyType,
    ArrayType,
    Definition,
    Definitions,
    EnumDef,
    EnumLiteral,
    FieldDef,
    JSONValue,
    LiteralType,
    MappingType,
    ObjectDef,
    RefType,
    ScalarType,
    TupleType,
    TypeNode,
    UnionType,
    UnresolvedType,
    UnsupportedType,
    reachable_definitions,
)
from task_lint.model.wire import (
    DATE_PATTERN,
    DATETIME_PATTERN,
    DECIMAL_PATTERN,
    DURATION_PATTERN,
    TIME_PATTERN,
    UUID_PATTERN,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]

_SCALAR_SCHEMAS: dict[str, Schema] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "none": {"type": "null"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "pattern": DATETIME_PATTERN},
    "date": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    "time": {"type": "string", "pattern": TIME_PATTERN},
    "timedelta": {"type": "string", "pattern": DURATION_PATTERN},
    "decimal": {"type": "string", "pattern": DECIMAL_PATTERN},
    "uuid": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
    "path": {"type": "string"},
}


def title_from_name(name: str) -> str:
    """Turn `max_width` into `Max Width`, the title a form shows for a field."""
    return " ".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or name


def type_schema(node: TypeNode) -> Schema:
    """Return the schema of one type; references point into `#/$defs`."""
    if isinstance(node, ScalarType):
        return dict(_SCALAR_SCHEMAS[node.kind])
    if isinstance(node, (AnyType, UnsupportedType, UnresolvedType)):
        return {}
    if isinstance(node, ArrayType):
        schema: Schema = {"type": "array", "items": type_schema(node.item)}
        if node.container in ("set", "frozenset"):
            schema["uniqueItems"] = True
        return schema
    if isinstance(node, TupleType):
        return {
            "type": "array",
            "prefixItems": [type_schema(item) for item in node.items],
            "minItems": len(node.items),
            "maxItems": len(node.items),
        }
    if isinstance(node, MappingType):
        return {"type": "object", "additionalProperties": type_schema(node.value)}
    if isinstance(node, UnionType):
        return {"anyOf": [type_schema(option) for option in node.options]}
    if isinstance(node, LiteralType):
        values = [value.value if isinstance(value, EnumLiteral) else value for value in node.values]
        return _enum_schema(values)
    if isinstance(node, RefType):
        return {"$ref": f"#/$defs/{node.key}"}
    raise TypeError(f"unknown type node {node!r}")


def _enum_schema(values: list[Any]) -> Schema:
    schema: Schema = {}
    json_types = {_json_type(value) for value in values}
    if len(json_types) == 1:
        schema["type"] = json_types.pop()
    schema["enum"] = list(values)
    return schema


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def definition_schema(definition: Definition) -> Schema:
    """Return the `$defs` entry of a dataclass, TypedDict, NamedTuple or enum."""
    if isinstance(definition, EnumDef):
        schema = {"title": definition.name}
        if definition.doc:
            schema["description"] = definition.doc
        schema.update(_enum_schema([member.value for member in definition.members]))
        return schema
    return _object_schema(definition)


def _object_schema(definition: ObjectDef) -> Schema:
    schema: Schema = {"title": definition.name, "type": "object"}
    if definition.doc:
        schema["description"] = definition.doc
    schema["properties"] = {field.name: _field_schema(field) for field in definition.fields}
    required = [field.name for field in definition.fields if field.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _field_schema(field: FieldDef) -> Schema:
    schema = type_schema(field.type)
    schema["title"] = title_from_name(field.name)
    if field.default is not None and field.default.known:
        schema["default"] = field.default.wire
    return schema


def _defs(nodes: list[TypeNode], definitions: Definitions) -> Schema:
    return {definition.key: definition_schema(definition) for definition in reachable_definitions(nodes, definitions)}


def _parameter_schema(parameter: ParameterDescription) -> Schema:
    node = parameter.annotation if parameter.annotation is not None else AnyType()
    if parameter.kind == "var_positional":
        schema: Schema = {"type": "array", "items": type_schema(node)}
    else:
        schema = type_schema(node)
    schema["title"] = title_from_name(parameter.name)
    if parameter.description:
        schema["description"] = parameter.description
    if parameter.default is not None and parameter.default.known:
        schema["default"] = parameter.default.wire
    return schema


def input_schema(task: TaskDescription) -> Schema:
    """Return the JSON Schema of a task's inputs: one object keyed by parameter name.

    `*args` becomes an array property under its own name. `**kwargs` sets
    `additionalProperties` to its value type; otherwise extra properties are rejected.
    """
    properties: Schema = {}
    required: list[str] = []
    extra: JSONValue | Schema = False
    for parameter in task.parameters:
        if parameter.kind == "var_keyword":
            extra = type_schema(parameter.annotation or AnyType())
            continue
        properties[parameter.name] = _parameter_schema(parameter)
        if parameter.default is None and parameter.kind != "var_positional":
            required.append(parameter.name)

    schema: Schema = {"$schema": DIALECT, "title": task.name}
    if task.description:
        schema["description"] = task.description
    schema["type"] = "object"
    schema["properties"] = properties
    if required:
        schema["required"] = required
    schema["additionalProperties"] = extra
    nodes = [parameter.annotation for parameter in task.parameters if parameter.annotation is not None]
    defs = _defs(nodes, task.definitions)
    if defs:
        schema["$defs"] = defs
    return schema


def output_schema(task: TaskDescription) -> Schema:
    """Return the JSON Schema of a task's result; `{}` constraints when it has no return annotation."""
    node = task.returns if task.returns is not None else AnyType()
    schema: Schema = {"$schema": DIALECT, "title": f"{task.name} result"}
    if task.returns_description:
        schema["description"] = task.returns_description
    schema.update(type_schema(node))
    defs = _defs([node], task.definitions)
    if defs:
        schema["$defs"] = defs
    return schema
