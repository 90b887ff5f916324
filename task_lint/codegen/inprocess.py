"""`task-lint run`: render a task's worker in memory, load it with importlib, and run the task.

This is the one command that runs user code, because running the task is what it
is for. The worker source never touches the disk: a loader hands the rendered
text to `importlib`, so the in-process run and a generated worker file behave the
same, from the same template.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from types import ModuleType
from typing import Any

from task_lint.codegen.plan import plan_worker
from task_lint.codegen.render import render_worker
from task_lint.codegen.workers import refusal_findings
from task_lint.static.checker import collect_tasks
from task_lint.static.config import Config
from task_lint.static.findings import Finding
from task_lint.static.project import Project


class RunError(Exception):
    """A task that cannot be found or run; the CLI prints it and exits with 2."""


class _SourceLoader(importlib.abc.Loader):
    """Execute a module from text held in memory."""

    def __init__(self, source: str, path: str) -> None:
        self.source = source
        self.path = path

    def create_module(self, spec: Any) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = self.path
        code = compile(self.source, self.path, "exec")
        exec(code, module.__dict__)  # our own rendered template, not user input


def load_worker(source: str, path: str, name: str) -> ModuleType:
    """Load worker source as a module without writing it to a file."""
    loader = _SourceLoader(source, path)
    spec = importlib.util.spec_from_loader(name, loader, origin=path)
    if spec is None:
        raise RunError(f"cannot create a module spec for {name}")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def render_for(reference: str, config: Config) -> tuple[str, str]:
    """Find `module:qualname` in the source roots and render its worker; return (source, module file).

    Raises `RunError` when the task is not found or a worker cannot run it.
    """
    if ":" not in reference:
        raise RunError(f"expected MODULE:TASK, such as shop.orders:validate_order, got {reference!r}")
    module_name, qualname = reference.split(":", 1)
    roots = config.source_roots or (os.getcwd(),)
    project = Project(roots, config.task_decorators)
    module = project.module(module_name)
    if module is None:
        where = ", ".join(roots)
        raise RunError(f"module {module_name!r} not found under {where}; pass --source-root")
    tasks = {task.description.qualname: task for task in collect_tasks(project, module)}
    task = tasks.get(qualname) or next((t for t in tasks.values() if t.description.name == qualname), None)
    if task is None:
        known = ", ".join(sorted(tasks)) or "none"
        raise RunError(f"no task {qualname!r} in {module_name}; tasks there: {known}")
    problems = refusal_findings(task)
    if problems:
        first: Finding = problems[0]
        raise RunError(f"{module.path}:{first.line}:{first.column + 1}: {first.code} {first.message}")
    root = next(r for r in project.roots if os.path.abspath(module.path).startswith(os.path.abspath(r) + os.sep))
    with open(module.path, "rb") as handle:
        import hashlib

        digest = hashlib.sha256(handle.read()).hexdigest()
    from task_lint._version import __version__

    plan = plan_worker(
        task.description,
        source_path=os.path.relpath(module.path, root).replace(os.sep, "/"),
        source_sha256=digest,
        source_root=os.path.abspath(root),
        generator_version=__version__,
    )
    return render_worker(plan), module.path


def run_task(reference: str, data: bytes, config: Config) -> tuple[int, str]:
    """Run a task in this process on JSON input (UTF-8 bytes); return (exit code, JSON response line)."""
    source, _ = render_for(reference, config)
    name = "task_lint_run_" + reference.replace(":", "__").replace(".", "_")
    # A pseudo-filename in angle brackets, as Python uses for code that has no file.
    # The worker needs no folder of its own, because its SOURCE_ROOT is absolute here.
    worker = load_worker(source, f"<task-lint worker {reference}>", name)
    # Parse with the worker's own function, so that input that is not UTF-8 or
    # not JSON gets the same structured error that a worker file writes.
    arguments, problem = worker.parse_input(data)
    if problem is not None:
        return 2, str(worker.render(problem))
    try:
        task = worker.load_task()
    except Exception as error:  # noqa: BLE001  # the user's module failed to import
        return 1, str(worker.render(worker.startup_error("import_error", error)))
    code, response = worker.run_one(task, arguments)
    return int(code), str(worker.render(response))


def read_input_argument(value: str) -> bytes:
    """Return the bytes of `--input`: JSON text, `@FILE` for a file, or `-` for stdin."""
    if value == "-":
        if sys.stdin is None:  # Python starts with no sys.stdin when file descriptor 0 is closed
            raise RunError("standard input is closed, so pass the arguments with --input JSON or --input @FILE")
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        try:
            with open(value[1:], "rb") as handle:
                return handle.read()
        except OSError as error:
            raise RunError(f"cannot read {value[1:]}: {error.strerror}") from None
    # Undecodable bytes of the command line come back as they were given.
    return value.encode("utf-8", "surrogateescape")
