"""Find tasks in a module's AST and describe them, with the positions rules need.

The visitor only collects: each task becomes a `StaticTask` holding its
`TaskDescription` (the same model the runtime builds), where each parameter,
annotation and default sits, and the context a worker cares about (nested in a
function, under the main guard, inside a class). Rules judge these records later.

The walk is iterative, so deeply nested code cannot overflow the stack.
"""

from __future__ import annotations

import ast
import sys
from typing import Any, Literal

from task_lint.model.docstrings import parse_docstring
from task_lint.model.record import Record
from task_lint.model.task import ParameterDescription, ParameterKind, SourcePosition, TaskDescription
from task_lint.model.types import Definitions
from task_lint.static import names
from task_lint.static.annotations import StaticTypeReader
from task_lint.static.defaults import UNKNOWN_VALUE, is_mutable_default, judge_default
from task_lint.static.findings import TaskName
from task_lint.static.project import ModuleInfo, Project, Symbol
from task_lint.static.source import SourceFile
from task_lint.static.symbols import ScopeSymbols, is_main_guard

OuterKind = Literal["module", "function", "class"]
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class ParameterSite(Record):
    """Where a parameter, its annotation and its default sit, and what the default evaluates to.

    Positions are None when the parameter is in another file, as for an `execute`
    inherited from a base class in another module. `default_text`, the default as
    findings show it, is there only for a default that is wrong or mutable.
    """

    name: str
    kind: ParameterKind
    position: SourcePosition | None
    annotation: SourcePosition | None = None
    default: SourcePosition | None = None
    default_text: str | None = None
    default_mismatch: bool = False
    default_mutable: bool = False


class StaticTask(Record):
    """A task found in source: its description plus positions and context for the rules."""

    description: TaskDescription
    path: str
    decorator: str
    explicit_name: str | None
    outer_kind: OuterKind
    outer_name: str | None
    outer_is_task_class: bool
    main_guard: bool
    position: SourcePosition
    returns_position: SourcePosition | None
    sites: tuple[ParameterSite, ...]
    missing_execute: bool = False
    has_docstring: bool = True
    # The `def` of the task function, or of `execute` when it is in this file.
    function_position: SourcePosition | None = None

    @property
    def name(self) -> str:
        return self.description.name

    def site(self, name: str) -> ParameterSite | None:
        for site in self.sites:
            if site.name == name:
                return site
        return None


class _Frame:
    """One enclosing scope during the walk."""

    def __init__(
        self,
        kind: OuterKind,
        name: str | None,
        qualname_prefix: str,
        scopes: tuple[ScopeSymbols, ...],
        main_guard: bool,
        is_task_class: bool = False,
        class_scope: ScopeSymbols | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.qualname_prefix = qualname_prefix
        self.scopes = scopes
        self.main_guard = main_guard
        self.is_task_class = is_task_class
        # A class body's own names are visible to the decorators and bases written
        # directly in it, but not inside its methods.
        self.class_scope = class_scope

    @property
    def statement_scopes(self) -> tuple[ScopeSymbols, ...]:
        """Scopes visible to a decorator or base class expression written in this frame."""
        return self.scopes if self.class_scope is None else (*self.scopes, self.class_scope)


class TaskCollector:
    """Collect the tasks of one module."""

    def __init__(self, project: Project, module: ModuleInfo) -> None:
        self.project = project
        self.module = module
        self.source = module.source
        self.tasks: list[StaticTask] = []
        self.names: list[TaskName] = []
        self._names_only = False
        self._class_task_cache: dict[int, bool] = {}

    def collect(self) -> list[StaticTask]:
        self._walk()
        return self.tasks

    def collect_names(self) -> list[TaskName]:
        """Return the names of the module's tasks, as `task_name` gives them, without describing the tasks.

        The duplicate-name rule needs only these from the modules that are not
        reported, and finding them skips reading every signature.
        """
        self._names_only = True
        self._walk()
        return self.names

    def _walk(self) -> None:
        root = _Frame("module", None, "", (), main_guard=False)
        stack: list[tuple[ast.AST, _Frame]] = [(statement, root) for statement in reversed(self.module.tree.body)]
        while stack:
            node, frame = stack.pop()
            children = self._visit(node, frame)
            stack.extend(reversed(children))

    def _visit(self, node: ast.AST, frame: _Frame) -> list[tuple[ast.AST, _Frame]]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._visit_function(node, frame)
        if isinstance(node, ast.ClassDef):
            return self._visit_class(node, frame)
        if isinstance(node, ast.If) and is_main_guard(node.test):
            guarded = _Frame(
                frame.kind,
                frame.name,
                frame.qualname_prefix,
                frame.scopes,
                True,
                frame.is_task_class,
                frame.class_scope,
            )
            guarded_children: list[tuple[ast.AST, _Frame]] = [(child, guarded) for child in node.body]
            return guarded_children + [(child, frame) for child in node.orelse]
        return [(child, frame) for child in _statement_children(node)]

    # --- Functions ------------------------------------------------------------------

    def _visit_function(self, node: FunctionNode, frame: _Frame) -> list[tuple[ast.AST, _Frame]]:
        decorator, options = self._task_decorator(node, frame)
        qualname = frame.qualname_prefix + node.name
        name = _explicit_name(options)
        if decorator is not None and self._names_only:
            self._add_name(name, node.name, qualname, node)
        elif decorator is not None:
            self.tasks.append(
                self._describe(
                    node,
                    self.module,
                    position=self._position(node),
                    name=name or node.name,
                    explicit_name=name,
                    qualname=qualname,
                    kind="function",
                    decorator=decorator,
                    options=options,
                    frame=frame,
                    scopes=frame.statement_scopes,
                    drop_first=False,
                    doc=(ast.get_docstring(node) or None),
                )
            )
        if not self.source.has_keyword_within("block", node):
            return []  # only a nested `def` or `class` can define a task
        inner_scopes = (*frame.scopes, self.module.function_symbols(node))
        inner = _Frame("function", node.name, qualname + ".<locals>.", inner_scopes, frame.main_guard)
        return [(child, inner) for child in node.body]

    def _task_decorator(self, node: FunctionNode, frame: _Frame) -> tuple[str | None, dict[str, Any]]:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            which = self._decorator_kind(target, frame)
            if which is None:
                continue
            options = _literal_keywords(decorator) if which == "task_lint.task" else {}
            return which, options
        return None, {}

    def _decorator_kind(self, target: ast.expr, frame: _Frame) -> str | None:
        symbol = self.project.resolve_expr(self.module, target, frame.statement_scopes)
        which = self.project.is_task_decorator(symbol.qualified if symbol.kind != "unknown" else None)
        if which is not None:
            return which
        if symbol.kind == "assign" and symbol.module is not None and symbol.qualified is not None:
            # `job = choose(task)` and the like: ask astroid what the name evaluates to.
            which = self._inferred_decorator(symbol)
            if which is not None:
                return which
        if symbol.kind in ("unknown", "assign"):
            return self.project.matches_literal_decorator(target)
        return None

    def _inferred_decorator(self, symbol: Symbol) -> str | None:
        from task_lint.static import inference

        assert symbol.module is not None and symbol.qualified is not None
        self.project.inference_used = True
        attribute = symbol.qualified[len(symbol.module.name) + 1 :]
        if "." in attribute or not self._inferable_within_project(symbol):
            return None
        values = inference.infer_module_name(symbol.module.name, attribute)
        kinds = {self.project.is_task_decorator(value) for value in values}
        if len(kinds) == 1:
            return kinds.pop()
        return None

    def _inferable_within_project(self, symbol: Symbol) -> bool:
        """Return whether an assigned value uses only project names, task_lint or configured decorators.

        A value that reaches into an installed package outside the standard library
        is not followed: the pre-filter cannot see such packages, and both must agree
        on what is a task.
        """
        value = symbol.node
        assert symbol.module is not None
        if not isinstance(value, ast.expr):
            return False
        for node in ast.walk(value):
            if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
                continue
            used = self.project.resolve_name(symbol.module, node.id)
            if used.kind in ("class", "function", "assign", "typealias", "builtin"):
                continue
            if used.kind == "module" and used.module is not None:
                continue
            qualified = used.qualified or ""
            if qualified.startswith("task_lint") or self.project.is_task_decorator(qualified) is not None:
                continue
            # The standard library cannot hand out a task decorator; other packages could.
            if qualified.split(".")[0] in sys.stdlib_module_names:
                continue
            return False
        return True

    # --- Classes --------------------------------------------------------------------

    def _visit_class(self, node: ast.ClassDef, frame: _Frame) -> list[tuple[ast.AST, _Frame]]:
        qualname = frame.qualname_prefix + node.name
        is_task_class = self.is_task_class(node, self.module, frame.statement_scopes)
        if is_task_class and not _is_abstract(node) and self._names_only:
            self._add_name(_explicit_name(_class_options(node)), node.name, qualname, node)
        elif is_task_class and not _is_abstract(node):
            self.tasks.append(self._describe_class(node, qualname, frame))
        class_scope = ScopeSymbols(node.body, self.module.name, self.module.is_package)
        inner = _Frame("class", node.name, qualname + ".", frame.scopes, frame.main_guard, is_task_class, class_scope)
        return [(child, inner) for child in node.body]

    def is_task_class(self, node: ast.ClassDef, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...] = ()) -> bool:
        """Return whether a class has the `Task` metaclass, directly or through a base class."""
        cached = self._class_task_cache.get(id(node))
        if cached is not None:
            return cached
        self._class_task_cache[id(node)] = False  # guards against cycles in broken code
        result = False
        for keyword in node.keywords:
            if keyword.arg == "metaclass":
                qualified = self.project.qualified_name(module, keyword.value, scopes)
                result = qualified is not None and names.normalize(qualified) in names.TASK_METACLASSES
        if not result:
            for base in node.bases:
                target = base.value if isinstance(base, ast.Subscript) else base
                symbol = self.project.resolve_expr(module, target, scopes)
                if (
                    symbol.kind == "class"
                    and isinstance(symbol.node, ast.ClassDef)
                    and symbol.module is not None
                    and self.is_task_class(symbol.node, symbol.module)
                ):
                    result = True
                    break
        self._class_task_cache[id(node)] = result
        return result

    def _find_execute(
        self, node: ast.ClassDef, module: ModuleInfo
    ) -> tuple[FunctionNode, ast.ClassDef, ModuleInfo, bool] | None:
        """Return `execute` (own or inherited), the class and module defining it, and whether it is a staticmethod."""
        seen: set[int] = set()
        pending: list[tuple[ast.ClassDef, ModuleInfo]] = [(node, module)]
        while pending:
            current, current_module = pending.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            for statement in current.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == "execute":
                    static = any(
                        self.project.qualified_name(current_module, d) == "staticmethod"
                        for d in statement.decorator_list
                    )
                    return statement, current, current_module, static
            for base in current.bases:
                target = base.value if isinstance(base, ast.Subscript) else base
                symbol = self.project.resolve_expr(current_module, target, ())
                if symbol.kind == "class" and isinstance(symbol.node, ast.ClassDef) and symbol.module is not None:
                    pending.append((symbol.node, symbol.module))
        return None

    def _add_name(self, explicit: str | None, name: str, qualname: str, node: ast.AST) -> None:
        position = self._position(node)
        self.names.append(
            TaskName(
                explicit or name,
                explicit is not None,
                f"{self.module.name}:{qualname}",
                self.module.path,
                position.line,
                position.column,
            )
        )

    def _describe_class(self, node: ast.ClassDef, qualname: str, frame: _Frame) -> StaticTask:
        options = _class_options(node)
        explicit = _explicit_name(options)
        found = self._find_execute(node, self.module)
        class_doc = ast.get_docstring(node) or None
        if found is None:
            description = TaskDescription(
                name=explicit or node.name,
                module=self.module.name,
                qualname=qualname,
                kind="class",
                parameters=(),
                returns=None,
                definitions={},
                doc=class_doc,
                description=parse_docstring(class_doc).description,
                options=options,
                path=self.module.path,
                position=self._position(node),
            )
            return StaticTask(
                description=description,
                path=self.module.path,
                decorator="task_lint.Task",
                explicit_name=explicit,
                outer_kind=frame.kind,
                outer_name=frame.name,
                outer_is_task_class=frame.is_task_class,
                main_guard=frame.main_guard,
                position=self._position(node),
                returns_position=None,
                sites=(),
                missing_execute=True,
                has_docstring=class_doc is not None,
            )
        execute, owner, execute_module, is_static = found
        # Defaults and annotations of `execute` are evaluated in the body of the class
        # that defines it, inside whatever encloses that class.
        outer_scopes = frame.scopes if owner is node else ()
        owner_scope = ScopeSymbols(owner.body, execute_module.name, execute_module.is_package)
        return self._describe(
            execute,
            execute_module,
            position=self._position(node),
            name=explicit or node.name,
            explicit_name=explicit,
            qualname=qualname,
            kind="class",
            decorator="task_lint.Task",
            options=options,
            frame=frame,
            scopes=(*outer_scopes, owner_scope),
            drop_first=not is_static,
            doc=class_doc or (ast.get_docstring(execute) or None),
        )

    # --- Descriptions ---------------------------------------------------------------

    def _describe(
        self,
        node: FunctionNode,
        module: ModuleInfo,
        *,
        position: SourcePosition,
        name: str,
        explicit_name: str | None,
        qualname: str,
        kind: Literal["function", "class"],
        decorator: str,
        options: dict[str, Any],
        frame: _Frame,
        scopes: tuple[ScopeSymbols, ...],
        drop_first: bool,
        doc: str | None,
    ) -> StaticTask:
        """Describe a task function or `execute` method. Findings about the whole task point at `position`.

        `node` may be in another module (an inherited `execute`). Its positions are then
        left out, so that findings point at `position` instead of a line of another file.
        """
        definitions: Definitions = {}
        reader = StaticTypeReader(self.project, definitions)

        def local(target: ast.AST | None) -> SourcePosition | None:
            return self._position(target) if target is not None and module is self.module else None

        parsed = parse_docstring(doc)
        parameters: list[ParameterDescription] = []
        sites: list[ParameterSite] = []
        for arg, param_kind, default_node in _arguments(node, drop_first):
            annotation = reader.read_signature(arg.annotation, module, scopes) if arg.annotation is not None else None
            default = None
            site_default: dict[str, Any] = {}
            if default_node is not None:
                default, mismatch = judge_default(
                    default_node, annotation, self.project, module, scopes, reader._enum_member, definitions
                )
                site_default = self._default_site(default_node, mismatch, module, scopes)
            arg_position = local(arg)
            parameters.append(
                ParameterDescription(
                    name=arg.arg,
                    kind=param_kind,
                    annotation=annotation,
                    default=default,
                    description=parsed.parameters.get(arg.arg),
                    position=arg_position,
                )
            )
            sites.append(
                ParameterSite(
                    name=arg.arg,
                    kind=param_kind,
                    position=arg_position,
                    annotation=local(arg.annotation),
                    **site_default,
                )
            )
        returns = reader.read_signature(node.returns, module, scopes) if node.returns is not None else None
        description = TaskDescription(
            name=name,
            module=self.module.name,
            qualname=qualname,
            kind=kind,
            parameters=tuple(parameters),
            returns=returns,
            definitions=definitions,
            doc=doc,
            description=parsed.description,
            returns_description=parsed.returns,
            is_async=isinstance(node, ast.AsyncFunctionDef) and not _is_generator(node, module.source),
            options=options,
            path=self.module.path,
            position=position,
        )
        return StaticTask(
            description=description,
            path=self.module.path,
            decorator=decorator,
            explicit_name=explicit_name,
            outer_kind=frame.kind,
            outer_name=frame.name,
            outer_is_task_class=frame.is_task_class,
            main_guard=frame.main_guard,
            position=position,
            returns_position=local(node.returns),
            sites=tuple(sites),
            has_docstring=doc is not None,
            function_position=local(node),
        )

    def _default_site(
        self, default_node: ast.expr, mismatch: bool, module: ModuleInfo, scopes: tuple[ScopeSymbols, ...]
    ) -> dict[str, Any]:
        mutable = is_mutable_default(default_node, self.project, module, scopes)
        return {
            "default": self._position(default_node) if module is self.module else None,
            "default_text": _unparse(default_node) if mismatch or mutable else None,
            "default_mismatch": mismatch,
            "default_mutable": mutable,
        }

    def _position(self, node: ast.AST) -> SourcePosition:
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0)
        return SourcePosition(line, self.source.char_column(line, column))


def _class_options(node: ast.ClassDef) -> dict[str, Any]:
    """Return the literal keywords of a class-based task's header, such as `name="..."`."""
    options = {k.arg: _literal(k.value) for k in node.keywords if k.arg not in (None, "metaclass")}
    return {key: value for key, value in options.items() if value is not UNKNOWN_VALUE}


def _explicit_name(options: dict[str, Any]) -> str | None:
    name = options.get("name")
    return name if isinstance(name, str) else None


def _arguments(node: FunctionNode, drop_first: bool) -> list[tuple[ast.arg, ParameterKind, ast.expr | None]]:
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    result: list[tuple[ast.arg, ParameterKind, ast.expr | None]] = []
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind: ParameterKind = "positional_only" if index < len(arguments.posonlyargs) else "positional_or_keyword"
        result.append((arg, kind, default))
    if arguments.vararg is not None:
        result.append((arguments.vararg, "var_positional", None))
    for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        result.append((arg, "keyword_only", default))
    if arguments.kwarg is not None:
        result.append((arguments.kwarg, "var_keyword", None))
    if drop_first and result and result[0][1] in ("positional_only", "positional_or_keyword"):
        result = result[1:]
    return result


def _statement_children(node: ast.AST) -> list[ast.AST]:
    """Statements nested in compound statements, where tasks can be defined."""
    children: list[ast.AST] = []
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
    return children


def _is_abstract(node: ast.ClassDef) -> bool:
    for statement in node.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "abstract":
                return isinstance(value, ast.Constant) and bool(value.value)
    return False


def _is_generator(node: FunctionNode, source: SourceFile) -> bool:
    if not source.has_keyword_within("yield", node):
        return False
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return False


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN_VALUE


def _literal_keywords(decorator: ast.expr) -> dict[str, Any]:
    if not isinstance(decorator, ast.Call):
        return {}
    options = {}
    for keyword in decorator.keywords:
        if keyword.arg is None:
            continue
        value = _literal(keyword.value)
        if value is not UNKNOWN_VALUE:
            options[keyword.arg] = value
    return options


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001  # unparse of exotic nodes can fail; the text is cosmetic
        return "..."
