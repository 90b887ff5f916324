"""Rules: small functions from a `StaticTask` to findings.

Each rule's code, message template and documentation live in `task_lint.rules`;
this module only decides where a rule applies and where the finding points.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Iterator

from task_lint.model.task import SourcePosition, annotation_problems
from task_lint.model.types import contains_any, render_type
from task_lint.rules import RULES_BY_CODE, target_text
from task_lint.static.discovery import StaticTask
from task_lint.static.findings import Finding, TaskName


def _finding(static_task: StaticTask, position: SourcePosition | None, code: str, /, **values: str) -> Finding:
    where = position or static_task.position
    return Finding(static_task.path, where.line, where.column, code, RULES_BY_CODE[code].format(**values))


def annotation_rules(task: StaticTask) -> Iterator[Finding]:
    """TSK101, TSK102, TSK103, TSK301: the same problems the runtime lists in `TaskMetadata.problems`."""
    if task.missing_execute:
        return
    for problem in annotation_problems(task.description):
        site = task.site(problem.parameter) if problem.parameter is not None else None
        if problem.code == "TSK101":
            position = site.position if site else None
        elif problem.code == "TSK102":
            position = task.function_position
        elif problem.parameter is None:
            position = task.returns_position
        else:
            position = site.annotation if site else None
        where = position or task.position
        yield Finding(task.path, where.line, where.column, problem.code, problem.message)


def variadic(task: StaticTask) -> Iterator[Finding]:
    """TSK201: `*args` and `**kwargs`."""
    for site in task.sites:
        if site.kind == "var_positional":
            yield _finding(task, site.position, "TSK201", task=task.name, param=f"*{site.name}")
        elif site.kind == "var_keyword":
            yield _finding(task, site.position, "TSK201", task=task.name, param=f"**{site.name}")


def positional_only(task: StaticTask) -> Iterator[Finding]:
    """TSK202: positional-only parameters."""
    for site in task.sites:
        if site.kind == "positional_only":
            yield _finding(task, site.position, "TSK202", task=task.name, param=site.name)


def location(task: StaticTask) -> Iterator[Finding]:
    """TSK203, TSK204, TSK205: tasks that a worker cannot import by module and name."""
    if task.outer_kind == "function":
        yield _finding(task, None, "TSK203", task=task.name, outer=task.outer_name or "?")
    elif task.outer_kind == "class" and not task.outer_is_task_class:
        yield _finding(task, None, "TSK205", task=task.name, outer=task.outer_name or "?")
    if task.main_guard:
        yield _finding(task, None, "TSK204", task=task.name)


def missing_execute(task: StaticTask) -> Iterator[Finding]:
    """TSK207: a task class without `execute`."""
    if task.missing_execute:
        yield _finding(task, None, "TSK207", task=task.name)


def defaults(task: StaticTask) -> Iterator[Finding]:
    """TSK401 and TSK402: defaults of the wrong type, and mutable defaults."""
    for site in task.sites:
        if site.default_text is None:
            continue
        parameter = task.description.parameter(site.name)
        if site.default_mismatch and parameter.annotation is not None:
            annotation = render_type(parameter.annotation, task.description.definitions)
            yield _finding(
                task,
                site.default,
                "TSK401",
                task=task.name,
                param=site.name,
                default=site.default_text,
                annotation=annotation,
            )
        if site.default_mutable:
            yield _finding(task, site.default, "TSK402", task=task.name, param=site.name, default=site.default_text)


def docstring(task: StaticTask) -> Iterator[Finding]:
    """TSK901 (opt-in): a task without a docstring."""
    if not task.has_docstring:
        yield _finding(task, None, "TSK901", task=task.name)


def any_annotation(task: StaticTask) -> Iterator[Finding]:
    """TSK902 (opt-in): `Any` anywhere in a parameter or return type."""
    description = task.description
    for parameter in description.parameters:
        if parameter.annotation is not None and contains_any(parameter.annotation, description.definitions):
            site = task.site(parameter.name)
            yield _finding(
                task, site.annotation if site else None, "TSK902", task=task.name, target=target_text(parameter.name)
            )
    if description.returns is not None and contains_any(description.returns, description.definitions):
        yield _finding(task, task.returns_position, "TSK902", task=task.name, target=target_text(None))


TASK_RULES: tuple[Callable[[StaticTask], Iterable[Finding]], ...] = (
    annotation_rules,
    variadic,
    positional_only,
    location,
    missing_execute,
    defaults,
    docstring,
    any_annotation,
)


def check_task(task: StaticTask) -> list[Finding]:
    """Run every per-task rule; selection and `noqa` are applied by the caller."""
    findings: list[Finding] = []
    for rule in TASK_RULES:
        findings.extend(rule(task))
    return findings


def task_name(task: StaticTask) -> TaskName:
    return TaskName(
        task.explicit_name or task.name,
        task.explicit_name is not None,
        task.description.qualified_name,
        task.path,
        task.position.line,
        task.position.column,
    )


def _location(name: TaskName) -> str:
    return f"{name.path}:{name.line}"


def duplicate_names(names: Iterable[TaskName], reported: Container[str] | None = None) -> list[Finding]:
    """TSK206: two tasks with the same explicit name, or one qualified name defined twice.

    The first definition, by path and line, is the original; each later one gets a
    finding that names it. `reported` contains the paths whose findings are shown,
    when not all are: a later definition outside them moves its finding to the
    original, so that checking only the file with the original still finds the clash.
    """
    rule = RULES_BY_CODE["TSK206"]
    findings: list[Finding] = []
    for later, original, name in _clashes(names):
        at, other = later, original
        if reported is not None and later.path not in reported and original.path in reported:
            at, other = original, later
        message = rule.format(name=name, other=other.qualified_name, location=_location(other))
        findings.append(Finding(at.path, at.line, at.column, rule.code, message))
    return findings


def _clashes(names: Iterable[TaskName]) -> Iterator[tuple[TaskName, TaskName, str]]:
    """Yield (later definition, original, clashing name) for each duplicate."""
    # Absolute paths order the same whichever way each file was named on the command line.
    listed = list(names)
    absolute = {path: os.path.abspath(path) for path in {n.path for n in listed}}
    ordered = sorted(listed, key=lambda n: (absolute[n.path], n.line, n.column))
    first_by_explicit: dict[str, TaskName] = {}
    first_by_qualified: dict[str, TaskName] = {}
    for entry in ordered:
        original = first_by_qualified.get(entry.qualified_name)
        if original is not None:
            yield entry, original, entry.qualified_name
            continue
        first_by_qualified[entry.qualified_name] = entry
        if not entry.explicit:
            continue
        original = first_by_explicit.get(entry.name)
        if original is not None:
            yield entry, original, entry.name
        else:
            first_by_explicit[entry.name] = entry
