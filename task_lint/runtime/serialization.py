"""JSON forms of task inputs and outputs, driven by the task's annotations.

`decode_inputs(T, encode_inputs(T, *args, **kwargs))` gives back the bound arguments
exactly, and `decode_output(T, encode_output(T, value)) == value`.
"""

from __future__ import annotations

import inspect
from typing import Any
from uuid import UUID

from task_lint.errors import ErrorDetail, TaskInputError, TaskOutputError, UnsupportedTypeError
from task_lint.model.codec import INVALID, Codec, EncodeError, json_type_name
from task_lint.model.task import ParameterDescription, TaskDescription
from task_lint.model.types import AnyType, JSONValue, TypeNode, problem_nodes, render_type
from task_lint.rules import target_text
from task_lint.runtime.metadata import TaskMetadata
from task_lint.runtime.registry import get_task
from task_lint.runtime.task import Task

TaskRef = Any  # a task class, its TaskMetadata, or an id or name for get_task


def _metadata(task: TaskRef) -> TaskMetadata:
    if isinstance(task, TaskMetadata):
        return task
    if isinstance(task, Task):
        return task.metadata
    if isinstance(task, (str, UUID)):
        return get_task(task).metadata
    raise TypeError(f"expected a task class, TaskMetadata, id or qualified name, got {task!r}")


def _require_serializable(description: TaskDescription, param: str | None, node: TypeNode) -> None:
    bad = problem_nodes(node, description.definitions)
    if bad:
        first = bad[0]
        raise UnsupportedTypeError(
            f"{target_text(param)} of task `{description.name}` has type "
            f"`{render_type(node, description.definitions)}`, which has no JSON form "
            f"(`{first.display}` {first.reason})"
        )


def _parameter_codec(metadata: TaskMetadata, parameter: ParameterDescription) -> Codec:
    node = parameter.annotation if parameter.annotation is not None else AnyType()
    _require_serializable(metadata.description, parameter.name, node)
    return metadata.codecs().build(node)


def encode_inputs(task: TaskRef, /, *args: Any, **kwargs: Any) -> dict[str, JSONValue]:
    """Validate a call's arguments and return their JSON form, keyed by parameter name.

    Only the arguments given are encoded; defaults are left to the receiver. `*args`
    becomes an array under its own name and `**kwargs` entries become top-level keys.
    Raises `TaskInputError` for invalid arguments and `UnsupportedTypeError` for a
    parameter whose type has no JSON form.
    """
    metadata = _metadata(task)
    validator = metadata.validator()
    if not validator.check(args, kwargs):
        raise TaskInputError(metadata.name, validator.errors(args, kwargs))
    bound = metadata.signature.bind(*args, **kwargs)
    description = metadata.description
    encoded: dict[str, JSONValue] = {}
    errors: list[ErrorDetail] = []
    for name, value in bound.arguments.items():
        parameter = description.parameter(name)
        codec = _parameter_codec(metadata, parameter)
        if parameter.kind == "var_positional":
            encoded[name] = [_encode_value(codec, item, [name, index], errors) for index, item in enumerate(value)]
        elif parameter.kind == "var_keyword":
            for key, item in value.items():
                encoded[key] = _encode_value(codec, item, [key], errors)
        else:
            encoded[name] = _encode_value(codec, value, [name], errors)
    if errors:
        raise TaskInputError(metadata.name, errors)
    return encoded


def _encode_value(codec: Codec, value: Any, loc: list[str | int], errors: list[ErrorDetail]) -> JSONValue:
    """Encode a value that passed `codec.check`, or append its errors under `loc` and return None.

    Only a part with no JSON form fails here, such as a set or an infinity under `Any`.
    """
    try:
        return codec.encode(value)
    except EncodeError as error:
        errors.extend({**detail, "loc": [*loc, *detail["loc"]]} for detail in error.errors)
    except ValueError as error:
        errors.append({"loc": loc, "msg": str(error), "input": value})
    return None


def decode_inputs(task: TaskRef, data: Any, /) -> dict[str, Any]:
    """Validate JSON inputs and decode them to Python values, keyed by parameter name.

    Raises `TaskInputError` listing every invalid, missing or unexpected field.
    """
    metadata = _metadata(task)
    description = metadata.description
    if not isinstance(data, dict):
        raise TaskInputError(
            metadata.name,
            [{"loc": [], "msg": f"expected a JSON object of arguments, got {json_type_name(data)}", "input": data}],
        )
    errors: list[ErrorDetail] = []
    decoded: dict[str, Any] = {}
    var_keyword = next((p for p in description.parameters if p.kind == "var_keyword"), None)
    named = {p.name: p for p in description.parameters if p.kind != "var_keyword"}

    for name, value in data.items():
        parameter = named.get(name) or var_keyword
        if parameter is None or (parameter.kind == "positional_only" and var_keyword is not None and name not in named):
            errors.append({"loc": [name], "msg": "unexpected argument", "input": value})
            continue
        codec = _parameter_codec(metadata, parameter)
        start = len(errors)
        try:
            if parameter.kind == "var_positional":
                result = _decode_array(codec, value, errors, f"*{name}")
            else:
                result = codec.decode(value, errors)
        except RecursionError:
            errors.append({"loc": [], "msg": "input is nested too deeply", "input": None})
            result = INVALID
        for error in errors[start:]:
            error["loc"].insert(0, name)
        if result is not INVALID:
            decoded[name] = result

    for parameter in description.parameters:
        if parameter.default is None and not parameter.is_variadic and parameter.name not in data:
            errors.append({"loc": [parameter.name], "msg": "missing required argument", "input": data})
    if errors:
        raise TaskInputError(metadata.name, errors)
    return decoded


def _decode_array(codec: Codec, value: Any, errors: list[ErrorDetail], expected: str) -> Any:
    if not isinstance(value, list):
        message = f"expected an array for {expected}, got {json_type_name(value)}"
        errors.append({"loc": [], "msg": message, "input": value})
        return INVALID
    items = []
    for index, item in enumerate(value):
        start = len(errors)
        decoded = codec.decode(item, errors)
        for error in errors[start:]:
            error["loc"].insert(0, index)
        items.append(decoded)
    return INVALID if any(item is INVALID for item in items) else items


def bind_inputs(task: TaskRef, inputs: dict[str, Any], /) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Turn decoded inputs into `(args, kwargs)` for a call.

    Positional-only parameters and `*args` go into `args`; everything else is passed
    by keyword.
    """
    metadata = _metadata(task)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    remaining = dict(inputs)
    positional_only_done = True
    for name, parameter in metadata.signature.parameters.items():
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            if name in remaining and positional_only_done:
                args.append(remaining.pop(name))
            else:
                positional_only_done = False
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            extra = remaining.pop(name, [])
            if extra:
                # *args needs every earlier positional parameter passed by position too.
                for earlier in list(metadata.signature.parameters)[len(args) :]:
                    if earlier == name:
                        break
                    args.append(kwargs.pop(earlier, remaining.pop(earlier, None)))
                args.extend(extra)
        elif parameter.kind is not inspect.Parameter.VAR_KEYWORD and name in remaining:
            kwargs[name] = remaining.pop(name)
    kwargs.update(remaining)
    return tuple(args), kwargs


def encode_output(task: TaskRef, value: Any, /) -> JSONValue:
    """Validate a result against the return annotation and return its JSON form.

    Raises `TaskOutputError` when the value does not match.
    """
    metadata = _metadata(task)
    node = metadata.description.returns or AnyType()
    _require_serializable(metadata.description, None, node)
    codec = metadata.codecs().build(node)
    errors: list[ErrorDetail] = []
    if not codec.check(value):
        codec.errors(value, ["return"], errors)
        raise TaskOutputError(metadata.name, errors)
    encoded = _encode_value(codec, value, ["return"], errors)
    if errors:
        raise TaskOutputError(metadata.name, errors)
    return encoded


def decode_output(task: TaskRef, data: Any, /) -> Any:
    """Decode a result's JSON form by the return annotation; raise `TaskOutputError` when invalid."""
    metadata = _metadata(task)
    node = metadata.description.returns or AnyType()
    _require_serializable(metadata.description, None, node)
    errors: list[ErrorDetail] = []
    try:
        value = metadata.codecs().build(node).decode(data, errors)
    except RecursionError:
        errors = [{"loc": [], "msg": "output is nested too deeply", "input": None}]
    if errors:
        for error in errors:
            error["loc"].insert(0, "return")
        raise TaskOutputError(metadata.name, errors)
    return value
