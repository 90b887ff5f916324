"""Findings and the task names the duplicate-name rule compares: plain records.

Kept apart from the rules so that formatting a report, or replaying one from the
cache, does not load the analysis code.
"""

from __future__ import annotations

from task_lint.model.record import Record


class Finding(Record):
    """One finding: file, 1-based line, 0-based column in characters, code and message."""

    path: str
    line: int
    column: int
    code: str
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


class TaskName(Record):
    """What the duplicate-name rule needs to know of a task in any file of the project."""

    name: str
    explicit: bool
    qualified_name: str
    path: str
    line: int
    column: int
