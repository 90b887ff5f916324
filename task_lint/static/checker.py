"""The static checker: files in, findings out. The CLI and the flake8 plugin both call it.

For a whole run (`check_paths`):

1. List the `.py` files under the paths, skipping excluded folders.
2. Read their bytes and let the pre-filter pick the files that can define a task.
3. Analyse those files (in parallel with `jobs`), reusing cached results whose
   file and dependencies are unchanged.
4. Add project-wide findings (duplicate task names), then apply `noqa` and the
   select/ignore decision, and sort.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from task_lint.files import is_within
from task_lint.model.record import Record
from task_lint.model.task import TaskDescription
from task_lint.rules import RULES_BY_CODE
from task_lint.static.cache import Cache, current_stamp
from task_lint.static.config import Config, DecisionEngine
from task_lint.static.findings import Finding, TaskName
from task_lint.static.project import ModuleInfo, Packages, Prefilter, Project, iter_python_files, module_name_for
from task_lint.static.source import SourceError, SourceFile, syntax_error

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from task_lint.static.discovery import StaticTask


class FileResult(Record):
    """The analysis of one file, before project-wide rules, `noqa` and selection."""

    path: str
    findings: tuple[Finding, ...]
    names: tuple[TaskName, ...]
    noqa: tuple[tuple[int, tuple[str, ...]], ...]
    file_noqa: bool
    dependencies: tuple[str, ...]
    # False for a file read only for its task names (`analyse_names`): no findings.
    complete: bool = True


class Report(Record):
    """The outcome of a run: findings in order, how many files were read and analysed."""

    findings: tuple[Finding, ...]
    files: int
    analysed: int
    cached: int


def internal_error(path: str, error: BaseException) -> Finding:
    rule = RULES_BY_CODE["TSK999"]
    return Finding(path, 1, 0, rule.code, rule.format(error=f"{type(error).__name__}: {error}"))


def source_error_finding(path: str, error: SourceError) -> Finding:
    rule = RULES_BY_CODE[error.code]
    return Finding(path, error.line, error.column, error.code, rule.format(error=error.message))


def collect_tasks(project: Project, module: ModuleInfo) -> list[StaticTask]:
    # The analysis loads on first use: a run served from the cache never needs it.
    from task_lint.static.discovery import TaskCollector

    return TaskCollector(project, module).collect()


def analyse_module(project: Project, path: str, module: ModuleInfo | SourceError) -> FileResult:
    """Find the tasks of one module and run the per-task rules on them."""
    from task_lint.static.checks import check_task, task_name

    module = with_compiler_error(module)
    if isinstance(module, SourceError):
        return FileResult(path, (source_error_finding(path, module),), (), (), False, ())
    project.touched.clear()
    try:
        tasks = collect_tasks(project, module)
        findings: list[Finding] = []
        for task in tasks:
            findings.extend(check_task(task))
        names = tuple(task_name(task) for task in tasks)
    except Exception as error:  # noqa: BLE001  # one finding instead of a crash, as flake8 users expect
        findings, names = [internal_error(path, error)], ()
    # Report paths as the caller gave them, the way flake8 does.
    findings = [f if f.path == path else Finding(path, f.line, f.column, f.code, f.message) for f in findings]
    names = tuple(
        n if n.path == path else TaskName(n.name, n.explicit, n.qualified_name, path, n.line, n.column) for n in names
    )
    source = module.source
    noqa = tuple(
        (finding.line, tuple(sorted(codes)))
        for finding in findings
        if (codes := source.noqa_codes(finding.line)) is not None
    )
    return FileResult(
        path, tuple(findings), names, tuple(dict(noqa).items()), source.file_noqa(), _dependencies(project, path)
    )


def with_compiler_error(module: ModuleInfo | SourceError) -> ModuleInfo | SourceError:
    """Return the `TSK001` error that compiling a parsed module finds, else the module.

    Only the files that a run reports on need this, so parsing leaves it out.
    """
    if isinstance(module, ModuleInfo):
        error = module.source.compiler_error(module.tree)
        if error is not None:
            return syntax_error(error, module.source)
    return module


def analyse_names(project: Project, path: str) -> FileResult:
    """Find only the task names of a file, for the duplicate-name rule, and no findings.

    Used for the files of the project that a run reads but does not report on.
    """
    from task_lint.static.discovery import TaskCollector

    project.touched.clear()
    try:
        module = project.module_for_path(path)
        found = TaskCollector(project, module).collect_names() if isinstance(module, ModuleInfo) else []
    except Exception:  # noqa: BLE001  # such a file adds no names, as when its full analysis fails
        found = []
    names = tuple(TaskName(n.name, n.explicit, n.qualified_name, path, n.line, n.column) for n in found)
    return FileResult(path, (), names, (), False, _dependencies(project, path), complete=False)


def _dependencies(project: Project, path: str) -> tuple[str, ...]:
    """Return what the analysis of a file depended on, besides its own text.

    That is every module it read or looked for, and the `__init__.py` files above
    those modules and above the file, present or not, because module names follow them.
    """
    own = os.path.abspath(path)
    found = set(project.touched)
    for read in (own, *project.touched):
        found.update(project.package_files(read))
    found.discard(own)
    return tuple(sorted(found))


def analyse_path(project: Project, path: str) -> FileResult:
    try:
        module = project.module_for_path(path)
    except Exception as error:  # noqa: BLE001  # reading or parsing failed in an unexpected way
        return FileResult(path, (internal_error(path, error),), (), (), False, ())
    return analyse_module(project, path, module)


def analyse_source(project: Project, source: SourceFile, path: str) -> FileResult:
    """Analyse a buffer that may differ from the file on disk (stdin, an editor)."""
    project.set_source(path, source)
    return analyse_path(project, path)


def apply_filters(
    findings: Iterable[Finding], result_noqa: dict[int, tuple[str, ...]], file_noqa: bool, decision: DecisionEngine
) -> list[Finding]:
    """Drop findings that are not selected or that a `# noqa` comment covers."""
    if file_noqa:
        return []
    kept = []
    for finding in findings:
        if not decision.is_selected(finding.code):
            continue
        codes = result_noqa.get(finding.line)
        if codes is not None and (not codes or finding.code in codes or finding.code.startswith(codes)):
            continue
        kept.append(finding)
    return kept


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while analysing.

    The analysis keeps every parsed tree alive and creates many small records, so
    the collector would scan the same live objects again and again, for a third of
    the run time on a large project. The objects it builds hold no reference
    cycles that need collecting before the run ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# `_chunks` puts at least this many files in a chunk, unless a process's share is smaller.
MIN_CHUNK = 8


# The project of each configuration in this worker process. A worker serves one
# check, whose files do not change while it runs, so later chunks reuse the modules
# and lookups of earlier ones. The process exit drops the projects, because freeing
# their parsed trees object by object would only delay the results.
_WORKER_PROJECTS: dict[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], Project] = {}

# A chunk of work: (path, names only) pairs, the configured roots, the roots of
# every file of the run (see `work_roots`) and the task decorators.
Chunk = tuple[list[tuple[str, bool]], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _analyse_chunk(arguments: Chunk) -> list[FileResult]:
    work, roots, seeds, decorators = arguments
    project = _WORKER_PROJECTS.get((roots, seeds, decorators))
    if project is None:
        project = _WORKER_PROJECTS[roots, seeds, decorators] = seeded_project(roots, seeds, decorators)
    return _analyse_all(project, work)


def seeded_project(roots: tuple[str, ...], seeds: Iterable[str], decorators: tuple[str, ...]) -> Project:
    """Return a project that starts with the source roots of every file of a run."""
    project = Project(roots, decorators)
    for root in seeds:
        project.add_root(root)
    return project


def work_roots(paths: Iterable[str], configured: Iterable[str]) -> tuple[str, ...]:
    """Return the source roots of the files of a run, sorted.

    A project that has them all from the start resolves an import the same way
    whichever file it reads first. Otherwise a module under the root of a file read
    later would be missing for the files read before it, and the findings would
    depend on the order of the paths and on how the work is split between processes.
    """
    packages: Packages = {}
    return tuple(sorted({module_name_for(path, configured, packages)[1] for path in paths}))


def _analyse_all(project: Project, work: list[tuple[str, bool]]) -> list[FileResult]:
    """Analyse each (path, names only) pair in order."""
    with paused_gc():
        return [(analyse_names if names_only else analyse_path)(project, path) for path, names_only in work]


def _chunks(paths: list[tuple[str, bool]], jobs: int) -> list[list[tuple[str, bool]]]:
    """Split the work into chunks that shrink towards the end.

    Each chunk is a quarter of the remaining work's share per process, but at least
    `MIN_CHUNK` files or that share, whichever is less. Large first chunks keep the
    messages few, and small last ones let the processes finish close together.
    """
    chunks = []
    start = 0
    while start < len(paths):
        remaining = len(paths) - start
        share = -(-remaining // jobs)
        size = max(remaining // (jobs * 4), min(MIN_CHUNK, share))
        chunks.append(paths[start : start + size])
        start += size
    return chunks


def _exit_with_parent(parent: int) -> None:
    """End this worker process soon after the process that started it is gone.

    A worker waits for work from its parent. If the parent is killed (by a
    supervisor, an editor or the out-of-memory killer), nothing else would end it.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="task-lint-parent-watch", daemon=True).start()


def _process_context() -> BaseContext:
    """Fork worker processes when that is safe, else spawn them.

    Forking is the cheapest start, but a process with threads (an editor's language
    server, a test runner) may leave a lock held in the child. Threads that C code
    started count too, so on Linux the kernel's count decides; on other systems
    Python's own default (spawn) is kept.
    """
    import multiprocessing

    if sys.platform.startswith("linux"):
        try:
            single_threaded = len(os.listdir("/proc/self/task")) == 1
        except OSError:
            single_threaded = False
        if single_threaded:
            return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def read_files(paths: Iterable[str]) -> dict[str, bytes]:
    """Read each file's bytes; a file that cannot be read counts as empty."""
    contents: dict[str, bytes] = {}
    for path in paths:
        try:
            with open(path, "rb") as handle:
                contents[path] = handle.read()
        except OSError:
            contents[path] = b""
    return contents


_PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")


def holds_project(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, name)) for name in _PROJECT_FILES)


def is_project_root(root: str, configured: Iterable[str] = ()) -> bool:
    """Tell whether a source root belongs to a project whose other modules may be read.

    A configured root counts, and so does a folder with a project file in it or in
    its parent. A home folder with a loose script does not, so that checking the
    script does not read every file below it.
    """
    absolute = os.path.abspath(root)
    if absolute in {os.path.abspath(folder) for folder in configured}:
        return True
    return holds_project(absolute) or holds_project(os.path.dirname(absolute))


def display_path(absolute: str) -> str:
    """Return the path relative to the working directory when it is inside it, else the absolute path."""
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # on Windows, a path on another drive has no relative form
        return absolute
    return absolute if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# With `jobs=None`, the fewest files to analyse that are worth starting processes for.
AUTO_JOBS_MIN_FILES = 64


def cpu_count() -> int:
    """Return the number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class Checker:
    """Run the static checker over paths with one configuration.

    `jobs` is the number of processes that analyse files, at most one per CPU. None
    chooses one per CPU when there are at least `AUTO_JOBS_MIN_FILES` files to
    analyse, else one.
    """

    def __init__(
        self, config: Config, jobs: int | None = 1, cache: Cache | None = None, prefilter: bool = True
    ) -> None:
        self.config = config
        self.jobs = None if jobs is None else max(1, jobs)
        self.cache = cache
        self.prefilter = prefilter
        self.decision = config.decision()
        # The project of the last check's analysis in this process, kept with the
        # checker so that its owner decides when the parsed trees are freed.
        self.project: Project | None = None

    def files(self, paths: Sequence[str]) -> list[str]:
        exclude = (*self.config.exclude, *self.config.extend_exclude)
        seen: dict[str, None] = {}
        for path in iter_python_files(paths, exclude):
            seen.setdefault(os.path.normpath(path), None)
        return list(seen)

    def project_files(self, paths: Sequence[str], files: Sequence[str]) -> list[str]:
        """Return the other files under the roots of `files` and the configured roots, as findings show paths.

        Their tasks count for the duplicate-name rule, so that checking only the
        changed files (as a pre-commit hook does) still finds a clash with an
        unchanged module, as the flake8 plugin does. A root inside a checked folder,
        or inside another root, adds nothing and is not listed again. Neither is a
        root that `is_project_root` rejects, such as a home folder with a loose script.
        """
        folders = [os.path.abspath(path) for path in paths if os.path.isdir(path)]
        roots: list[str] = []
        # The root depends only on a file's folder, so look it up once per folder.
        first_file_by_folder = {os.path.dirname(os.path.abspath(path)): path for path in reversed(files)}
        found = {module_name_for(path, self.config.source_roots)[1] for path in first_file_by_folder.values()}
        # A configured root belongs to the project even when no checked file is under it.
        found.update(os.path.abspath(root) for root in self.config.source_roots)
        for root in sorted(found):
            if any(is_within(root, outer) for outer in (*folders, *roots)):
                continue
            if is_project_root(root, self.config.source_roots):
                roots.append(root)
        if not roots:
            return []
        checked = {os.path.abspath(path) for path in files}
        exclude = (*self.config.exclude, *self.config.extend_exclude)
        others: dict[str, None] = {}
        for path in iter_python_files(roots, exclude):
            absolute = os.path.abspath(path)
            if absolute not in checked:
                others.setdefault(display_path(absolute), None)
        return list(others)

    def check(self, paths: Sequence[str]) -> Report:
        files = self.files(paths)
        others = self.project_files(paths, files)
        stamps = {path: current_stamp(path) for path in (*files, *others)} if self.cache is not None else {}

        # Fast path: nothing changed since the last run with this configuration.
        if self.cache is not None:
            self.cache.start_run()
            replay = self.cache.replay(files, stamps)
            if replay is not None:
                return Report(tuple(replay), len(files), 0, len(files))

        contents = read_files((*files, *others))
        candidates = self.candidates(contents)
        hashes = {path: content_hash(data) for path, data in contents.items()} if self.cache is not None else {}

        results: dict[str, FileResult] = {}
        # (path, names only): the files outside the checked ones count only for their task names.
        pending: list[tuple[str, bool]] = []
        reported = set(files)
        seeds = work_roots((path for path in (*files, *others) if path in candidates), self.config.source_roots)
        if self.cache is not None:
            self.cache.roots = seeds
        for path in (*files, *others):
            if path not in candidates:
                continue
            names_only = path not in reported
            cached = self.cache.lookup(path, hashes[path], complete=not names_only) if self.cache is not None else None
            if cached is not None:
                results[path] = cached
            else:
                pending.append((path, names_only))
        for result in self._analyse(pending, seeds):
            results[result.path] = result

        findings = self._judge(results, reported)
        if self.cache is not None:
            self.cache.store(files, results, hashes, stamps, findings)
        return Report(tuple(findings), len(files), len(pending), len(results) - len(pending))

    def candidates(self, contents: dict[str, bytes]) -> set[str]:
        """Return the files, among path-to-content, that the pre-filter keeps (all without it)."""
        if not self.prefilter:
            return set(contents)
        return Prefilter(self.config.task_decorators, self.config.source_roots).select(contents)

    def _analyse(self, paths: list[tuple[str, bool]], seeds: tuple[str, ...]) -> list[FileResult]:
        """Analyse (path, names only) pairs with a project that starts with the source roots `seeds`."""
        if not paths:
            return []
        roots = self.config.source_roots
        decorators = self.config.task_decorators
        jobs = self.jobs
        if jobs is None:
            jobs = cpu_count() if len(paths) >= AUTO_JOBS_MIN_FILES else 1
        # The analysis keeps each CPU busy, so more processes than CPUs or files only
        # cost memory, and a typo such as `jobs = 100000` must not start that many.
        jobs = min(jobs, cpu_count(), len(paths))
        if jobs <= 1 or len(paths) < 2:
            project = self.project = seeded_project(roots, seeds, decorators)
            return _analyse_all(project, paths)
        chunks = [(chunk, roots, seeds, decorators) for chunk in _chunks(paths, jobs)]
        results: list[FileResult] = []
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=_process_context(), initializer=_exit_with_parent, initargs=(os.getpid(),)
        )
        with pool:
            for chunk in pool.map(_analyse_chunk, chunks):
                results.extend(chunk)
        return results

    def _judge(self, results: dict[str, FileResult], reported: set[str]) -> list[Finding]:
        from task_lint.static.checks import duplicate_names

        per_file = {path: list(result.findings) for path, result in results.items() if path in reported}
        names = [name for result in results.values() for name in result.names]
        for finding in duplicate_names(names, reported):
            if finding.path in reported:
                per_file.setdefault(finding.path, []).append(finding)
        kept: list[Finding] = []
        for path, findings in per_file.items():
            result = results.get(path)
            noqa = dict(result.noqa) if result is not None else {}
            if result is not None and "TSK206" in {f.code for f in findings}:
                noqa = self._noqa_for(path, findings, noqa)
            kept.extend(apply_filters(findings, noqa, result.file_noqa if result else False, self.decision))
        return sorted(set(kept), key=Finding.sort_key)

    @staticmethod
    def _noqa_for(path: str, findings: list[Finding], known: dict[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
        # Duplicate-name findings are added after the per-file pass, so their lines may
        # not have been looked up yet.
        try:
            with open(path, "rb") as handle:
                from task_lint.static.source import decode_source

                text, _ = decode_source(handle.read(), path)
        except OSError:
            return known
        if text is None:
            return known
        source = SourceFile(text, path)
        merged = dict(known)
        for finding in findings:
            codes = source.noqa_codes(finding.line)
            if codes is not None:
                merged[finding.line] = tuple(sorted(codes))
        return merged

    def describe(self, paths: Sequence[str]) -> tuple[list[TaskDescription], list[Finding]]:
        """Return the descriptions of every task under the paths, for `schema` and `docs`.

        Files that cannot be read are returned as findings.
        """
        files = self.files(paths)
        candidates = self.candidates(read_files(files))
        roots = self.config.source_roots
        seeds = work_roots((path for path in files if path in candidates), roots)
        project = seeded_project(roots, seeds, self.config.task_decorators)
        descriptions: list[TaskDescription] = []
        problems: list[Finding] = []
        for path in files:
            if path not in candidates:
                continue
            module = with_compiler_error(project.module_for_path(path))
            if isinstance(module, SourceError):
                problems.append(source_error_finding(path, module))
                continue
            try:
                descriptions.extend(
                    task.description for task in collect_tasks(project, module) if not task.missing_execute
                )
            except Exception as error:  # noqa: BLE001  # reported like every other file problem
                problems.append(internal_error(path, error))
        return descriptions, problems
