"""Read live annotations (`typing` objects and classes) into the type model.

`RuntimeTypeReader.read` never raises for a strange annotation: what has no JSON form
becomes `UnsupportedType` with the reason, and what cannot be evaluated becomes
`UnresolvedType`, so one bad annotation never hides the types of the others.
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import enum
import inspect
import sys
import types
import typing
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any
from uuid import UUID

from task_lint.model.codec import CodecBuilder, copy_json, is_json_value
from task_lint.model.types import (
    NO_JSON_FORM,
    PURE_PATH_REASON,
    AnyType,
    ArrayContainer,
    ArrayType,
    DefaultValue,
    Definitions,
    EnumDef,
    EnumLiteral,
    EnumMember,
    FieldDef,
    LiteralType,
    LiteralValue,
    MappingContainer,
    MappingType,
    ObjectDef,
    ObjectKind,
    RefType,
    ScalarKind,
    ScalarType,
    TupleType,
    TypeNode,
    UnionType,
    UnresolvedType,
    UnsupportedType,
    default_display,
    definition_key,
    render_type,
)

# Order matters: bool before int, datetime before date, since each is a subclass.
_SCALARS: tuple[tuple[type, ScalarKind], ...] = (
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (str, "str"),
    (bytes, "bytes"),
    (datetime, "datetime"),
    (date, "date"),
    (time, "time"),
    (timedelta, "timedelta"),
    (Decimal, "decimal"),
    (UUID, "uuid"),
)

_ARRAY_ORIGINS: dict[Any, ArrayContainer] = {
    list: "list",
    set: "set",
    frozenset: "frozenset",
    collections.abc.Set: "set",
    collections.abc.MutableSet: "set",
    collections.abc.Sequence: "sequence",
    collections.abc.MutableSequence: "list",
}
_MAPPING_ORIGINS: dict[Any, MappingContainer] = {
    dict: "dict",
    collections.abc.Mapping: "mapping",
    collections.abc.MutableMapping: "dict",
}
_UNION_ORIGINS = (typing.Union, types.UnionType)
_WRAPPERS = {"Required", "NotRequired", "ReadOnly", "Final", "ClassVar"}


class _AnnotationHolder:
    """An object that `typing.get_type_hints` can read one annotation from."""

    def __init__(self, annotations: dict[str, Any], module_globals: dict[str, Any]) -> None:
        self.__annotations__ = annotations
        self.__globals__ = module_globals


def evaluate_annotation(
    annotation: Any, module_globals: dict[str, Any], local_names: dict[str, Any] | None = None
) -> Any:
    """Evaluate a string or forward reference against a module's globals.

    Raises `NameError`, `SyntaxError` or another exception when it cannot be evaluated.
    """
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    holder = _AnnotationHolder({"value": annotation}, module_globals)
    return typing.get_type_hints(holder, localns=local_names, include_extras=True)["value"]


def type_repr(annotation: Any) -> str:
    """Render a live annotation the way a person writes it: `list[int]`, `Callable[[int], str]`."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, typing.ForwardRef):
        return annotation.__forward_arg__
    if annotation is type(None) or annotation is None:
        return "None"
    if annotation is Ellipsis:
        return "..."
    if isinstance(annotation, list):
        return "[" + ", ".join(type_repr(item) for item in annotation) + "]"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is not None and args:
        if origin in _UNION_ORIGINS:
            return " | ".join(type_repr(arg) for arg in args)
        if origin is typing.Literal:
            return "Literal[" + ", ".join(repr(arg) for arg in args) + "]"
        name = getattr(annotation, "_name", None) or getattr(origin, "__qualname__", None) or repr(origin)
        return f"{name}[{', '.join(type_repr(arg) for arg in args)}]"
    if isinstance(annotation, type):
        return annotation.__qualname__ if annotation.__module__ != "builtins" else annotation.__name__
    if callable(annotation) and hasattr(annotation, "__qualname__") and origin is None:
        return str(annotation.__qualname__)
    text = repr(annotation)
    for prefix in ("typing.", "collections.abc.", "typing_extensions."):
        text = text.replace(prefix, "")
    return text.replace("NoneType", "None")


class RuntimeTypeReader:
    """Read live annotations into type nodes, collecting named types in `definitions`.

    `module_globals` resolves string annotations and forward references.
    """

    def __init__(self, definitions: Definitions, module_globals: dict[str, Any] | None = None) -> None:
        self.definitions = definitions
        self.module_globals = module_globals or {}
        self._codecs: CodecBuilder | None = None

    def read(self, annotation: Any, type_vars: dict[Any, Any] | None = None) -> TypeNode:
        """Return the type node of one annotation."""
        try:
            return self._read(annotation, type_vars or {})
        except RecursionError:
            return UnsupportedType(type_repr(annotation), "is nested too deeply")

    def _read(self, annotation: Any, type_vars: dict[Any, Any]) -> TypeNode:
        if annotation is Any or annotation is object:
            return AnyType()
        if annotation is None or annotation is type(None):
            return ScalarType("none")
        if isinstance(annotation, (str, typing.ForwardRef)):
            return self._read_forward(annotation, type_vars, self.module_globals)
        if isinstance(annotation, typing.TypeVar):
            if annotation in type_vars:
                return self._read(type_vars[annotation], {})
            return UnsupportedType(annotation.__name__, "is a type variable that no type argument binds")
        if _is_type_alias(annotation):
            return self._read(annotation.__value__, type_vars)
        supertype = getattr(annotation, "__supertype__", None)
        if supertype is not None:  # typing.NewType
            return self._read(supertype, type_vars)

        origin = typing.get_origin(annotation)
        if origin is not None:
            return self._read_generic(annotation, origin, typing.get_args(annotation), type_vars)
        if isinstance(annotation, type):
            return self._read_class(annotation, type_vars)
        return UnsupportedType(type_repr(annotation), NO_JSON_FORM, origin=annotation)

    def _read_forward(self, annotation: Any, type_vars: dict[Any, Any], module_globals: dict[str, Any]) -> TypeNode:
        text = annotation if isinstance(annotation, str) else annotation.__forward_arg__
        try:
            value = evaluate_annotation(annotation, module_globals)
        except NameError as error:
            name = getattr(error, "name", None) or str(error)
            return UnresolvedType(text, f"name `{name}` is not defined when the task runs")
        except Exception as error:  # noqa: BLE001  # evaluating an annotation can raise anything
            return UnresolvedType(text, f"{type(error).__name__}: {error}")
        # A string annotation resolves as one unit, as typing.get_type_hints does
        # from Python 3.11: a nested forward reference that fails fails it all.
        # Python 3.10 leaves such references unevaluated, so check them here.
        missing = _unresolvable_forward_ref(value, module_globals)
        if missing is not None:
            return UnresolvedType(text, f"name `{missing}` is not defined when the task runs")
        return self._read(value, type_vars)

    def _read_generic(self, annotation: Any, origin: Any, args: tuple[Any, ...], type_vars: dict[Any, Any]) -> TypeNode:
        if origin is typing.Annotated:
            return self._read(args[0], type_vars)
        if getattr(origin, "_name", None) in _WRAPPERS:
            return self._read(args[0], type_vars)
        if origin in _UNION_ORIGINS:
            return self._read_union(args, type_vars)
        if origin is typing.Literal:
            return self._read_literal(annotation, args)
        if origin is tuple:
            return self._read_tuple(annotation, args, type_vars)
        if origin in _ARRAY_ORIGINS:
            item = self._read(args[0], type_vars) if args else AnyType()
            return ArrayType(item, _ARRAY_ORIGINS[origin])
        if origin in _MAPPING_ORIGINS:
            return self._read_mapping(annotation, origin, args, type_vars)
        if origin is collections.abc.Callable:
            return UnsupportedType(
                type_repr(annotation), "is a callable, and code cannot cross a process boundary as JSON"
            )
        if origin is type:
            return UnsupportedType(type_repr(annotation), "is a class object, which has no JSON form")
        if isinstance(origin, type) and dataclasses.is_dataclass(origin):
            bound = dict(zip(getattr(origin, "__parameters__", ()), args, strict=False))
            bound = {key: _substitute(value, type_vars) for key, value in bound.items()}
            return self._read_object(origin, "dataclass", bound)
        return UnsupportedType(type_repr(annotation), NO_JSON_FORM, origin=origin if isinstance(origin, type) else None)

    def _read_union(self, args: tuple[Any, ...], type_vars: dict[Any, Any]) -> TypeNode:
        options: list[TypeNode] = []
        for arg in args:
            node = self._read(arg, type_vars)
            nested = node.options if isinstance(node, UnionType) else (node,)
            for option in nested:
                if option not in options:
                    options.append(option)
        if len(options) == 1:
            return options[0]
        return UnionType(tuple(options))

    def _read_literal(self, annotation: Any, args: tuple[Any, ...]) -> TypeNode:
        values: list[LiteralValue] = []
        for arg in args:
            if isinstance(arg, enum.Enum):
                ref = self._read_enum(type(arg))
                if not isinstance(ref, RefType):
                    return ref
                values.append(EnumLiteral(ref.key, arg.name, arg.value))
            elif arg is None or isinstance(arg, (str, int, bool)):
                values.append(arg)
            else:
                return UnsupportedType(type_repr(annotation), f"has the value {arg!r}, which has no JSON form")
        return LiteralType(tuple(values))

    def _read_tuple(self, annotation: Any, args: tuple[Any, ...], type_vars: dict[Any, Any]) -> TypeNode:
        if not args:
            # Bare `typing.Tuple` is any tuple; `tuple[()]` (no arguments) is the empty tuple.
            return ArrayType(AnyType(), "tuple") if annotation is tuple else TupleType(())
        if args == ((),):  # typing.Tuple[()] on Python 3.10
            return TupleType(())
        if len(args) == 2 and args[1] is Ellipsis:
            return ArrayType(self._read(args[0], type_vars), "tuple")
        return TupleType(tuple(self._read(arg, type_vars) for arg in args))

    def _read_mapping(self, annotation: Any, origin: Any, args: tuple[Any, ...], type_vars: dict[Any, Any]) -> TypeNode:
        container = _MAPPING_ORIGINS[origin]
        if not args:
            return MappingType(AnyType(), container)
        key = self._read(args[0], type_vars)
        if key != ScalarType("str"):
            return UnsupportedType(
                type_repr(annotation), "has keys that are not `str`, and JSON object keys are strings"
            )
        return MappingType(self._read(args[1], type_vars), container)

    def _read_class(self, cls: type, type_vars: dict[Any, Any]) -> TypeNode:
        if issubclass(cls, enum.Enum):
            return self._read_enum(cls)
        for base, kind in _SCALARS:
            if cls is base:
                return ScalarType(kind)
        if issubclass(cls, Path):
            return ScalarType("path")
        if issubclass(cls, PurePath):
            return UnsupportedType(type_repr(cls), PURE_PATH_REASON, origin=cls)
        if dataclasses.is_dataclass(cls):
            return self._read_object(cls, "dataclass", {})
        if _is_typeddict(cls):
            return self._read_object(cls, "typeddict", {})
        if issubclass(cls, tuple) and hasattr(cls, "_fields"):
            return self._read_object(cls, "namedtuple", {})
        if cls in (list, set, frozenset, tuple) or cls in _ARRAY_ORIGINS:
            container = "tuple" if cls is tuple else _ARRAY_ORIGINS[cls]
            return ArrayType(AnyType(), container)
        if cls in _MAPPING_ORIGINS:
            return MappingType(AnyType(), _MAPPING_ORIGINS[cls])
        if issubclass(cls, (int, float, str, bytes)):
            return UnsupportedType(
                type_repr(cls),
                "subclasses a scalar type, and decoding would return the base type",
                origin=cls,
            )
        return UnsupportedType(type_repr(cls), NO_JSON_FORM, origin=cls)

    # --- Named types ------------------------------------------------------------

    def _read_enum(self, cls: type[enum.Enum]) -> TypeNode:
        if issubclass(cls, enum.Flag):
            return UnsupportedType(
                cls.__qualname__, "is a flag enum, whose combined values are not members", origin=cls
            )
        members = []
        for member in cls:
            value = member.value
            if not (
                value is None
                or isinstance(value, (str, int, bool))
                or (isinstance(value, float) and is_json_value(value))
            ):
                return UnsupportedType(
                    cls.__qualname__,
                    f"has the member {member.name} with value {value!r}, which is not a JSON scalar",
                    origin=cls,
                )
            members.append(EnumMember(member.name, value))
        key = definition_key(cls.__name__, cls.__module__, cls.__qualname__, self.definitions)
        if key not in self.definitions:
            self.definitions[key] = EnumDef(
                key=key,
                name=cls.__name__,
                module=cls.__module__,
                qualname=cls.__qualname__,
                members=tuple(members),
                doc=_own_doc(cls),
                origin=cls,
            )
        return RefType(key)

    def _read_object(self, cls: type, kind: ObjectKind, type_vars: dict[Any, Any]) -> TypeNode:
        name = cls.__name__
        if type_vars:
            parameters = getattr(cls, "__parameters__", ())
            arguments = [
                render_type(self._read(type_vars[p], {}), self.definitions) for p in parameters if p in type_vars
            ]
            name = f"{name}[{', '.join(arguments)}]"
        key = definition_key(name, cls.__module__, cls.__qualname__, self.definitions)
        if key in self.definitions:
            return RefType(key)

        # A placeholder first, so that a recursive field finds the key.
        self.definitions[key] = ObjectDef(key, name, cls.__module__, cls.__qualname__, kind, (), origin=cls)
        fields = self._object_fields(cls, kind, type_vars)
        if isinstance(fields, UnsupportedType):
            del self.definitions[key]
            return fields
        self.definitions[key] = ObjectDef(
            key=key,
            name=name,
            module=cls.__module__,
            qualname=cls.__qualname__,
            kind=kind,
            fields=tuple(fields),
            doc=_own_doc(cls),
            origin=cls,
        )
        return RefType(key)

    def _object_fields(
        self, cls: type, kind: ObjectKind, type_vars: dict[Any, Any]
    ) -> list[FieldDef] | UnsupportedType:
        hints = self._class_hints(cls)
        if kind == "dataclass":
            return self._dataclass_fields(cls, hints, type_vars)
        if kind == "typeddict":
            required_keys: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
            fields = []
            for name in hints:
                # Python 3.10's TypedDict ignores typing_extensions' Required and
                # NotRequired, which type checkers honour; so do we.
                marker = _required_marker(hints[name])
                required = marker if marker is not None else name in required_keys
                fields.append(FieldDef(name, self._read_hint(hints[name], type_vars), required))
            return fields
        defaults = getattr(cls, "_field_defaults", {})
        fields = []
        for name in cls._fields:  # type: ignore[attr-defined]  # a NamedTuple
            node = self._read_hint(hints[name], type_vars) if name in hints else AnyType()
            default = self._default(defaults[name], node) if name in defaults else None
            fields.append(FieldDef(name, node, name not in defaults, default))
        return fields

    def _dataclass_fields(
        self, cls: type, hints: dict[str, Any], type_vars: dict[Any, Any]
    ) -> list[FieldDef] | UnsupportedType:
        all_fields = getattr(cls, "__dataclass_fields__", {})
        initvar_kind = getattr(dataclasses, "_FIELD_INITVAR", None)  # private; the kind dataclasses gives InitVars
        for field in all_fields.values():
            if getattr(field, "_field_type", None) is initvar_kind and field.default is dataclasses.MISSING:
                return UnsupportedType(
                    cls.__qualname__,
                    f"has the InitVar `{field.name}`, which is not stored and so cannot be encoded",
                    origin=cls,
                )
        fields = []
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            node = self._read_hint(hints.get(field.name, field.type), type_vars)
            default = None
            if field.default is not dataclasses.MISSING:
                default = self._default(field.default, node)
            elif field.default_factory is not dataclasses.MISSING:
                factory = field.default_factory
                default = DefaultValue(display=f"{getattr(factory, '__name__', 'factory')}()")
            fields.append(FieldDef(field.name, node, default is None, default))
        return fields

    def _class_hints(self, cls: type) -> dict[str, Any]:
        """Resolve a class's annotations, field by field when some cannot be resolved."""
        try:
            return typing.get_type_hints(cls, include_extras=True)
        except Exception:  # noqa: BLE001  # one unresolvable annotation; fall back per field
            pass
        hints: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            module = sys.modules.get(klass.__module__)
            module_globals = dict(vars(module)) if module is not None else {}
            module_globals.setdefault(klass.__name__, klass)
            # Each class of the MRO separately, with its own module globals.
            for name, annotation in klass.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
                try:
                    hints[name] = evaluate_annotation(annotation, module_globals, dict(vars(klass)))
                except Exception:  # noqa: BLE001  # kept as text; read() reports it unresolved
                    hints[name] = _Unresolvable(annotation, module_globals)
        return hints

    def _read_hint(self, hint: Any, type_vars: dict[Any, Any]) -> TypeNode:
        if isinstance(hint, _Unresolvable):
            return self._read_forward(hint.text, type_vars, hint.module_globals)
        return self._read(hint, type_vars)

    # --- Defaults -----------------------------------------------------------------

    def default(self, value: Any, node: TypeNode | None) -> DefaultValue:
        """Describe a default value: its display text and, when it matches `node`, its JSON form."""
        return self._default(value, node)

    def _default(self, value: Any, node: TypeNode | None) -> DefaultValue:
        display = default_display(value)
        if node is None:
            if is_json_value(value):
                return DefaultValue(display, True, copy_json(value))
            return DefaultValue(display)
        if self._codecs is None or self._codecs.definitions is not self.definitions:
            self._codecs = CodecBuilder(self.definitions)
        codec = self._codecs.build(node)
        try:
            if not codec.check(value):
                return DefaultValue(display)
            return DefaultValue(display, True, codec.encode(value))
        except (ValueError, TypeError, RecursionError):
            return DefaultValue(display)


class _Unresolvable:
    def __init__(self, text: Any, module_globals: dict[str, Any]) -> None:
        self.text = text if isinstance(text, str) else type_repr(text)
        self.module_globals = module_globals


def _unresolvable_forward_ref(value: Any, module_globals: dict[str, Any], depth: int = 0) -> str | None:
    """Return the first name of a nested forward reference that cannot be evaluated, or None."""
    if depth > 100:
        return None
    origin = typing.get_origin(value)
    if origin is typing.Literal:
        return None  # its strings are values, not names
    args = typing.get_args(value)
    if origin is typing.Annotated:
        args = args[:1]  # the rest is metadata
    for arg in args:
        if isinstance(arg, (typing.ForwardRef, str)):
            try:
                evaluated = evaluate_annotation(arg, module_globals)
            except NameError as error:
                return getattr(error, "name", None) or str(error)
            except Exception:  # noqa: BLE001  # not a NameError: read() reports it where it sits
                continue
            found = _unresolvable_forward_ref(evaluated, module_globals, depth + 1)
        else:
            found = _unresolvable_forward_ref(arg, module_globals, depth + 1)
        if found is not None:
            return found
    return None


def _required_marker(hint: Any) -> bool | None:
    origin = typing.get_origin(hint)
    name = getattr(origin, "_name", None) if origin is not None else None
    if name == "Required":
        return True
    if name == "NotRequired":
        return False
    return None


def _substitute(value: Any, type_vars: dict[Any, Any]) -> Any:
    if isinstance(value, typing.TypeVar) and value in type_vars:
        return type_vars[value]
    return value


def _is_type_alias(annotation: Any) -> bool:
    # `type X = ...` statements (Python 3.12+) create typing.TypeAliasType objects.
    alias_type = getattr(typing, "TypeAliasType", None)
    return alias_type is not None and isinstance(annotation, alias_type)


def _is_typeddict(cls: type) -> bool:
    # typing.is_typeddict misses typing_extensions.TypedDict on Python 3.10.
    return issubclass(cls, dict) and hasattr(cls, "__required_keys__") and hasattr(cls, "__total__")


def _own_doc(cls: type) -> str | None:
    """Return the docstring written in the class, not one that Python generated."""
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return None
    generated: set[str] = {"An enumeration."}
    if dataclasses.is_dataclass(cls):
        with contextlib.suppress(TypeError, ValueError):
            generated.add(cls.__name__ + str(inspect.signature(cls)).replace(" -> None", ""))
    fields = getattr(cls, "_fields", None)
    if isinstance(fields, tuple):
        generated.add(f"{cls.__name__}({', '.join(fields)})")
        generated.add(f"{cls.__name__}({', '.join(fields)},)")
    if doc in generated:
        return None
    return inspect.cleandoc(doc) or None
