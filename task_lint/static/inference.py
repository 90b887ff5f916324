"""astroid, for the questions that plain syntax cannot answer, behind helpers that never raise.

The static pass resolves ordinary imports, re-exports and aliases from the AST.
astroid answers the rest, and only on demand:

- which names a star import from an installed package brings in;
- what a module-level name bound by an expression (`job = pick_decorator()`,
  `job = task if FAST else other`) evaluates to;
- where a class imported from an installed package is defined, so that its source
  can be read.

astroid reads source files and never imports them: `always_load_extensions` stays
off, so compiled modules are not loaded either. Any failure, of any kind, is
reported as unknown, and the caller skips the question instead of guessing.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from task_lint.model.record import Record

LOG = logging.getLogger("task_lint")

_project_modules: dict[str, str] = {}
# (path, mtime in ns, size) of each project module when it was last registered.
# NOTE: a rewrite that keeps the size within one mtime tick of the file system goes unnoticed.
_stamps: dict[str, tuple[str, int, int]] = {}


class ClassLocation(Record):
    """Where a class is defined: module name, qualified name and source file."""

    module: str
    qualname: str
    path: str


@functools.lru_cache(maxsize=1)
def _manager() -> Any:
    import astroid

    manager = astroid.MANAGER
    manager.always_load_extensions = False
    manager.extension_package_whitelist = set()
    manager.register_failed_import_hook(_project_module_hook)
    return manager


def _project_module_hook(name: str) -> Any:
    path = _project_modules.get(name)
    if path is None:
        import astroid

        raise astroid.AstroidBuildingError(f"{name} is not a project module")
    return _manager().ast_from_file(path, name, source=True)


def register_project_module(name: str, path: str) -> None:
    """Tell astroid where a project module's source is, for modules not on `sys.path`.

    When the file changed since it was last registered, astroid's copies of all
    project modules are dropped, so that a long-running process such as an editor
    infers from the current source and not from what astroid read before.
    """
    _project_modules[name] = path
    stamp = _stamp(path)
    previous = _stamps.get(name)
    _stamps[name] = stamp
    if previous is not None and previous != stamp:
        _forget_project_modules()


def _stamp(path: str) -> tuple[str, int, int]:
    try:
        status = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, status.st_mtime_ns, status.st_size)


def _forget_project_modules() -> None:
    if _manager.cache_info().currsize == 0:
        return  # astroid has not been loaded, so it has read nothing
    cache = _manager().astroid_cache
    for name in _project_modules:
        cache.pop(name, None)


def _module(name: str) -> Any:
    path = _project_modules.get(name)
    if path is not None:
        return _manager().ast_from_file(path, name, source=True)
    return _manager().ast_from_module_name(name)


@functools.lru_cache(maxsize=512)
def star_import_names(module_name: str) -> frozenset[str]:
    """Return the names `from module_name import *` binds, or nothing when astroid cannot tell."""
    try:
        module = _module(module_name)
        return frozenset(module.wildcard_import_names())
    except Exception as error:  # noqa: BLE001  # any astroid failure means "unknown"
        LOG.debug("astroid could not list the names of %s: %s", module_name, error)
        return frozenset()


def infer_module_name(module_name: str, name: str) -> frozenset[str]:
    """Return the qualified names a module-level name can evaluate to; empty when unknown.

    A result is returned only when astroid infers every possible value, so a
    partial answer is never mistaken for a complete one.
    """
    try:
        import astroid

        module = _module(module_name)
        found: set[str] = set()
        for value in module.igetattr(name):
            if value is astroid.Uninferable or not hasattr(value, "qname"):
                return frozenset()
            found.add(value.qname())
        return frozenset(found)
    except Exception as error:  # noqa: BLE001  # any astroid failure means "unknown"
        LOG.debug("astroid could not infer %s.%s: %s", module_name, name, error)
        return frozenset()


@functools.lru_cache(maxsize=1024)
def locate_class(dotted: str) -> ClassLocation | None:
    """Find the class definition behind a dotted name from an installed module, without importing it."""
    try:
        import astroid

        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_name = ".".join(parts[:cut])
            try:
                module = _module(module_name)
            except astroid.AstroidBuildingError:
                continue
            values: Any = [module]
            for part in parts[cut:]:
                values = [inner for value in values for inner in value.igetattr(part)]
            classes = [value for value in values if isinstance(value, astroid.nodes.ClassDef)]
            if len(classes) != 1 or not classes[0].root().file:
                return None
            found = classes[0]
            root = found.root()
            qualname = found.qname()[len(root.name) + 1 :]
            return ClassLocation(root.name, qualname, root.file)
        return None
    except Exception as error:  # noqa: BLE001  # any astroid failure means "unknown"
        LOG.debug("astroid could not locate %s: %s", dotted, error)
        return None


@functools.lru_cache(maxsize=256)
def module_exists(name: str) -> bool:
    """Return whether astroid can find a module's source (or a compiled module) without importing it."""
    if name in _project_modules:
        return True
    try:
        from astroid import modutils

        modutils.file_info_from_modpath(name.split("."))
    except Exception:  # noqa: BLE001  # not found, or astroid failed: either way unknown
        return False
    return True


def reset() -> None:
    """Forget project modules and cached answers, for a new project in the same process."""
    _project_modules.clear()
    _stamps.clear()
    star_import_names.cache_clear()
    locate_class.cache_clear()
    module_exists.cache_clear()
    try:
        import astroid

        astroid.MANAGER.clear_cache()
    except Exception:  # noqa: BLE001  # nothing was cached
        pass
