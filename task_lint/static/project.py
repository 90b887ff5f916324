"""The project being checked: its modules, name resolution across them, and the pre-filter.

Module names come from source roots: the folder above the outermost package that
holds a file, unless roots are configured. Name resolution follows imports,
relative imports, `import x as y`, `__init__` re-exports, aliases (`job = task`) and
star imports through the project's own modules by reading their AST. Questions
that plain syntax cannot answer go to `task_lint.static.inference`, which uses
astroid and counts every failure as unknown.
"""

from __future__ import annotations

import ast
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Literal

from task_lint.model.record import Record
from task_lint.static import names
from task_lint.static.source import SourceError, SourceFile, declares_encoding, decode_source, syntax_error
from task_lint.static.symbols import Binding, ScopeSymbols, function_parameters

if TYPE_CHECKING:
    from task_lint.static.annotations import RecordedRead

SymbolKind = Literal[
    "module", "class", "function", "assign", "typealias", "builtin", "external", "type_checking", "unknown"
]


class Symbol(Record):
    """What a name refers to, as far as the static pass can tell.

    `qualified` is the normalised dotted name (`task_lint.task`, `shop.models.Order`)
    when one is known. `module` and `node` point at the definition when it is in a
    module task_lint has parsed.
    """

    kind: SymbolKind
    qualified: str | None = None
    module: ModuleInfo | None = None
    node: ast.AST | None = None
    via_inference: bool = False
    _uncompared = ("module", "node")


UNKNOWN = Symbol("unknown")


class Dependencies:
    """The paths and the use of inference that one piece of analysis depended on."""

    __slots__ = ("inference_used", "paths")

    def __init__(self, paths: frozenset[str] = frozenset(), inference_used: bool = False) -> None:
        self.paths = paths
        self.inference_used = inference_used


# What work that reads no other module and uses no inference depends on.
NO_DEPENDENCIES = Dependencies()


class ModuleInfo:
    """One parsed module: its name, path, source, tree and top-level symbols."""

    def __init__(self, name: str, path: str, source: SourceFile, tree: ast.Module, in_project: bool = True) -> None:
        self.name = name
        self.path = path
        self.source = source
        self.tree = tree
        self.in_project = in_project
        self.is_package = os.path.basename(path) == "__init__.py"
        self._symbols: ScopeSymbols | None = None
        self._function_symbols: dict[int, ScopeSymbols] = {}
        self._postponed: bool | None = None

    def __repr__(self) -> str:
        return f"<ModuleInfo {self.name} {self.path}>"

    @property
    def symbols(self) -> ScopeSymbols:
        if self._symbols is None:
            self._symbols = ScopeSymbols(self.tree.body, self.name, self.is_package)
        return self._symbols

    @property
    def postponed_annotations(self) -> bool:
        """Whether the module has `from __future__ import annotations`."""
        if self._postponed is None:
            self._postponed = any(
                isinstance(statement, ast.ImportFrom)
                and statement.module == "__future__"
                and any(alias.name == "annotations" for alias in statement.names)
                for statement in self.tree.body
            )
        return self._postponed

    def function_symbols(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ScopeSymbols:
        symbols = self._function_symbols.get(id(node))
        if symbols is None:
            symbols = ScopeSymbols(node.body, self.name, self.is_package, parameters=function_parameters(node))
            self._function_symbols[id(node)] = symbols
        return symbols


# Results of `package_of` by folder: the package names from the source root down
# to the folder, and that root.
Packages = dict[str, tuple[tuple[str, ...], str]]


def module_name_for(path: str, roots: Iterable[str] = (), packages: Packages | None = None) -> tuple[str, str]:
    """Return `(module name, source root)` for a file.

    A configured root that contains the file wins. Otherwise the root is the folder
    above the outermost package that holds the file (see `package_of`), which also
    handles src layouts.
    `packages` keeps what was found for each folder, for a caller that asks about
    many files while the folders do not change.
    """
    absolute = os.path.abspath(path)
    folder, filename = os.path.split(absolute)
    stem = filename[:-3] if filename.endswith(".py") else filename
    for root in sorted((os.path.abspath(r) for r in roots), key=len, reverse=True):
        if absolute.startswith(root.rstrip(os.sep) + os.sep):
            relative = (
                os.path.relpath(absolute, root)[: -len(".py")]
                if absolute.endswith(".py")
                else os.path.relpath(absolute, root)
            )
            parts = relative.split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join(parts) or stem, root
    package, root = package_of(folder, {} if packages is None else packages)
    return ".".join(package if stem == "__init__" else (*package, stem)) or stem, root


def package_of(folder: str, packages: Packages) -> tuple[tuple[str, ...], str]:
    """Return the package names from the source root down to `folder`, and the root.

    A folder with an `__init__.py` is a package. So is a folder without one inside
    a package: Python imports it as a namespace package (PEP 420), so
    `app/jobs/run.py` is `app.jobs.run` when only `app` has an `__init__.py`. The
    root is the folder above the outermost package, or the folder itself when it
    is in no package.
    """
    known = packages.get(folder)
    if known is not None:
        return known
    parent = os.path.dirname(folder)
    outer_parts, outer_root = ((), folder) if parent == folder else package_of(parent, packages)
    if outer_parts:
        answer = ((*outer_parts, os.path.basename(folder)), outer_root)
    elif os.path.isfile(os.path.join(folder, "__init__.py")):
        answer = ((os.path.basename(folder),), parent)
    else:
        answer = ((), folder)
    packages[folder] = answer
    return answer


class Project:
    """Modules of the checked code, parsed on demand and cached, and name resolution across them."""

    def __init__(self, roots: Iterable[str] = (), task_decorators: Iterable[str] = ()) -> None:
        self.configured_roots = tuple(os.path.abspath(root) for root in roots)
        self.roots: list[str] = list(self.configured_roots)
        self.task_decorators = frozenset(names.normalize(d.strip()) for d in task_decorators if d.strip())
        self._by_path: dict[str, ModuleInfo | SourceError] = {}
        self._by_name: dict[str, ModuleInfo | None] = {}
        self._overrides: dict[str, SourceFile] = {}
        self._resolving: set[tuple[str, str]] = set()
        self._packages: Packages = {}
        # The `__init__.py` paths above each folder, for `package_files`.
        self._package_files: dict[str, tuple[str, ...]] = {}
        # Candidate paths that a lookup by module name found no file at.
        self._absent: dict[str, tuple[str, ...]] = {}
        self.inference_used = False
        # Paths of every module read or looked up, found or not, since the caller
        # last cleared it: the dependencies of the file being analysed, for the cache.
        self.touched: set[str] = set()
        # Definitions that reading a class's fields produced, by (path, qualname, kind),
        # for the annotation reader to reuse across tasks.
        self.object_reads: dict[tuple[str, str, str], RecordedRead] = {}
        # Signature annotations already read, by their text and what each name in it
        # resolves to, for the annotation reader to reuse across tasks and modules.
        self.annotation_reads: dict[tuple[object, ...], RecordedRead] = {}
        # Module-level names already resolved, by module object and name, with the paths
        # and the inference that resolving them touched.
        self._resolved: dict[tuple[int, str], tuple[Symbol, Dependencies]] = {}
        # Keys of annotation texts, by module object, text and flag (see `words_key`).
        self._words_keys: dict[tuple[int, str, bool], tuple[tuple[object, ...], Dependencies]] = {}

    # --- Modules --------------------------------------------------------------------

    def package_files(self, path: str) -> tuple[str, ...]:
        """Return the `__init__.py` path of every folder above `path`, whether it exists or not.

        A module's name follows those files (see `package_of`), so what was found
        about a module depends on them as it depends on the module's own text.
        """
        folder = os.path.dirname(os.path.abspath(path))
        known = self._package_files.get(folder)
        if known is None:
            parent = os.path.dirname(folder)
            above = () if parent == folder else self.package_files(folder)
            known = self._package_files[folder] = (os.path.join(folder, "__init__.py"), *above)
        return known

    def add_root(self, root: str) -> None:
        """Look for modules under `root` too, after the roots already known.

        A module that no earlier root had may be under this one, so the lookups
        that failed, and the reads and resolutions made since, are made again.
        """
        absolute = os.path.abspath(root)
        if absolute in self.roots:
            return
        self.roots.append(absolute)
        for name in [name for name, info in self._by_name.items() if info is None]:
            del self._by_name[name]
        self._absent.clear()
        self.object_reads.clear()
        self.annotation_reads.clear()
        self._resolved.clear()
        self._words_keys.clear()

    def set_source(self, path: str, source: SourceFile) -> None:
        """Use this text for `path` instead of the file on disk, as for an editor's unsaved buffer."""
        absolute = os.path.abspath(path)
        self._overrides[absolute] = source
        self._by_path.pop(absolute, None)
        self.object_reads.clear()
        self.annotation_reads.clear()
        self._resolved.clear()
        self._words_keys.clear()
        for name, info in list(self._by_name.items()):
            if info is not None and info.path == absolute:
                del self._by_name[name]

    def module_for_path(self, path: str, tree: ast.Module | None = None) -> ModuleInfo | SourceError:
        """Parse a file of the project (once) and return its module, or why it could not be read."""
        absolute = os.path.abspath(path)
        self.touched.add(absolute)
        cached = self._by_path.get(absolute)
        if cached is not None:
            return cached
        name, root = module_name_for(absolute, self.configured_roots, self._packages)
        self.add_root(root)
        result = self._load(absolute, name, tree=tree)
        self._by_path[absolute] = result
        # Other modules find this file by its name only when Python would import it
        # for that name: a package wins over a module file, a module file over a
        # folder without `__init__.py`. `module` decides that, whatever file was read first.
        if isinstance(result, ModuleInfo) and self.module(name) is result:
            from task_lint.static import inference

            inference.register_project_module(name, absolute)
        return result

    def _load(
        self, path: str, name: str, tree: ast.Module | None = None, in_project: bool = True
    ) -> ModuleInfo | SourceError:
        source = self._overrides.get(path)
        if source is None:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError as error:
                return SourceError("TSK002", f"cannot read file: {error.strerror}")
            text, decode_error = decode_source(data, path)
            if text is None:
                assert decode_error is not None
                return decode_error
            source = SourceFile(text, path)
        if tree is None:
            try:
                tree = source.parse()
            except (SyntaxError, ValueError) as error:
                return syntax_error(error, source)
            except RecursionError:
                return SourceError("TSK001", "expression is nested too deeply for Python's parser", 1, 0)
        return ModuleInfo(name, path, source, tree, in_project)

    def module(self, name: str) -> ModuleInfo | None:
        """Return a project module by dotted name, or None when no source root has it."""
        if name in self._by_name:
            known = self._by_name[name]
            if known is not None:
                self.touched.add(known.path)
            self.touched.update(self._absent.get(name, ()))
            return known
        parent, dot, _ = name.rpartition(".")
        outer = self.module(parent) if dot else None
        if outer is not None and not outer.is_package:
            # Python finds `parent` as a module file, which has no submodules, even
            # next to a folder of the same name without `__init__.py`.
            self._by_name[name] = None
            self._absent[name] = (outer.path,)
            return None
        found: ModuleInfo | None = None
        absent: list[str] = []
        relative = name.replace(".", os.sep)
        for root in self.roots:
            # A package comes before a module of the same name, as Python's import system finds them.
            for candidate in (os.path.join(root, relative, "__init__.py"), os.path.join(root, relative + ".py")):
                if os.path.isfile(candidate) or os.path.abspath(candidate) in self._overrides:
                    loaded = self.module_for_path(candidate)
                    found = loaded if isinstance(loaded, ModuleInfo) else None
                    break
                absent.append(os.path.abspath(candidate))
            if found is not None:
                break
        self._by_name[name] = found
        # A file created later at one of these paths would change what `name` is,
        # so the cache must see them as dependencies too.
        self._absent[name] = tuple(absent)
        self.touched.update(absent)
        return found

    def external_module(self, name: str, path: str) -> ModuleInfo | None:
        """Parse a module outside the project (an installed package) to read a class from it."""
        absolute = os.path.abspath(path)
        self.touched.add(absolute)
        cached = self._by_path.get(absolute)
        if cached is None:
            cached = self._load(absolute, name, in_project=False)
            self._by_path[absolute] = cached
        return cached if isinstance(cached, ModuleInfo) else None

    def is_project_module(self, name: str) -> bool:
        return self.module(name) is not None

    # --- Resolution -----------------------------------------------------------------

    def resolve_name(self, module: ModuleInfo, name: str, scopes: tuple[ScopeSymbols, ...] = ()) -> Symbol:
        """Resolve a bare name as Python would at this point: function scopes, module, star imports, builtins."""
        for scope in reversed(scopes):
            if name in scope.globals_declared:
                break
            binding = scope.lookup(name)
            if binding is not None:
                return self._from_binding(module, name, binding, scope)
        if self._resolving:
            # Inside another resolution a cycle guard may return "unknown", which is
            # right for this path only, so such results are not cached.
            return self._resolve_global(module, name)
        key = (id(module), name)
        known = self._resolved.get(key)
        if known is not None:
            self.replay(known[1])
            return known[0]
        outer = self.start_recording()
        try:
            symbol = self._resolve_global(module, name)
        finally:
            record = self.stop_recording(outer)
        self._resolved[key] = (symbol, record)
        return symbol

    def words_key(
        self, module: ModuleInfo, text: str, flag: bool, words: Callable[[str], list[str]]
    ) -> tuple[object, ...]:
        """Return a key of a text, a flag and what each of the text's words is bound to in a module.

        Two texts with equal keys name the same things, in whatever module: a word
        imported from the same absolute name resolves the same everywhere, and any
        other binding counts only within its own module.
        """
        cache_key = (id(module), text, flag)
        known = self._words_keys.get(cache_key)
        if known is not None:
            self.replay(known[1])
            return known[0]
        if not module.symbols.star_imports:
            # Without star imports each word is looked up among the module's own
            # bindings, which reads no other module: there is nothing to record.
            key = (text, flag, *(self._word_token(module, word) for word in dict.fromkeys(words(text))))
            self._words_keys[cache_key] = (key, NO_DEPENDENCIES)
            return key
        outer = self.start_recording()
        try:
            parts: list[object] = [text, flag]
            parts.extend(self._word_token(module, word) for word in dict.fromkeys(words(text)))
        finally:
            record = self.stop_recording(outer)
        key = tuple(parts)
        self._words_keys[cache_key] = (key, record)
        return key

    def _word_token(self, module: ModuleInfo, word: str) -> tuple[object, ...]:
        """Return what decides the symbol of a word at a module's top level, as `_resolve_global` finds it."""
        binding = module.symbols.lookup(word)
        if binding is None:
            if module.symbols.star_imports:
                symbol = self.resolve_name(module, word)
                return (
                    "resolved",
                    symbol.kind,
                    symbol.qualified,
                    None if symbol.module is None else id(symbol.module),
                    None if symbol.node is None else id(symbol.node),
                )
            return ("builtin" if word in names.BUILTIN_TYPES else "unknown", word)
        if binding.kind in ("import", "module") and not binding.type_checking:
            return (binding.kind, binding.target)
        return ("bound", binding.kind, binding.target, binding.type_checking, id(module), id(binding.node))

    def start_recording(self) -> tuple[set[str], bool]:
        """Start recording the paths and the inference that the work from here on depends on.

        Pass what this returns to `stop_recording`, in a `finally` block. What the work
        depends on still counts for the enclosing work too. `replay` adds the record
        to later work that reuses the result.
        """
        outer = (self.touched, self.inference_used)
        self.touched, self.inference_used = set(), False
        return outer

    def stop_recording(self, outer: tuple[set[str], bool]) -> Dependencies:
        record = Dependencies(frozenset(self.touched), self.inference_used)
        outer[0].update(self.touched)
        self.touched, self.inference_used = outer[0], outer[1] or self.inference_used
        return record

    def replay(self, record: Dependencies) -> None:
        """Count a recorded block's dependencies for the current work."""
        self.touched.update(record.paths)
        self.inference_used = self.inference_used or record.inference_used

    def _resolve_global(self, module: ModuleInfo, name: str) -> Symbol:
        binding = module.symbols.lookup(name)
        if binding is not None:
            return self._from_binding(module, name, binding, module.symbols)
        for star_module in module.symbols.star_imports:
            symbol = self._from_star(star_module, name)
            if symbol is not None:
                return symbol
        if name in names.BUILTIN_TYPES:
            return Symbol("builtin", name)
        return UNKNOWN

    def _from_binding(self, module: ModuleInfo, name: str, binding: Binding, scope: ScopeSymbols) -> Symbol:
        if binding.type_checking:
            return Symbol("type_checking", binding.target, module, binding.node)
        if binding.kind == "module":
            assert binding.target is not None
            return self.resolve_dotted(binding.target, as_module=True)
        if binding.kind == "import":
            assert binding.target is not None
            # `from package import name` takes what the package binds as `name`
            # before it looks for a submodule, as Python does.
            package, dot, attribute = binding.target.rpartition(".")
            outer = self.module(package) if dot else None
            if outer is not None and outer.is_package and outer.symbols.lookup(attribute) is not None:
                return self.resolve_export(outer, attribute)
            return self.resolve_dotted(binding.target)
        local = scope is not module.symbols
        qualified = None if local else f"{module.name}.{name}"
        if binding.kind in ("class", "function", "typealias"):
            return Symbol(binding.kind, qualified, module, binding.node)
        if binding.kind == "assign":
            value = binding.node
            # `job = task` and `job = tl.task` are aliases; follow them.
            if isinstance(value, (ast.Name, ast.Attribute)):
                key = (module.name, f"{id(scope)}:{name}")
                if key in self._resolving:
                    return UNKNOWN
                self._resolving.add(key)
                try:
                    scopes = (scope,) if local else ()
                    target = self.resolve_expr(module, value, scopes)
                finally:
                    self._resolving.discard(key)
                if target.kind != "unknown":
                    return target
            return Symbol("assign", qualified, module, binding.node)
        return UNKNOWN

    def _from_star(self, star_module: str, name: str) -> Symbol | None:
        info = self.module(star_module)
        if info is None:
            from task_lint.static import inference

            self.inference_used = True
            if name in inference.star_import_names(star_module):
                return self.resolve_dotted(f"{star_module}.{name}")
            return None
        exported = info.symbols.all_names
        if exported is not None and name not in exported:
            return None
        if exported is None and name.startswith("_"):
            return None
        symbol = self.resolve_export(info, name)
        return None if symbol.kind == "unknown" else symbol

    def resolve_export(self, module: ModuleInfo, name: str) -> Symbol:
        """Resolve `module.name` as another module importing it would see it."""
        key = (module.name, name)
        if key in self._resolving:
            return UNKNOWN
        self._resolving.add(key)
        try:
            binding = module.symbols.lookup(name)
            if binding is not None:
                return self._from_binding(module, name, binding, module.symbols)
            for star_module in module.symbols.star_imports:
                symbol = self._from_star(star_module, name)
                if symbol is not None:
                    return symbol
            submodule = self.module(f"{module.name}.{name}")
            if submodule is not None:
                return Symbol("module", submodule.name, submodule)
            return UNKNOWN
        finally:
            self._resolving.discard(key)

    def resolve_dotted(self, dotted: str, as_module: bool = False) -> Symbol:
        """Resolve an absolute dotted name such as `shop.util.job` through project modules."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            info = self.module(".".join(parts[:cut]))
            if info is None:
                continue
            symbol = Symbol("module", info.name, info)
            for part in parts[cut:]:
                symbol = self.attribute(symbol, part)
            return symbol
        qualified = names.normalize(dotted)
        return Symbol("module" if as_module else "external", qualified)

    def attribute(self, base: Symbol, attribute: str) -> Symbol:
        """Resolve `base.attribute`."""
        if base.kind == "module":
            if base.module is not None:
                return self.resolve_export(base.module, attribute)
            return self.resolve_dotted(f"{base.qualified}.{attribute}")
        if base.kind in ("external", "builtin") and base.qualified:
            return Symbol("external", names.normalize(f"{base.qualified}.{attribute}"))
        if base.kind == "type_checking" and base.qualified:
            return Symbol("type_checking", f"{base.qualified}.{attribute}", base.module, base.node)
        if base.kind == "class" and isinstance(base.node, ast.ClassDef) and base.module is not None:
            for statement in base.node.body:
                if isinstance(statement, ast.ClassDef) and statement.name == attribute:
                    qualified = f"{base.qualified}.{attribute}" if base.qualified else None
                    return Symbol("class", qualified, base.module, statement)
        return UNKNOWN

    def resolve_expr(self, module: ModuleInfo, node: ast.expr, scopes: tuple[ScopeSymbols, ...] = ()) -> Symbol:
        """Resolve a `Name` or a chain of `Attribute`s; anything else is unknown."""
        if isinstance(node, ast.Name):
            return self.resolve_name(module, node.id, scopes)
        if isinstance(node, ast.Attribute):
            base = self.resolve_expr(module, node.value, scopes)
            if base.kind == "unknown":
                return UNKNOWN
            return self.attribute(base, node.attr)
        return UNKNOWN

    def qualified_name(self, module: ModuleInfo, node: ast.expr, scopes: tuple[ScopeSymbols, ...] = ()) -> str | None:
        symbol = self.resolve_expr(module, node, scopes)
        return symbol.qualified if symbol.kind != "unknown" else None

    # --- Decorators -----------------------------------------------------------------

    def is_task_decorator(self, qualified: str | None) -> str | None:
        """Return which decorator a qualified name is: `task_lint.task` or a configured one."""
        if qualified is None:
            return None
        if qualified in names.TASK_DECORATORS:
            return "task_lint.task"
        for configured in self.task_decorators:
            if qualified == configured or qualified.startswith(configured + "."):
                return configured
        return None

    def matches_literal_decorator(self, node: ast.expr) -> str | None:
        """Match a configured decorator written as a plain expression, such as `app.task` on a Celery app."""
        text = _dotted_text(node)
        if text is None:
            return None
        for configured in self.task_decorators:
            if text == configured or text.startswith(configured + "."):
                return configured
        return None


def _dotted_text(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


# --- The pre-filter -----------------------------------------------------------------


def prefilter_tokens(task_decorators: Iterable[str]) -> set[str]:
    """Words without which a file cannot define a task, before project modules are considered."""
    tokens = {"task_lint"}
    for decorator in task_decorators:
        first = decorator.strip().split(".")[0]
        if first:
            tokens.add(first)
    return tokens


def _contains_word(text: bytes, word: bytes) -> bool:
    start = 0
    while True:
        index = text.find(word, start)
        if index < 0:
            return False
        end = index + len(word)
        before = text[index - 1 : index]
        after = text[end : end + 1]
        if not (before.isalnum() or before == b"_") and not (after.isalnum() or after == b"_"):
            return True
        start = index + 1


def searchable_bytes(data: bytes, path: str) -> bytes:
    """Return the file's text as UTF-8 bytes in which identifiers are spelled as Python reads them.

    Python normalises identifiers with NFKC, so `task_lint` written in full-width
    letters (U+FF54 U+FF41 ...) is `task_lint`. Files that are not plain UTF-8 ASCII
    are decoded by their coding declaration and normalised, so that such spellings
    cannot slip past the pre-filter. That includes ASCII files in an encoding where
    ASCII bytes can stand for other letters: in UTF-7, `+AHQ-ask_lint` is `task_lint`.
    """
    if data.isascii() and not declares_encoding(data):
        return data
    text, _ = decode_source(data, path)
    if text is None:
        return data  # an undecodable file is reported by the full pass
    return searchable_text(text)


def searchable_text(text: str) -> bytes:
    """Return decoded source text as UTF-8 bytes with identifiers normalised (NFKC) as Python reads them."""
    if text.isascii():
        return text.encode("ascii")
    return unicodedata.normalize("NFKC", text).encode("utf-8", errors="replace")


# `from . import x`, `from ..a import x`: a relative import, which can resolve to any
# package above the importing module without naming it. Backslash continuations
# may split the statement.
_RELATIVE_IMPORT = re.compile(rb"\bfrom[ \t\f\\\r\n]*\.")


def relative_import_words(text: bytes, module: str) -> set[bytes]:
    """Return the module words that a file names without writing them, through its relative imports.

    `from . import job` in `shop.orders` reads `job` from `shop` and never writes
    `shop`. Every part of the module's name is returned, its own last part included,
    which over-includes on purpose.
    """
    if not _has_relative_import(text):
        return set()
    return {part.encode() for part in module.split(".")}


def _has_relative_import(text: bytes) -> bool:
    # bytes.find is many times faster than the regular expression on large files;
    # the expression confirms each candidate, which is rare.
    start = text.find(b"from")
    while start >= 0:
        after = start + 4
        while after < len(text) and text[after : after + 1] in b" \t\f\\\r\n":
            after += 1
        if text[after : after + 1] == b"." and _RELATIVE_IMPORT.match(text, start):
            before = text[start - 1 : start]
            if not (before.isalnum() or before == b"_"):
                return True
        start = text.find(b"from", start + 4)
    return False


class Prefilter:
    """Decide, from file bytes alone, which files can define a task.

    A file can define a task only if it names `task_lint`, the first part of a
    configured decorator, or a project module that can (transitively) export a task
    decorator or task base class. Words are matched on identifier boundaries,
    including inside comments and strings, so the filter errs towards parsing more.

    A module counts as named when its last dotted part appears in the file. A file
    with a relative import also counts as naming every package above it. A module
    that a configured decorator's dotted name starts with (`app.hooks` for
    `app.hooks.job`) exports a task decorator.

    NOTE: a decorator bound by an expression that astroid evaluates through an
    installed package (`job = make()`, where `make` comes from outside the project
    and returns `task_lint.task`) is not seen, so such a file is skipped unless it
    names `task_lint` itself.
    """

    def __init__(self, task_decorators: Iterable[str], roots: Iterable[str] = ()) -> None:
        decorators = tuple(task_decorators)
        self.base_tokens = prefilter_tokens(decorators)
        self.decorators = tuple(names.normalize(d.strip()) for d in decorators if d.strip())
        self.roots = tuple(os.path.abspath(root) for root in roots)

    def select(self, files: dict[str, bytes]) -> set[str]:
        """Return the paths, among `files` (path to content), that need the full pass.

        A given file can import project modules that are not given, as when
        pre-commit passes only the changed files. Such modules are read from disk
        and take part in the decision, but only given paths are returned.
        """
        texts = {path: searchable_bytes(data, path) for path, data in files.items()}
        packages: Packages = {}
        modules = {path: module_name_for(path, self.roots, packages) for path in texts}
        others = self._modules_outside(texts, modules)
        modules.update((path, module_name_for(path, self.roots, packages)) for path in others)
        related = self._related({**others, **texts}, modules)
        return {path for path in texts if path in related}

    def _related(self, texts: dict[str, bytes], modules: dict[str, tuple[str, str]]) -> set[str]:
        """Return the files that name a task decorator's source or a related module, to a fixed point."""
        module_words: dict[str, bytes] = {}
        package_words: dict[str, set[bytes]] = {}
        related: set[str] = set()
        for path, text in texts.items():
            name = modules[path][0]
            module_words[path] = name.rsplit(".", 1)[-1].encode()
            package_words[path] = relative_import_words(text, name)
            if any(decorator == name or decorator.startswith(name + ".") for decorator in self.decorators):
                related.add(path)

        pending_words = {token.encode() for token in self.base_tokens} | {module_words[path] for path in related}
        searched: set[bytes] = set()
        while pending_words:
            words = pending_words - searched
            searched |= words
            pending_words = set()
            for path, text in texts.items():
                if path in related:
                    continue
                if package_words[path] & words or any(_contains_word(text, word) for word in words):
                    related.add(path)
                    pending_words.add(module_words[path])
        return related

    def _modules_outside(self, texts: dict[str, bytes], modules: dict[str, tuple[str, str]]) -> dict[str, bytes]:
        """Read the project modules that are not among `texts` but that those files may import.

        Modules are looked up the way `Project.module` does: under the source root
        of each given file and under the configured roots. A top-level package or
        module that contains a given file is read whole. Any other one is read
        only when a file read so far names it.
        """
        given_paths = {os.path.abspath(path) for path in texts}
        roots = set(self.roots)
        holding: set[tuple[str, str]] = set()
        for path, (_, root) in modules.items():
            roots.add(root)
            holding.add((root, _top_level_name(os.path.abspath(path), root)))

        others: dict[str, bytes] = {}
        searched: set[tuple[str, str]] = set()
        pending = list(texts.values())
        first_round = True
        while pending:
            to_read: list[str] = []
            for root in sorted(roots):
                for name, location in _top_level_modules(root):
                    key = (root, name)
                    if key in searched:
                        continue
                    word = name.encode()
                    if (first_round and key in holding) or any(_contains_word(text, word) for text in pending):
                        searched.add(key)
                        to_read.append(location)
            first_round = False
            pending = []
            for path in _importable_files(to_read):
                absolute = os.path.abspath(path)
                if absolute in given_paths or absolute in others:
                    continue
                try:
                    with open(absolute, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                others[absolute] = searchable_bytes(data, absolute)
                pending.append(others[absolute])
        return others


def _top_level_name(path: str, root: str) -> str:
    first = os.path.relpath(path, root).split(os.sep)[0]
    return first[: -len(".py")] if first.endswith(".py") else first


def _top_level_modules(root: str) -> list[tuple[str, str]]:
    """Return `(name, path)` of each module file and package folder directly under a source root."""
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return []
    found = []
    for entry in entries:
        path = os.path.join(root, entry)
        if entry.endswith(".py") and entry[: -len(".py")].isidentifier():
            found.append((entry[: -len(".py")], path))
        elif entry.isidentifier() and os.path.isdir(path):
            found.append((entry, path))
    return found


def _importable_files(locations: Iterable[str]) -> Iterator[str]:
    """Yield the `.py` files that an import statement can reach under these files and folders.

    Every folder on the way must be named like an identifier; virtual environments are skipped.
    """
    for location in locations:
        if os.path.isfile(location):
            yield location
            continue
        for folder, subfolders, filenames in os.walk(location):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if name.isidentifier() and not os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))
            )
            for filename in sorted(filenames):
                if filename.endswith(".py") and filename[: -len(".py")].isidentifier():
                    yield os.path.join(folder, filename)


def iter_python_files(paths: Iterable[str], exclude: Iterable[str]) -> Iterator[str]:
    """Yield `.py` files under the paths, skipping excluded names and patterns, in sorted order."""
    import fnmatch

    # One compiled regex per kind of pattern: fnmatch per pattern and path cost
    # most of a cached run's time on large trees. Patterns without a separator
    # match names; the others match the path as given and as an absolute path.
    patterns = tuple(exclude)
    name_patterns = [fnmatch.translate(p) for p in patterns if os.sep not in p and "/" not in p]
    path_patterns = [fnmatch.translate(p) for p in patterns if os.sep in p or "/" in p]
    name_match = re.compile("|".join(name_patterns)).match if name_patterns else None
    path_match = re.compile("|".join(path_patterns)).match if path_patterns else None

    def excluded(path: str) -> bool:
        if name_match is not None and name_match(os.path.basename(path.rstrip(os.sep))):
            return True
        if path_match is not None:
            return bool(path_match(path) or path_match(os.path.abspath(path)))
        return False

    for path in paths:
        if os.path.isfile(path):
            if not excluded(path):
                yield path
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if not excluded(os.path.join(folder, name))
                and not os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))
            )
            for filename in sorted(files):
                full = os.path.join(folder, filename)
                if filename.endswith(".py") and not excluded(full):
                    yield full
