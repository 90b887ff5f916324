"""`Record`: immutable value classes that cost almost nothing to define.

`dataclasses.dataclass` generates each method with `exec`, about 1 ms per class,
which made `import task_lint` several times slower than Python's own start-up. A
`Record` subclass gets the same behaviour (keyword or positional `__init__`,
defaults, `__eq__`, `__hash__`, `__repr__`, frozen attributes) from methods written
once here. `dataclass_transform` tells type checkers how the constructor looks.

Declare fields as class annotations. A field whose name ends the `_uncompared`
tuple of the class takes no part in equality and hashing.
"""

from __future__ import annotations

import sys
from string import Template
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
elif sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # Python 3.10 lacks typing.dataclass_transform; it only matters to type checkers.

    def dataclass_transform(**kwargs: Any) -> Any:
        return lambda cls: cls


_MISSING: Any = object()


@dataclass_transform(frozen_default=True, kw_only_default=False)
class Record:
    """Base class of immutable value records."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _compared: ClassVar[tuple[str, ...]] = ()
    _uncompared: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = list(cls._fields)
        defaults = dict(cls._defaults)
        # Reading the class __dict__ keeps inspect out of `import task_lint`.
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if "ClassVar" in str(annotation):
                continue
            if name not in fields:
                fields.append(name)
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
                delattr(cls, name)  # the class attribute would shadow the instance slot
        cls._fields = tuple(fields)
        cls._defaults = defaults
        cls._compared = tuple(name for name in fields if name not in cls._uncompared)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The first instance of each class compiles that class's own __init__;
        # see _specialised_init. Later instances call it directly.
        cls = type(self)
        cls.__init__ = _specialised_init(cls)  # type: ignore[method-assign]
        cls.__init__(self, *args, **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; use replace() to change {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _key(self) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        same: bool = self._key() == other._key()
        return same

    def __hash__(self) -> int:
        return hash((self.__class__, self._key()))

    def __repr__(self) -> str:
        values = self.__dict__
        shown = ", ".join(f"{name}={values[name]!r}" for name in self._compared)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), dict(self.__dict__)))


# `__values` cannot clash with a field: record fields never start with "__".
_INIT = Template("def __init__(self$parameters):\n    __values = self.__dict__\n$assignments")
_ASSIGN = Template('    __values["$name"] = $name\n')
_ASSIGN_COPY = Template('    __values["$name"] = $name.copy() if $name is _default_$name else $name\n')


def _specialised_init(cls: type[Record]) -> Any:
    """Compile an `__init__` with the class's own fields as parameters.

    A generic `__init__(*args, **kwargs)` cost four times a plain class's, and
    the static pass creates many records. Compiling at import time would bring
    back the cost the Record base exists to avoid, so it happens on first use.
    The source holds only the record's own field names, which are identifiers
    written in task_lint.
    """
    namespace: dict[str, Any] = {}
    parameters = []
    assignments = []
    for name in cls._fields:
        if not name.isidentifier() or name.startswith("__"):
            raise TypeError(f"record field {name!r} must be an identifier that does not start with '__'")
        if name in cls._defaults:
            namespace[f"_default_{name}"] = cls._defaults[name]
            parameters.append(f"{name}=_default_{name}")
            mutable = isinstance(cls._defaults[name], (dict, list))
            assignments.append((_ASSIGN_COPY if mutable else _ASSIGN).substitute(name=name))
        else:
            parameters.append(name)
            assignments.append(_ASSIGN.substitute(name=name))
    listed = "".join(f", {parameter}" for parameter in parameters)
    source = _INIT.substitute(parameters=listed, assignments="".join(assignments) or "    pass\n")
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), namespace)  # field names only
    function = namespace["__init__"]
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    return function


def _rebuild(cls: type[Record], values: dict[str, Any]) -> Record:
    record = cls.__new__(cls)
    record.__dict__.update(values)
    return record


def replace(record: Any, **changes: Any) -> Any:
    """Return a copy of a record with some fields changed."""
    values = dict(record.__dict__)
    values.update(changes)
    return type(record)(**values)
