# -*- coding: latin-1 -*-
"""Columns are counted in characters of the decoded text, whatever the file's encoding."""

from task_lint import task


@task
def grüße(größe: int, café, menü: list[str] = []) -> None:  # expect: TSK101:23 TSK402:47
    """Latin-1 stores each of these letters in one byte, UTF-8 in two."""
