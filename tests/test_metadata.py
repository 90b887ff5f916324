"""`TaskMetadata`, `TaskAnalyzer` and strict mode."""

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import task_lint
from task_lint import Task, TaskAnalyzer, TaskDefinitionError, TaskDefinitionWarning, TaskMetadata, task


class Connection:
    """A class with no JSON form."""


def resize_image(path: str, width: int = 100, *, keep_ratio: bool = True) -> dict[str, int]:
    """Resize an image.

    Args:
        path: Where the image is stored.
        width: Target width in pixels.
        keep_ratio: Whether the height follows the width.

    Returns:
        The new size.
    """
    return {"width": width}


def untyped_job(count, label: str):  # type: ignore[no-untyped-def]  # missing annotations on purpose
    return label * count


def define_with_warning(func: Callable[..., Any], **options: Any) -> Task:
    """Define a task that has annotation problems, expecting its definition warning."""
    with pytest.warns(TaskDefinitionWarning):
        return task(**options)(func)


def problem_pairs(metadata: TaskMetadata) -> list[tuple[str, str | None]]:
    return [(problem.code, problem.parameter) for problem in metadata.problems]


# --- fields -------------------------------------------------------------------------


def test_metadata_names_and_module() -> None:
    metadata = task(resize_image).metadata

    assert isinstance(metadata, TaskMetadata)
    assert metadata.name == "resize_image"
    assert metadata.module == __name__
    assert metadata.qualname == "resize_image"
    assert metadata.qualified_name == f"{__name__}:resize_image"
    assert metadata.func is resize_image


def test_metadata_signature_field() -> None:
    metadata = task(resize_image).metadata

    assert metadata.signature == inspect.signature(resize_image)


def test_metadata_doc_is_cleaned_docstring() -> None:
    metadata = task(resize_image).metadata

    assert metadata.doc == inspect.cleandoc(resize_image.__doc__ or "")
    assert metadata.doc.startswith("Resize an image.\n\nArgs:\n    path: Where")


def test_metadata_doc_without_docstring() -> None:
    def silent(n: int) -> int:
        return n

    assert task(silent).metadata.doc == "No description available"


def test_metadata_doc_blank_docstring() -> None:
    def blank(n: int) -> int:
        """ """
        return n

    assert task(blank).metadata.doc == "No description available"


def test_input_schema_maps_names_to_types() -> None:
    metadata = task(resize_image).metadata

    assert metadata.input_schema == {"path": str, "width": int, "keep_ratio": bool}


def test_input_schema_any_for_missing_annotation() -> None:
    metadata = define_with_warning(untyped_job).metadata

    assert metadata.input_schema == {"count": Any, "label": str}


def test_output_type_from_return_annotation() -> None:
    metadata = task(resize_image).metadata

    assert metadata.output_type == dict[str, int]


def test_output_type_any_when_missing() -> None:
    metadata = define_with_warning(untyped_job).metadata

    assert metadata.output_type is Any


def test_class_task_input_schema_skips_self() -> None:
    class Export(metaclass=Task):
        def execute(self, path: str, rows: int) -> None:
            return None

    assert Export.metadata.input_schema == {"path": str, "rows": int}
    assert Export.metadata.problems == []


def test_json_schema_of_inputs() -> None:
    schema = task(resize_image).metadata.json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["title"] == "resize_image"
    assert schema["description"] == "Resize an image."
    assert schema["required"] == ["path"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["path"]["type"] == "string"
    assert schema["properties"]["path"]["description"] == "Where the image is stored."
    assert schema["properties"]["width"]["type"] == "integer"
    assert schema["properties"]["width"]["default"] == 100
    assert schema["properties"]["keep_ratio"]["type"] == "boolean"
    assert schema["properties"]["keep_ratio"]["default"] is True


def test_output_json_schema_of_result() -> None:
    schema = task(resize_image).metadata.output_json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] == {"type": "integer"}
    assert schema["description"] == "The new size."


def test_metadata_repr_names_task() -> None:
    metadata = task(resize_image).metadata

    assert repr(metadata) == f"<TaskMetadata {__name__}:resize_image id={metadata.id}>"


# --- problems -----------------------------------------------------------------------


def test_complete_annotations_have_no_problems() -> None:
    assert task(resize_image).metadata.problems == []


def test_missing_parameter_annotation_is_tsk101() -> None:
    metadata = define_with_warning(untyped_job).metadata

    problems = metadata.problems

    assert problems[0].code == "TSK101"
    assert problems[0].parameter == "count"
    assert "`count`" in problems[0].message
    assert "`untyped_job`" in problems[0].message


def test_missing_return_annotation_is_tsk102() -> None:
    metadata = define_with_warning(untyped_job).metadata

    assert problem_pairs(metadata) == [("TSK101", "count"), ("TSK102", None)]
    assert metadata.problems[1].message == "task `untyped_job` has no return annotation"


def test_unresolvable_annotation_is_tsk103() -> None:
    def ship(order: "Ordr", count: int) -> None:  # type: ignore[name-defined]  # noqa: F821  # a typo on purpose
        return None

    metadata = task(ship).metadata

    assert problem_pairs(metadata) == [("TSK103", "order")]
    assert "`Ordr`" in metadata.problems[0].message
    assert "parameter `order`" in metadata.problems[0].message


def test_unsupported_parameter_type_is_tsk301() -> None:
    def apply(func: Callable[[int], int], conn: Connection, n: int) -> int:
        return n

    metadata = define_with_warning(apply).metadata

    assert problem_pairs(metadata) == [("TSK301", "func"), ("TSK301", "conn")]
    assert "parameter `func`" in metadata.problems[0].message
    assert "parameter `conn`" in metadata.problems[1].message


def test_unsupported_return_type_is_tsk301() -> None:
    def connect(url: str) -> Connection:
        return Connection()

    metadata = define_with_warning(connect).metadata

    assert problem_pairs(metadata) == [("TSK301", None)]
    assert "return type" in metadata.problems[0].message


def test_problem_str_starts_with_code() -> None:
    metadata = define_with_warning(untyped_job).metadata

    assert str(metadata.problems[0]) == "TSK101 parameter `count` of task `untyped_job` has no type annotation"


def test_variadic_parameters_checked_like_others() -> None:
    def gather(*items, **options: int) -> None:  # type: ignore[no-untyped-def]  # missing on purpose
        return None

    metadata = define_with_warning(gather).metadata

    assert problem_pairs(metadata) == [("TSK101", "items")]


# --- lazy resolution ----------------------------------------------------------------


FUTURE_ANNOTATIONS_MODULE = '''
from __future__ import annotations

from dataclasses import dataclass

from task_lint import task


@task
def ship(order: Order, count: int, note: "str | None" = None) -> list[Order]:
    """Ship an order."""
    return [order] * count


PROBLEMS_DURING_IMPORT = [(p.code, p.parameter) for p in ship.metadata.problems]


@dataclass
class Order:
    id: int
    items: list[str]
'''


def test_future_annotations_resolve_after_import(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("lazy_future_tasks", FUTURE_ANNOTATIONS_MODULE)

    metadata = module.ship.metadata

    assert metadata.input_schema == {"order": module.Order, "count": int, "note": str | None}
    assert metadata.output_type == list[module.Order]
    assert metadata.problems == []


def test_later_class_unresolved_during_import(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("lazy_during_import_tasks", FUTURE_ANNOTATIONS_MODULE)

    assert module.PROBLEMS_DURING_IMPORT == [("TSK103", "order"), ("TSK103", None)]
    assert module.ship.metadata.problems == []


def test_later_dataclass_in_json_schema(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("lazy_schema_tasks", FUTURE_ANNOTATIONS_MODULE)

    schema = module.ship.metadata.json_schema()

    assert schema["properties"]["order"]["$ref"] == "#/$defs/Order"
    assert schema["$defs"]["Order"]["properties"]["id"]["type"] == "integer"
    assert schema["$defs"]["Order"]["required"] == ["id", "items"]
    assert schema["properties"]["count"]["type"] == "integer"


def test_later_dataclass_validated_in_calls(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("lazy_call_tasks", FUTURE_ANNOTATIONS_MODULE)
    order = module.Order(1, ["book"])

    assert module.ship(order, 2) == [order, order]
    with pytest.raises(task_lint.TaskInputError) as excinfo:
        module.ship(module.Order(1, [7]), 1)
    assert excinfo.value.errors[0]["loc"] == ["order", "items", 0]


STRING_ANNOTATIONS_MODULE = """
from dataclasses import dataclass

from task_lint import task


@task
def archive(box: "Box", labels: "list[str]") -> "Box":
    return box


@dataclass
class Box:
    size: int
"""


def test_string_annotations_resolve_after_import(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("lazy_string_tasks", STRING_ANNOTATIONS_MODULE)

    metadata = module.archive.metadata

    assert metadata.input_schema == {"box": module.Box, "labels": list[str]}
    assert metadata.output_type is module.Box
    assert metadata.problems == []


STRICT_FORWARD_MODULE = """
from __future__ import annotations

from dataclasses import dataclass

from task_lint import task


@task(strict=True)
def pack(item: Parcel) -> Parcel:
    return item


@dataclass
class Parcel:
    weight: float
"""


def test_strict_accepts_forward_reference(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("lazy_strict_tasks", STRICT_FORWARD_MODULE)

    assert module.pack.metadata.problems == []
    assert module.pack(module.Parcel(1.5)) == module.Parcel(1.5)


TYPE_CHECKING_MODULE = """
from __future__ import annotations

from typing import TYPE_CHECKING

from task_lint import task

if TYPE_CHECKING:
    from decimal import Decimal


@task
def charge(customer: str, amount: Decimal, retries: int = 3) -> bool:
    return True
"""


def test_type_checking_name_is_parameter_problem(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("type_checking_tasks", TYPE_CHECKING_MODULE)

    problems = module.charge.metadata.problems

    assert [(p.code, p.parameter) for p in problems] == [("TSK103", "amount")]
    assert "`Decimal`" in problems[0].message


def test_type_checking_import_keeps_other_types(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("type_checking_other_tasks", TYPE_CHECKING_MODULE)

    metadata = module.charge.metadata

    assert metadata.input_schema["customer"] is str
    assert metadata.input_schema["retries"] is int
    assert metadata.input_schema["amount"] == "Decimal"
    assert metadata.output_type is bool
    assert metadata.json_schema()["properties"]["customer"]["type"] == "string"
    assert metadata.json_schema()["properties"]["retries"]["type"] == "integer"


def test_type_checking_import_still_validates_others(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("type_checking_call_tasks", TYPE_CHECKING_MODULE)

    with pytest.raises(task_lint.TaskInputError) as excinfo:
        module.charge(7, "12.50")

    assert [error["loc"] for error in excinfo.value.errors] == [["customer"]]


def test_type_checking_import_no_definition_warning(load_module: Callable[[str, str], Any]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_module("type_checking_quiet_tasks", TYPE_CHECKING_MODULE)

    assert [w for w in caught if issubclass(w.category, TaskDefinitionWarning)] == []


# --- TaskAnalyzer -------------------------------------------------------------------


ANALYZER_KEYS = {
    "id",
    "name",
    "qualified_name",
    "module",
    "doc",
    "source",
    "input_schema",
    "output_type",
    "json_schema",
    "problems",
}


def test_analyze_task_returns_all_keys() -> None:
    resize_task = task(resize_image)

    analysis = TaskAnalyzer.analyze_task(resize_task)

    assert set(analysis) == ANALYZER_KEYS


def test_analyze_task_values() -> None:
    resize_task = task(name="images.resize")(resize_image)
    metadata = resize_task.metadata

    analysis = TaskAnalyzer.analyze_task(resize_task)

    assert analysis["id"] == metadata.id
    assert analysis["name"] == "images.resize"
    assert analysis["qualified_name"] == f"{__name__}:resize_image"
    assert analysis["module"] == __name__
    assert analysis["doc"] == metadata.doc
    assert analysis["input_schema"] == {"path": str, "width": int, "keep_ratio": bool}
    assert analysis["output_type"] == dict[str, int]
    assert analysis["json_schema"] == metadata.json_schema()
    assert analysis["problems"] == []


def test_analyze_task_source_is_function_source() -> None:
    analysis = TaskAnalyzer.analyze_task(task(resize_image))

    assert analysis["source"] == inspect.getsource(resize_image)
    assert analysis["source"].startswith("def resize_image(")


def test_analyze_task_problems_as_text() -> None:
    analysis = TaskAnalyzer.analyze_task(define_with_warning(untyped_job))

    assert analysis["problems"] == [
        "TSK101 parameter `count` of task `untyped_job` has no type annotation",
        "TSK102 task `untyped_job` has no return annotation",
    ]


def test_analyze_task_source_none_for_exec_code() -> None:
    source = "from task_lint import task\n\n@task\ndef generated(n: int) -> int:\n    return n\n"
    namespace: dict[str, Any] = {"__name__": "generated_tasks"}

    exec(compile(source, "<generated>", "exec"), namespace)
    analysis = TaskAnalyzer.analyze_task(namespace["generated"])

    assert analysis["source"] is None
    assert analysis["qualified_name"] == "generated_tasks:generated"
    assert analysis["input_schema"] == {"n": int}


@pytest.mark.parametrize("value", [len, resize_image, Connection, "resize_image", None, 3])
def test_analyze_task_rejects_non_task(value: Any) -> None:
    with pytest.raises(ValueError) as excinfo:
        TaskAnalyzer.analyze_task(value)

    assert "is not a task" in str(excinfo.value)


def test_analyze_all_covers_registry() -> None:
    first = task(resize_image)

    class Export(metaclass=Task):
        def execute(self, path: str) -> None:
            return None

    analyses = TaskAnalyzer.analyze_all()

    assert [a["id"] for a in analyses] == [first.metadata.id, Export.metadata.id]


# --- strict mode and definition warnings --------------------------------------------


def unsupported_and_untyped(first, conn: Connection, second: int):  # type: ignore[no-untyped-def]  # on purpose
    return None


def test_strict_option_raises_definition_error(task_registry: task_lint.Registry) -> None:
    with pytest.raises(TaskDefinitionError) as excinfo:
        task(strict=True)(unsupported_and_untyped)

    message = str(excinfo.value)
    assert "TSK101 parameter `first`" in message
    assert "TSK301 parameter `conn`" in message
    assert "TSK102 task `unsupported_and_untyped`" in message
    assert "`second`" not in message
    assert len(task_registry) == 0


def test_strict_error_counts_problems() -> None:
    with pytest.raises(TaskDefinitionError) as excinfo:
        task(strict=True)(unsupported_and_untyped)

    assert "3 annotation problem(s)" in str(excinfo.value)


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_strict_environment_raises(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TASK_LINT_STRICT", value)

    with pytest.raises(TaskDefinitionError) as excinfo:
        task(unsupported_and_untyped)

    assert "TSK101 parameter `first`" in str(excinfo.value)
    assert "TSK301 parameter `conn`" in str(excinfo.value)


@pytest.mark.parametrize("value", ["0", "", "false", "no"])
def test_non_strict_environment_warns(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TASK_LINT_STRICT", value)

    with pytest.warns(TaskDefinitionWarning):
        task(unsupported_and_untyped)


def test_strict_false_overrides_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASK_LINT_STRICT", "1")

    with pytest.warns(TaskDefinitionWarning):
        unsupported_task = task(strict=False)(unsupported_and_untyped)

    assert isinstance(unsupported_task, Task)


def test_strict_environment_accepts_complete_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASK_LINT_STRICT", "1")

    resize_task = task(resize_image)

    assert resize_task.metadata.problems == []


def test_strict_class_keyword_raises() -> None:
    with pytest.raises(TaskDefinitionError) as excinfo:

        class Export(metaclass=Task, strict=True):
            def execute(self, path) -> None:  # type: ignore[no-untyped-def]  # missing on purpose
                return None

    assert "TSK101 parameter `path`" in str(excinfo.value)
    assert "`self`" not in str(excinfo.value)


def test_one_warning_per_task() -> None:
    with pytest.warns(TaskDefinitionWarning) as record:
        task(unsupported_and_untyped)

    definition_warnings = [w for w in record if issubclass(w.category, TaskDefinitionWarning)]
    assert len(definition_warnings) == 1


def test_warning_lists_every_problem() -> None:
    with pytest.warns(TaskDefinitionWarning) as record:
        task(unsupported_and_untyped)

    message = str(record[0].message)
    assert "TSK101 parameter `first`" in message
    assert "TSK301 parameter `conn`" in message
    assert "TSK102 task `unsupported_and_untyped`" in message


def test_warning_points_at_task_function() -> None:
    with pytest.warns(TaskDefinitionWarning) as record:
        task(unsupported_and_untyped)

    assert record[0].filename == __file__
    assert record[0].lineno == unsupported_and_untyped.__code__.co_firstlineno


def test_two_tasks_give_two_warnings() -> None:
    def other_untyped(value):  # type: ignore[no-untyped-def]  # missing on purpose
        return value

    with pytest.warns(TaskDefinitionWarning) as record:
        task(unsupported_and_untyped)
        task(other_untyped)

    definition_warnings = [w for w in record if issubclass(w.category, TaskDefinitionWarning)]
    assert len(definition_warnings) == 2
    assert "unsupported_and_untyped" in str(definition_warnings[0].message)
    assert "other_untyped" in str(definition_warnings[1].message)


def test_complete_task_gives_no_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        task(resize_image)

    assert [w for w in caught if issubclass(w.category, TaskDefinitionWarning)] == []


def test_warned_task_still_registered(task_registry: task_lint.Registry) -> None:
    with pytest.warns(TaskDefinitionWarning):
        unsupported_task = task(unsupported_and_untyped)

    assert task_registry.all() == [unsupported_task]
    assert unsupported_task(1, Connection(), 2) is None
