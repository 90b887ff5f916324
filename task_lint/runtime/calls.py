"""Validated calls: bind arguments the way Python would, then check each value strictly.

`CallValidator.check` is the fast path that runs on every call: it binds positional
and keyword arguments by index without building a `BoundArguments`, and runs each
parameter's compiled check. Only when it fails does `errors` run the slow path,
which binds the call again with `bind_every_argument` and explains every binding
problem and every invalid value at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from task_lint.errors import ErrorDetail
from task_lint.model.codec import Codec, CodecBuilder
from task_lint.model.task import TaskDescription
from task_lint.model.types import AnyType

_POSITIONAL = ("positional_only", "positional_or_keyword")
_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
_POSITIONAL_KINDS = (_POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD
_VARIADIC_KINDS = (_VAR_POSITIONAL, _VAR_KEYWORD)


def _always_valid(value: Any) -> bool:
    return True


class CallValidator:
    """Check call arguments against a task description."""

    def __init__(self, description: TaskDescription, signature: inspect.Signature, codecs: CodecBuilder) -> None:
        self.description = description
        self.signature = signature
        self.codecs: dict[str, Codec] = {}
        for parameter in description.parameters:
            node = parameter.annotation if parameter.annotation is not None else AnyType()
            self.codecs[parameter.name] = codecs.build(node)
        self.check = self._compile()

    def _compile(self) -> Callable[[tuple[Any, ...], dict[str, Any]], bool]:
        parameters = self.description.parameters
        positional = [p for p in parameters if p.kind in _POSITIONAL]
        positional_checks = [self._check_of(p.name) for p in positional]
        positional_count = len(positional)

        # required_before[n]: how many required parameters the first n positional arguments fill.
        required_before = [0]
        for parameter in positional:
            required_before.append(required_before[-1] + (parameter.default is None))
        required_total = sum(1 for p in parameters if p.default is None and not p.is_variadic)

        # Keyword arguments: name -> (check, is required, position or -1 for keyword-only).
        by_keyword: dict[str, tuple[Callable[[Any], bool], bool, int]] = {}
        for index, parameter in enumerate(positional):
            if parameter.kind == "positional_or_keyword":
                by_keyword[parameter.name] = (positional_checks[index], parameter.default is None, index)
        for parameter in parameters:
            if parameter.kind == "keyword_only":
                by_keyword[parameter.name] = (self._check_of(parameter.name), parameter.default is None, -1)

        var_positional = next((p for p in parameters if p.kind == "var_positional"), None)
        var_keyword = next((p for p in parameters if p.kind == "var_keyword"), None)
        extra_positional_check = self._check_of(var_positional.name) if var_positional else None
        extra_keyword_check = self._check_of(var_keyword.name) if var_keyword else None

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
            count = len(args)
            if count > positional_count:
                if extra_positional_check is None:
                    return False
                for value in args[positional_count:]:
                    if not extra_positional_check(value):
                        return False
                count = positional_count
            for index in range(count):
                if not positional_checks[index](args[index]):
                    return False
            filled = required_before[count]
            for key, value in kwargs.items():
                entry = by_keyword.get(key)
                if entry is None:
                    if extra_keyword_check is None or not extra_keyword_check(value):
                        return False
                    continue
                value_check, required, position = entry
                if 0 <= position < count or not value_check(value):
                    return False
                if required:
                    filled += 1
            return filled == required_total

        return check

    def _check_of(self, name: str) -> Callable[[Any], bool]:
        codec = self.codecs[name]
        check = codec.check
        # Unannotated and `Any` parameters skip the call entirely.
        return _always_valid if isinstance(codec.node, AnyType) else check

    def errors(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[ErrorDetail]:
        """Explain why a call is invalid, listing every problem at once.

        Parameters come in signature order, each with its binding problem (missing,
        given twice, positional-only passed by keyword) or the errors of its value.
        Arguments that fit no parameter come last: a surplus positional argument
        has its 0-based position as `loc`, an unexpected keyword argument its name.
        """
        binding = bind_every_argument(self.signature, args, kwargs)
        out: list[ErrorDetail] = []
        for name, parameter in self.signature.parameters.items():
            problem = binding.problems.get(name)
            if problem is not None:
                out.append(problem)
            elif name in binding.arguments:
                self._value_errors(parameter, binding.arguments[name], out)
        out.extend(binding.unplaced)
        return out

    def _value_errors(self, parameter: inspect.Parameter, value: Any, out: list[ErrorDetail]) -> None:
        name = parameter.name
        codec = self.codecs[name]
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            for index, item in enumerate(value):
                if not codec.check(item):
                    codec.errors(item, [name, index], out)
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            for key, item in value.items():
                if not codec.check(item):
                    codec.errors(item, [key], out)
        elif not codec.check(value):
            codec.errors(value, [name], out)


class Binding(NamedTuple):
    """A call bound to a signature, with every binding problem kept.

    `arguments` maps parameter names to values as `BoundArguments.arguments` does.
    `problems` contains one error for each parameter that could not be bound, and
    `unplaced` the errors of arguments that fit no parameter.
    """

    arguments: dict[str, Any]
    problems: dict[str, ErrorDetail]
    unplaced: list[ErrorDetail]


def bind_every_argument(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Binding:
    """Bind a call the way Python does, but record every problem instead of stopping at the first.

    `inspect.Signature.bind` raises at the first problem, which would report a call
    that leaves out three arguments one argument at a time. It also lets **kwargs
    take the name of a positional-only parameter that the call then lacks, which
    Python itself rejects.
    """
    parameters = signature.parameters
    positional = [p for p in parameters.values() if p.kind in _POSITIONAL_KINDS]
    binding = Binding({}, {}, [])
    for parameter, value in zip(positional, args, strict=False):
        binding.arguments[parameter.name] = value
    _bind_surplus(parameters, args[len(positional) :], len(positional), binding)
    _bind_keywords(parameters, kwargs, binding)

    call = {"args": list(args), "kwargs": dict(kwargs)}
    for name, parameter in parameters.items():
        if name in binding.arguments or name in binding.problems:
            continue
        if parameter.default is not inspect.Parameter.empty or parameter.kind in _VARIADIC_KINDS:
            continue
        message = "missing required argument"
        if parameter.kind is _POSITIONAL_ONLY and name in kwargs:
            # This happens only with **kwargs, because without it `name=` is a problem of its own.
            message += f"; pass it by position, because {name!r} is positional-only and {name}= went into **kwargs"
        binding.problems[name] = {"loc": [name], "msg": message, "input": call}
    return binding


def _bind_surplus(
    parameters: Mapping[str, inspect.Parameter], surplus: tuple[Any, ...], limit: int, binding: Binding
) -> None:
    """Give positional arguments past the named parameters to *args, or report each one."""
    var_positional = next((p for p in parameters.values() if p.kind is _VAR_POSITIONAL), None)
    if var_positional is not None:
        if surplus:
            binding.arguments[var_positional.name] = surplus
        return
    if limit:
        noun = "argument" if limit == 1 else "arguments"
        message = f"too many positional arguments: the task takes at most {limit} positional {noun}"
    else:
        message = "too many positional arguments: the task takes no positional arguments"
    for offset, value in enumerate(surplus):
        binding.unplaced.append({"loc": [limit + offset], "msg": message, "input": value})


def _bind_keywords(parameters: Mapping[str, inspect.Parameter], kwargs: dict[str, Any], binding: Binding) -> None:
    """Bind keyword arguments to their parameters or to **kwargs, or report each one that fits neither."""
    var_keyword = next((p for p in parameters.values() if p.kind is _VAR_KEYWORD), None)
    extra: dict[str, Any] = {}
    for key, value in kwargs.items():
        parameter = parameters.get(key)
        # Python passes the name of *args, of **kwargs or of a positional-only
        # parameter to **kwargs when there is one.
        goes_to_extra = parameter is None or parameter.kind in (*_VARIADIC_KINDS, _POSITIONAL_ONLY)
        if goes_to_extra and var_keyword is not None:
            extra[key] = value
        elif parameter is not None and parameter.kind is _POSITIONAL_ONLY:
            message = "positional-only argument passed by keyword; pass it by position"
            binding.problems[key] = {"loc": [key], "msg": message, "input": value}
        elif goes_to_extra:
            binding.unplaced.append({"loc": [key], "msg": "unexpected keyword argument", "input": value})
        elif key in binding.arguments:
            message = "multiple values for argument, because it was given both by position and by keyword"
            binding.problems[key] = {"loc": [key], "msg": message, "input": value}
        else:
            binding.arguments[key] = value
    if var_keyword is not None and extra:
        binding.arguments[var_keyword.name] = extra
