"""The flake8 plugin (`TSK` codes): a thin adapter over the static checker.

flake8 hands the plugin the parsed tree and the lines of the buffer, so an unsaved
editor buffer on stdin gives the findings of the same text on disk. flake8 itself
applies `# noqa`, `--select` and `--ignore`; the opt-in rules are registered as
ignored by default, so `--extend-select TSK901` turns one on.

Any internal failure becomes one `TSK999` finding for the file. It never raises into
flake8, so the other plugins' results are still reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from task_lint._version import __version__

Result = tuple[int, int, str, type[Any]]


class TaskLintPlugin:
    """flake8 entry point for the `TSK` codes."""

    name = "task-lint"
    version = __version__

    task_decorators: tuple[str, ...] = ()
    source_roots: tuple[str, ...] = ()

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        from task_lint.static.config import OFF_BY_DEFAULT

        option_manager.add_option(
            "--task-decorators",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Also treat functions decorated with these dotted names as tasks "
            "(comma-separated), e.g. celery.shared_task,airflow.sdk.task.",
        )
        option_manager.add_option(
            "--task-source-roots",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            normalize_paths=True,
            help="Folders that module names are relative to (comma-separated). "
            "Default: the folder above the outermost package of each file.",
        )
        option_manager.extend_default_ignore(list(OFF_BY_DEFAULT))

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.task_decorators = tuple(getattr(options, "task_decorators", None) or ())
        cls.source_roots = tuple(getattr(options, "task_source_roots", None) or ())

    def run(self) -> Iterator[Result]:
        try:
            results = list(self._run())
        except Exception as error:  # noqa: BLE001  # one finding instead of stopping the flake8 run
            from task_lint.static.checker import internal_error

            finding = internal_error(self.filename, error)
            results = [(finding.line, finding.column, f"{finding.code} {finding.message}", type(self))]
        yield from results

    def _run(self) -> Iterator[Result]:
        from task_lint.static import plugin_support

        text = "".join(self.lines)
        path = self.filename if self.filename not in ("stdin", "-") else "stdin.py"
        if not plugin_support.may_define_task(text, path, self.task_decorators, self.source_roots):
            return
        if not isinstance(self.tree, ast.Module):
            return
        for finding in plugin_support.check_buffer(text, self.tree, path, self.task_decorators, self.source_roots):
            yield finding.line, finding.column, f"{finding.code} {finding.message}", type(self)
