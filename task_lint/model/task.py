"""The task description that both halves build: name, location, parameters and types.

Rules, schemas, docs and worker code read a `TaskDescription`, never raw AST nodes or
live `typing` objects. `annotation_problems` turns a description into the problems
that both the runtime (`TaskMetadata.problems`) and the static checker report.
"""

from __future__ import annotations

from typing import Any, Literal

from task_lint.model.record import Record
from task_lint.model.types import (
    DefaultValue,
    Definitions,
    TypeNode,
    UnresolvedType,
    UnsupportedType,
    problem_nodes,
    render_type,
)
from task_lint.rules import RULES_BY_CODE, target_text

ParameterKind = Literal[
    "positional_only",
    "positional_or_keyword",
    "var_positional",
    "keyword_only",
    "var_keyword",
]
TaskKind = Literal["function", "class"]


class SourcePosition(Record):
    """A place in a source file: 1-based line, 0-based column counted in characters."""

    line: int
    column: int


class ParameterDescription(Record):
    """One parameter of a task.

    `annotation` is None when the parameter has no annotation, and `default` is None
    when the parameter is required.
    """

    name: str
    kind: ParameterKind
    annotation: TypeNode | None
    default: DefaultValue | None = None
    description: str | None = None
    position: SourcePosition | None = None
    _uncompared = ("position",)

    @property
    def is_variadic(self) -> bool:
        return self.kind in ("var_positional", "var_keyword")

    @property
    def display_name(self) -> str:
        """The name as written in a signature: `*args`, `**kwargs` or `name`."""
        if self.kind == "var_positional":
            return f"*{self.name}"
        if self.kind == "var_keyword":
            return f"**{self.name}"
        return self.name


class TaskDescription(Record):
    """Everything task_lint knows about one task, from live objects or from source.

    `returns` is None when the return annotation is missing. `definitions` holds the
    named types that parameter and return types reference by key.
    """

    name: str
    module: str
    qualname: str
    kind: TaskKind
    parameters: tuple[ParameterDescription, ...]
    returns: TypeNode | None
    definitions: Definitions
    doc: str | None = None
    description: str | None = None
    returns_description: str | None = None
    is_async: bool = False
    options: dict[str, Any] = {}  # noqa: RUF012  # Record copies dict defaults per instance
    path: str | None = None
    position: SourcePosition | None = None
    _uncompared = ("path", "position")

    @property
    def qualified_name(self) -> str:
        """`module:qualname`, the key a worker uses to locate the task."""
        return f"{self.module}:{self.qualname}"

    def parameter(self, name: str) -> ParameterDescription:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def render_signature(self) -> str:
        """Render the signature as Python, with types from the model."""
        parts: list[str] = []
        seen_keyword_only_marker = False
        previous_kind: ParameterKind | None = None
        for parameter in self.parameters:
            if previous_kind == "positional_only" and parameter.kind != "positional_only":
                parts.append("/")
            if parameter.kind == "keyword_only" and not seen_keyword_only_marker:
                parts.append("*")
            if parameter.kind in ("keyword_only", "var_positional"):
                seen_keyword_only_marker = True
            text = parameter.display_name
            if parameter.annotation is not None:
                text += f": {render_type(parameter.annotation, self.definitions)}"
            if parameter.default is not None:
                separator = " = " if parameter.annotation is not None else "="
                text += f"{separator}{parameter.default.display}"
            parts.append(text)
            previous_kind = parameter.kind
        if previous_kind == "positional_only":
            parts.append("/")
        prefix = "async " if self.is_async else ""
        signature = f"{prefix}{self.qualname.rsplit('.', 1)[-1]}({', '.join(parts)})"
        if self.returns is not None:
            signature += f" -> {render_type(self.returns, self.definitions)}"
        return signature


class Problem(Record):
    """A problem with a task's annotations, named by rule code.

    `parameter` is None for the return type and for problems of the whole task.
    """

    code: str
    parameter: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def annotation_problems(description: TaskDescription) -> list[Problem]:
    """List missing, unresolved and unsupported annotations of parameters and return type.

    Variadic parameters count like the others. `self` and `cls` of class-based tasks
    never appear in a description, so they are never reported.
    """
    task = description.name
    problems: list[Problem] = []
    for parameter in description.parameters:
        if parameter.annotation is None:
            rule = RULES_BY_CODE["TSK101"]
            problems.append(Problem(rule.code, parameter.name, rule.format(param=parameter.name, task=task)))
            continue
        problems.extend(_type_problems(task, parameter.name, parameter.annotation, description.definitions))
    if description.returns is None:
        rule = RULES_BY_CODE["TSK102"]
        problems.append(Problem(rule.code, None, rule.format(task=task)))
    else:
        problems.extend(_type_problems(task, None, description.returns, description.definitions))
    return problems


def _type_problems(task: str, param: str | None, node: TypeNode, definitions: Definitions) -> list[Problem]:
    bad_nodes = problem_nodes(node, definitions)
    if not bad_nodes:
        return []
    problems: list[Problem] = []
    target = target_text(param)
    annotation = render_type(node, definitions)
    for bad in bad_nodes:
        if isinstance(bad, UnresolvedType):
            rule = RULES_BY_CODE["TSK103"]
            message = rule.format(target=target, task=task, annotation=bad.display, reason=bad.reason)
        else:
            assert isinstance(bad, UnsupportedType)
            rule = RULES_BY_CODE["TSK301"]
            reason = f"`{bad.display}` {bad.reason}"
            message = rule.format(target=target, task=task, annotation=annotation, reason=reason)
        problems.append(Problem(rule.code, param, message))
    return problems
