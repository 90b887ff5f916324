"""Markdown reference docs for a set of tasks, rendered from task descriptions."""

from __future__ import annotations

from collections.abc import Iterable

from task_lint.model.task import TaskDescription
from task_lint.model.types import render_type


def _cell(text: str) -> str:
    # Pipes end a table cell and newlines end the row, so both are escaped.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    padding = " " if fence == "``" else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def task_markdown(task: TaskDescription, heading_level: int = 2) -> str:
    """Render one task: heading, signature, description, parameter table and return type."""
    hashes = "#" * heading_level
    lines = [f"{hashes} {task.name}", "", _code(task.render_signature()), ""]
    lines.append(f"Qualified name: {_code(task.qualified_name)}")
    lines.append("")
    lines.append(task.description or "No description available.")
    lines.append("")

    if task.parameters:
        lines.append("| Parameter | Type | Default | Description |")
        lines.append("|---|---|---|---|")
        for parameter in task.parameters:
            annotation = (
                render_type(parameter.annotation, task.definitions) if parameter.annotation is not None else "(none)"
            )
            if parameter.is_variadic:
                default = "(variadic)"
            elif parameter.default is None:
                default = "required"
            else:
                default = _code(parameter.default.display)
            lines.append(
                f"| {_code(parameter.display_name)} | {_cell(_code(annotation))} | {_cell(default)} "
                f"| {_cell(parameter.description or '')} |"
            )
        lines.append("")
    else:
        lines.append("This task takes no parameters.")
        lines.append("")

    returns = render_type(task.returns, task.definitions) if task.returns is not None else "(not annotated)"
    suffix = f": {task.returns_description}" if task.returns_description else ""
    lines.append(f"**Returns:** {_code(returns)}{suffix}")
    lines.append("")
    return "\n".join(lines)


def tasks_markdown(tasks: Iterable[TaskDescription], title: str = "Tasks") -> str:
    """Render a Markdown page for tasks, sorted by qualified name, with a table of contents."""
    ordered = sorted(tasks, key=lambda task: task.qualified_name)
    lines = [f"# {title}", ""]
    if not ordered:
        lines.append("No tasks found.")
        return "\n".join(lines) + "\n"
    for task in ordered:
        lines.append(f"- [{task.name}](#{_anchor(task.name)}) ({_code(task.qualified_name)})")
    lines.append("")
    body = [task_markdown(task) for task in ordered]
    return "\n".join(lines) + "\n" + "\n".join(body)


def _anchor(name: str) -> str:
    # GitHub's anchors: lower case, spaces to hyphens, most punctuation dropped.
    return "".join(ch for ch in name.lower().replace(" ", "-") if ch.isalnum() or ch in "-_")
