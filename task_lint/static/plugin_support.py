"""What the flake8 plugin needs beyond one file: the pre-filter and project-wide task names.

flake8 checks one file at a time, possibly in several processes, while a task can
depend on other modules of the project. Each process keeps one `Project` per
configuration and one index of the project's modules per source root, built on
first use. The task names of the project's modules, which the duplicate-name rule
needs, are also kept on disk where the CLI keeps its cache, because an editor starts
flake8 anew for every check of a buffer.
"""

from __future__ import annotations

import ast
import functools
import os

from task_lint.static.cache import Cache, current_stamp
from task_lint.static.checker import (
    FileResult,
    analyse_module,
    analyse_names,
    content_hash,
    display_path,
    holds_project,
    is_project_root,
    paused_gc,
    seeded_project,
    work_roots,
)
from task_lint.static.checks import duplicate_names
from task_lint.static.config import DEFAULT_EXCLUDE, Config, find_pyproject
from task_lint.static.findings import Finding, TaskName
from task_lint.static.project import (
    Prefilter,
    Project,
    _contains_word,
    iter_python_files,
    module_name_for,
    prefilter_tokens,
    relative_import_words,
    searchable_text,
)
from task_lint.static.source import SourceFile

_PROJECTS: dict[tuple[tuple[str, ...], tuple[str, ...]], Project] = {}


def _project(decorators: tuple[str, ...], roots: tuple[str, ...]) -> Project:
    key = (decorators, roots)
    project = _PROJECTS.get(key)
    if project is None:
        project = Project(roots, decorators)
        _PROJECTS[key] = project
    return project


def _root_of(path: str, roots: tuple[str, ...]) -> str:
    return module_name_for(path, roots)[1]


def _search_roots(root: str, roots: tuple[str, ...]) -> list[str]:
    """Return the file's own source root and the configured ones, where its imports are looked up."""
    return list(dict.fromkeys((root, *(os.path.abspath(configured) for configured in roots))))


@functools.lru_cache(maxsize=16)
def _related_words(root: str, decorators: tuple[str, ...], roots: tuple[str, ...]) -> frozenset[bytes]:
    """Return the last name part of each module under the search roots that can export a task decorator.

    A module that can export a task base class counts too.
    """
    files = {}
    for path in iter_python_files(_search_roots(root, roots), DEFAULT_EXCLUDE):
        try:
            with open(path, "rb") as handle:
                files[path] = handle.read()
        except OSError:
            continue
    related = Prefilter(decorators, roots).select(files)
    return frozenset(module_name_for(path, roots)[0].rsplit(".", 1)[-1].encode() for path in related)


@functools.lru_cache(maxsize=16)
def _top_level_names(root: str) -> frozenset[bytes]:
    try:
        entries = os.listdir(root)
    except OSError:
        return frozenset()
    names = set()
    for entry in entries:
        if entry.endswith(".py"):
            names.add(entry[:-3].encode())
        elif os.path.isfile(os.path.join(root, entry, "__init__.py")):
            names.add(entry.encode())
    return frozenset(names)


def may_define_task(text: str, path: str, decorators: tuple[str, ...], roots: tuple[str, ...]) -> bool:
    """Apply the pre-filter to one buffer, as `task-lint check` applies it to files.

    The project scan runs only for a buffer that imports project modules, and once
    per process and source root. A module under a configured root (flake8's
    `--task-source-roots`) counts as a project module, as it does for `task-lint check`.
    """
    # flake8 has decoded the buffer already; decoding it again by its coding
    # declaration would garble a Latin-1 file.
    data = searchable_text(text)
    if any(_contains_word(data, token.encode()) for token in prefilter_tokens(decorators)):
        return True
    absolute = os.path.abspath(path)
    module, root = module_name_for(absolute, roots)
    implicit = relative_import_words(data, module)
    imports_project = bool(implicit) or any(
        _contains_word(data, name) for search in _search_roots(root, roots) for name in _top_level_names(search)
    )
    if not imports_project:
        return False
    related = _related_words(root, decorators, roots)
    return bool(implicit & related) or any(_contains_word(data, word) for word in related)


@functools.lru_cache(maxsize=16)
def _project_names(root: str, decorators: tuple[str, ...], roots: tuple[str, ...]) -> tuple[TaskName, ...]:
    """Return the task names of every module under a source root and the configured roots, for TSK206.

    When no module under the roots changed since the last scan (by size and
    modification time), the names come from the cache without reading any module.
    """
    paths = sorted({os.path.abspath(path) for path in iter_python_files(_search_roots(root, roots), DEFAULT_EXCLUDE)})
    cache = _names_cache(root, decorators, roots)
    stamps = {path: current_stamp(path) for path in paths}
    replayed = cache.replay_names(stamps)
    if replayed is not None:
        return tuple(replayed)
    files = {}
    for path in paths:
        try:
            with open(path, "rb") as handle:
                files[path] = handle.read()
        except OSError:
            continue
    hashes = {path: content_hash(data) for path, data in files.items()}
    results: dict[str, FileResult] = {}
    fresh: dict[str, FileResult] = {}
    with paused_gc():
        # A project of its own, freed before the collector runs again. Kept alive,
        # its parsed trees would make the next collection and the interpreter's exit
        # walk millions of objects: 4.4 s at exit on a project of 2,000 modules.
        selected = sorted(Prefilter(decorators, roots).select(files))
        cache.roots = work_roots(selected, roots)
        project = seeded_project(roots, cache.roots, decorators)
        for path in selected:
            cached = cache.lookup(path, hashes[path], complete=False)
            if cached is None:
                cached = fresh[path] = analyse_names(project, path)
            results[path] = cached
        del project
    names = tuple(name for result in results.values() for name in result.names)
    # Editors start flake8 anew for each check of a buffer, so only the cache
    # carries the names from one run to the next.
    if fresh:
        cache.store_results(fresh, hashes, {path: stamps[path] for path in fresh})
    cache.store_names(stamps, {path for result in results.values() for path in result.dependencies}, names)
    return names


def _names_cache(root: str, decorators: tuple[str, ...], roots: tuple[str, ...]) -> Cache:
    """Return the cache of task names for a source root, in the folder where the CLI keeps its cache.

    That is `TASK_LINT_CACHE_DIR`, else `.task_lint_cache` next to the project's
    pyproject.toml, else in the folder whose project file made the root a project.
    """
    directory = os.environ.get("TASK_LINT_CACHE_DIR")
    if not directory:
        pyproject = find_pyproject(root)
        if pyproject is not None:
            folder = os.path.dirname(pyproject)
        elif holds_project(root):
            folder = root
        else:
            folder = os.path.dirname(root)
        directory = os.path.join(folder, ".task_lint_cache")
    config = Config(task_decorators=decorators, source_roots=roots)
    return Cache(directory, "names-" + config.fingerprint())


def check_buffer(
    text: str, tree: ast.Module, path: str, decorators: tuple[str, ...], roots: tuple[str, ...]
) -> list[Finding]:
    """Analyse one buffer with the project around it; findings before `noqa` and selection."""
    project = _project(decorators, roots)
    absolute = os.path.abspath(path)
    source = SourceFile(text, path)
    project.set_source(absolute, source)
    module = project.module_for_path(absolute, tree=tree)
    result = analyse_module(project, path, module)
    findings = list(result.findings)
    root = _root_of(absolute, roots)
    if result.names and is_project_root(root, roots):
        # Name the other definitions by the paths the CLI would print, so both report the same message.
        mine_path = display_path(absolute)
        project_names = _project_names(root, decorators, roots)
        display_paths = {path: display_path(path) for path in {n.path for n in project_names}}
        others = [
            TaskName(n.name, n.explicit, n.qualified_name, display_paths[n.path], n.line, n.column)
            for n in project_names
            if n.path != absolute
        ]
        mine = [TaskName(n.name, n.explicit, n.qualified_name, mine_path, n.line, n.column) for n in result.names]
        for finding in duplicate_names([*others, *mine], {mine_path}):
            if finding.path == mine_path:
                findings.append(Finding(path, finding.line, finding.column, finding.code, finding.message))
    return findings
