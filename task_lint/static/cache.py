"""A content-hash cache of per-file results, so that an unchanged rerun is nearly free.

One JSON file per configuration fingerprint holds, for each analysed file, the
SHA-256 of its content and of every module its analysis read, and its results. An
entry is reused only when all those hashes still match, so an edit to an imported
module invalidates the files that depend on it. File size and modification time are
a shortcut that skips hashing an unchanged file, as ruff and mypy do.

The whole run is also stored, in a small file of its own: a digest of the stamps
of every checked and dependency file, and the findings. When the digest still
matches, the findings are replayed without reading any source or the per-file
results.

Writes go to a temporary file that replaces the cache file atomically, so two runs
sharing the cache never see a half-written file. The last writer wins, and every
entry it keeps is still checked against content hashes before use.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from task_lint.files import write_atomic
from task_lint.model.record import Record

if TYPE_CHECKING:
    from task_lint.static.checker import FileResult
    from task_lint.static.findings import Finding, TaskName

CACHE_VERSION = 2


class FileStamp(Record):
    """Modification time in nanoseconds and size in bytes of a file."""

    mtime_ns: int
    size: int


class Cache:
    """Cached results for one configuration fingerprint under a cache folder."""

    def __init__(self, directory: str, fingerprint: str) -> None:
        self.directory = directory
        self.path = os.path.join(directory, f"results-{fingerprint}.json")
        self.run_path = os.path.join(directory, f"run-{fingerprint}.json")
        self._data: dict[str, Any] | None = None
        # Content hashes of dependencies, by path. Files do not change during a run,
        # and thousands of entries can share one dependency.
        self._current_hashes: dict[str, str | None] = {}
        # The source roots that this run's analysis starts with (see `checker.work_roots`).
        # A result found with other roots is not reused.
        self.roots: tuple[str, ...] = ()

    def start_run(self) -> None:
        """Forget what was read for the last run, whose files may have changed since."""
        self._data = None
        self._current_hashes.clear()

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            try:
                with open(self.path, encoding="utf-8") as handle:
                    data = json.load(handle)
                if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
                    data = {}
                # A file of the right version but the wrong shape (edited by hand,
                # or written by a broken tool) counts as empty, as unreadable JSON does.
                if any(not isinstance(data.get(part, {}), dict) for part in ("files", "stamps", "hashes")):
                    data = {}
            except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply
                data = {}
            data.setdefault("version", CACHE_VERSION)
            data.setdefault("files", {})
            data.setdefault("stamps", {})
            self._data = data
        return self._data

    # --- Reading ----------------------------------------------------------------------

    def replay(self, checked: Sequence[str], stamps: dict[str, FileStamp | None]) -> list[Finding] | None:
        """Return the last run's findings when the same files, unchanged, are checked again.

        `checked` are the files the findings are for, as given; `stamps` covers them
        and the other project files that the duplicate-name rule reads.
        """
        from task_lint.static.findings import Finding

        run = self._matching_run(checked, stamps)
        if run is None or not _rows_match(run.get("findings"), _FINDING_ROW):
            return None
        return [Finding(*item) for item in run["findings"]]

    def replay_names(self, stamps: dict[str, FileStamp | None]) -> list[TaskName] | None:
        """Return the task names of the last scan of the same files, when none of them changed.

        `stamps` covers every file of the scan, so an added or removed file is a change too.
        """
        from task_lint.static.findings import TaskName

        run = self._matching_run(sorted(stamps), stamps)
        if run is None or not _rows_match(run.get("names"), _NAME_ROW):
            return None
        return [TaskName(*item) for item in run["names"]]

    def _matching_run(self, checked: Sequence[str], stamps: dict[str, FileStamp | None]) -> dict[str, Any] | None:
        """Return the stored run when its key matches these files and the current stamps of its dependencies."""
        try:
            with open(self.run_path, encoding="utf-8") as handle:
                run = json.load(handle)
            if not isinstance(run, dict) or run.get("version") != CACHE_VERSION:
                return None
            dependencies = {path: current_stamp(path) for path in run["dependencies"]}
            if run["key"] != _run_key(checked, stamps, dependencies):
                return None
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return run

    def lookup(self, path: str, digest: str, complete: bool = True) -> FileResult | None:
        """Return the cached result of a file when it and every module it read are unchanged.

        With `complete`, a result with only the file's task names does not count.
        """
        from task_lint.static.checker import FileResult
        from task_lint.static.findings import Finding, TaskName

        entry = self._load()["files"].get(os.path.abspath(path))
        if not isinstance(entry, dict) or entry.get("sha") != digest or not _entry_well_formed(entry):
            return None
        if complete and not entry.get("complete", True):
            return None
        if entry.get("roots", []) != list(self.roots):
            return None
        for dependency, expected in entry["dependencies"].items():
            if self._current_hash(dependency) != expected:
                return None
        # The entry may come from a run that named the file another way (absolute,
        # or from another folder), so it is reported the way this run names it.
        return FileResult(
            path,
            tuple(Finding(path, *item[1:]) for item in entry["findings"]),
            tuple(
                TaskName(name, explicit, qualified_name, path, line, column)
                for name, explicit, qualified_name, _, line, column in entry["names"]
            ),
            tuple((line, tuple(codes)) for line, codes in entry["noqa"]),
            entry["file_noqa"],
            tuple(entry["dependencies"]),
            complete=entry.get("complete", True),
        )

    def _current_hash(self, path: str) -> str | None:
        if path not in self._current_hashes:
            self._current_hashes[path] = self._hash_now(path)
        return self._current_hashes[path]

    def _hash_now(self, path: str) -> str | None:
        stamp = _stamp_list(current_stamp(path))
        known = self._load()["stamps"].get(path)
        if stamp is not None and known == stamp:
            cached = self._load()["hashes"].get(path) if "hashes" in self._load() else None
            if cached is not None:
                return str(cached)
        try:
            with open(path, "rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            return None

    # --- Writing ----------------------------------------------------------------------

    def store(
        self,
        checked: Sequence[str],
        results: dict[str, FileResult],
        hashes: dict[str, str],
        stamps: dict[str, FileStamp | None],
        findings: list[Finding],
    ) -> None:
        """Record this run's results and write the cache file atomically."""
        dependencies = self.store_results(results, hashes, stamps)
        self._store_run(checked, stamps, dependencies, "findings", [list(_finding_tuple(f)) for f in findings])

    def store_names(
        self, stamps: dict[str, FileStamp | None], dependencies: set[str], names: Sequence[TaskName]
    ) -> None:
        """Record the task names of a scan of the files in `stamps`, for `replay_names`."""
        self._store_run(sorted(stamps), stamps, dependencies, "names", [_name_row(n) for n in names])

    def _store_run(
        self,
        checked: Sequence[str],
        stamps: dict[str, FileStamp | None],
        dependencies: set[str],
        field: str,
        rows: list[list[Any]],
    ) -> None:
        """Write the run file that `_matching_run` reads, with `rows` under `field`."""
        dependency_stamps = {path: current_stamp(path) for path in sorted(dependencies)}
        run = {
            "version": CACHE_VERSION,
            "key": _run_key(checked, stamps, dependency_stamps),
            "dependencies": sorted(dependencies),
            field: rows,
        }
        self._write(self.run_path, run)

    def store_results(
        self, results: dict[str, FileResult], hashes: dict[str, str], stamps: dict[str, FileStamp | None]
    ) -> set[str]:
        """Record per-file results and write the cache file atomically; return the dependencies they read."""
        data = self._load()
        data.setdefault("hashes", {})
        dependencies: set[str] = set()
        for path, result in results.items():
            absolute = os.path.abspath(path)
            digests: dict[str, str | None] = {}
            for dependency in result.dependencies:
                # A missing module is kept with no hash, so that creating it later
                # invalidates the entry of every file that looked for it.
                digest = self._current_hash(dependency)
                digests[dependency] = digest
                if digest is not None:
                    data["hashes"][dependency] = digest
                data["stamps"][dependency] = _stamp_list(current_stamp(dependency))
                dependencies.add(dependency)
            data["files"][absolute] = {
                "sha": hashes[path],
                "findings": [list(_finding_tuple(f)) for f in result.findings],
                "names": [_name_row(n) for n in result.names],
                "noqa": [[line, list(codes)] for line, codes in result.noqa],
                "file_noqa": result.file_noqa,
                "dependencies": digests,
                "complete": result.complete,
                "roots": list(self.roots),
            }
        for path, stamp in stamps.items():
            data["stamps"][path] = _stamp_list(stamp)
            if path in hashes:
                data["hashes"][os.path.abspath(path)] = hashes[path]
        data.pop("run", None)
        self._write(self.path, data)
        return dependencies

    def _write(self, path: str, data: dict[str, Any]) -> None:
        try:
            marker = os.path.join(self.directory, ".gitignore")
            if not os.path.isfile(marker) or os.path.getsize(marker) == 0:
                write_atomic(marker, "# Created by task-lint; the cache is local to this machine.\n*\n")
            write_atomic(path, json.dumps(data, separators=(",", ":")))
        except OSError:
            # A read-only or full disk costs the next run its speed, not its correctness.
            return


def _run_key(
    checked: Sequence[str], files: dict[str, FileStamp | None], dependencies: dict[str, FileStamp | None]
) -> str:
    """Digest the checked files, every file read with its stamp, and the modules the analysis read."""
    listing: list[Any] = [sorted(checked), sorted((path, _stamp_list(stamp)) for path, stamp in files.items())]
    listing.append(sorted((path, _stamp_list(stamp)) for path, stamp in dependencies.items()))
    return hashlib.sha256(json.dumps(listing, separators=(",", ":")).encode()).hexdigest()


# The types of the rows that `store` writes, column by column.
_FINDING_ROW = (str, int, int, str, str)
_NAME_ROW = (str, bool, str, str, int, int)


def _rows_match(rows: object, types: tuple[type, ...]) -> bool:
    """Return whether `rows` is a list of lists whose columns have exactly these types."""
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and len(row) == len(types)
        and all(type(value) is kind for value, kind in zip(row, types, strict=True))
        for row in rows
    )


def _entry_well_formed(entry: dict[str, Any]) -> bool:
    """Return whether a file entry has the fields and types that `store` writes.

    A cache file edited by hand, or written by a broken tool, could otherwise put
    wrong values into findings.
    """
    noqa = entry.get("noqa")
    dependencies = entry.get("dependencies")
    return (
        _rows_match(entry.get("findings"), _FINDING_ROW)
        and _rows_match(entry.get("names"), _NAME_ROW)
        and isinstance(noqa, list)
        and all(
            isinstance(row, list)
            and len(row) == 2
            and type(row[0]) is int
            and isinstance(row[1], list)
            and all(isinstance(code, str) for code in row[1])
            for row in noqa
        )
        and type(entry.get("file_noqa")) is bool
        and type(entry.get("complete", True)) is bool
        and isinstance(entry.get("roots", []), list)
        and isinstance(dependencies, dict)
        and all(isinstance(digest, (str, type(None))) for digest in dependencies.values())
    )


def _name_row(name: TaskName) -> list[Any]:
    return [name.name, name.explicit, name.qualified_name, name.path, name.line, name.column]


def _finding_tuple(finding: Finding) -> tuple[str, int, int, str, str]:
    return (finding.path, finding.line, finding.column, finding.code, finding.message)


def current_stamp(path: str) -> FileStamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return FileStamp(stat.st_mtime_ns, stat.st_size)


def _stamp_list(stamp: FileStamp | None) -> list[int] | None:
    return None if stamp is None else [stamp.mtime_ns, stamp.size]
