"""A compiled argument check for each task: Python binds the arguments, inline tests check them.

The check is a function with the task's own parameter list, so calling it with a
call's `*args, **kwargs` binds them in C, exactly as the task would, and raises
`TypeError` for a call that does not bind. Its body tests each value: first
whether its class is exactly the declared one (`a.__class__ is int`), then the
codec's full check. Parameters with defaults default to a sentinel, so a value
left out is not tested, as the generic validator does not test defaults.

The source is built from the fixed fragments below. The only text taken from the
task is its parameter names, which must be plain identifiers; a task with any
other name (possible only through a hand-made `__signature__`) keeps the generic
validator.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from string import Template
from typing import Any

from task_lint.model.codec import Codec, ScalarCodec, UnionCodec
from task_lint.model.compiled import compile_function, join_tests, usable_name, value_test
from task_lint.model.task import TaskDescription

_OPTIONAL = Template("$name is _tl_missing or $test")
_NONE_OR = Template("$name is None or $test")
_VARIADIC = Template("all(map(_tl_check_$index, $collection))")


def _value_test(name: str, index: int, codec: Codec) -> str:
    if isinstance(codec, UnionCodec):
        # `Optional[str]` and the like: test None and the scalar inline.
        others = [option for option in codec.options if not (isinstance(option, ScalarCodec) and option.kind == "none")]
        if len(codec.options) == 2 and len(others) == 1 and isinstance(others[0], ScalarCodec):
            return _NONE_OR.substitute(name=name, test=value_test(name, index, others[0].kind))
    return value_test(name, index, codec.kind if isinstance(codec, ScalarCodec) else None)


_CALL_FUNCTION = Template(
    "def _tl_call($parameters):\n"
    "    if not ($condition):\n"
    "        raise _tl_fail(locals(), _tl_missing)\n"
    "    return _tl_result(_tl_target($arguments))\n"
)
_DEFAULTED = Template("(_tl_default_$index if $name is _tl_missing else $name)")


def compile_call(
    description: TaskDescription,
    codecs: dict[str, Codec],
    signature: inspect.Signature,
    target: Callable[..., Any],
    fail: Callable[[dict[str, Any], object], BaseException],
    result: Callable[[Any], Any] | None = None,
) -> Callable[..., Any] | None:
    """Compile the whole validated call: bind like the task, check, then call `target`.

    A parameter left out is passed to `target` as the default object itself, which
    is the same as leaving it out. When a check fails, the function raises what
    `fail` returns for its bound arguments (as a dict of locals). `result` wraps the
    return value, for example to check it. Returns None when the parameters cannot be
    written as Python source.
    """
    namespace: dict[str, Any] = {
        "_tl_missing": object(),
        "_tl_fail": fail,
        "_tl_target": target,
        "_tl_result": result or _identity,
    }
    parameters: list[str] = []
    tests: list[str] = []
    positional: list[str] = []
    keywords: list[str] = []
    previous_kind = None
    keyword_only_marked = False
    for index, parameter in enumerate(description.parameters):
        name = parameter.name
        if not usable_name(name) or name not in signature.parameters:
            return None
        codec = codecs[name]
        namespace[f"_tl_check_{index}"] = codec.check
        kind = parameter.kind
        if previous_kind == "positional_only" and kind != "positional_only":
            parameters.append("/")
        if kind == "keyword_only" and not keyword_only_marked:
            parameters.append("*")
        if kind in ("var_positional", "keyword_only"):
            keyword_only_marked = True
        previous_kind = kind

        if kind == "var_positional":
            parameters.append(f"*{name}")
            tests.append(_VARIADIC.substitute(index=index, collection=name))
            positional.append(f"*{name}")
            continue
        if kind == "var_keyword":
            parameters.append(f"**{name}")
            tests.append(_VARIADIC.substitute(index=index, collection=f"{name}.values()"))
            keywords.append(f"**{name}")
            continue
        value = name
        if parameter.default is not None:
            parameters.append(f"{name}=_tl_missing")
            tests.append(_OPTIONAL.substitute(name=name, test=f"({_value_test(name, index, codec)})"))
            namespace[f"_tl_default_{index}"] = signature.parameters[name].default
            value = _DEFAULTED.substitute(index=index, name=name)
        else:
            parameters.append(name)
            tests.append(_value_test(name, index, codec))
        if kind == "keyword_only":
            keywords.append(f"{name}={value}")
        else:
            positional.append(value)
    if previous_kind == "positional_only":
        parameters.append("/")

    source = _CALL_FUNCTION.substitute(
        parameters=", ".join(parameters),
        condition=join_tests(tests),
        arguments=", ".join([*positional, *keywords]),
    )
    return compile_function(source, namespace, description.qualified_name, "_tl_call")


def _identity(value: Any) -> Any:
    return value
