"""Qualified names that the static pass recognises without reading their source.

Names are normalised first: `typing_extensions.X` counts as `typing.X`, and
`builtins.int` as `int`.
"""

from __future__ import annotations

import builtins

from task_lint.model.types import ArrayContainer, MappingContainer, ScalarKind

TASK_DECORATORS = frozenset({"task_lint.task", "task_lint.runtime.task.task"})
TASK_METACLASSES = frozenset({"task_lint.Task", "task_lint.runtime.task.Task"})

SCALARS: dict[str, ScalarKind] = {
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "bytes": "bytes",
    "datetime.datetime": "datetime",
    "datetime.date": "date",
    "datetime.time": "time",
    "datetime.timedelta": "timedelta",
    "decimal.Decimal": "decimal",
    "uuid.UUID": "uuid",
    "pathlib.Path": "path",
    "pathlib.PosixPath": "path",
    "pathlib.WindowsPath": "path",
}
PURE_PATHS = frozenset({"pathlib.PurePath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath"})

ANY = frozenset({"typing.Any", "object"})
NONE_TYPES = frozenset({"None", "types.NoneType"})

ARRAYS: dict[str, ArrayContainer] = {
    "list": "list",
    "typing.List": "list",
    "set": "set",
    "typing.Set": "set",
    "typing.AbstractSet": "set",
    "collections.abc.Set": "set",
    "collections.abc.MutableSet": "set",
    "typing.MutableSet": "set",
    "frozenset": "frozenset",
    "typing.FrozenSet": "frozenset",
    "typing.Sequence": "sequence",
    "collections.abc.Sequence": "sequence",
    "typing.MutableSequence": "list",
    "collections.abc.MutableSequence": "list",
}
MAPPINGS: dict[str, MappingContainer] = {
    "dict": "dict",
    "typing.Dict": "dict",
    "typing.MutableMapping": "dict",
    "collections.abc.MutableMapping": "dict",
    "typing.Mapping": "mapping",
    "collections.abc.Mapping": "mapping",
}
TUPLES = frozenset({"tuple", "typing.Tuple"})
UNIONS = frozenset({"typing.Union"})
OPTIONALS = frozenset({"typing.Optional"})
LITERALS = frozenset({"typing.Literal"})
ANNOTATED = frozenset({"typing.Annotated"})
# Wrappers whose first argument is the type: `Required[int]` is `int`.
WRAPPERS = frozenset({"typing.Required", "typing.NotRequired", "typing.ReadOnly", "typing.Final", "typing.ClassVar"})
CALLABLES = frozenset({"typing.Callable", "collections.abc.Callable"})
CLASS_OBJECTS = frozenset({"type", "typing.Type"})
GENERIC = frozenset({"typing.Generic"})
TYPE_VAR = frozenset({"typing.TypeVar"})
NEW_TYPE = frozenset({"typing.NewType"})
TYPE_ALIAS = frozenset({"typing.TypeAlias"})
TYPE_CHECKING = frozenset({"typing.TYPE_CHECKING"})
CLASS_VAR = frozenset({"typing.ClassVar"})
REQUIRED = frozenset({"typing.Required"})
NOT_REQUIRED = frozenset({"typing.NotRequired"})

DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
DATACLASS_FIELD = frozenset({"dataclasses.field"})
INIT_VAR = frozenset({"dataclasses.InitVar"})
KW_ONLY = frozenset({"dataclasses.KW_ONLY"})

ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.ReprEnum"})
FLAG_BASES = frozenset({"enum.Flag", "enum.IntFlag"})
STR_ENUM = frozenset({"enum.StrEnum"})
ENUM_AUTO = frozenset({"enum.auto"})
TYPED_DICT = frozenset({"typing.TypedDict"})
NAMED_TUPLE = frozenset({"typing.NamedTuple"})
NAMEDTUPLE_FACTORY = frozenset({"collections.namedtuple"})

# Every name of the `builtins` module (a module binding of the same name shadows it),
# so that `staticmethod`, `Exception` or `range` resolve as they do at run time.
BUILTIN_TYPES = frozenset(dir(builtins)) | {"None"}

# Where mutable containers come from, for the mutable-default rule.
MUTABLE_FACTORIES = frozenset(
    {
        "list",
        "dict",
        "set",
        "bytearray",
        "collections.deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
    }
)


def normalize(qualified: str) -> str:
    """Map equivalent spellings of one name to the form used in the tables above."""
    for prefix in ("typing_extensions.", "builtins."):
        if qualified.startswith(prefix):
            rest = qualified[len(prefix) :]
            return rest if prefix == "builtins." else "typing." + rest
    if qualified.startswith("_collections_abc."):
        return "collections.abc." + qualified[len("_collections_abc.") :]
    if qualified == "types.NoneType":
        return "None"
    return qualified
