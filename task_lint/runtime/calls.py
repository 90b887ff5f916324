"""Validated calls: bind arguments the way Python would, then check each value strictly.

`CallValidator.check` is the fast path that runs on every call: it binds positional
and keyword arguments by index without building a `BoundArguments`, and runs each
parameter's compiled check. Only when it fails does `errors` run the slow path,
which uses `inspect.Signature.bind` for binding messages and explains every invalid
value at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from task_lint.errors import ErrorDetail
from task_lint.model.codec import Codec, CodecBuilder
from task_lint.model.task import TaskDescription
from task_lint.model.types import AnyType

_POSITIONAL = ("positional_only", "positional_or_keyword")


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
        """Explain why a call is invalid: binding errors first, then every invalid value."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as error:
            return [self._binding_error(str(error), args, kwargs)]
        out: list[ErrorDetail] = []
        # Signature.bind lets **kwargs swallow a positional-only name given by keyword,
        # but the call itself would fail, so report the positional argument missing.
        for name, parameter in self.signature.parameters.items():
            if (
                parameter.kind is inspect.Parameter.POSITIONAL_ONLY
                and parameter.default is inspect.Parameter.empty
                and name not in bound.arguments
            ):
                out.append(
                    {
                        "loc": [name],
                        "msg": f"missing required positional-only argument {name!r}; pass it by position",
                        "input": {"args": list(args), "kwargs": dict(kwargs)},
                    }
                )
        for name, value in bound.arguments.items():
            parameter = self.signature.parameters[name]
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
        return out

    def _binding_error(self, message: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> ErrorDetail:
        # inspect's messages name the parameter in quotes: "missing a required argument: 'x'".
        loc: list[str | int] = []
        for parameter in self.signature.parameters:
            if f"'{parameter}'" in message:
                loc = [parameter]
                break
        else:
            for key in kwargs:
                if f"'{key}'" in message:
                    loc = [key]
                    break
        if loc and ("positional only" in message or "positional-only" in message):
            # inspect words this differently across Python versions.
            message = f"parameter {loc[0]!r} is positional-only, so pass it by position"
        return {"loc": loc, "msg": message, "input": {"args": list(args), "kwargs": dict(kwargs)}}
