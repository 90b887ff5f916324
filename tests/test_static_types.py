"""The static type model of each annotation equals the one the runtime builds from live objects.

Each test writes a module under `tmp_path`, reads it with the static pass, then
imports it and reads the same task's `TaskMetadata`. Names that do not exist when
the task runs must come out as `UnresolvedType` on both sides.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest
from parity_support import TaskView, both_views, static_views, write_files

from task_lint.model.types import ArrayType, UnionType, UnresolvedType
from task_lint.static.annotations import StaticTypeReader
from task_lint.static.checker import analyse_path, analyse_source
from task_lint.static.project import Project
from task_lint.static.source import SourceFile

# Every probe module starts with these imports and types, so the annotations below can use them.
HEADER = """\
import collections
import collections.abc as cabc
import datetime as dt
import enum
import typing as t
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from typing import (
    Annotated, Any, Callable, Dict, FrozenSet, Generic, List, Literal, Mapping,
    NamedTuple, NewType, Optional, Set, Tuple, TypedDict, TypeVar, Union,
)
from typing import Optional as Opt
from uuid import UUID

from task_lint import task

T = TypeVar("T")
UserId = NewType("UserId", int)
Rows = list[dict[str, int]]


class Color(enum.Enum):
    RED = 1
    GREEN = enum.auto()


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Mode(str, enum.Enum):
    FAST = "fast"


@dataclass
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


@dataclass
class Box(Generic[T]):
    item: T
    items: list[T]


class Options(TypedDict, total=False):
    verbose: bool
    depth: int


class Pair(NamedTuple):
    left: str
    right: str = ""


Coord = collections.namedtuple("Coord", "x y")
"""

ANNOTATIONS: dict[str, str] = {
    "int": "int",
    "bytes": "bytes",
    "none": "None",
    "pep604_union": "int | str | None",
    "optional": "Optional[int]",
    "optional_alias": "Opt[Decimal]",
    "nested_union": "Union[int, Union[str, None]]",
    "list": "list[int]",
    "typing_list": "List[int]",
    "bare_list": "list",
    "dict": "dict[str, float]",
    "typing_dict": "Dict[str, List[int]]",
    "bare_dict": "Dict",
    "mapping": "Mapping[str, int]",
    "abc_sequence": "cabc.Sequence[str]",
    "set": "set[bytes]",
    "frozenset": "FrozenSet[int]",
    "typing_set": "Set[str]",
    "tuple_fixed": "tuple[int, str]",
    "tuple_variadic": "Tuple[int, ...]",
    "tuple_empty": "tuple[()]",
    "literal": "Literal['a', 1, True, None]",
    "literal_nested": "Literal[Literal['a'], 'b']",
    "literal_enum": "Literal[Color.RED, 'x']",
    "annotated": "Annotated[int, 'metadata']",
    "module_alias": "dt.datetime",
    "date": "dt.date",
    "time": "dt.time",
    "timedelta": "dt.timedelta",
    "decimal": "Decimal",
    "uuid": "UUID",
    "path": "Path",
    "pure_path": "PurePath",
    "typing_module": "t.Optional[t.List[int]]",
    "any": "Any",
    "object": "object",
    "callable": "Callable[[int], str]",
    "class_object": "type[int]",
    "non_str_keys": "dict[int, str]",
    "builtin_exception": "ValueError",
    "builtin_range": "range",
    "newtype": "UserId",
    "alias": "Rows",
    "enum": "Color",
    "int_enum": "Level",
    "str_mixin_enum": "Mode",
    "dataclass": "Point",
    "generic_dataclass": "Box[Point]",
    "typeddict": "Options",
    "namedtuple": "Pair",
    "namedtuple_factory": "Coord",
    "string": "'list[int]'",
    "nested_quotes": "\"dict[str, 'Decimal']\"",
    "string_in_subscript": "list['Point']",
    "string_in_union": "Optional['Color']",
}


def probe_module(annotation: str, future: bool) -> str:
    prefix = "from __future__ import annotations\n" if future else ""
    return f"{prefix}{HEADER}\n\n@task\ndef probe(value: {annotation}) -> {annotation}:\n    pass\n"


def single_task(views: dict[str, TaskView]) -> TaskView:
    assert len(views) == 1
    return next(iter(views.values()))


@pytest.mark.parametrize("future", [False, True], ids=["eager", "future"])
@pytest.mark.parametrize("case", list(ANNOTATIONS))
def test_annotation_matches_runtime(tmp_path: Path, case: str, future: bool) -> None:
    module = f"probe_{case}"
    static, runtime = both_views(tmp_path, {f"{module}.py": probe_module(ANNOTATIONS[case], future)})
    static_task, runtime_task = single_task(static), single_task(runtime)

    assert static_task.description.parameters[0].annotation == runtime_task.description.parameters[0].annotation
    assert static_task.description.returns == runtime_task.description.returns
    assert static_task.description.definitions == runtime_task.description.definitions


@pytest.mark.skipif(sys.version_info < (3, 12), reason="`type` statements are new in Python 3.12")
def test_type_statement_matches_runtime(tmp_path: Path) -> None:
    source = f"{HEADER}\ntype Names = list[str]\n\n\n@task\ndef probe(value: Names) -> Names:\n    pass\n"
    static, runtime = both_views(tmp_path, {"probe_type_statement.py": source})

    assert single_task(static).description == single_task(runtime).description


@pytest.mark.skipif(sys.version_info < (3, 12), reason="type parameter lists are new in Python 3.12")
def test_type_parameters_match_runtime(tmp_path: Path) -> None:
    source = """\
    from dataclasses import dataclass
    from typing import TypedDict

    from task_lint import task


    @dataclass
    class Box[T]:
        item: T
        items: "list[T]"


    class Keyed[K](TypedDict):
        key: K


    @dataclass
    class Outer[V]:
        inner: Box[V]
        keyed: Keyed[V]


    @task
    def probe(bound: Box[int], unbound: Box, outer: Outer[str]) -> Box[str]:
        pass
    """
    static, runtime = both_views(tmp_path, {"probe_type_params.py": source})

    assert single_task(static).description == single_task(runtime).description


@pytest.mark.skipif(sys.version_info < (3, 11), reason="`enum.StrEnum` is new in Python 3.11")
def test_str_enum_auto_matches_runtime(tmp_path: Path) -> None:
    source = """\
    import enum

    from task_lint import task


    class Channel(enum.StrEnum):
        EMAIL = enum.auto()
        SMS = "text"


    @task
    def probe(channel: Channel = Channel.EMAIL) -> Channel:
        return channel
    """
    static, runtime = both_views(tmp_path, {"probe_str_enum.py": source})

    assert single_task(static).description == single_task(runtime).description


# --- Names that do not exist when the task runs ---------------------------------------------

UNRESOLVED_MODULE = """\
{future}
import typing
from typing import TYPE_CHECKING, Optional

from task_lint import task

if TYPE_CHECKING:
    import decimal
    from decimal import Decimal
if typing.TYPE_CHECKING:
    from uuid import UUID


@task
def checking_only(amount: "Decimal") -> None:
    pass


@task
def module_attribute(amount: "decimal.Decimal") -> None:
    pass


@task
def typing_attribute_guard(order_id: "UUID") -> None:
    pass


@task
def nested(amounts: list["Decimal"], maybe: Optional["Decimal"] = None) -> "dict[str, Decimal]":
    pass


@task
def unknown(value: "Missing", values: "list['AlsoMissing']") -> None:
    pass
"""


@pytest.mark.parametrize("future", [False, True], ids=["eager", "future"])
def test_unresolved_names_match_runtime(tmp_path: Path, future: bool) -> None:
    source = UNRESOLVED_MODULE.format(future="from __future__ import annotations" if future else "")
    static, runtime = both_views(tmp_path, {"probe_unresolved.py": source})

    assert sorted(static) == sorted(runtime)
    for name, static_task in static.items():
        assert static_task.description.parameters == runtime[name].description.parameters, name
        assert static_task.description.returns == runtime[name].description.returns, name
        assert static_task.problems == runtime[name].problems, name


def test_type_checking_name_unresolved(tmp_path: Path) -> None:
    static, _ = both_views(tmp_path, {"probe_unresolved.py": UNRESOLVED_MODULE.format(future="")})
    amount = static["probe_unresolved:checking_only"].description.parameters[0].annotation

    assert amount == UnresolvedType("Decimal", "name `Decimal` is not defined when the task runs")


@pytest.mark.parametrize("future", [False, True], ids=["eager", "future"])
def test_call_in_annotation_is_not_a_type(tmp_path: Path, future: bool) -> None:
    # Only read from source: importing this module would run the calls.
    prefix = "from __future__ import annotations\n" if future else ""
    source = f"""{prefix}from task_lint import task


@task
def called(x: __import__("os").getcwd(), y: __import__("os").sep, z: "__import__('os').sep") -> None:
    pass
"""
    write_files(tmp_path, {"probe_calls.py": source})
    parameters = static_views(tmp_path)["probe_calls:called"].description.parameters

    reasons = [parameter.annotation.reason for parameter in parameters]  # type: ignore[union-attr]
    assert reasons == ["is not a type expression that task-lint can read without running code"] * 3


def test_type_checking_module_unresolved(tmp_path: Path) -> None:
    static, _ = both_views(tmp_path, {"probe_unresolved.py": UNRESOLVED_MODULE.format(future="")})
    amount = static["probe_unresolved:module_attribute"].description.parameters[0].annotation

    assert amount == UnresolvedType("decimal.Decimal", "name `decimal` is not defined when the task runs")


def test_unknown_name_unresolved(tmp_path: Path) -> None:
    static, _ = both_views(tmp_path, {"probe_unresolved.py": UNRESOLVED_MODULE.format(future="")})
    value, values = static["probe_unresolved:unknown"].description.parameters

    assert value.annotation == UnresolvedType("Missing", "name `Missing` is not defined when the task runs")
    assert values.annotation == UnresolvedType(
        "list['AlsoMissing']", "name `AlsoMissing` is not defined when the task runs"
    )


def test_string_in_subscript_unresolved_alone(tmp_path: Path) -> None:
    static, _ = both_views(tmp_path, {"probe_unresolved.py": UNRESOLVED_MODULE.format(future="")})
    amounts, maybe = static["probe_unresolved:nested"].description.parameters

    assert isinstance(amounts.annotation, ArrayType)
    assert isinstance(amounts.annotation.item, UnresolvedType)
    assert isinstance(maybe.annotation, UnionType)


def test_future_annotation_unresolved_whole(tmp_path: Path) -> None:
    source = UNRESOLVED_MODULE.format(future="from __future__ import annotations")
    static, _ = both_views(tmp_path, {"probe_unresolved.py": source})
    amounts, maybe = static["probe_unresolved:nested"].description.parameters

    assert amounts.annotation == UnresolvedType("list['Decimal']", "name `Decimal` is not defined when the task runs")
    assert maybe.annotation == UnresolvedType("Optional['Decimal']", "name `Decimal` is not defined when the task runs")


def test_local_class_invisible_to_strings(tmp_path: Path) -> None:
    source = """\
    from task_lint import task


    def build():
        class Local:
            pass

        @task
        def nested(value: "Local") -> None:
            pass

        return nested


    build()
    """
    static, runtime = both_views(tmp_path, {"probe_local.py": source})
    name = "probe_local:build.<locals>.nested"

    assert static[name].description.parameters == runtime[name].description.parameters
    assert isinstance(static[name].description.parameters[0].annotation, UnresolvedType)


# --- Classes from other modules of the project ----------------------------------------------

MODELS = """\
import enum
from dataclasses import dataclass
from typing import NamedTuple, TypedDict

from typing_extensions import NotRequired, Required


class Status(enum.Enum):
    NEW = "new"
    DONE = "done"


@dataclass
class Base:
    id: int


@dataclass
class Item(Base):
    sku: str
    status: Status = Status.NEW


class Totals(TypedDict, total=False):
    net: Required[float]
    tax: float


class Strict(TypedDict):
    code: str
    note: NotRequired[str]


class Range(NamedTuple):
    low: int
    high: int = 10
"""


def test_project_classes_match_runtime(tmp_path: Path) -> None:
    files = {
        "crossmod_types/__init__.py": "from crossmod_types.models import Status as PublicStatus\n",
        "crossmod_types/models.py": MODELS,
        "crossmod_types/tasks.py": """\
        from __future__ import annotations

        import crossmod_types.models as m
        from crossmod_types import PublicStatus
        from crossmod_types.models import Item, Range, Strict, Totals

        from task_lint import task


        @task
        def record(item: Item, totals: Totals, strict: Strict, bounds: Range, status: PublicStatus) -> m.Item:
            return item


        @task
        def qualified(items: list[m.Item], bounds: "m.Range | None" = None) -> dict[str, m.Totals]:
            return {}
        """,
    }
    static, runtime = both_views(tmp_path, files)

    assert sorted(static) == sorted(runtime)
    for name, static_task in static.items():
        assert static_task.description.parameters == runtime[name].description.parameters, name
        assert static_task.description.returns == runtime[name].description.returns, name
        assert static_task.description.definitions == runtime[name].description.definitions, name


# --- Definitions reused across tasks ------------------------------------------------

SHARED_MODELS = """\
import enum
from dataclasses import dataclass, field

from shared_defs.places import Address


class Tag(enum.Enum):
    NEW = "new"
    OLD = "old"


@dataclass
class Item:
    sku: str
    tag: Tag = Tag.NEW
    ship_to: Address = field(default_factory=lambda: Address("Oslo"))
"""

SHARED_TASKS = """\
from shared_defs.models import Address, Item, Tag
from shared_defs.other import Item as OtherItem

from task_lint import task


@task
def first(item: Item) -> None:
    pass


@task
def other_first(other: OtherItem, item: Item) -> None:
    pass


@task
def nested_first(address: Address, tag: Tag, item: Item) -> None:
    pass


@task
def repeated(items: list[Item], again: Item, other: OtherItem) -> Item:
    return again
"""

SHARED_FILES = {
    "shared_defs/__init__.py": "",
    "shared_defs/models.py": SHARED_MODELS,
    "shared_defs/places.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Address:\n    city: str\n",
    "shared_defs/other.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Item:\n    code: int\n",
    "shared_defs/tasks.py": SHARED_TASKS,
}


def test_shared_classes_match_runtime(tmp_path: Path) -> None:
    # `other_first` gives the other module's `Item` the short key first, and
    # `nested_first` has `Address` and `Tag` before it reaches `Item`. A class read
    # for an earlier task must not bring that task's keys along.
    static, runtime = both_views(tmp_path, SHARED_FILES)

    assert sorted(static) == sorted(runtime)
    for name, static_task in static.items():
        assert static_task.description == runtime[name].description, name
        assert static_task.input_schema == runtime[name].input_schema, name
    assert "shared_defs.models.Item" in static["shared_defs.tasks:other_first"].description.definitions


def test_shared_class_fields_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, SHARED_FILES)
    reads: list[str] = []
    original = StaticTypeReader._object_fields

    def counting(self: StaticTypeReader, classdef: ast.ClassDef, *args: Any) -> Any:
        reads.append(classdef.name)
        return original(self, classdef, *args)

    monkeypatch.setattr(StaticTypeReader, "_object_fields", counting)
    static_views(tmp_path)

    # A fresh read for each task would read `Item` 6 times and `Address` 4 times.
    # Reads that stay: the first of each class, and those where a clash of keys
    # gives the class another key (models.Item in `other_first`, other.Item in
    # `repeated`) or where the task held `Address` before `Item` named it.
    assert reads.count("Item") == 4
    assert reads.count("Address") == 3


def test_reused_class_still_counts_as_dependency(tmp_path: Path) -> None:
    write_files(tmp_path, SHARED_FILES)
    more = """\
    from shared_defs.models import Item
    from task_lint import task


    @task
    def again(item: Item) -> None:
        pass
    """
    write_files(tmp_path, {"shared_defs/more.py": more})
    project = Project()
    places = str((tmp_path / "shared_defs" / "places.py").resolve())

    analyse_path(project, str(tmp_path / "shared_defs" / "tasks.py"))
    later = analyse_path(project, str(tmp_path / "shared_defs" / "more.py"))

    # more.py names only models.py; the fields of `Item` lead on to places.py.
    assert places in later.dependencies


def test_edited_shared_class_read_again(tmp_path: Path) -> None:
    write_files(tmp_path, SHARED_FILES)
    project = Project()
    tasks = str(tmp_path / "shared_defs" / "tasks.py")
    models = tmp_path / "shared_defs" / "models.py"
    assert [finding for finding in analyse_path(project, tasks).findings if finding.code != "TSK901"] == []

    edited = SourceFile(
        "import threading\n" + SHARED_MODELS.replace("    sku: str\n", "    sku: str\n    lock: threading.Lock\n")
    )
    analyse_source(project, edited, str(models))
    findings = analyse_path(project, tasks).findings
    fresh = Project()
    fresh.set_source(str(models), edited)

    assert findings == analyse_path(fresh, tasks).findings
    assert [finding.line for finding in findings if finding.code == "TSK301"] == [8, 13, 18, 23, 23, 23]


def test_empty_subscripts_read_without_crash(tmp_path: Path) -> None:
    # Found by the fuzz test: `list[()]` and friends have an empty argument tuple.
    source = """\
from typing import Optional, Union

from task_lint import task


@task
def empty(items: list[()], maybe: "Optional[()]", either: "Union[()]", tags: "set[()]") -> list[()]:
    pass
"""
    static, runtime = both_views(tmp_path, {"probe_empty.py": source})
    static_task, runtime_task = single_task(static), single_task(runtime)
    parameters = static_task.description.parameters

    assert parameters[0].annotation == runtime_task.description.parameters[0].annotation
    assert parameters[3].annotation == runtime_task.description.parameters[3].annotation
    assert static_task.description.returns == runtime_task.description.returns
    assert parameters[1].annotation == UnresolvedType("Optional[()]", "`Optional` takes exactly one type")
    assert parameters[2].annotation == UnresolvedType("Union[()]", "`Union` takes at least one type")


def test_nul_in_string_annotation_unresolved(tmp_path: Path) -> None:
    # Found by the fuzz test: Python 3.10 and 3.11 raise ValueError for a NUL.
    source = 'from task_lint import task\n\n\n@task\ndef nul(a: "\\x00") -> None:\n    pass\n'
    write_files(tmp_path, {"probe_nul.py": source})
    annotation = static_views(tmp_path)["probe_nul:nul"].description.parameters[0].annotation

    assert isinstance(annotation, UnresolvedType)
    assert annotation.reason.startswith("SyntaxError: ")
