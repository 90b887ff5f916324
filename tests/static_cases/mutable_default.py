"""TSK402: a mutable default, reported at the default value."""

import collections
from collections import defaultdict

from task_lint import task


@task
def tag(
    names: list[str] = [],  # expect: TSK402:24
    counts: dict[str, int] = {},  # expect: TSK402:30
    seen: set[str] = set(),  # expect: TSK402:22
    queue: list[str] = collections.deque(),  # expect: TSK402:24
    groups: dict[str, list[str]] = defaultdict(list),  # expect: TSK402:36
    squares: list[int] = [n * n for n in range(3)],  # expect: TSK402:26
) -> None:
    """Each of these builds one container that every call shares."""


@task
def frozen(
    names: tuple[str, ...] = (),
    seen: frozenset[str] = frozenset(),
    label: str | None = None,
) -> None:
    """Immutable defaults are fine."""
