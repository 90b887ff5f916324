"""`@task`, `@task(...)` and class-based tasks made with the `Task` metaclass."""

import asyncio
import functools
import inspect
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import task_lint
from task_lint import Task, TaskDefinitionError, TaskInputError, TaskOutputError, task


def resize_image(path: str, width: int = 100) -> str:
    """Resize an image to a width in pixels."""
    return f"{path}@{width}"


async def fetch_page(url: str, retries: int = 1) -> str:
    """Fetch a page."""
    await asyncio.sleep(0)
    return f"{url}#{retries}"


# --- @task on functions -------------------------------------------------------------


def test_bare_decorator_makes_task_class() -> None:
    resize_task = task(resize_image)

    assert isinstance(resize_task, Task)
    assert isinstance(resize_task, type)
    assert issubclass(Task, type)
    assert type(resize_task) is Task


def test_decorator_with_parentheses_makes_task_class() -> None:
    resize_task = task()(resize_image)

    assert isinstance(resize_task, Task)
    assert resize_task.metadata.name == "resize_image"


def test_class_name_is_camel_case_plus_task() -> None:
    def fetch_url_v2(url: str) -> str:
        return url

    assert task(resize_image).__name__ == "ResizeImageTask"
    assert task(fetch_url_v2).__name__ == "FetchUrlV2Task"


def test_class_name_keeps_existing_capitals() -> None:
    def parseHTML_page(text: str) -> str:  # mixed case on purpose
        return text

    assert task(parseHTML_page).__name__ == "ParseHTMLPageTask"


def test_function_kept_as_staticmethod_execute() -> None:
    resize_task = task(resize_image)

    assert isinstance(resize_task.__dict__["execute"], staticmethod)
    assert resize_task.execute is resize_image
    assert resize_task.execute("a.png", 3) == "a.png@3"


def test_function_attributes_copied_to_class() -> None:
    resize_task = task(resize_image)

    assert resize_task.__doc__ == resize_image.__doc__
    assert resize_task.__module__ == resize_image.__module__
    assert resize_task.__qualname__ == resize_image.__qualname__
    assert resize_task.__wrapped__ is resize_image


def test_nested_function_keeps_local_qualname() -> None:
    def local_job(n: int) -> int:
        return n

    job_task = task(local_job)

    assert job_task.__qualname__ == "test_nested_function_keeps_local_qualname.<locals>.local_job"
    assert job_task.metadata.qualified_name.endswith(":test_nested_function_keeps_local_qualname.<locals>.local_job")


def test_signature_of_class_equals_function() -> None:
    resize_task = task(resize_image)

    assert inspect.signature(resize_task) == inspect.signature(resize_image)


def test_signature_of_async_class_equals_function() -> None:
    fetch_task = task(fetch_page)

    assert inspect.signature(fetch_task) == inspect.signature(fetch_page)


def test_metadata_signature_equals_function() -> None:
    resize_task = task(resize_image)

    assert resize_task.metadata.signature == inspect.signature(resize_image)


def test_calling_class_runs_function() -> None:
    resize_task = task(resize_image)

    assert resize_task("a.png") == "a.png@100"
    assert resize_task("a.png", 20) == "a.png@20"
    assert resize_task(path="b.png", width=30) == "b.png@30"


def test_calling_class_validates_arguments() -> None:
    resize_task = task(resize_image)

    with pytest.raises(TaskInputError) as excinfo:
        resize_task("a.png", "20")

    assert excinfo.value.errors == [{"loc": ["width"], "msg": "expected int, got str", "input": "20"}]


def test_async_task_returns_coroutine() -> None:
    fetch_task = task(fetch_page)

    coroutine = fetch_task("https://example.test/", retries=3)

    assert inspect.iscoroutine(coroutine)
    assert asyncio.run(coroutine) == "https://example.test/#3"


def test_async_task_metadata_is_async() -> None:
    fetch_task = task(fetch_page)

    assert fetch_task.metadata.is_async is True
    assert task(resize_image).metadata.is_async is False


def test_async_task_validates_before_awaiting() -> None:
    fetch_task = task(fetch_page)

    with pytest.raises(TaskInputError) as excinfo:
        fetch_task(42)

    assert excinfo.value.errors[0]["loc"] == ["url"]


def test_async_task_with_options() -> None:
    fetch_task = task(name="pages.fetch", validate_return=True)(fetch_page)

    assert fetch_task.metadata.name == "pages.fetch"
    assert asyncio.run(fetch_task("u")) == "u#1"


def test_calling_class_creates_no_instance() -> None:
    resize_task = task(resize_image)

    result = resize_task("a.png")

    assert not isinstance(result, resize_task)
    assert isinstance(result, str)


# --- options ------------------------------------------------------------------------


def test_name_option_sets_task_name() -> None:
    resize_task = task(name="images.resize")(resize_image)

    assert resize_task.metadata.name == "images.resize"
    assert resize_task.metadata.explicit_name == "images.resize"
    assert resize_task.metadata.qualified_name == f"{__name__}:resize_image"


def test_default_name_is_function_name() -> None:
    resize_task = task(resize_image)

    assert resize_task.metadata.name == "resize_image"
    assert resize_task.metadata.explicit_name is None


def test_worker_options_stored_in_metadata() -> None:
    options = {
        "retries": 3,
        "retry_delay": 1.5,
        "time_limit": 60,
        "soft_time_limit": 50.0,
        "queue": "images",
        "validate_return": True,
        "strict": False,
    }

    resize_task = task(**options)(resize_image)

    assert resize_task.metadata.options == options


def test_zero_retries_accepted() -> None:
    resize_task = task(retries=0, retry_delay=0)(resize_image)

    assert resize_task.metadata.options["retries"] == 0
    assert resize_task.metadata.options["retry_delay"] == 0


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"colour": "red"}, "unknown task option 'colour'"),
        ({"retry": 3}, "unknown task option 'retry'"),
        ({"name": 3}, "option name= must be str"),
        ({"strict": "yes"}, "option strict= must be bool"),
        ({"strict": 1}, "option strict= must be bool"),
        ({"validate_return": None}, "option validate_return= must be bool"),
        ({"retries": 1.5}, "option retries= must be int"),
        ({"retries": True}, "option retries= must be int"),
        ({"retry_delay": "1s"}, "option retry_delay= must be int or float"),
        ({"time_limit": False}, "option time_limit= must be int or float"),
        ({"queue": None}, "option queue= must be str"),
    ],
)
def test_invalid_option_type_raises_type_error(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(TypeError) as excinfo:
        task(**options)

    assert fragment in str(excinfo.value)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"name": ""}, "option name= must not be empty"),
        ({"name": "   "}, "option name= must not be empty"),
        ({"retries": -1}, "option retries= must be 0 or more"),
        ({"retry_delay": -0.5}, "option retry_delay= must be 0 or more"),
        ({"time_limit": 0}, "option time_limit= must be more than 0"),
        ({"soft_time_limit": -1.0}, "option soft_time_limit= must be more than 0"),
    ],
)
def test_invalid_option_value_raises_value_error(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        task(**options)

    assert fragment in str(excinfo.value)


def test_unknown_option_message_lists_options() -> None:
    with pytest.raises(TypeError) as excinfo:
        task(colour="red")

    message = str(excinfo.value)
    for option in ("name", "queue", "retries", "strict", "validate_return"):
        assert option in message


def test_invalid_option_registers_nothing(task_registry: task_lint.Registry) -> None:
    with pytest.raises(TypeError):
        task(retries="3")

    assert len(task_registry) == 0


def test_decorating_class_raises_type_error() -> None:
    class Report:
        pass

    with pytest.raises(TypeError) as excinfo:
        task(Report)

    assert "metaclass=Task" in str(excinfo.value)


def test_decorating_non_callable_raises_type_error() -> None:
    with pytest.raises(TypeError):
        task(42)  # type: ignore[call-overload]  # a wrong argument on purpose


def test_validate_return_option_checks_result() -> None:
    def broken_count(text: str) -> int:
        return text  # type: ignore[return-value]  # a wrong result on purpose

    count_task = task(validate_return=True)(broken_count)

    with pytest.raises(TaskOutputError):
        count_task("abc")


def test_result_unchecked_without_validate_return() -> None:
    def broken_count(text: str) -> int:
        return text  # type: ignore[return-value]  # a wrong result on purpose

    count_task = task(broken_count)

    assert count_task("abc") == "abc"


# --- functions wrapped with functools.wraps -----------------------------------------


def log_calls(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def test_wrapped_function_keeps_inner_signature() -> None:
    @log_calls
    def scale(value: int, factor: float = 2.0) -> float:
        return value * factor

    scale_task = task(scale)

    assert scale_task.metadata.signature == inspect.signature(scale)
    assert list(scale_task.metadata.signature.parameters) == ["value", "factor"]


def test_wrapped_function_class_signature_is_inner() -> None:
    @log_calls
    def scale(value: int, factor: float = 2.0) -> float:
        return value * factor

    scale_task = task(scale)

    assert inspect.signature(scale_task) == inspect.signature(scale)
    assert list(inspect.signature(scale_task).parameters) == ["value", "factor"]


def test_wrapped_function_validated_by_inner_signature() -> None:
    @log_calls
    def scale(value: int, factor: float = 2.0) -> float:
        return value * factor

    scale_task = task(scale)

    assert scale_task(3) == 6.0
    with pytest.raises(TaskInputError) as excinfo:
        scale_task("3")
    assert excinfo.value.errors == [{"loc": ["value"], "msg": "expected int, got str", "input": "3"}]


def test_wrapped_function_rejects_unknown_keyword() -> None:
    @log_calls
    def scale(value: int) -> int:
        return value

    scale_task = task(scale)

    with pytest.raises(TaskInputError):
        scale_task(1, factor=2)


# --- class-based tasks --------------------------------------------------------------


def test_class_with_instance_execute() -> None:
    class Export(metaclass=Task):
        """Export rows to a file."""

        def execute(self, path: str, rows: int = 10) -> str:
            return f"{type(self).__name__}:{path}:{rows}"

    assert isinstance(Export, Task)
    assert Export("out.csv") == "Export:out.csv:10"
    assert list(Export.metadata.signature.parameters) == ["path", "rows"]


def test_class_with_staticmethod_execute() -> None:
    class Double(metaclass=Task):
        @staticmethod
        def execute(n: int) -> int:
            return n * 2

    assert Double(4) == 8
    assert list(Double.metadata.signature.parameters) == ["n"]


def test_class_with_classmethod_execute() -> None:
    class Describe(metaclass=Task):
        prefix = "value"

        @classmethod
        def execute(cls, n: int) -> str:
            return f"{cls.prefix}={n}"

    assert Describe(5) == "value=5"
    assert list(Describe.metadata.signature.parameters) == ["n"]


def test_class_task_validates_arguments() -> None:
    class Export(metaclass=Task):
        def execute(self, path: str) -> str:
            return path

    with pytest.raises(TaskInputError) as excinfo:
        Export(3)

    assert excinfo.value.errors == [{"loc": ["path"], "msg": "expected str, got int", "input": 3}]


def test_class_task_names_and_doc() -> None:
    class ExportRows(metaclass=Task):
        """Export rows to a file."""

        def execute(self, path: str) -> str:
            return path

    metadata = ExportRows.metadata

    assert metadata.name == "ExportRows"
    assert metadata.qualified_name == f"{__name__}:{ExportRows.__qualname__}"
    assert metadata.doc == "Export rows to a file."
    assert metadata.kind == "class"


def test_class_task_doc_from_execute() -> None:
    class ExportRows(metaclass=Task):
        def execute(self, path: str) -> str:
            """Write the rows."""
            return path

    assert ExportRows.metadata.doc == "Write the rows."


def test_class_task_through_base_class(task_registry: task_lint.Registry) -> None:
    class BaseJob(metaclass=Task):
        abstract = True

        def execute(self, n: int) -> int:
            return n + self.offset()

        def offset(self) -> int:
            return 0

    class ShiftedJob(BaseJob):
        def offset(self) -> int:
            return 100

    assert isinstance(ShiftedJob, Task)
    assert ShiftedJob(1) == 101
    assert task_registry.all() == [ShiftedJob]


def test_subclass_inherits_execute_from_task_base() -> None:
    class BaseJob(metaclass=Task):
        abstract = True

    class Greet(BaseJob):
        def execute(self, person: str) -> str:
            return f"hello {person}"

    assert Greet("ada") == "hello ada"


def test_abstract_base_not_registered(task_registry: task_lint.Registry) -> None:
    class BaseJob(metaclass=Task):
        abstract = True

    assert len(task_registry) == 0
    assert BaseJob.__dict__["__task_metadata__"] is None


def test_abstract_base_not_callable() -> None:
    class BaseJob(metaclass=Task):
        abstract = True

        def execute(self, n: int) -> int:
            return n

    with pytest.raises(TypeError) as excinfo:
        BaseJob(1)

    assert "abstract" in str(excinfo.value)


def test_abstract_base_has_no_metadata() -> None:
    class BaseJob(metaclass=Task):
        abstract = True

    with pytest.raises(AttributeError):
        BaseJob.metadata  # the attribute access is the test


def test_analyzer_rejects_abstract_base() -> None:
    class BaseJob(metaclass=Task):
        abstract = True

    with pytest.raises(ValueError):
        task_lint.TaskAnalyzer.analyze_task(BaseJob)


def test_class_without_execute_raises(task_registry: task_lint.Registry) -> None:
    with pytest.raises(TaskDefinitionError) as excinfo:

        class Export(metaclass=Task):
            def run(self, path: str) -> None:
                return None

    assert "Export" in str(excinfo.value)
    assert "execute" in str(excinfo.value)
    assert "abstract = True" in str(excinfo.value)
    assert len(task_registry) == 0


def test_non_callable_execute_raises() -> None:
    with pytest.raises(TaskDefinitionError):

        class Export(metaclass=Task):
            execute = 5


def test_class_keywords_become_options() -> None:
    class Export(metaclass=Task, name="x", queue="io"):
        def execute(self, path: str) -> str:
            return path

    assert Export.metadata.name == "x"
    assert Export.metadata.explicit_name == "x"
    assert Export.metadata.options == {"name": "x", "queue": "io"}
    assert task_lint.get_task("x") is Export


def test_unknown_class_keyword_raises_type_error() -> None:
    with pytest.raises(TypeError) as excinfo:

        class Export(metaclass=Task, colour="red"):
            def execute(self, path: str) -> str:
                return path

    assert "unknown task option 'colour'" in str(excinfo.value)


def test_ill_typed_class_keyword_raises_type_error() -> None:
    with pytest.raises(TypeError):

        class Export(metaclass=Task, retries="3"):
            def execute(self, path: str) -> str:
                return path


def test_negative_class_keyword_raises_value_error() -> None:
    with pytest.raises(ValueError):

        class Export(metaclass=Task, time_limit=-5):
            def execute(self, path: str) -> str:
                return path


def test_class_keyword_validate_return() -> None:
    class Broken(metaclass=Task, validate_return=True):
        def execute(self, n: int) -> str:
            return n  # type: ignore[return-value]  # a wrong result on purpose

    with pytest.raises(TaskOutputError):
        Broken(1)


# --- pickling -----------------------------------------------------------------------


TASK_MODULE = '''
from task_lint import Task, task


@task
def resize_image(path: str, width: int = 100) -> str:
    """Resize an image."""
    return f"{path}@{width}"


class Export(metaclass=Task):
    def execute(self, path: str) -> str:
        return path
'''


def test_function_task_pickles_by_reference(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("pickled_tasks_function", TASK_MODULE)

    restored = pickle.loads(pickle.dumps(module.resize_image))

    assert restored is module.resize_image
    assert restored("a.png", 5) == "a.png@5"


def test_class_task_pickles_by_reference(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("pickled_tasks_class", TASK_MODULE)

    restored = pickle.loads(pickle.dumps(module.Export))

    assert restored is module.Export
    assert restored("x.csv") == "x.csv"


def test_module_task_qualified_name(load_module: Callable[[str, str], Any]) -> None:
    module = load_module("named_tasks_module", TASK_MODULE)

    assert module.resize_image.metadata.qualified_name == "named_tasks_module:resize_image"
    assert module.Export.metadata.qualified_name == "named_tasks_module:Export"
    assert module.resize_image.__module__ == "named_tasks_module"
