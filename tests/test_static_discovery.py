"""Which functions and classes the static pass finds as tasks, in every form a project can write them.

Each test writes a small project under `tmp_path` and collects the qualified names
of the tasks that the checker finds in it, without importing anything.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from task_lint.static import inference
from task_lint.static.checker import Checker, analyse_names, analyse_path
from task_lint.static.config import Config
from task_lint.static.project import Project, iter_python_files, module_name_for


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def found_tasks(root: Path, decorators: tuple[str, ...] = ()) -> set[str]:
    """Return the qualified names of the tasks under `root`, failing on any unreadable file."""
    descriptions, problems = Checker(Config(task_decorators=decorators)).describe([str(root)])
    assert problems == []
    assert_names_only_match(root, decorators)
    return {description.qualified_name for description in descriptions}


def assert_names_only_match(root: Path, decorators: tuple[str, ...] = ()) -> None:
    """Check that the names-only pass finds the task names that the full analysis finds, per file."""
    config = Config(task_decorators=decorators)
    full = Project(config.source_roots, config.task_decorators)
    names_only = Project(config.source_roots, config.task_decorators)
    for path in sorted(iter_python_files([str(root)], ())):
        assert analyse_names(names_only, path).names == analyse_path(full, path).names, path


def finding_codes(root: Path, decorators: tuple[str, ...] = ()) -> list[tuple[str, int, str]]:
    report = Checker(Config(task_decorators=decorators)).check([str(root)])
    return [(Path(f.path).name, f.line, f.code) for f in report.findings]


# --- task_lint's own decorator ----------------------------------------------------------


def test_bare_and_called_decorator(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import task

            @task
            def bare(n: int) -> int:
                return n

            @task()
            def called(n: int) -> int:
                return n

            @task(name="jobs.named", retries=2)
            def named(n: int) -> int:
                return n

            def plain(n: int) -> int:
                return n
            """
        },
    )

    assert found_tasks(tmp_path) == {"jobs:bare", "jobs:called", "jobs:named"}


def test_qualified_and_aliased_forms(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            import task_lint
            import task_lint as tl
            import task_lint.runtime.task
            from task_lint import task as job
            from task_lint.runtime.task import task as inner_task

            @task_lint.task
            def qualified(n: int) -> int:
                return n

            @tl.task(name="aliased_module")
            def aliased_module(n: int) -> int:
                return n

            @job
            def aliased_name(n: int) -> int:
                return n

            @inner_task
            def defining_module(n: int) -> int:
                return n

            @task_lint.runtime.task.task
            def dotted_path(n: int) -> int:
                return n
            """
        },
    )

    assert found_tasks(tmp_path) == {
        "jobs:qualified",
        "jobs:aliased_module",
        "jobs:aliased_name",
        "jobs:defining_module",
        "jobs:dotted_path",
    }


def test_async_task_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import task

            @task
            async def fetch(url: str) -> str:
                return url
            """
        },
    )

    descriptions, _ = Checker(Config()).describe([str(tmp_path)])

    assert [d.qualified_name for d in descriptions] == ["jobs:fetch"]
    assert descriptions[0].is_async


@pytest.mark.parametrize(
    ("body", "is_async"),
    [
        ("    return url\n", True),
        ("    yield url\n", False),
        ("    for part in url:\n        yield part\n", False),
        ("    async def inner() -> None:\n        yield url\n    return url\n", True),
        ("    return 'yield'\n", True),
    ],
)
def test_async_generator_is_not_async_task(tmp_path: Path, body: str, is_async: bool) -> None:
    # A `yield` in the task itself, not in a nested function, makes an async generator.
    source = "from task_lint import task\n\n@task\nasync def fetch(url: str) -> str:\n" + body
    (tmp_path / "jobs.py").write_text(source)

    descriptions, _ = Checker(Config()).describe([str(tmp_path)])

    assert [d.is_async for d in descriptions] == [is_async]


def test_one_line_async_generator(tmp_path: Path) -> None:
    source = "from task_lint import task\n\n@task\nasync def fetch(url: str) -> str: yield url\n"
    (tmp_path / "jobs.py").write_text(source)

    descriptions, _ = Checker(Config()).describe([str(tmp_path)])

    assert [d.is_async for d in descriptions] == [False]


@pytest.mark.parametrize(
    ("nesting", "newline", "qualified_name"),
    [
        ("def outer() -> None:\n    {task}", "\n", "jobs:outer.<locals>.inner"),
        ("def outer() -> None:\n    if True:\n        {task}", "\n", "jobs:outer.<locals>.inner"),
        ("def outer() -> None:\n    for _ in range(2):\n        {task}", "\n", "jobs:outer.<locals>.inner"),
        ("class Outer:\n    def method(self) -> None:\n        {task}", "\n", "jobs:Outer.method.<locals>.inner"),
        ("async def outer() -> None:\n    with open(__file__):\n        {task}", "\n", "jobs:outer.<locals>.inner"),
        ("def outer() -> None:\n    x = 1\n    {task}", "\r", "jobs:outer.<locals>.inner"),
        ("def outer() -> None:\n    x = 1\n    {task}", "\r\n", "jobs:outer.<locals>.inner"),
    ],
)
def test_task_nested_in_function_found(tmp_path: Path, nesting: str, newline: str, qualified_name: str) -> None:
    # The walk skips function bodies without a `def` or `class`, and these bodies have one.
    indent = nesting.partition("{task}")[0].rpartition("\n")[2]
    task = f"@task\n{indent}def inner(value: int) -> int:\n{indent}    return value"
    source = f"from task_lint import task\n\n{nesting.format(task=task)}\n"
    (tmp_path / "jobs.py").write_bytes(source.replace("\n", newline).encode())

    assert found_tasks(tmp_path) == {qualified_name}


@pytest.mark.parametrize("definition", ["async def", "async \\\n  def", "async  \t def"])
def test_nested_async_task_found(tmp_path: Path, definition: str) -> None:
    source = f"from task_lint import task\n\ndef outer() -> None:\n    @task\n    {definition} inner() -> None: ...\n"
    (tmp_path / "jobs.py").write_text(source)

    assert found_tasks(tmp_path) == {"jobs:outer.<locals>.inner"}


def test_stacked_decorators_any_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            import functools
            from task_lint import task

            def traced(func):
                return func

            @task
            @functools.lru_cache
            def below_cache(n: int) -> int:
                return n

            @functools.lru_cache(maxsize=None)
            @task
            def above_cache(n: int) -> int:
                return n

            @traced
            @task(name="middle")
            @traced
            def between(n: int) -> int:
                return n

            @traced
            @functools.lru_cache
            def untouched(n: int) -> int:
                return n
            """
        },
    )

    assert found_tasks(tmp_path) == {"jobs:below_cache", "jobs:above_cache", "jobs:between"}


# --- Re-exports across the project --------------------------------------------------------


def test_reexport_chain_two_hops(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from shop.common import job\n",
            "shop/common/__init__.py": "from .decorators import job\n",
            "shop/common/decorators.py": "from task_lint import task as job\n",
            "shop/orders.py": """\
            from shop import job

            @job
            def ship(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:ship"}


def test_relative_import_of_alias(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/util.py": "from task_lint import task as job\n",
            "shop/orders.py": """\
            from .util import job

            @job
            def ship(order_id: int) -> None:
                pass
            """,
            "shop/sub/__init__.py": "",
            "shop/sub/returns.py": """\
            from ..util import job

            @job
            def refund(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:ship", "shop.sub.returns:refund"}


def test_module_alias_attribute(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/util.py": "from task_lint import task as job\n",
            "shop/orders.py": """\
            import shop.util
            import shop.util as u
            from shop import util

            @u.job
            def by_alias(order_id: int) -> None:
                pass

            @shop.util.job
            def by_dotted_path(order_id: int) -> None:
                pass

            @util.job(name="by_submodule")
            def by_submodule(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:by_alias", "shop.orders:by_dotted_path", "shop.orders:by_submodule"}


def test_init_module_alias_reexport(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "import shop.util as tools\n",
            "shop/util.py": "from task_lint import task as job\n",
            "shop/orders.py": """\
            from shop import tools

            @tools.job
            def ship(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:ship"}


def test_star_import_with_all(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/util.py": """\
            from task_lint import task as job, task as hidden

            __all__ = ["job"]
            """,
            "shop/orders.py": """\
            from shop.util import *

            @job
            def exported(order_id: int) -> None:
                pass

            @hidden
            def not_exported(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:exported"}


def test_star_import_without_all(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from .util import *\n",
            "shop/util.py": "from task_lint import task as job, task as _private\n",
            "shop/orders.py": """\
            from shop import *

            @job
            def public(order_id: int) -> None:
                pass

            @_private
            def underscore(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:public"}


def test_cyclic_imports_terminate(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/first.py": "from shop.second import job\n",
            "shop/second.py": "from shop.first import job\n",
            "shop/orders.py": """\
            from shop.first import job

            @job
            def ship(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == set()


# --- Aliases by assignment ----------------------------------------------------------------


def test_assignment_alias_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/util.py": """\
            import task_lint as tl

            job = tl.task
            """,
            "shop/orders.py": """\
            from task_lint import task
            from shop.util import job

            step = task

            @step
            def local_alias(n: int) -> int:
                return n

            @job()
            def imported_alias(n: int) -> int:
                return n
            """,
        },
    )

    assert found_tasks(tmp_path) == {"shop.orders:local_alias", "shop.orders:imported_alias"}


def test_conditional_alias_inferred(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "ifexp_shop/__init__.py": "",
            "ifexp_shop/util.py": """\
            import os
            import task_lint
            from task_lint import task

            job = task if os.environ.get("FAST") else task_lint.task
            """,
            "ifexp_shop/orders.py": """\
            from ifexp_shop.util import job

            @job
            def ship(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {"ifexp_shop.orders:ship"}


def test_conditional_alias_mixed_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "mixed_jobs.py": """\
            import os
            from task_lint import task

            def other(func):
                return func

            job = task if os.environ.get("FAST") else other

            @job
            def ship(order_id: int) -> None:
                pass
            """
        },
    )

    assert found_tasks(tmp_path) == set()


def test_edited_alias_inferred_again(tmp_path: Path) -> None:
    files = {
        "edited_shop/__init__.py": "",
        "edited_shop/util.py": """\
        import os
        from task_lint import task

        job = task if os.environ.get("FAST") else task
        """,
        "edited_shop/orders.py": """\
        from edited_shop.util import job

        @job
        def ship(order_id: int) -> None:
            pass
        """,
    }
    write(tmp_path, files)
    before = found_tasks(tmp_path)

    # An editor keeps one process running while the user changes a module.
    write(
        tmp_path,
        {
            "edited_shop/util.py": """\
            import os

            def other(func):
                return func

            job = other if os.environ.get("FAST") else other
            """
        },
    )

    assert before == {"edited_shop.orders:ship"}
    assert found_tasks(tmp_path) == set()


def test_inference_failure_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_module(name: str) -> Any:
        raise RuntimeError(f"astroid failed on {name}")

    monkeypatch.setattr(inference, "_module", broken_module)
    write(
        tmp_path,
        {
            "broken_jobs.py": """\
            import os
            from task_lint import task

            job = task if os.environ.get("FAST") else task

            @job
            def ship(order_id: int) -> None:
                pass

            @task
            def direct(order_id: int) -> None:
                pass
            """
        },
    )

    assert found_tasks(tmp_path) == {"broken_jobs:direct"}
    assert finding_codes(tmp_path) == []


def test_uninferable_call_is_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "factory_jobs.py": """\
            from plugins import make_decorator

            job = make_decorator()

            @job
            def ship(order_id) -> None:
                pass
            """
        },
    )

    assert found_tasks(tmp_path) == set()


# --- Shadowing ----------------------------------------------------------------------------


def test_module_def_shadows_import(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import task

            def task(func):
                return func

            @task
            def ship(order_id) -> None:
                pass
            """
        },
    )

    assert found_tasks(tmp_path) == set()


def test_function_def_shadows_import(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            import task_lint
            from task_lint import task

            def build():
                def task(func):
                    return func

                @task
                def inner(value) -> None:
                    pass

            def wrap(task_lint):
                @task_lint.task
                def inner(value) -> None:
                    pass
            """
        },
    )

    assert found_tasks(tmp_path) == set()


def test_class_body_def_shadows_import(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import task

            class Registry:
                def task(func):
                    return func

                @task
                def method(value) -> None:
                    pass

                def helper(self) -> None:
                    @task
                    def nested(value: int) -> None:
                        pass
            """
        },
    )

    # Methods do not see the class body, so `task` in `helper` is the import again.
    assert found_tasks(tmp_path) == {"jobs:Registry.helper.<locals>.nested"}


@pytest.mark.xfail(strict=True, reason="bindings are read as they are at the end of the module, not line by line")
def test_shadow_after_definition(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import task

            @task
            def before(order_id: int) -> None:
                pass

            def task(func):
                return func
            """
        },
    )

    assert found_tasks(tmp_path) == {"jobs:before"}


# --- Class-based tasks --------------------------------------------------------------------


def test_metaclass_forms_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            import task_lint
            from task_lint import Task
            from task_lint import Task as T

            class Direct(metaclass=Task):
                def execute(self, n: int) -> int:
                    return n

            class Qualified(metaclass=task_lint.Task):
                def execute(self, n: int) -> int:
                    return n

            class Aliased(metaclass=T, name="aliased"):
                async def execute(self, n: int) -> int:
                    return n

            class Plain:
                def execute(self, n: int) -> int:
                    return n

            class OtherMeta(metaclass=type):
                def execute(self, n: int) -> int:
                    return n
            """
        },
    )

    assert found_tasks(tmp_path) == {"jobs:Direct", "jobs:Qualified", "jobs:Aliased"}


def test_base_class_other_module(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from shop.base import Job as PublicJob\n",
            "shop/base.py": """\
            from task_lint import Task

            class Job(metaclass=Task):
                abstract = True

            class Middle(Job):
                abstract: bool = True

                def execute(self, n: int) -> int:
                    return n
            """,
            "shop/jobs.py": """\
            from typing import Generic, TypeVar

            from shop import PublicJob
            from shop.base import Middle
            import shop.base as base

            T = TypeVar("T")

            class ViaReexport(PublicJob):
                def execute(self, n: int) -> int:
                    return n

            class ViaModuleAlias(base.Job):
                def execute(self, n: int) -> int:
                    return n

            class InheritsExecute(Middle):
                pass

            class Grandchild(InheritsExecute):
                pass

            class GenericBase(PublicJob, Generic[T]):
                abstract = True

                def execute(self, n: int) -> int:
                    return n

            class FromGeneric(GenericBase[int]):
                pass
            """,
        },
    )

    assert found_tasks(tmp_path) == {
        "shop.jobs:ViaReexport",
        "shop.jobs:ViaModuleAlias",
        "shop.jobs:InheritsExecute",
        "shop.jobs:Grandchild",
        "shop.jobs:FromGeneric",
    }


def test_abstract_base_not_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import Task

            class Base(metaclass=Task):
                abstract = True

            class Forgotten(Base):
                def run(self) -> None:
                    pass
            """
        },
    )

    assert found_tasks(tmp_path) == set()
    assert finding_codes(tmp_path) == [("jobs.py", 6, "TSK207")]


def test_staticmethod_execute_keeps_parameters(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from task_lint import Task

            class Scale(metaclass=Task):
                @staticmethod
                def execute(factor: float, value: float = 1.0) -> float:
                    return factor * value
            """
        },
    )

    descriptions, _ = Checker(Config()).describe([str(tmp_path)])

    assert [p.name for p in descriptions[0].parameters] == ["factor", "value"]


# --- Configured decorators of other frameworks --------------------------------------------

FRAMEWORK_DECORATORS = ("celery.shared_task", "airflow.sdk.task", "prefect.task", "app.task")


def write_framework_project(root: Path) -> None:
    write(
        root,
        {
            "flows/__init__.py": "",
            "flows/worker.py": """\
            from celery import Celery

            app = Celery("flows")
            """,
            "flows/jobs.py": """\
            import celery
            import prefect
            from airflow.sdk import task
            from celery import shared_task
            from celery import shared_task as background

            from flows.worker import app

            @shared_task
            def celery_bare(n: int) -> int:
                return n

            @background(bind=False)
            def celery_aliased(n: int) -> int:
                return n

            @celery.shared_task()
            def celery_qualified(n: int) -> int:
                return n

            @task
            def airflow_bare(n: int) -> int:
                return n

            @task.python
            def airflow_attribute(n: int) -> int:
                return n

            @task.virtualenv(requirements=["requests"])
            def airflow_attribute_called(n: int) -> int:
                return n

            @task(retries=2)
            def airflow_called(n: int) -> int:
                return n

            @prefect.task
            def prefect_task(n: int) -> int:
                return n

            @prefect.flow
            def prefect_flow(n: int) -> int:
                return n

            @app.task
            def app_task(n: int) -> int:
                return n

            @app.task(bind=True)
            def app_task_called(n: int) -> int:
                return n
            """,
        },
    )


def test_configured_decorators_found(tmp_path: Path) -> None:
    write_framework_project(tmp_path)

    assert found_tasks(tmp_path, FRAMEWORK_DECORATORS) == {
        "flows.jobs:celery_bare",
        "flows.jobs:celery_aliased",
        "flows.jobs:celery_qualified",
        "flows.jobs:airflow_bare",
        "flows.jobs:airflow_attribute",
        "flows.jobs:airflow_attribute_called",
        "flows.jobs:airflow_called",
        "flows.jobs:prefect_task",
        "flows.jobs:app_task",
        "flows.jobs:app_task_called",
    }


def test_unconfigured_decorators_ignored(tmp_path: Path) -> None:
    write_framework_project(tmp_path)

    assert found_tasks(tmp_path) == set()


def test_configured_decorator_shadowed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": """\
            from celery import shared_task

            def shared_task(func):
                return func

            @shared_task
            def ship(order_id: int) -> None:
                pass
            """
        },
    )

    assert found_tasks(tmp_path, ("celery.shared_task",)) == set()


def test_configured_decorator_reexported(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "from celery import shared_task as background\n",
            "shop/orders.py": """\
            from shop import background

            @background
            def ship(order_id: int) -> None:
                pass
            """,
        },
    )

    assert found_tasks(tmp_path, ("celery.shared_task",)) == {"shop.orders:ship"}


@pytest.mark.parametrize(
    ("folder", "decorators"),
    [
        ("fixtures/example_project", ()),
        ("tests/static_cases", ("celery.shared_task", "airflow.sdk.task", "prefect.task", "app.task")),
    ],
)
def test_names_only_match_full_analysis(folder: str, decorators: tuple[str, ...]) -> None:
    root = Path(__file__).parent.parent / folder

    assert_names_only_match(root, decorators)


MODULE_NAMES = {
    "loose.py": ("loose", ""),
    "app/__init__.py": ("app", ""),
    "app/jobs.py": ("app.jobs", ""),
    "app/sub/__init__.py": ("app.sub", ""),
    "app/sub/deep.py": ("app.sub.deep", ""),
    # Folders without `__init__.py` inside a package are namespace packages.
    "app/plain/orphan.py": ("app.plain.orphan", ""),
    "app/plain/deeper/leaf.py": ("app.plain.deeper.leaf", ""),
    "app/plain/sub/__init__.py": ("app.plain.sub", ""),
    "tools/run.py": ("run", "tools"),
    "src/lib/__init__.py": ("lib", "src"),
    "src/lib/tasks.py": ("lib.tasks", "src"),
}


@pytest.mark.parametrize("order", ["shallow first", "deep first"])
def test_module_names_with_folder_memo(tmp_path: Path, order: str) -> None:
    write(tmp_path, dict.fromkeys(MODULE_NAMES, ""))
    paths = sorted(MODULE_NAMES, key=lambda name: name.count("/"), reverse=order == "deep first")
    packages: dict[str, tuple[tuple[str, ...], str]] = {}

    for name in paths:
        expected_module, root = MODULE_NAMES[name]
        expected = (expected_module, str(tmp_path / root) if root else str(tmp_path))
        path = str(tmp_path / name)
        assert module_name_for(path) == expected
        assert module_name_for(path, (), packages) == expected
    assert module_name_for(str(tmp_path / "app/sub/deep.py"), [str(tmp_path / "app")], packages) == (
        "sub.deep",
        str(tmp_path / "app"),
    )


def test_package_beats_module_file(tmp_path: Path) -> None:
    # Python imports `deco/__init__.py`, not `deco.py`, for `import deco`.
    write(
        tmp_path,
        {
            "deco.py": "def job(function):\n    return function\n",
            "deco/__init__.py": "from task_lint import task as job\n",
            "jobs.py": "from deco import job\n\n\n@job\ndef run() -> None:\n    pass\n",
        },
    )

    assert found_tasks(tmp_path) == {"jobs:run"}


def test_module_beats_namespace_folder(tmp_path: Path) -> None:
    # `deco/` has no `__init__.py`, so Python imports `deco.py` for `deco`, and
    # `from deco import job` takes the function defined there, not `deco/job.py`.
    write(
        tmp_path,
        {
            "deco.py": "from task_lint import task as job\n",
            "deco/job.py": "def helper() -> None:\n    pass\n",
            "jobs.py": "from deco import job\n\n\n@job\ndef run() -> None:\n    pass\n",
        },
    )

    assert found_tasks(tmp_path) == {"jobs:run"}


def tasks_in_order(root: Path, order: list[str]) -> set[str]:
    """Return the tasks that `check` finds when the files are given in this order."""
    report = Checker(Config()).check([str(root / name) for name in order])
    return {finding.message.split("`")[3] for finding in report.findings if finding.code == "TSK102"}


@pytest.mark.parametrize("order", [["deco.py", "main.py"], ["main.py", "deco.py"]])
def test_package_wins_in_any_order(tmp_path: Path, order: list[str]) -> None:
    # Python imports `deco/__init__.py`, whose `job` is a plain function.
    write(
        tmp_path,
        {
            "deco.py": "from task_lint import task as job\n",
            "deco/__init__.py": "def job(function):\n    return function\n",
            "main.py": "from deco import job\n\n\n@job\ndef f(x):\n    return x\n",
        },
    )

    assert tasks_in_order(tmp_path, order) == set()


@pytest.mark.parametrize("order", [["app/deco/sub.py", "app/main.py"], ["app/main.py", "app/deco/sub.py"]])
def test_module_file_has_no_submodules(tmp_path: Path, order: list[str]) -> None:
    # `app/deco.py` is what Python imports for `app.deco`, so `app.deco.sub` cannot be imported.
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/deco.py": "def job(function):\n    return function\n",
            "app/deco/sub.py": "from task_lint import task as job\n",
            "app/main.py": "from .deco.sub import job\n\n\n@job\ndef f(x):\n    return x\n",
        },
    )

    assert tasks_in_order(tmp_path, order) == set()


def test_from_import_prefers_package_binding(tmp_path: Path) -> None:
    # `deco/__init__.py` binds `job` to the decorator, which hides the submodule `deco.job`.
    write(
        tmp_path,
        {
            "deco/__init__.py": "from .job import job\n",
            "deco/job.py": "from task_lint import task as job\n",
            "main.py": "from deco import job\n\n\n@job\ndef run() -> None:\n    pass\n",
        },
    )

    assert found_tasks(tmp_path) == {"main:run"}


def test_relative_import_outside_package(tmp_path: Path) -> None:
    # Python raises ImportError: a top-level module has no parent package.
    write(
        tmp_path,
        {
            "impl.py": "from task_lint import task as job\n",
            "deco.py": "from .impl import job\n",
            "main.py": "from deco import job\n\n\n@job\ndef run() -> None:\n    pass\n",
        },
    )

    assert found_tasks(tmp_path) == set()
