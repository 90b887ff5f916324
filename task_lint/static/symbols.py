"""What each name in a module or function scope is bound to, read from the AST alone.

A `Binding` records how a name was bound: an import (with the dotted name it
imports), a class, a function, an assignment or something else. Names imported
inside `if TYPE_CHECKING:` are marked, because they do not exist at run time.
"""

from __future__ import annotations

import ast
from typing import Literal

from task_lint.model.record import Record

BindingKind = Literal["import", "module", "class", "function", "assign", "typealias", "other"]


class Binding(Record):
    """How one name is bound in a scope.

    For `import` bindings, `target` is the dotted name of the imported object
    (`task_lint.task`); for `module` bindings it is the module name.
    """

    kind: BindingKind
    target: str | None = None
    node: ast.AST | None = None
    type_checking: bool = False


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    """Resolve `from ..x import y` in `module` to an absolute module name, or None when it escapes the top package."""
    if level == 0:
        return name
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if not parts:
        return None  # a module outside any package has no parent to import from
    if level - 1 > len(parts) or (level - 1 == len(parts) and not name):
        return None
    base = parts[: len(parts) - (level - 1)]
    if name:
        base.append(name)
    return ".".join(base) if base else None


class ScopeSymbols:
    """The bindings of one module or function body, in the order Python would leave them."""

    def __init__(
        self,
        body: list[ast.stmt],
        module: str,
        is_package: bool,
        type_checking_names: frozenset[str] = frozenset(),
        parameters: tuple[str, ...] = (),
    ) -> None:
        self.module = module
        self.is_package = is_package
        self.bindings: dict[str, Binding] = {name: Binding("other") for name in parameters}
        self.star_imports: list[str] = []
        self.all_names: list[str] | None = None
        self.globals_declared: set[str] = set()
        self._type_checking_names = set(type_checking_names) | {"TYPE_CHECKING"}
        self._walk(body, type_checking=False)

    def lookup(self, name: str) -> Binding | None:
        return self.bindings.get(name)

    def _walk(self, body: list[ast.stmt], type_checking: bool) -> None:
        for statement in body:
            self._statement(statement, type_checking)

    def _statement(self, node: ast.stmt, type_checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._bind(alias.asname, Binding("module", alias.name, node, type_checking))
                else:
                    top = alias.name.split(".")[0]
                    self._bind(top, Binding("module", top, node, type_checking))
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node, type_checking)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(node.name, Binding("function", None, node, type_checking))
        elif isinstance(node, ast.ClassDef):
            self._bind(node.name, Binding("class", None, node, type_checking))
        elif isinstance(node, ast.Assign):
            self._assign(node, type_checking)
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name):
                kind: BindingKind = "assign" if node.value is not None else "other"
                if node.value is not None or node.target.id not in self.bindings:
                    self._bind(node.target.id, Binding(kind, None, node.value or node, type_checking))
        elif isinstance(node, ast.AugAssign):
            self._aug_assign(node, type_checking)
        elif _is_type_alias(node):
            name = node.name.id  # type: ignore[attr-defined]  # ast.TypeAlias on Python 3.12+
            self._bind(name, Binding("typealias", None, node, type_checking))
        else:
            self._compound(node, type_checking)

    def _compound(self, node: ast.stmt, type_checking: bool) -> None:
        if isinstance(node, ast.If):
            self._walk(node.body, type_checking or self._is_type_checking_test(node.test))
            self._walk(node.orelse, type_checking)
        elif isinstance(node, ast.Try) or _is_try_star(node):
            # The try body is what normally runs, so its bindings win over the fallbacks.
            for handler in node.handlers:  # type: ignore[attr-defined]
                self._walk(handler.body, type_checking)
            self._walk(node.orelse, type_checking)  # type: ignore[attr-defined]
            self._walk(node.finalbody, type_checking)  # type: ignore[attr-defined]
            self._walk(node.body, type_checking)  # type: ignore[attr-defined]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self._bind_target(item.optional_vars, type_checking)
            self._walk(node.body, type_checking)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._bind_target(node.target, type_checking)
            self._walk(node.body, type_checking)
            self._walk(node.orelse, type_checking)
        elif isinstance(node, ast.While):
            self._walk(node.body, type_checking)
            self._walk(node.orelse, type_checking)
        elif isinstance(node, ast.Global):
            self.globals_declared.update(node.names)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.bindings.pop(target.id, None)
        elif hasattr(ast, "Match") and isinstance(node, ast.Match):
            for case in node.cases:
                self._walk(case.body, type_checking)

    def _import_from(self, node: ast.ImportFrom, type_checking: bool) -> None:
        base = resolve_relative(self.module, self.is_package, node.level, node.module)
        if base is None:
            for alias in node.names:
                if alias.name != "*":
                    self._bind(alias.asname or alias.name, Binding("other", None, node, type_checking))
            return
        for alias in node.names:
            if alias.name == "*":
                if base not in self.star_imports:
                    self.star_imports.append(base)
                continue
            self._bind(alias.asname or alias.name, Binding("import", f"{base}.{alias.name}", node, type_checking))

    def _assign(self, node: ast.Assign, type_checking: bool) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, Binding("assign", None, node.value, type_checking))
                if target.id == "__all__":
                    self.all_names = _string_list(node.value)
            else:
                self._bind_target(target, type_checking)

    def _aug_assign(self, node: ast.AugAssign, type_checking: bool) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__":
            extra = _string_list(node.value)
            if self.all_names is not None and extra is not None:
                self.all_names.extend(extra)
            else:
                self.all_names = None
            return
        self._bind_target(node.target, type_checking)

    def _bind_target(self, target: ast.expr | None, type_checking: bool) -> None:
        if target is None:
            return
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._bind(node.id, Binding("other", None, node, type_checking))

    def _bind(self, name: str, binding: Binding) -> None:
        self.bindings[name] = binding

    def _is_type_checking_test(self, test: ast.expr) -> bool:
        if isinstance(test, ast.Name) and test.id in self._type_checking_names:
            binding = self.bindings.get(test.id)
            return binding is None or binding.target in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING")
        if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name):
            binding = self.bindings.get(test.value.id)
            return (
                binding is not None and binding.kind == "module" and binding.target in ("typing", "typing_extensions")
            )
        return False


def _is_type_alias(node: ast.stmt) -> bool:
    alias = getattr(ast, "TypeAlias", None)
    return alias is not None and isinstance(node, alias)


def _is_try_star(node: ast.stmt) -> bool:
    try_star = getattr(ast, "TryStar", None)
    return try_star is not None and isinstance(node, try_star)


def _string_list(node: ast.expr) -> list[str] | None:
    if isinstance(node, (ast.List, ast.Tuple)) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return [item.value for item in node.elts]  # type: ignore[attr-defined]  # checked above
    return None


def function_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> tuple[str, ...]:
    arguments = node.args
    names = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    if arguments.vararg is not None:
        names.append(arguments.vararg.arg)
    if arguments.kwarg is not None:
        names.append(arguments.kwarg.arg)
    return tuple(names)


def is_main_guard(test: ast.expr) -> bool:
    """Return whether an `if` test is `__name__ == "__main__"`, in either order."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
    has_main = any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)
    return has_name and has_main
