"""Shared fixtures: every test defines its tasks in a registry of its own."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

import task_lint

# CI runs the property tests on the same examples each time, so that a run passes
# or fails on the change under test. Local runs keep drawing new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("TASK_LINT_HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["TASK_LINT_HYPOTHESIS_PROFILE"])


@pytest.fixture(autouse=True)
def task_registry() -> Iterator[task_lint.Registry]:
    """Register the tasks that a test defines in a new registry, dropped after the test."""
    with task_lint.isolated_registry() as registry:
        yield registry


@pytest.fixture
def load_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], ModuleType]]:
    """Write Python source to `tmp_path/<name>.py` and import it as module `<name>`.

    The modules are removed from `sys.modules` after the test. Bytecode is not written,
    so a module rewritten within the same second is not read back from a stale `.pyc`.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    names: list[str] = []

    def load(name: str, source: str) -> ModuleType:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()
        names.append(name)
        return importlib.import_module(name)

    yield load
    for name in names:
        sys.modules.pop(name, None)
