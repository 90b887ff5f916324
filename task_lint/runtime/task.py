"""`@task` and the `Task` metaclass.

`@task` turns a function into a class made by `Task`, named after the function in
CamelCase plus `Task` (`resize_image` becomes `ResizeImageTask`). The class keeps the
function as the staticmethod `execute` and copies its `__doc__`, `__module__`,
`__qualname__` and `__wrapped__`, so `inspect.signature`, pickling by name and
`help()` see the function. Calling the class runs a validated call.

A class written with `metaclass=Task`, directly or through a base class, is a task
when it has an `execute` method. A base class without one must say
`abstract = True`.
"""

from __future__ import annotations

import inspect
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from task_lint.errors import TaskDefinitionError, TaskDefinitionWarning, TaskInputError, TaskOutputError
from task_lint.runtime.fastcheck import compile_call
from task_lint.runtime.metadata import TaskMetadata
from task_lint.runtime.registry import current_registry

F = TypeVar("F", bound=Callable[..., Any])

# Options of @task(...) and of class keywords, with the type each must have. The
# retry and time options mean something to the Celery worker target.
TASK_OPTIONS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "strict": (bool,),
    "validate_return": (bool,),
    "retries": (int,),
    "retry_delay": (int, float),
    "time_limit": (int, float),
    "soft_time_limit": (int, float),
    "queue": (str,),
}

# Problems that strict mode rejects at definition time. Unresolved annotations are
# left out because a forward reference may resolve once the module finishes importing.
_DEFINITION_CODES = ("TSK101", "TSK102", "TSK301")


def validate_options(options: dict[str, Any], where: str) -> dict[str, Any]:
    """Raise `TypeError` or `ValueError` for unknown options and values of the wrong type."""
    value: Any
    for key, value in options.items():
        if key not in TASK_OPTIONS:
            known = ", ".join(sorted(TASK_OPTIONS))
            raise TypeError(f"{where}: unknown task option {key!r}; the options are {known}")
        expected = TASK_OPTIONS[key]
        if (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
            names = " or ".join(t.__name__ for t in expected)
            raise TypeError(f"{where}: option {key}= must be {names}, got {value!r}")
        value = cast(Any, value)
        if key in ("retries", "retry_delay") and value < 0:
            raise ValueError(f"{where}: option {key}= must be 0 or more, got {value!r}")
        if key in ("time_limit", "soft_time_limit") and value <= 0:
            raise ValueError(f"{where}: option {key}= must be more than 0, got {value!r}")
        if key == "name" and not value.strip():
            raise ValueError(f"{where}: option name= must not be empty")
    return options


def strict_from_environment() -> bool:
    return os.environ.get("TASK_LINT_STRICT", "").strip().lower() in ("1", "true", "yes", "on")


def camel_case(name: str) -> str:
    """`resize_image` becomes `ResizeImage`; existing capitals are kept."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or name


class Task(type):
    """Metaclass of every task class; creating a class with it registers the task."""

    __task_metadata__: TaskMetadata | None

    def __new__(mcls, class_name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **options: Any) -> Task:
        cls = super().__new__(mcls, class_name, bases, namespace)
        validate_options(options, f"task class {cls.__qualname__}")
        if namespace.get("abstract", False):
            cls.__task_metadata__ = None
            type.__setattr__(cls, "__task_call__", staticmethod(_abstract_call(cls)))
            return cls

        raw_execute = _find_execute(cls)
        if raw_execute is None:
            raise TaskDefinitionError(
                f"task class {cls.__module__}.{cls.__qualname__} has no `execute` method; "
                "add one, or set `abstract = True` if it is a base class"
            )
        func, drop_first = _unwrap_execute(raw_execute)
        function_task = "__wrapped__" in namespace and namespace.get("__task_function__", False)
        if function_task:
            task_name, qualname, module = func.__name__, func.__qualname__, func.__module__
            doc = func.__doc__
        else:
            # A class-based task is documented by its class docstring, else by `execute`'s.
            task_name, qualname, module = cls.__name__, cls.__qualname__, cls.__module__
            doc = namespace.get("__doc__") or func.__doc__
        metadata = TaskMetadata(
            func=func,
            name=options.get("name", task_name),
            explicit_name=options.get("name"),
            module=module,
            qualname=qualname,
            kind="function" if function_task else "class",
            drop_first=drop_first,
            options=options,
            doc=doc,
        )
        cls.__task_metadata__ = metadata
        type.__setattr__(cls, "__task_call__", staticmethod(_first_call(cls)))
        _report_definition_problems(metadata, options)
        current_registry().register(cls)
        return cls

    def __init__(cls, class_name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **options: Any) -> None:
        super().__init__(class_name, bases, namespace)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the task with validated arguments; an async task returns its coroutine."""
        # Every task class, abstract ones too, gets its own __task_call__ in __new__.
        try:
            return cls.__task_call__(*args, **kwargs)  # type: ignore[attr-defined]  # set in __new__
        except TypeError as error:
            # A call that does not bind fails before the compiled call's frame
            # exists, so the traceback ends here; a TypeError the task raised
            # has frames below this one and passes through unchanged.
            if error.__traceback__ is None or error.__traceback__.tb_next is not None:
                raise
            metadata = cls.metadata
            validator = metadata.validator()
            raise TaskInputError(metadata.name, validator.errors(args, kwargs)) from None

    @property
    def __signature__(cls) -> inspect.Signature:
        # Python 3.13's inspect.signature no longer follows __wrapped__ on classes,
        # so the metaclass states the task's signature itself.
        return cls.metadata.signature

    @property
    def metadata(cls) -> TaskMetadata:
        metadata = cls.__dict__.get("__task_metadata__")
        if metadata is None:
            raise AttributeError(f"{cls.__qualname__} is an abstract task base class and has no metadata")
        return metadata  # type: ignore[no-any-return]  # set in __new__


def _find_execute(cls: type) -> Any:
    for klass in cls.__mro__:
        if "execute" in klass.__dict__:
            return klass.__dict__["execute"]
    return None


def _unwrap_execute(raw: Any) -> tuple[Callable[..., Any], bool]:
    """Return the execute function and whether its first parameter is `self` or `cls`."""
    if isinstance(raw, staticmethod):
        return raw.__func__, False
    if isinstance(raw, classmethod):
        return raw.__func__, True
    if callable(raw):
        return raw, True
    raise TaskDefinitionError(f"`execute` must be a function, got {type(raw).__name__}")


def _call_target(cls: Task, raw: Any) -> Callable[..., Any]:
    if isinstance(raw, staticmethod):
        function: Callable[..., Any] = raw.__func__
        return function
    if isinstance(raw, classmethod):
        bound: Callable[..., Any] = raw.__get__(None, cls)
        return bound

    def run_on_instance(*args: Any, **kwargs: Any) -> Any:
        instance = type.__call__(cls)
        return instance.execute(*args, **kwargs)

    return run_on_instance


def _first_call(cls: Task) -> Callable[..., Any]:
    """Compile the validated call on first use, then replace this stub with it."""

    def first(*args: Any, **kwargs: Any) -> Any:
        runner = _compile_runner(cls)
        type.__setattr__(cls, "__task_call__", staticmethod(runner))
        return cls(*args, **kwargs)

    return first


def _abstract_call(cls: Task) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{cls.__qualname__} is an abstract task base class and cannot be called")

    return refuse


def _compile_runner(cls: Task) -> Callable[..., Any]:
    """Return the function that runs one validated call with the call's own arguments."""
    metadata = cls.metadata
    validator = metadata.validator()
    target = _call_target(cls, _find_execute(cls))
    task_name = metadata.name
    result = _result_check(metadata)

    def fail(bound: dict[str, Any], missing: object) -> BaseException:
        args, kwargs = _rebuild_call(metadata, bound, missing)
        return TaskInputError(task_name, validator.errors(args, kwargs))

    compiled = compile_call(metadata.description, validator.codecs, metadata.signature, target, fail, result)
    if compiled is not None:
        return compiled

    check = validator.check

    def run(*args: Any, **kwargs: Any) -> Any:
        if check(args, kwargs):
            value = target(*args, **kwargs)
            return value if result is None else result(value)
        raise TaskInputError(task_name, validator.errors(args, kwargs))

    return run


def _rebuild_call(
    metadata: TaskMetadata, bound: dict[str, Any], missing: object
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Turn the compiled call's locals back into `(args, kwargs)` for the error report."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    positional = True  # until a left-out parameter, later ones go by keyword
    for name, parameter in metadata.signature.parameters.items():
        if name not in bound or bound[name] is missing:
            positional = positional and parameter.kind is inspect.Parameter.VAR_POSITIONAL
            continue
        value = bound[name]
        kind = parameter.kind
        by_position = kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and positional
        if kind is inspect.Parameter.POSITIONAL_ONLY or by_position:
            args.append(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(value)
        else:
            kwargs[name] = value
    return tuple(args), kwargs


def _result_check(metadata: TaskMetadata) -> Callable[[Any], Any] | None:
    """Return the wrapper that checks a result with `validate_return=True`, or None."""
    if not metadata.options.get("validate_return", False) or metadata.description.returns is None:
        return None
    result_codec = metadata.codecs().build(metadata.description.returns)
    task_name = metadata.name

    def check_result(value: Any) -> Any:
        if not result_codec.check(value):
            errors: list[Any] = []
            result_codec.errors(value, ["return"], errors)
            raise TaskOutputError(task_name, errors)
        return value

    if not metadata.is_async:
        return check_result

    async def await_and_check(coroutine: Any) -> Any:
        return check_result(await coroutine)

    return await_and_check


def _report_definition_problems(metadata: TaskMetadata, options: dict[str, Any]) -> None:
    problems = [problem for problem in metadata.problems if problem.code in _DEFINITION_CODES]
    if not problems:
        return
    strict = options.get("strict")
    if strict is None:
        strict = strict_from_environment()
    listing = "\n".join(f"  {problem}" for problem in problems)
    if strict:
        raise TaskDefinitionError(
            f"task {metadata.qualified_name} has {len(problems)} annotation problem(s) in strict mode:\n{listing}"
        )
    target = inspect.unwrap(metadata.func)
    code = getattr(target, "__code__", None)
    module = sys.modules.get(metadata.module)
    warnings.warn_explicit(
        TaskDefinitionWarning(f"task {metadata.qualified_name} has annotation problems:\n{listing}"),
        TaskDefinitionWarning,
        filename=code.co_filename if code is not None else metadata.module,
        lineno=code.co_firstlineno if code is not None else 0,
        module=metadata.module,
        registry=vars(module).setdefault("__warningregistry__", {}) if module is not None else None,
    )


def _make_function_task(func: Callable[..., Any], options: dict[str, Any]) -> Task:
    if isinstance(func, type):
        raise TypeError(f"@task decorates functions; for the class {func.__qualname__} use metaclass=Task")
    if not callable(func) or not hasattr(func, "__qualname__"):
        raise TypeError(f"@task decorates functions, got {func!r}")
    namespace: dict[str, Any] = {
        "execute": staticmethod(func),
        "__doc__": func.__doc__,
        "__module__": func.__module__,
        "__qualname__": func.__qualname__,
        "__wrapped__": func,
        "__task_function__": True,
    }
    return Task(camel_case(func.__name__) + "Task", (), namespace, **options)


@overload
def task(func: F, /) -> Task: ...


@overload
def task(
    *, name: str = ..., strict: bool = ..., validate_return: bool = ..., **options: Any
) -> Callable[[F], Task]: ...


def task(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Turn a function into a registered, validated task class.

    Use it bare (`@task`) or with options (`@task(name="billing.charge", strict=True)`).
    Options: `name`, `strict` (raise `TaskDefinitionError` instead of warning about
    missing or unsupported annotations; `TASK_LINT_STRICT=1` sets the default),
    `validate_return`, and for workers `retries`, `retry_delay` and `time_limit`
    (seconds), `soft_time_limit` and `queue`.
    """
    validate_options(options, "@task")
    if func is None:
        return lambda inner: _make_function_task(inner, options)
    return _make_function_task(func, options)
