"""Read annotation expressions from source into the type model, without running anything.

This mirrors `task_lint.model.from_runtime.RuntimeTypeReader` step for step: the
same nodes, the same definition keys, the same order of definitions. That is what
lets a static JSON Schema equal the runtime one. Classes are classified from their
source: a `@dataclass`, an `Enum` subclass, a `TypedDict`, a `NamedTuple`, or a
plain class with no JSON form.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from task_lint.model.record import Record
from task_lint.model.types import (
    NO_JSON_FORM,
    PURE_PATH_REASON,
    AnyType,
    ArrayType,
    DefaultValue,
    Definition,
    Definitions,
    EnumDef,
    EnumLiteral,
    EnumMember,
    FieldDef,
    LiteralType,
    LiteralValue,
    MappingType,
    ObjectDef,
    ObjectKind,
    RefType,
    ScalarType,
    TupleType,
    TypeNode,
    UnionType,
    UnresolvedType,
    UnsupportedType,
    definition_key,
    iter_nodes,
    render_type,
)
from task_lint.static import names
from task_lint.static.defaults import UNKNOWN_VALUE, StaticEnumMember, evaluate, static_default
from task_lint.static.project import Dependencies, ModuleInfo, Project, Symbol
from task_lint.static.symbols import ScopeSymbols

CALLABLE_REASON = "is a callable, and code cannot cross a process boundary as JSON"
CLASS_OBJECT_REASON = "is a class object, which has no JSON form"
SCALAR_SUBCLASS_REASON = "subclasses a scalar type, and decoding would return the base type"
FLAG_REASON = "is a flag enum, whose combined values are not members"
TYPE_VAR_REASON = "is a type variable that no type argument binds"
NOT_A_TYPE_REASON = "is not a type expression that task-lint can read without running code"

TypeVars = dict[str, TypeNode]


def undefined(name: str) -> str:
    return f"name `{name}` is not defined when the task runs"


def _is_dotted(node: ast.expr) -> bool:
    """Tell whether an expression is a name followed by attributes, such as `dt.datetime`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _root_name(node: ast.expr) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ast.unparse(node)


class ClassKind:
    """How a class definition reads: its model kind and, for enums, whether it is a `StrEnum`."""

    def __init__(self, kind: str, str_enum: bool = False, reason: str | None = None) -> None:
        self.kind = kind  # "dataclass", "typeddict", "namedtuple", "enum", "flag", "scalar", "plain"
        self.str_enum = str_enum
        self.reason = reason


class RecordedRead(Record):
    """The result of one read of a class or of a signature annotation, recorded to replay for later tasks.

    `definitions` are those the read added to its task, in order; `dependencies`
    what it depended on, for the cache.
    """

    node: TypeNode
    definitions: tuple[tuple[str, Definition], ...]
    enum_aliases: dict[str, dict[str, str]]
    dependencies: Dependencies


# Words of an annotation's text that may be names: all but those after a dot, whose
# meaning follows from the word before the dot. Words in strings count too.
_WORD = re.compile(r"(?<![.\w])[^\W\d]\w*")


def _self_contained(added: tuple[tuple[str, Definition], ...], *types: TypeNode) -> bool:
    """Tell whether the added definitions, and the types, reference only the added definitions."""
    keys = {key for key, _ in added}
    roots = [*types, *(f.type for _, d in added if isinstance(d, ObjectDef) for f in d.fields)]
    for root in roots:
        for node in iter_nodes(root):
            if isinstance(node, RefType) and node.key not in keys:
                return False
            if isinstance(node, LiteralType) and any(
                isinstance(value, EnumLiteral) and value.enum_key not in keys for value in node.values
            ):
                return False
    return True


class StaticTypeReader:
    """Read annotation expressions of one task into type nodes, collecting definitions."""

    def __init__(self, project: Project, definitions: Definitions) -> None:
        self.project = project
        self.definitions = definitions
        self._alias_stack: set[tuple[str, str]] = set()
        self._class_stack: set[int] = set()
        # Enum aliases (a member whose value repeats an earlier one) by definition key.
        self._enum_aliases: dict[str, dict[str, str]] = {}
        # PEP 695 type parameters of the classes whose fields are being read, innermost
        # last: bare name to the key that type arguments are bound under.
        self._type_params: list[dict[str, str]] = []

    # --- Entry points ---------------------------------------------------------------

    def read(
        self,
        node: ast.expr,
        module: ModuleInfo,
        scopes: tuple[ScopeSymbols, ...] = (),
        type_vars: TypeVars | None = None,
        *,
        as_unit: bool = False,
    ) -> TypeNode:
        """Read one annotation expression into a type node.

        `as_unit` reads it the way `typing.get_type_hints` evaluates a string: against
        the module's globals only, and unresolved as a whole when any name in it is not
        defined when the task runs. The runtime reads class fields that way.
        """
        try:
            if as_unit:
                return self._read_unit(node, self._unit_text(node, module), module, type_vars or {})
            return self._read(node, module, scopes, type_vars or {})
        except RecursionError:
            return UnsupportedType(_unparse(node), "is nested too deeply")

    def read_signature(self, node: ast.expr, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...] = ()) -> TypeNode:
        """Read a parameter or return annotation of a task the way the runtime reads it.

        Under `from __future__ import annotations` every annotation is a string at run
        time, so it is read as one unit.

        The project keeps each read. A later annotation with the same text, in any
        module, whose every word resolves to the same thing, reads the same. So it
        takes the recorded type and definitions instead of reading again.
        """
        postponed = self._postponed(module)
        memo_key = self._signature_key(node, module, postponed) if postponed or not scopes else None
        if memo_key is None:
            return self._read_signature(node, module, scopes, postponed)
        memo = self.project.annotation_reads.get(memo_key)
        if memo is not None and self._replay(memo):
            return memo.node
        recorded = self._record_read(lambda: self._read_signature(node, module, scopes, postponed))
        # A read that met definitions of earlier parameters added only part of what it uses.
        if memo is None and _self_contained(recorded.definitions, recorded.node):
            self.project.annotation_reads[memo_key] = recorded
        return recorded.node

    def _record_read(self, read: Callable[[], TypeNode]) -> RecordedRead:
        """Run a read and return it with the definitions it added and the paths it touched."""
        before = set(self.definitions)
        outer = self.project.start_recording()
        try:
            result = read()
        finally:
            dependencies = self.project.stop_recording(outer)
        added = tuple((key, value) for key, value in self.definitions.items() if key not in before)
        aliases = {key: self._enum_aliases[key] for key, _ in added if key in self._enum_aliases}
        return RecordedRead(result, added, aliases, dependencies)

    def _read_signature(
        self, node: ast.expr, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...], postponed: bool
    ) -> TypeNode:
        if postponed:
            return self.read(node, module, as_unit=True)
        return self.read(node, module, scopes)

    def _signature_key(self, node: ast.expr, module: ModuleInfo, postponed: bool) -> tuple[object, ...] | None:
        """Return what a signature annotation's read depends on, or None when that is not cheap to tell.

        The read depends on the text, on whether annotations are postponed, and on what
        each name resolves to in the module. Words that are not names (attributes,
        string contents) are resolved too, which only makes the key stricter. A text
        with a backslash is left out: an escape in a string could spell a name.
        """
        text = module.source.segment(node)
        if text is None or "\\" in text:
            return None
        return self.project.words_key(module, text, postponed, _WORD.findall)

    def _postponed(self, module: ModuleInfo) -> bool:
        return module.postponed_annotations

    def _unit_text(self, node: ast.expr, module: ModuleInfo) -> str:
        # The text the runtime shows: the string as written, or under postponed
        # evaluation the annotation as Python's compiler turned it into a string.
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and not self._postponed(module):
            return node.value
        return _unparse(node)

    # --- Expressions ----------------------------------------------------------------

    def _read(self, node: ast.expr, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...], tv: TypeVars) -> TypeNode:
        if isinstance(node, ast.Constant):
            if node.value is None:
                return ScalarType("none")
            if isinstance(node.value, str):
                return self._read_string(node.value, module, tv)
            return UnsupportedType(repr(node.value), NO_JSON_FORM)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union(_union_operands(node), module, scopes, tv)
        if isinstance(node, ast.Name) and self._type_params and node.id in self._type_params[-1]:
            key = self._type_params[-1][node.id]
            return tv[key] if key in tv else UnsupportedType(node.id, TYPE_VAR_REASON)
        if isinstance(node, ast.Name) or (isinstance(node, ast.Attribute) and _is_dotted(node)):
            symbol = self.project.resolve_expr(module, node, scopes)
            return self._read_symbol(symbol, node, module, scopes, tv)
        if isinstance(node, ast.Subscript):
            return self._read_subscript(node, module, scopes, tv)
        return UnresolvedType(_unparse(node), NOT_A_TYPE_REASON)

    def _read_string(self, text: str, module: ModuleInfo, tv: TypeVars) -> TypeNode:
        try:
            parsed = ast.parse(text.strip(), mode="eval")
        except SyntaxError as error:
            return UnresolvedType(text, f"SyntaxError: {error.msg}")
        except ValueError as error:
            # Before Python 3.12 a NUL character raises ValueError, not SyntaxError.
            return UnresolvedType(text, f"SyntaxError: {error}")
        return self._read_unit(parsed.body, text, module, tv)

    def _read_unit(self, node: ast.expr, text: str, module: ModuleInfo, tv: TypeVars) -> TypeNode:
        # `typing.get_type_hints` evaluates a string with the module's globals and no
        # locals, and one undefined name makes the whole string fail.
        name = self._first_undefined(node, module)
        if name is not None:
            return UnresolvedType(text, undefined(name))
        return self._read(node, module, (), tv)

    def _first_undefined(self, node: ast.expr, module: ModuleInfo) -> str | None:
        """Return the name that `NameError` would report when the annotation is evaluated.

        Names are checked in evaluation order. Strings nested in the annotation are
        forward references that `typing` evaluates afterwards, except the values of a
        `Literal` and the metadata of an `Annotated`.
        """
        nested: list[str] = []
        stack: list[tuple[ast.AST, bool]] = [(node, True)]
        while stack:
            current, forward = stack.pop()
            if isinstance(current, ast.Name):
                type_param = bool(self._type_params) and current.id in self._type_params[-1]
                if not type_param and self.project.resolve_name(module, current.id).kind in (
                    "unknown",
                    "type_checking",
                ):
                    return current.id
                continue
            if isinstance(current, ast.Constant):
                if forward and isinstance(current.value, str):
                    nested.append(current.value)
                continue
            # The arguments of a call are values, not forward references.
            children = [
                (child, forward and not (isinstance(current, ast.Call) and child is not current.func))
                for child in ast.iter_child_nodes(current)
            ]
            if isinstance(current, ast.Subscript):
                children = [(current.value, forward), *self._subscript_children(current, forward, module)]
            stack.extend(reversed(children))
        for text in nested:
            try:
                parsed = ast.parse(text.strip(), mode="eval")
            except (SyntaxError, ValueError):
                continue  # read() reports the syntax error itself
            name = self._first_undefined(parsed.body, module)
            if name is not None:
                return name
        return None

    def _subscript_children(self, node: ast.Subscript, forward: bool, module: ModuleInfo) -> list[tuple[ast.AST, bool]]:
        origin = self.project.resolve_expr(module, node.value)
        q = names.normalize(origin.qualified) if origin.qualified else None
        args = _subscript_args(node.slice)
        if q in names.LITERALS:
            return [(arg, False) for arg in args]
        if q in names.ANNOTATED and args:
            return [(args[0], forward), *((arg, False) for arg in args[1:])]
        return [(arg, forward) for arg in args]

    def _union(
        self, parts: list[ast.expr], module: ModuleInfo, scopes: tuple[ScopeSymbols, ...], tv: TypeVars
    ) -> TypeNode:
        options: list[TypeNode] = []
        for part in parts:
            read = self._read(part, module, scopes, tv)
            for option in read.options if isinstance(read, UnionType) else (read,):
                if option not in options:
                    options.append(option)
        return options[0] if len(options) == 1 else UnionType(tuple(options))

    # --- Names ----------------------------------------------------------------------

    def _read_symbol(
        self, symbol: Symbol, node: ast.expr, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...], tv: TypeVars
    ) -> TypeNode:
        display = _unparse(node)
        kind = symbol.kind
        if kind in ("unknown", "type_checking"):
            return UnresolvedType(display, undefined(_root_name(node)))
        qualified = symbol.qualified
        if kind in ("builtin", "external", "module") and qualified is not None:
            return self._read_known(qualified, display, kind)
        if kind == "class" and isinstance(symbol.node, ast.ClassDef) and symbol.module is not None:
            return self._read_class(symbol.node, symbol.module, _qualname(symbol), {})
        if kind == "typealias" and symbol.module is not None:
            return self._read(symbol.node.value, symbol.module, (), tv)  # type: ignore[union-attr]
        if kind == "assign" and symbol.module is not None and isinstance(symbol.node, ast.expr):
            return self._read_assigned(symbol, display, tv)
        if kind == "function":
            return UnsupportedType(display, NO_JSON_FORM)
        return UnresolvedType(display, undefined(_root_name(node)))

    def _read_known(self, qualified: str, display: str, kind: str) -> TypeNode:
        q = names.normalize(qualified)
        if q in names.NONE_TYPES:
            return ScalarType("none")
        if q in names.ANY:
            return AnyType()
        if q in names.SCALARS:
            return ScalarType(names.SCALARS[q])
        if q in names.PURE_PATHS:
            return UnsupportedType(display, PURE_PATH_REASON)
        if q in names.ARRAYS:
            return ArrayType(AnyType(), names.ARRAYS[q])
        if q in names.TUPLES:
            return ArrayType(AnyType(), "tuple")
        if q in names.MAPPINGS:
            return MappingType(AnyType(), names.MAPPINGS[q])
        if q in names.CALLABLES:
            return UnsupportedType(display, CALLABLE_REASON)
        if q in names.CLASS_OBJECTS:
            return UnsupportedType(display, CLASS_OBJECT_REASON)
        if kind == "module":
            return UnsupportedType(display, "is a module, not a type")
        if kind == "builtin":
            return UnsupportedType(display, NO_JSON_FORM)
        return self._read_external_class(q, display)

    def _read_external_class(self, qualified: str, display: str) -> TypeNode:
        from task_lint.static import inference

        self.project.inference_used = True
        location = inference.locate_class(qualified)
        if location is None:
            top = qualified.split(".", maxsplit=1)[0]
            if inference.module_exists(top):
                return UnsupportedType(display, NO_JSON_FORM)
            return UnresolvedType(display, f"module `{top}` cannot be found where task-lint runs")
        info = self.project.external_module(location.module, location.path)
        if info is None:
            return UnsupportedType(display, NO_JSON_FORM)
        classdef = _find_class(info.tree, location.qualname)
        if classdef is None:
            return UnsupportedType(display, NO_JSON_FORM)
        return self._read_class(classdef, info, location.qualname, {})

    def _read_assigned(self, symbol: Symbol, display: str, tv: TypeVars) -> TypeNode:
        module = symbol.module
        value = symbol.node
        assert module is not None and isinstance(value, ast.expr)
        if isinstance(value, ast.Call):
            callee = self.project.qualified_name(module, value.func)
            callee = names.normalize(callee) if callee else None
            if callee in names.TYPE_VAR:
                key = symbol.qualified or display
                if key in tv:
                    return tv[key]
                name = value.args[0].value if value.args and isinstance(value.args[0], ast.Constant) else display
                return UnsupportedType(str(name), TYPE_VAR_REASON)
            if callee in names.NEW_TYPE and len(value.args) == 2:
                return self._read(value.args[1], module, (), tv)
            if callee in names.NAMEDTUPLE_FACTORY or callee in names.NAMED_TUPLE:
                return self._read_functional_namedtuple(value, symbol, callee in names.NAMED_TUPLE)
            return UnresolvedType(display, "is created by a call, which task-lint does not run")
        # A plain alias such as `Rows = list[Row]`.
        alias = (module.name, symbol.qualified or display)
        if alias in self._alias_stack:
            return UnresolvedType(display, "is a type alias that refers to itself")
        self._alias_stack.add(alias)
        try:
            return self._read(value, module, (), tv)
        finally:
            self._alias_stack.discard(alias)

    # --- Subscripts -----------------------------------------------------------------

    def _read_subscript(
        self, node: ast.Subscript, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...], tv: TypeVars
    ) -> TypeNode:
        origin = self.project.resolve_expr(module, node.value, scopes)
        args = _subscript_args(node.slice)
        if origin.kind in ("unknown", "type_checking"):
            return UnresolvedType(_unparse(node), undefined(_root_name(node)))
        q = names.normalize(origin.qualified) if origin.qualified else None

        if q in names.ANNOTATED or q in names.WRAPPERS:
            return self._read(args[0], module, scopes, tv) if args else AnyType()
        if q in names.OPTIONALS:
            if len(args) != 1:
                return UnresolvedType(_unparse(node), "`Optional` takes exactly one type")
            return self._union([args[0], ast.Constant(None)], module, scopes, tv)
        if q in names.UNIONS:
            if not args:
                return UnresolvedType(_unparse(node), "`Union` takes at least one type")
            return self._union(args, module, scopes, tv)
        if q in names.LITERALS:
            return self._read_literal(node, args, module, scopes)
        if q in names.TUPLES:
            return self._read_tuple(node.slice, args, module, scopes, tv)
        if q in names.ARRAYS:
            # `list[()]` has no item type, and the runtime reads it as `list`.
            item = self._read(args[0], module, scopes, tv) if args else AnyType()
            return ArrayType(item, names.ARRAYS[q])
        if q in names.MAPPINGS:
            container = names.MAPPINGS[q]
            if len(args) != 2:
                return MappingType(AnyType(), container)
            key = self._read(args[0], module, scopes, tv)
            if key != ScalarType("str"):
                return UnsupportedType(_unparse(node), "has keys that are not `str`, and JSON object keys are strings")
            return MappingType(self._read(args[1], module, scopes, tv), container)
        if q in names.CALLABLES:
            return UnsupportedType(_unparse(node), CALLABLE_REASON)
        if q in names.CLASS_OBJECTS:
            return UnsupportedType(_unparse(node), CLASS_OBJECT_REASON)
        if origin.kind == "class" and isinstance(origin.node, ast.ClassDef) and origin.module is not None:
            return self._read_generic_class(origin, args, module, scopes, tv, _unparse(node))
        if origin.kind == "assign" and origin.module is not None:
            return UnresolvedType(_unparse(node), "subscripts a type alias, which task-lint does not expand")
        return UnsupportedType(_unparse(node), NO_JSON_FORM)

    def _read_tuple(
        self,
        slice_node: ast.expr,
        args: list[ast.expr],
        module: ModuleInfo,
        scopes: tuple[ScopeSymbols, ...],
        tv: TypeVars,
    ) -> TypeNode:
        if isinstance(slice_node, ast.Tuple) and not slice_node.elts:
            return TupleType(())
        if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
            return ArrayType(self._read(args[0], module, scopes, tv), "tuple")
        return TupleType(tuple(self._read(arg, module, scopes, tv) for arg in args))

    def _read_literal(
        self, node: ast.Subscript, args: list[ast.expr], module: ModuleInfo, scopes: tuple[ScopeSymbols, ...]
    ) -> TypeNode:
        values: list[LiteralValue] = []
        seen: set[tuple[type, Any]] = set()
        for arg in self._flatten_literals(args, module, scopes):
            value = evaluate(arg, self.project, module, scopes, self._enum_member)
            if isinstance(value, StaticEnumMember):
                literal: LiteralValue = EnumLiteral(value.enum_key, value.name, value.value)
                marker: tuple[type, Any] = (EnumLiteral, (value.enum_key, value.name))
            elif value is None or isinstance(value, (str, int, bool)):
                literal = value
                marker = (type(value), value)
            else:
                return UnsupportedType(_unparse(node), f"has the value {_unparse(arg)}, which has no JSON form")
            if marker not in seen:
                seen.add(marker)
                values.append(literal)
        return LiteralType(tuple(values))

    def _flatten_literals(
        self, args: list[ast.expr], module: ModuleInfo, scopes: tuple[ScopeSymbols, ...]
    ) -> list[ast.expr]:
        flat: list[ast.expr] = []
        for arg in args:
            if isinstance(arg, ast.Subscript):
                origin = self.project.resolve_expr(module, arg.value, scopes)
                if origin.qualified and names.normalize(origin.qualified) in names.LITERALS:
                    flat.extend(self._flatten_literals(_subscript_args(arg.slice), module, scopes))
                    continue
            flat.append(arg)
        return flat

    def _enum_member(self, symbol: Symbol, member: str) -> StaticEnumMember | None:
        """Resolve `Color.RED` to its member when `Color` is an enum the reader can read."""
        if symbol.kind != "class" or not isinstance(symbol.node, ast.ClassDef) or symbol.module is None:
            return None
        ref = self._read_class(symbol.node, symbol.module, _qualname(symbol), {})
        if not isinstance(ref, RefType):
            return None
        definition = self.definitions.get(ref.key)
        if not isinstance(definition, EnumDef):
            return None
        for candidate in definition.members:
            if candidate.name == member:
                return StaticEnumMember(ref.key, candidate.name, candidate.value)
        aliases = self._enum_aliases.get(ref.key, {})
        if member in aliases:
            target = aliases[member]
            for candidate in definition.members:
                if candidate.name == target:
                    return StaticEnumMember(ref.key, candidate.name, candidate.value)
        return None

    # --- Classes --------------------------------------------------------------------

    def classify(self, classdef: ast.ClassDef, module: ModuleInfo) -> ClassKind:
        """Tell what a class definition is, from its decorators and bases."""
        for decorator in classdef.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            qualified = self.project.qualified_name(module, target)
            if qualified and names.normalize(qualified) in names.DATACLASS_DECORATORS:
                return ClassKind("dataclass")
        inherited: ClassKind | None = None
        for base in classdef.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            symbol = self.project.resolve_expr(module, target, ())
            q = names.normalize(symbol.qualified) if symbol.qualified else None
            if q in names.FLAG_BASES:
                return ClassKind("flag")
            if q in names.ENUM_BASES:
                return ClassKind("enum", str_enum=q in names.STR_ENUM)
            if q in names.TYPED_DICT:
                return ClassKind("typeddict")
            if q in names.NAMED_TUPLE:
                return ClassKind("namedtuple")
            if symbol.kind == "builtin" and q in ("int", "float", "str", "bytes"):
                inherited = inherited or ClassKind("scalar")
                continue
            if symbol.kind == "class" and isinstance(symbol.node, ast.ClassDef) and symbol.module is not None:
                if id(symbol.node) in self._class_stack:
                    continue
                self._class_stack.add(id(symbol.node))
                try:
                    base_kind = self.classify(symbol.node, symbol.module)
                finally:
                    self._class_stack.discard(id(symbol.node))
                if base_kind.kind in ("enum", "flag", "typeddict"):
                    return base_kind
                if base_kind.kind == "dataclass":
                    inherited = ClassKind("dataclass")
        return inherited or ClassKind("plain")

    def _read_class(self, classdef: ast.ClassDef, module: ModuleInfo, qualname: str, tv: TypeVars) -> TypeNode:
        kind = self.classify(classdef, module)
        display = classdef.name
        if kind.kind == "enum":
            return self._read_enum(classdef, module, qualname, kind.str_enum)
        if kind.kind == "flag":
            return UnsupportedType(display, FLAG_REASON)
        if kind.kind in ("dataclass", "typeddict", "namedtuple"):
            return self._read_object(classdef, module, qualname, kind.kind, tv, display)  # type: ignore[arg-type]
        if kind.kind == "scalar":
            return UnsupportedType(display, SCALAR_SUBCLASS_REASON)
        return UnsupportedType(display, NO_JSON_FORM)

    def _read_generic_class(
        self,
        origin: Symbol,
        args: list[ast.expr],
        module: ModuleInfo,
        scopes: tuple[ScopeSymbols, ...],
        tv: TypeVars,
        display: str,
    ) -> TypeNode:
        classdef = origin.node
        assert isinstance(classdef, ast.ClassDef) and origin.module is not None
        if self.classify(classdef, origin.module).kind != "dataclass":
            return UnsupportedType(display, NO_JSON_FORM)
        parameters = self._type_parameters(classdef, origin.module)
        pairs = zip(parameters, args, strict=False)
        bound = {parameter: self._read(arg, module, scopes, tv) for parameter, arg in pairs}
        return self._read_object(
            classdef, origin.module, _qualname(origin), "dataclass", bound, classdef.name, parameters
        )

    def _type_parameters(self, classdef: ast.ClassDef, module: ModuleInfo) -> list[str]:
        """Return the qualified names of a class's type variables, in `Generic[...]` order."""
        type_params = getattr(classdef, "type_params", None)
        if type_params:
            return [f"{module.name}.{classdef.name}.{param.name}" for param in type_params]
        for base in classdef.bases:
            if isinstance(base, ast.Subscript):
                origin = self.project.resolve_expr(module, base.value, ())
                if origin.qualified and names.normalize(origin.qualified) in names.GENERIC:
                    found = []
                    for arg in _subscript_args(base.slice):
                        symbol = self.project.resolve_expr(module, arg, ())
                        found.append(symbol.qualified or _unparse(arg))
                    return found
        return []

    def _read_object(
        self,
        classdef: ast.ClassDef,
        module: ModuleInfo,
        qualname: str,
        kind: ObjectKind,
        tv: TypeVars,
        display: str,
        parameters: list[str] | None = None,
    ) -> TypeNode:
        # A class read outside any other class, alias or type binding reads the same
        # for every task, so the project keeps the definitions it produced.
        if tv or self._class_stack or self._type_params or self._alias_stack:
            return self._read_object_fields(classdef, module, qualname, kind, tv, display, parameters)
        memo_key = (module.path, qualname, kind)
        memo = self.project.object_reads.get(memo_key)
        if (
            memo is not None
            and isinstance(memo.node, RefType)
            and memo.node.key not in self.definitions
            and self._replay(memo)
        ):
            return memo.node
        recorded = self._record_read(
            lambda: self._read_object_fields(classdef, module, qualname, kind, tv, display, parameters)
        )
        # The first read wins: later ones that differ met a clash of keys in their task.
        result, added = recorded.node, recorded.definitions
        if (
            memo is None
            and isinstance(result, RefType)
            and added
            and added[0][0] == result.key
            and _self_contained(added)
        ):
            self.project.object_reads[memo_key] = recorded
        return result

    def _replay(self, memo: RecordedRead) -> bool:
        """Add the definitions of an earlier read, when this task would read them the same.

        A key that another type of this task already uses, or a definition the task
        already has in another form, would change what a fresh read produces.
        A definition that the task already has, unchanged, keeps its place, because a
        fresh read would find it there and add only the others, in the same order.
        """
        if not memo.definitions:
            self.project.replay(memo.dependencies)
            return True
        probe = dict(self.definitions)
        for key, definition in memo.definitions:
            existing = probe.get(key)
            if existing is not None:
                # Reads of one class share its definition object, so identity settles most.
                if existing is not definition and existing != definition:
                    return False
                continue
            if definition_key(definition.name, definition.module, definition.qualname, probe) != key:
                return False
            probe[key] = definition
        for key, definition in memo.definitions:
            if key not in self.definitions:
                self.definitions[key] = definition
                if key in memo.enum_aliases:
                    self._enum_aliases[key] = memo.enum_aliases[key]
        self.project.replay(memo.dependencies)
        return True

    def _read_object_fields(
        self,
        classdef: ast.ClassDef,
        module: ModuleInfo,
        qualname: str,
        kind: ObjectKind,
        tv: TypeVars,
        display: str,
        parameters: list[str] | None = None,
    ) -> TypeNode:
        name = classdef.name
        if tv:
            order = parameters if parameters is not None else list(tv)
            name = f"{name}[{', '.join(render_type(tv[p], self.definitions) for p in order if p in tv)}]"
        key = definition_key(name, module.name, qualname, self.definitions)
        if key in self.definitions:
            return RefType(key)
        self.definitions[key] = ObjectDef(key, name, module.name, qualname, kind, ())
        fields = self._object_fields(classdef, module, kind, tv)
        if isinstance(fields, UnsupportedType):
            del self.definitions[key]
            return fields
        self.definitions[key] = ObjectDef(
            key=key,
            name=name,
            module=module.name,
            qualname=qualname,
            kind=kind,
            fields=tuple(fields),
            doc=ast.get_docstring(classdef) or None,
        )
        return RefType(key)

    def _object_fields(
        self, classdef: ast.ClassDef, module: ModuleInfo, kind: ObjectKind, tv: TypeVars
    ) -> list[FieldDef] | UnsupportedType:
        # Type parameters of `class Box[T]:` are names only inside that class's body.
        params = getattr(classdef, "type_params", None) or []
        self._type_params.append({param.name: f"{module.name}.{classdef.name}.{param.name}" for param in params})
        try:
            if kind == "dataclass":
                return self._dataclass_fields(classdef, module, tv)
            if kind == "typeddict":
                return self._typeddict_fields(classdef, module, tv)
            return self._namedtuple_fields(classdef, module, tv)
        finally:
            self._type_params.pop()

    def _class_bases(self, classdef: ast.ClassDef, module: ModuleInfo) -> list[tuple[ast.ClassDef, ModuleInfo]]:
        found = []
        for base in classdef.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            symbol = self.project.resolve_expr(module, target, ())
            if symbol.kind == "class" and isinstance(symbol.node, ast.ClassDef) and symbol.module is not None:
                found.append((symbol.node, symbol.module))
        return found

    def _dataclass_fields(
        self, classdef: ast.ClassDef, module: ModuleInfo, tv: TypeVars
    ) -> list[FieldDef] | UnsupportedType:
        # Fields of dataclass bases come first, in reverse MRO order, as dataclasses does.
        collected: dict[str, FieldDef | None] = {}
        for base, base_module in reversed(self._class_bases(classdef, module)):
            if self.classify(base, base_module).kind != "dataclass" or id(base) in self._class_stack:
                continue
            self._class_stack.add(id(base))
            try:
                inherited = self._dataclass_fields(base, base_module, tv)
            finally:
                self._class_stack.discard(id(base))
            if isinstance(inherited, UnsupportedType):
                return inherited
            for field in inherited:
                collected[field.name] = field
        decorated = any(
            (q := self.project.qualified_name(module, d.func if isinstance(d, ast.Call) else d))
            and names.normalize(q) in names.DATACLASS_DECORATORS
            for d in classdef.decorator_list
        )
        if not decorated:
            return [field for field in collected.values() if field is not None]

        for statement in classdef.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
                continue
            name = statement.target.id
            annotation = statement.annotation
            wrapper = self._annotation_wrapper(annotation, module)
            if wrapper in names.CLASS_VAR or wrapper in names.KW_ONLY:
                continue
            if wrapper in names.INIT_VAR:
                if statement.value is None:
                    return UnsupportedType(
                        classdef.name, f"has the InitVar `{name}`, which is not stored and so cannot be encoded"
                    )
                continue
            init, default_node, factory = _field_options(statement.value, self.project, module)
            if not init:
                collected[name] = None
                continue
            node = self.read(annotation, module, type_vars=tv, as_unit=True)
            default = None
            if factory is not None:
                default = DefaultValue(display=_factory_display(factory))
            elif default_node is not None:
                default = static_default(
                    default_node, node, self.project, module, (), self._enum_member, self.definitions
                )
            collected[name] = FieldDef(name, node, default is None, default)
        return [field for field in collected.values() if field is not None]

    def _annotation_wrapper(self, annotation: ast.expr, module: ModuleInfo) -> str | None:
        target = annotation
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            try:
                target = ast.parse(target.value.strip(), mode="eval").body
            except (SyntaxError, ValueError):
                return None
        if isinstance(target, ast.Subscript):
            target = target.value
        qualified = self.project.qualified_name(module, target)
        return names.normalize(qualified) if qualified else None

    def _typeddict_fields(self, classdef: ast.ClassDef, module: ModuleInfo, tv: TypeVars) -> list[FieldDef]:
        fields: list[FieldDef] = []
        for base, base_module in self._class_bases(classdef, module):
            if self.classify(base, base_module).kind == "typeddict" and id(base) not in self._class_stack:
                self._class_stack.add(id(base))
                try:
                    fields.extend(self._typeddict_fields(base, base_module, tv))
                finally:
                    self._class_stack.discard(id(base))
        total = True
        for keyword in classdef.keywords:
            if keyword.arg == "total" and isinstance(keyword.value, ast.Constant):
                total = bool(keyword.value.value)
        for statement in classdef.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
                continue
            wrapper = self._annotation_wrapper(statement.annotation, module)
            required = total
            if wrapper in names.REQUIRED:
                required = True
            elif wrapper in names.NOT_REQUIRED:
                required = False
            node = self.read(statement.annotation, module, type_vars=tv, as_unit=True)
            fields = [field for field in fields if field.name != statement.target.id]
            fields.append(FieldDef(statement.target.id, node, required))
        return fields

    def _namedtuple_fields(self, classdef: ast.ClassDef, module: ModuleInfo, tv: TypeVars) -> list[FieldDef]:
        fields: list[FieldDef] = []
        for statement in classdef.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
                continue
            node = self.read(statement.annotation, module, type_vars=tv, as_unit=True)
            default = None
            if statement.value is not None:
                default = static_default(
                    statement.value, node, self.project, module, (), self._enum_member, self.definitions
                )
            fields.append(FieldDef(statement.target.id, node, default is None, default))
        return fields

    def _read_functional_namedtuple(self, call: ast.Call, symbol: Symbol, typed: bool) -> TypeNode:
        module = symbol.module
        assert module is not None
        display = symbol.qualified.rsplit(".", 1)[-1] if symbol.qualified else "namedtuple"
        if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
            return UnresolvedType(display, "is created by a call, which task-lint does not run")
        name = call.args[0].value
        spec = call.args[1] if len(call.args) > 1 else None
        field_specs: list[tuple[str, ast.expr | None]] = []
        if isinstance(spec, ast.Constant) and isinstance(spec.value, str) and not typed:
            field_specs = [(part, None) for part in spec.value.replace(",", " ").split()]
        elif isinstance(spec, (ast.List, ast.Tuple)):
            for element in spec.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str) and not typed:
                    field_specs.append((element.value, None))
                elif typed and isinstance(element, ast.Tuple) and len(element.elts) == 2:
                    field_name = element.elts[0]
                    if not isinstance(field_name, ast.Constant) or not isinstance(field_name.value, str):
                        return UnresolvedType(display, "is created by a call, which task-lint does not run")
                    field_specs.append((field_name.value, element.elts[1]))
                else:
                    return UnresolvedType(display, "is created by a call, which task-lint does not run")
        else:
            return UnresolvedType(display, "is created by a call, which task-lint does not run")
        qualname = symbol.qualified[len(module.name) + 1 :] if symbol.qualified else name
        key = definition_key(name, module.name, qualname, self.definitions)
        if key in self.definitions:
            return RefType(key)
        self.definitions[key] = ObjectDef(key, name, module.name, qualname, "namedtuple", ())
        fields = [
            FieldDef(
                field_name, self.read(annotation, module, as_unit=True) if annotation is not None else AnyType(), True
            )
            for field_name, annotation in field_specs
        ]
        self.definitions[key] = ObjectDef(key, name, module.name, qualname, "namedtuple", tuple(fields))
        return RefType(key)

    def _read_enum(self, classdef: ast.ClassDef, module: ModuleInfo, qualname: str, str_enum: bool) -> TypeNode:
        members, aliases, problem = _enum_members(classdef, self.project, module, str_enum)
        if problem is not None:
            return problem
        for member in members:
            value = member.value
            if not (value is None or isinstance(value, (str, int, bool, float))):
                return UnsupportedType(
                    classdef.name,
                    f"has the member {member.name} with value {value!r}, which is not a JSON scalar",
                )
        key = definition_key(classdef.name, module.name, qualname, self.definitions)
        if key not in self.definitions:
            definition = EnumDef(
                key=key,
                name=classdef.name,
                module=module.name,
                qualname=qualname,
                members=tuple(members),
                doc=ast.get_docstring(classdef) or None,
            )
            self._enum_aliases[key] = aliases
            self.definitions[key] = definition
        return RefType(key)


def _enum_members(
    classdef: ast.ClassDef, project: Project, module: ModuleInfo, str_enum: bool
) -> tuple[list[EnumMember], dict[str, str], TypeNode | None]:
    """Read enum members from a class body; aliases (equal values) map to their canonical member."""
    members: list[EnumMember] = []
    aliases: dict[str, str] = {}
    by_value: dict[tuple[type, Any], str] = {}
    ignored: set[str] = set()
    last_int = 0
    for statement in classdef.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in (
            "__new__",
            "_generate_next_value_",
        ):
            return (
                [],
                {},
                UnresolvedType(
                    classdef.name, f"defines `{statement.name}`, so its values are computed when it is imported"
                ),
            )
    for statement in classdef.body:
        targets: list[ast.expr] = []
        value_node: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value_node = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value_node = [statement.target], statement.value
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or value_node is None:
            continue
        name = targets[0].id
        if name == "_ignore_":
            ignored.update(_ignore_names(value_node))
            continue
        if (
            (name.startswith("__") and name.endswith("__"))
            or (name.startswith("_") and name.endswith("_"))
            or name in ignored
        ):
            continue
        if isinstance(value_node, (ast.Lambda,)):
            continue
        if _is_auto(value_node, project, module):
            value: Any = name.lower() if str_enum else last_int + 1
        else:
            value = evaluate(value_node, project, module, (), None)
            if value is UNKNOWN_VALUE:
                return (
                    [],
                    {},
                    UnresolvedType(
                        classdef.name,
                        f"has the member {name}, whose value task-lint cannot compute without running code",
                    ),
                )
        if isinstance(value, int) and not isinstance(value, bool):
            last_int = value
        marker = (bool if isinstance(value, bool) else type(value), _hashable(value))
        if marker in by_value:
            aliases[name] = by_value[marker]
            continue
        by_value[marker] = name
        members.append(EnumMember(name, value))
    return members, aliases, None


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _ignore_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace(",", " ").split()
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _is_auto(node: ast.expr, project: Project, module: ModuleInfo) -> bool:
    if not isinstance(node, ast.Call) or node.args or node.keywords:
        return False
    qualified = project.qualified_name(module, node.func)
    return qualified is not None and names.normalize(qualified) in names.ENUM_AUTO


def _field_options(
    value: ast.expr | None, project: Project, module: ModuleInfo
) -> tuple[bool, ast.expr | None, ast.expr | None]:
    """Return `(init, default, default_factory)` of a dataclass field's right-hand side."""
    if value is None:
        return True, None, None
    if isinstance(value, ast.Call):
        qualified = project.qualified_name(module, value.func)
        if qualified is not None and names.normalize(qualified) in names.DATACLASS_FIELD:
            init = True
            default: ast.expr | None = None
            factory: ast.expr | None = None
            for keyword in value.keywords:
                if keyword.arg == "init" and isinstance(keyword.value, ast.Constant):
                    init = bool(keyword.value.value)
                elif keyword.arg == "default":
                    default = keyword.value
                elif keyword.arg == "default_factory":
                    factory = keyword.value
            return init, default, factory
    return True, value, None


def _factory_display(factory: ast.expr) -> str:
    # The runtime shows `factory.__name__ + "()"`, so a lambda shows as `<lambda>()`.
    if isinstance(factory, ast.Lambda):
        return "<lambda>()"
    if isinstance(factory, ast.Attribute):
        return f"{factory.attr}()"
    if isinstance(factory, ast.Name):
        return f"{factory.id}()"
    return "factory()"


def _union_operands(node: ast.BinOp) -> list[ast.expr]:
    """Flatten `a | b | c` without recursion: a long chain nests one `BinOp` per term."""
    operands: list[ast.expr] = []
    pending: list[ast.expr] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
            pending.append(current.right)
            pending.append(current.left)
        else:
            operands.append(current)
    return operands


def _subscript_args(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Tuple):
        return list(node.elts)
    return [node]


def _find_class(tree: ast.Module, qualname: str) -> ast.ClassDef | None:
    body: list[ast.stmt] = tree.body
    found: ast.ClassDef | None = None
    for part in qualname.split("."):
        found = next((s for s in body if isinstance(s, ast.ClassDef) and s.name == part), None)
        if found is None:
            return None
        body = found.body
    return found


def _qualname(symbol: Symbol) -> str:
    if symbol.qualified and symbol.module is not None and symbol.qualified.startswith(symbol.module.name + "."):
        return symbol.qualified[len(symbol.module.name) + 1 :]
    node = symbol.node
    return node.name if isinstance(node, ast.ClassDef) else "?"


def _unparse(node: ast.AST) -> str:
    # Names and dotted names are most annotations; ast.unparse costs far more.
    parts: list[str] = []
    current = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(current.id)
        return ".".join(reversed(parts))
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001  # unparse of exotic nodes can fail; the display is cosmetic
        return "<annotation>"
