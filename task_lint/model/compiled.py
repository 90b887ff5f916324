"""Compiled checks: small functions built from fixed source fragments for the hot paths.

Calling a Python function per value dominates validation time, so the checks of
a task's parameters and of dataclass fields are compiled into one function each,
with inline exact-class tests (`value.__class__ is int`) before the codec's full
check. The only text taken from user code is parameter and field names, and only
when they are plain identifiers (`usable_name`); callers fall back to the generic
closures otherwise. Compiled checks are built only for live classes, so the static
half, which has none, never runs this code.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from string import Template
from typing import Any

# Names of the exec namespace start with this prefix, so that a parameter cannot
# shadow them; callers reject parameter names with this prefix.
PREFIX = "_tl_"

_TEST = Template("$value.__class__ is $exact or _tl_check_$index($value)")
# A float is finite exactly when subtracting it from itself gives 0.0.
_FLOAT_TEST = Template("($value.__class__ is float and $value - $value == 0.0) or _tl_check_$index($value)")
_CODEC_TEST = Template("_tl_check_$index($value)")
_OBJECT_FUNCTION = Template("def _tl_check(value):\n    return $condition\n")
_ARRAY_FUNCTION = Template(
    "def _tl_check(value):\n"
    "    if not isinstance(value, _tl_types):\n"
    "        return False\n"
    "    for item in value:\n"
    "        if not ($condition):\n"
    "            return False\n"
    "    return True\n"
)

EXACT_NAMES = {"int": "int", "str": "str", "bool": "bool"}


def usable_name(name: str) -> bool:
    """Return whether a name can appear in compiled source as it is."""
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith(PREFIX)


def value_test(value: str, index: int, kind: str | None) -> str:
    """Test `value` (a source expression) inline for scalar kinds, else call `_tl_check_<index>`."""
    if kind in EXACT_NAMES:
        return _TEST.substitute(value=value, exact=EXACT_NAMES[kind], index=index)
    if kind == "float":
        return _FLOAT_TEST.substitute(value=value, index=index)
    return _CODEC_TEST.substitute(value=value, index=index)


def join_tests(tests: list[str]) -> str:
    return " and ".join(f"({test})" for test in tests) or "True"


def compile_function(source: str, namespace: dict[str, Any], label: str, name: str = "_tl_check") -> Callable[..., Any]:
    """Compile source that defines the function `name` in `namespace` and return it."""
    code = compile(source, f"<task_lint check of {label}>", "exec")
    exec(code, namespace)  # source built from fixed fragments and checked identifiers
    function: Callable[..., Any] = namespace[name]
    return function


ObjectFields = list[tuple[str, Callable[[Any], bool], str | None]]


def object_condition(variable: str, fields: ObjectFields, namespace: dict[str, Any]) -> str | None:
    """Return the source of `isinstance(variable, _tl_class)` and its attribute tests.

    `fields` lists (attribute name, full check, scalar kind or None); the checks go
    into `namespace`. None when an attribute name is not usable.
    """
    tests = [f"isinstance({variable}, _tl_class)"]
    for index, (name, check, kind) in enumerate(fields):
        if not usable_name(name):
            return None
        namespace[f"_tl_check_{index}"] = check
        tests.append(value_test(f"{variable}.{name}", index, kind))
    return join_tests(tests)


def compile_object_check(cls: type, fields: ObjectFields, label: str) -> Callable[[Any], bool] | None:
    """Compile the check of one dataclass or NamedTuple instance; None when a name is not usable."""
    namespace: dict[str, Any] = {"_tl_class": cls}
    condition = object_condition("value", fields, namespace)
    if condition is None:
        return None
    return compile_function(_OBJECT_FUNCTION.substitute(condition=condition), namespace, label)


def compile_array_of_objects(
    types: tuple[type, ...], cls: type, fields: ObjectFields, label: str
) -> Callable[[Any], bool] | None:
    """Compile the check of a list (or other array) of instances, with the item test inline."""
    namespace: dict[str, Any] = {"_tl_class": cls, "_tl_types": types}
    condition = object_condition("item", fields, namespace)
    if condition is None:
        return None
    return compile_function(_ARRAY_FUNCTION.substitute(condition=condition), namespace, label)
