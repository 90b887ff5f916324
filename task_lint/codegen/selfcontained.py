"""Carry a task's own source into its worker, so that the worker never imports the task's module.

The carried code is the task definition with its task decorator (or `metaclass=Task`)
removed, plus, transitively, every module-level name it uses: imports of other
packages, constants, helper functions and classes, and the dataclasses and enums of
its signature, including those defined in other modules of the project. Free names
come from `symtable` for function and class bodies (the compiler's own scoping
rules) and from the AST for what a module evaluates at definition time
(decorators, defaults, annotations, base classes).

Nothing is carried that could behave differently outside its module. A name is
refused, with the reason, when it is bound by a call that may have side effects,
written by the task through `global`, imported as a whole project module, brought
in by a star import, or not found at all.
"""

from __future__ import annotations

import ast
import builtins
import copy
import symtable
from collections.abc import Iterator
from typing import Literal

from task_lint.model.record import Record
from task_lint.static import names
from task_lint.static.discovery import StaticTask
from task_lint.static.project import ModuleInfo, Project, Symbol

CallStyle = Literal["function", "instance", "class"]

# Calls that module-level constants may use: they build values and have no effects
# beyond that. Anything else could open a connection, start a thread or write a file.
SAFE_CALLS = frozenset(
    {
        "typing.TypeVar",
        "typing.NewType",
        "typing.ParamSpec",
        "typing.NamedTuple",
        "typing.TypedDict",
        "typing.cast",
        "collections.namedtuple",
        "frozenset",
        "set",
        "tuple",
        "list",
        "dict",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "object",
        "range",
        "len",
        "sorted",
        "re.compile",
        "logging.getLogger",
        "decimal.Decimal",
        "uuid.UUID",
        "pathlib.Path",
        "pathlib.PurePath",
        "datetime.date",
        "datetime.datetime",
        "datetime.time",
        "datetime.timedelta",
        "datetime.timezone",
        "enum.auto",
        "functools.partial",
    }
)


# `metaclass=` and the options that the `Task` metaclass takes as class keywords.
TASK_CLASS_KEYWORDS = frozenset(
    {
        "metaclass",
        "name",
        "strict",
        "validate_return",
        "retries",
        "retry_delay",
        "time_limit",
        "soft_time_limit",
        "queue",
    }
)


class CarryRefusal(Exception):
    """A name the worker cannot carry, and why."""

    def __init__(self, name: str, reason: str, module: ModuleInfo, node: ast.AST | None = None) -> None:
        self.name = name
        self.reason = reason
        self.module = module
        self.node = node
        super().__init__(f"`{name}` {reason}")


class CarriedCode(Record):
    """The source a self-contained worker runs, and how to reach the task in it.

    `entry` is the task's name in the carried namespace; `call` says whether to call
    it directly, on a new instance (an `execute` method) or on the class.
    """

    source: str
    entry: str
    call: CallStyle
    future_annotations: bool


class _Item:
    """One carried statement with the names it depends on."""

    def __init__(self, key: tuple[str, str], statement: ast.stmt, order: tuple[int, int]) -> None:
        self.key = key
        self.statement = statement
        self.order = order
        self.dependencies: list[tuple[str, str]] = []


class _Carrier:
    def __init__(self, project: Project, task_module: ModuleInfo) -> None:
        self.project = project
        self.task_module = task_module
        self.items: dict[tuple[str, str], _Item] = {}
        self.imports: dict[str, ast.stmt] = {}
        self.bound: dict[str, tuple[str, str]] = {}  # carried name -> (module, name) that owns it
        self.module_order: dict[str, int] = {}
        self.tables: dict[str, symtable.SymbolTable] = {}

    # --- Public entry ------------------------------------------------------------

    def carry_definition(self, module: ModuleInfo, name: str, node: ast.stmt) -> _Item:
        key = (module.name, name)
        known = self.items.get(key)
        if known is not None:
            return known
        owner = self.bound.get(name)
        if owner is not None and owner != key:
            raise CarryRefusal(
                name, f"is defined in both `{owner[0]}` and `{module.name}`, and one worker can hold only one", module
            )
        self.bound[name] = key
        statement = self._transform(module, node)
        item = _Item(key, statement, (self._module_index(module), getattr(node, "lineno", 0)))
        self.items[key] = item
        for dependency in self._free_names(module, node):
            resolved = self.need(module, dependency, node)
            if resolved is not None and resolved != key:
                item.dependencies.append(resolved)
        return item

    def need(self, module: ModuleInfo, name: str, user: ast.AST) -> tuple[str, str] | None:
        """Make a module-level name of `module` available; return the item that provides it."""
        if name in ("__name__", "__file__", "__doc__", "__builtins__"):
            return None
        binding = module.symbols.lookup(name)
        if binding is None:
            for star_module in module.symbols.star_imports:
                provided = self._from_star(module, star_module, name, user)
                if provided is not False:
                    return provided
            if hasattr(builtins, name):
                return None
            raise CarryRefusal(name, "cannot be resolved in its module", module, user)
        if binding.type_checking:
            return None  # it exists only for type checkers, in annotations
        if binding.kind == "module":
            assert binding.target is not None
            if self.project.is_project_module(binding.target):
                raise CarryRefusal(
                    name,
                    f"is the project module `{binding.target}`; import the names the task needs with `from ... import`",
                    module,
                    user,
                )
            self._carry_import(name, binding.node, binding.target)
            return None
        if binding.kind == "import":
            assert binding.target is not None
            return self._need_imported(module, name, binding.target, binding.node, user)
        if binding.kind in ("function", "class", "typealias"):
            assert isinstance(binding.node, ast.stmt)
            return self.carry_definition(module, name, binding.node).key
        if binding.kind == "assign":
            return self._carry_assignment(module, name, user)
        raise CarryRefusal(
            name, "is bound by a statement that a worker cannot carry (a loop or a `with`)", module, user
        )

    # --- Imports ---------------------------------------------------------------

    def _from_star(
        self, module: ModuleInfo, star_module: str, name: str, user: ast.AST
    ) -> tuple[str, str] | Literal[False] | None:
        """Carry `name` from a star import as an explicit import; False when that module lacks it."""
        info = self.project.module(star_module)
        if info is not None:
            exported = info.symbols.all_names
            if (exported is not None and name not in exported) or (exported is None and name.startswith("_")):
                return False
            symbol = self.project.resolve_export(info, name)
            if symbol.kind == "unknown":
                return False
            return self._carry_symbol(symbol, name, module, user)
        from task_lint.static import inference

        exported_names = inference.star_import_names(star_module)
        if not exported_names:
            if hasattr(builtins, name):
                return False  # taken as the builtin, which an unlistable star import rarely shadows
            raise CarryRefusal(
                name, f"may come from `from {star_module} import *`, whose names task-lint cannot list", module, user
            )
        if name not in exported_names:
            return False
        self._carry_import(name, None, f"{star_module}.{name}")
        return None

    def _need_imported(
        self, module: ModuleInfo, name: str, target: str, node: ast.AST | None, user: ast.AST
    ) -> tuple[str, str] | None:
        source_module = target.rpartition(".")[0]
        if self.project.is_project_module(target):
            raise CarryRefusal(
                name,
                f"is the project module `{target}`; import the names the task needs with `from ... import`",
                module,
                user,
            )
        if not self.project.is_project_module(source_module):
            self._carry_import(name, node, target)
            return None
        symbol = self.project.resolve_dotted(target)
        return self._carry_symbol(symbol, name, module, user)

    def _carry_symbol(self, symbol: Symbol, name: str, module: ModuleInfo, user: ast.AST) -> tuple[str, str] | None:
        if symbol.kind in ("external", "builtin", "module") and symbol.qualified and symbol.module is None:
            self._carry_import(name, None, symbol.qualified)
            return None
        if symbol.kind in ("class", "function", "typealias") and symbol.module is not None:
            node = symbol.node
            assert isinstance(node, ast.stmt)
            original = node.name if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else name
            key = self.carry_definition(symbol.module, original, node).key
            if original != name:
                return self._alias(module, name, original, key)
            return key
        if symbol.kind == "assign" and symbol.module is not None and symbol.qualified:
            original = symbol.qualified.rsplit(".", 1)[-1]
            key = self._carry_assignment(symbol.module, original, user)
            if original != name and key is not None:
                return self._alias(module, name, original, key)
            return key
        raise CarryRefusal(name, "cannot be resolved through the project's imports", module, user)

    def _alias(self, module: ModuleInfo, name: str, original: str, target: tuple[str, str]) -> tuple[str, str]:
        statement = ast.Assign(
            targets=[ast.Name(id=name, ctx=ast.Store())], value=ast.Name(id=original, ctx=ast.Load())
        )
        ast.fix_missing_locations(statement)
        key = (module.name, name)
        if key not in self.items:
            owner = self.bound.get(name)
            if owner is not None and owner != key:
                raise CarryRefusal(name, f"is defined in both `{owner[0]}` and `{module.name}`", module)
            self.bound[name] = key
            item = _Item(key, statement, (self._module_index(module), 10**9))
            item.dependencies.append(target)
            self.items[key] = item
        return key

    def _carry_import(self, name: str, node: ast.AST | None, target: str) -> None:
        owner = self.bound.get(name)
        if owner is not None:
            raise CarryRefusal(name, f"is both imported and defined in `{owner[0]}`", self.task_module)
        statement = _import_statement(name, target, node)
        known = self.imports.get(name)
        if known is not None and ast.dump(known) != ast.dump(statement):
            raise CarryRefusal(name, "is imported from two different places", self.task_module)
        self.imports[name] = statement

    # --- Assignments ------------------------------------------------------------

    def _carry_assignment(self, module: ModuleInfo, name: str, user: ast.AST) -> tuple[str, str]:
        key = (module.name, name)
        if key in self.items:
            return key
        statement = _top_level_assignment(module.tree, name)
        if statement is None:
            raise CarryRefusal(
                name, "is assigned in a way a worker cannot carry (for example inside `if`)", module, user
            )
        value = statement.value
        assert value is not None
        for call in (n for n in ast.walk(value) if isinstance(n, ast.Call)):
            callee = self.project.qualified_name(module, call.func)
            callee = names.normalize(callee) if callee else None
            if callee not in SAFE_CALLS:
                shown = ast.unparse(call.func)
                raise CarryRefusal(
                    name, f"is bound by a call to `{shown}`, which may have side effects when it runs", module, user
                )
        return self.carry_definition(module, name, statement).key

    # --- Free names --------------------------------------------------------------

    def _free_names(self, module: ModuleInfo, node: ast.stmt) -> list[str]:
        found: list[str] = []
        future = _has_future_annotations(module.tree)
        for expression in _definition_time_expressions(node, include_annotations=not future):
            if self._is_removed(module, expression, node):
                continue  # a task decorator or `metaclass=Task`, which the worker drops
            found.extend(n.id for n in ast.walk(expression) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            table = self._table_for(module, node)
            if table is not None:
                for symbol_name, assigned in _global_symbols(table):
                    if assigned:
                        raise CarryRefusal(
                            symbol_name,
                            f"is a module-level name that `{node.name}` writes with `global`, "
                            "so a worker would not share it with the module",
                            module,
                            node,
                        )
                    found.append(symbol_name)
        if isinstance(node, ast.ClassDef) and future:
            # Annotations in the class body still matter to dataclasses: they name
            # the fields, and `ClassVar` and `InitVar` change what a field is.
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign):
                    found.extend(
                        n.id
                        for n in ast.walk(statement.annotation)
                        if isinstance(n, ast.Name) and n.id in ("ClassVar", "InitVar")
                    )
        unique: list[str] = []
        local = _own_name(node)
        for candidate in found:
            if candidate not in unique and candidate != local:
                unique.append(candidate)
        return unique

    def _table_for(self, module: ModuleInfo, node: ast.stmt) -> symtable.SymbolTable | None:
        table = self.tables.get(module.name)
        if table is None:
            table = symtable.symtable(module.source.text, module.path, "exec")
            self.tables[module.name] = table
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        for child in table.get_children():
            if child.get_name() == getattr(node, "name", None) and first <= child.get_lineno() <= node.lineno:
                return child
        return None

    # --- Transformations ---------------------------------------------------------

    def _transform(self, module: ModuleInfo, node: ast.stmt) -> ast.stmt:
        """Drop task decorators and the `Task` metaclass: a worker runs the plain code."""
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return node
        copied = copy.deepcopy(node)
        copied.decorator_list = [d for d in copied.decorator_list if not self._is_task_decorator(module, d)]
        if isinstance(copied, ast.ClassDef) and isinstance(node, ast.ClassDef) and self._is_task_class(module, node):
            # Class keywords of a task class are the metaclass and its options,
            # such as `queue=`; the plain class takes neither.
            copied.keywords = [k for k in copied.keywords if k.arg not in TASK_CLASS_KEYWORDS]
        return copied

    def _is_task_class(self, module: ModuleInfo, node: ast.ClassDef) -> bool:
        from task_lint.static.discovery import TaskCollector

        return TaskCollector(self.project, module).is_task_class(node, module)

    def _is_removed(self, module: ModuleInfo, expression: ast.expr, node: ast.stmt) -> bool:
        if expression in getattr(node, "decorator_list", ()):
            return self._is_task_decorator(module, expression)
        for keyword in getattr(node, "keywords", ()):
            if keyword.value is expression:
                return (
                    isinstance(node, ast.ClassDef)
                    and keyword.arg in TASK_CLASS_KEYWORDS
                    and self._is_task_class(module, node)
                )
        return False

    def _is_task_decorator(self, module: ModuleInfo, decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        qualified = self.project.qualified_name(module, target)
        return (
            self.project.is_task_decorator(qualified) is not None
            or self.project.matches_literal_decorator(target) is not None
        )

    def _is_task_metaclass(self, module: ModuleInfo, keyword: ast.keyword) -> bool:
        if keyword.arg != "metaclass":
            return False
        qualified = self.project.qualified_name(module, keyword.value)
        return qualified is not None and names.normalize(qualified) in names.TASK_METACLASSES

    def _module_index(self, module: ModuleInfo) -> int:
        return self.module_order.setdefault(module.name, len(self.module_order))

    # --- Output ------------------------------------------------------------------

    def source(self, future_annotations: bool) -> str:
        ordered = self._ordered_items()
        parts: list[str] = []
        if future_annotations:
            parts.append("from __future__ import annotations")
        imports = sorted({ast.unparse(statement) for statement in self.imports.values()})
        if imports:
            parts.append("\n".join(imports))
        parts.extend(ast.unparse(item.statement) for item in ordered)
        return "\n\n\n".join(parts) + "\n"

    def _ordered_items(self) -> list[_Item]:
        """Definitions after what they use; functions that call each other keep source order."""
        ordered: list[_Item] = []
        state: dict[tuple[str, str], str] = {}

        def visit(item: _Item) -> None:
            mark = state.get(item.key)
            if mark is not None:
                return  # done, or a cycle that only matters at call time
            state[item.key] = "visiting"
            for dependency in sorted(item.dependencies, key=lambda k: self.items[k].order):
                visit(self.items[dependency])
            state[item.key] = "done"
            ordered.append(item)

        for item in sorted(self.items.values(), key=lambda i: i.order):
            visit(item)
        return ordered


def carry_task(
    project: Project, module: ModuleInfo, task: StaticTask, class_names: list[tuple[str, str]]
) -> CarriedCode:
    """Collect the code a self-contained worker needs for one task.

    `class_names` lists the (module, qualname) of classes the worker's decoders
    build, which must be carried even when only annotations mention them. Raises
    `CarryRefusal` for a name that cannot be carried.
    """
    description = task.description
    carrier = _Carrier(project, module)
    top = description.qualname.split(".")[0]
    node = _top_level_definition(module.tree, top)
    if node is None:
        raise CarryRefusal(top, "is not defined at module level", module)
    carrier.carry_definition(module, top, node)
    for class_module, qualname in class_names:
        owner = project.module(class_module) if class_module != module.name else module
        if owner is None:
            raise CarryRefusal(qualname, f"comes from `{class_module}`, which is not in the project", module)
        carrier.need(owner, qualname.split(".")[0], node)
    call: CallStyle = "function"
    if description.kind == "class":
        call = _execute_style(node, project, module)
    future = _has_future_annotations(module.tree)
    return CarriedCode(carrier.source(future), top, call, future)


def _execute_style(node: ast.stmt, project: Project, module: ModuleInfo) -> CallStyle:
    if isinstance(node, ast.ClassDef):
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == "execute":
                decorators = {project.qualified_name(module, d) for d in statement.decorator_list}
                if "staticmethod" in decorators or "classmethod" in decorators:
                    return "class"
    return "instance"


def _global_symbols(table: symtable.SymbolTable) -> Iterator[tuple[str, bool]]:
    """Yield (name, assigned via `global`) for every module-level name a scope uses."""
    for symbol in table.get_symbols():
        if symbol.is_declared_global() and symbol.is_assigned():
            yield symbol.get_name(), True
        elif symbol.is_global() and symbol.is_referenced():
            yield symbol.get_name(), False
    for child in table.get_children():
        yield from _global_symbols(child)


def _definition_time_expressions(node: ast.stmt, include_annotations: bool) -> list[ast.expr]:
    """Expressions the module evaluates when it runs the definition, outside its body's scope."""
    expressions: list[ast.expr] = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        expressions.extend(node.decorator_list)
        arguments = node.args
        expressions.extend(arguments.defaults)
        expressions.extend(d for d in arguments.kw_defaults if d is not None)
        if include_annotations:
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            expressions.extend(a.annotation for a in every if a is not None and a.annotation is not None)
            if node.returns is not None:
                expressions.append(node.returns)
    elif isinstance(node, ast.ClassDef):
        expressions.extend(node.decorator_list)
        expressions.extend(node.bases)
        expressions.extend(k.value for k in node.keywords)
    elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        expressions.append(node.value)
        if isinstance(node, ast.AnnAssign) and include_annotations:
            expressions.append(node.annotation)
    elif hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):
        expressions.append(node.value)
    return expressions


def _own_name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    return None


def _top_level_definition(tree: ast.Module, name: str) -> ast.stmt | None:
    found: ast.stmt | None = None
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name == name:
            found = statement
    return found


def _top_level_assignment(tree: ast.Module, name: str) -> ast.Assign | ast.AnnAssign | None:
    found: ast.Assign | ast.AnnAssign | None = None
    count = 0
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if len(targets) != 1:
                return None
            found = statement  # type: ignore[assignment]  # one of the two checked types
            count += 1
    return found if count == 1 else None


def _has_future_annotations(tree: ast.Module) -> bool:
    return any(
        isinstance(statement, ast.ImportFrom)
        and statement.module == "__future__"
        and any(alias.name == "annotations" for alias in statement.names)
        for statement in tree.body
    )


def _import_statement(name: str, target: str, node: ast.AST | None = None) -> ast.stmt:
    """Rebuild the one import that binds `name`, keeping `import a.b` whole for `a.b.c` uses."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if (alias.asname or alias.name.split(".")[0]) == name:
                return ast.fix_missing_locations(ast.Import(names=[ast.alias(name=alias.name, asname=alias.asname)]))
    statement: ast.stmt
    if node is None and "." not in target:
        statement = ast.Import(names=[ast.alias(name=target, asname=None if target == name else name)])
    else:
        module, _, attribute = target.rpartition(".")
        statement = ast.ImportFrom(
            module=module, names=[ast.alias(name=attribute, asname=None if attribute == name else name)], level=0
        )
    return ast.fix_missing_locations(statement)
