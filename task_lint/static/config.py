"""Configuration of the static checker and the select/ignore decision, as flake8 makes it.

The CLI reads `[tool.task_lint]` from pyproject.toml and the flake8 plugin reads its
options from flake8's configuration; both build the same `Config`. Option names are
the flake8 ones (`select`, `ignore`, `extend-select`, `extend-ignore`, `exclude`,
`extend-exclude`, `task-decorators`), with dashes or underscores.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from typing import Any

from task_lint._version import __version__
from task_lint.model.record import Record
from task_lint.rules import RULES

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    "__pycache__",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    "*.egg-info",
    "build",
    "dist",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".task_lint_cache",
    "site-packages",
)

# Codes that flake8 ignores unless a select option names them.
OFF_BY_DEFAULT = tuple(rule.code for rule in RULES if not rule.enabled_by_default)

CONFIG_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "extend-exclude",
    "task-decorators",
    "source-roots",
    "jobs",
    "cache-dir",
    "format",
    "workers-output",
    "workers-target",
    "workers-self-contained",
}

# Values of `workers-target`, the same as `task-lint workers --target`.
WORKER_TARGETS = ("stdio", "celery")


class ConfigError(Exception):
    """Invalid configuration or command line; the CLI exits with 2."""


class Config(Record):
    """Settings for one run of the static checker."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    task_decorators: tuple[str, ...] = ()
    source_roots: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """A hash of everything that changes findings, for cache keys."""
        text = repr(
            (
                __version__,
                sys.version_info[:2],
                self.select,
                self.ignore,
                self.extend_select,
                self.extend_ignore,
                self.task_decorators,
                tuple(os.path.abspath(root) for root in self.source_roots),
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def decision(self) -> DecisionEngine:
        return DecisionEngine(self)


def split_list(value: Any, option: str) -> tuple[str, ...]:
    """Accept a TOML list or a comma- or whitespace-separated string, as flake8 does."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: Iterable[Any] = value.replace("\n", ",").split(",")
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ConfigError(f"option {option!r} must be a list or a comma-separated string, got {value!r}")
    result = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"option {option!r} must contain strings, got {item!r}")
        for part in item.split():
            if part.strip():
                result.append(part.strip().rstrip(","))
    return tuple(part for part in result if part)


def validate_codes(codes: Iterable[str], option: str) -> tuple[str, ...]:
    """Reject select/ignore entries that are not code prefixes such as `TSK1` or `TSK101`."""
    checked = []
    for code in codes:
        upper = code.upper()
        if not (upper.isalnum() and upper[:1].isalpha()):
            raise ConfigError(f"invalid code prefix {code!r} in {option}; expected a prefix such as TSK1 or TSK101")
        if not any(rule.code.startswith(upper) for rule in RULES):
            # A typo such as TSK1O1 would otherwise select nothing and look like a clean run.
            raise ConfigError(
                f"code prefix {code!r} in {option} matches no rule; `task-lint rule --all` lists the rules"
            )
        checked.append(upper)
    return tuple(checked)


def config_from_mapping(values: dict[str, Any], origin: str) -> dict[str, Any]:
    """Turn `[tool.task_lint]` values into keyword arguments for `Config`."""
    options: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = raw_key.replace("_", "-")
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"{origin}: unknown option {raw_key!r}; known options are {known}")
        field = key.replace("-", "_")
        if key in ("select", "ignore", "extend-select", "extend-ignore"):
            options[field] = validate_codes(split_list(value, f"{origin} {raw_key}"), f"{origin} {raw_key}")
        elif key in ("exclude", "extend-exclude", "task-decorators", "source-roots"):
            options[field] = split_list(value, f"{origin} {raw_key}")
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{origin}: option 'jobs' must be a whole number of 0 or more, got {value!r}")
            options[field] = value
        elif key == "workers-target":
            if not isinstance(value, str) or value not in WORKER_TARGETS:
                allowed = " or ".join(f'"{target}"' for target in WORKER_TARGETS)
                raise ConfigError(f"{origin}: option {raw_key!r} must be {allowed}, got {value!r}")
            options[field] = value
        elif key == "workers-self-contained":
            if not isinstance(value, bool):
                raise ConfigError(f"{origin}: option {raw_key!r} must be true or false, got {value!r}")
            options[field] = value
        else:
            if not isinstance(value, str):
                raise ConfigError(f"{origin}: option {raw_key!r} must be a string, got {value!r}")
            options[field] = value
    return options


def find_pyproject(start: str) -> str | None:
    """Return the nearest pyproject.toml at or above `start`, or None."""
    current = os.path.abspath(start)
    if os.path.isfile(current):
        current = os.path.dirname(current)
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load_pyproject(path: str) -> dict[str, Any]:
    """Read `[tool.task_lint]` from a pyproject.toml; raise `ConfigError` for invalid TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    section = document.get("tool", {}).get("task_lint", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.task_lint] must be a table")
    options = config_from_mapping(section, f"{path} [tool.task_lint]")
    folder = os.path.dirname(os.path.abspath(path))
    for field in ("exclude", "extend_exclude"):
        if field in options:
            options[field] = normalize_patterns(options[field], folder)
    return options


def normalize_patterns(patterns: Iterable[str], parent: str) -> tuple[str, ...]:
    """Make exclude patterns that contain a path separator absolute, as flake8 does.

    `migrations` matches a file or folder of that name anywhere, while `src/generated`
    means that path relative to `parent`: the folder of the configuration file, or
    the current folder for command-line options.
    """
    separators = os.sep + (os.altsep or "")
    normalized = []
    for pattern in patterns:
        if pattern == "." or any(separator in pattern for separator in separators):
            normalized.append(os.path.abspath(os.path.join(parent, pattern)).rstrip(separators))
        else:
            normalized.append(pattern.rstrip(separators))
    return tuple(normalized)


class DecisionEngine:
    """Decide whether a code is reported, with flake8's rules for select and ignore.

    Every TSK code is selected by default, except the opt-in rules. An explicit
    selection beats an implicit ignore, and when both lists match, the longer prefix
    wins.
    """

    def __init__(self, config: Config) -> None:
        self._cache: dict[str, bool] = {}
        self.selected_explicitly = _sorted((config.select or ()) + config.extend_select)
        self.ignored_explicitly = _sorted((config.ignore or ()) + config.extend_ignore)
        if config.select is not None:
            self.selected = _sorted(config.select + config.extend_select)
        else:
            self.selected = _sorted(("TSK", *config.extend_select))
        if config.ignore is not None:
            self.ignored = _sorted(config.ignore + config.extend_ignore)
        else:
            self.ignored = _sorted((*OFF_BY_DEFAULT, *config.extend_ignore))

    def is_selected(self, code: str) -> bool:
        decision = self._cache.get(code)
        if decision is None:
            decision = self._decide(code)
            self._cache[code] = decision
        return decision

    def _decide(self, code: str) -> bool:
        if code.startswith(self.selected_explicitly):
            selected = "explicit"
        elif code.startswith(self.selected):
            selected = "implicit"
        else:
            selected = "no"
        if code.startswith(self.ignored_explicitly):
            ignored = "explicit"
        elif code.startswith(self.ignored):
            ignored = "implicit"
        else:
            ignored = "no"

        if ignored == "no":
            return selected != "no"
        if selected == "no":
            return False
        if selected == "explicit" and ignored == "implicit":
            return True
        if selected == "implicit" and ignored == "explicit":
            return False
        # Both lists match at the same strength: the longest prefix wins.
        select = next(prefix for prefix in self.selected if code.startswith(prefix))
        ignore = next(prefix for prefix in self.ignored if code.startswith(prefix))
        return len(select) > len(ignore)


def _sorted(codes: Iterable[str]) -> tuple[str, ...]:
    # Reverse order puts longer prefixes before their shorter prefixes.
    return tuple(sorted(codes, reverse=True))
