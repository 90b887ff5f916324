"""The task registry: lookup by id and names, replacement on reload, duplicates, threads."""

import importlib
import re
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import task_lint
from task_lint import DuplicateTaskError, Task, get_task, task
from task_lint.runtime.registry import current_registry


def make_job(qualname: str) -> Callable[[int], int]:
    """Return a new function whose `__qualname__` is `qualname`."""

    def job(n: int) -> int:
        return n

    job.__qualname__ = qualname
    return job


def test_metadata_id_is_uuid4_string() -> None:
    job_task = task(make_job("job"))

    task_id = job_task.metadata.id

    assert isinstance(task_id, str)
    assert uuid.UUID(task_id).version == 4
    assert str(uuid.UUID(task_id)) == task_id


def test_ids_differ_between_tasks() -> None:
    first = task(make_job("first"))
    second = task(make_job("second"))

    assert first.metadata.id != second.metadata.id


def test_get_task_by_id() -> None:
    job_task = task(make_job("job"))

    assert get_task(job_task.metadata.id) is job_task


def test_get_task_by_uuid_object() -> None:
    job_task = task(make_job("job"))

    assert get_task(uuid.UUID(job_task.metadata.id)) is job_task


def test_get_task_by_qualified_name() -> None:
    job_task = task(make_job("job"))

    assert job_task.metadata.qualified_name == f"{__name__}:job"
    assert get_task(f"{__name__}:job") is job_task


def test_get_task_by_explicit_name() -> None:
    job_task = task(name="billing.charge")(make_job("charge"))

    assert get_task("billing.charge") is job_task
    assert get_task(f"{__name__}:charge") is job_task


def test_get_task_unknown_key_raises_key_error() -> None:
    task(make_job("job"))

    with pytest.raises(KeyError) as excinfo:
        get_task("no_such_module:job")

    assert "no_such_module:job" in str(excinfo.value)


def test_get_task_plain_function_name_raises() -> None:
    task(make_job("job"))

    with pytest.raises(KeyError):
        get_task("job")


def test_get_task_unknown_uuid_raises() -> None:
    with pytest.raises(KeyError):
        get_task(str(uuid.uuid4()))


def test_registry_contains_keys(task_registry: task_lint.Registry) -> None:
    job_task = task(name="jobs.run")(make_job("job"))

    assert job_task.metadata.id in task_registry
    assert f"{__name__}:job" in task_registry
    assert "jobs.run" in task_registry
    assert "jobs.other" not in task_registry


def test_all_tasks_in_registration_order() -> None:
    first = task(make_job("first"))
    second = task(make_job("second"))

    class Third(metaclass=Task):
        def execute(self, n: int) -> int:
            return n

    assert task_lint.all_tasks() == [first, second, Third]


def test_all_tasks_empty_in_new_registry() -> None:
    assert task_lint.all_tasks() == []


def test_all_tasks_returns_copy() -> None:
    task(make_job("job"))

    listing = task_lint.all_tasks()
    listing.clear()

    assert len(task_lint.all_tasks()) == 1


def test_redefined_qualname_replaces_entry(task_registry: task_lint.Registry) -> None:
    old = task(make_job("job"))
    new = task(make_job("job"))

    assert len(task_registry) == 1
    assert get_task(f"{__name__}:job") is new
    assert old.metadata.id not in task_registry
    assert get_task(new.metadata.id) is new


def test_redefinition_drops_old_explicit_name(task_registry: task_lint.Registry) -> None:
    task(name="jobs.old")(make_job("job"))
    new = task(name="jobs.new")(make_job("job"))

    assert len(task_registry) == 1
    assert get_task("jobs.new") is new
    assert "jobs.old" not in task_registry


RELOADED_MODULE = """
from task_lint import task


@task
def send_mail(address: str) -> bool:
    return True


@task(name="reports.build")
def build_report(day: int) -> str:
    return str(day)
"""


def test_module_reload_replaces_tasks(
    load_module: Callable[[str, str], Any], task_registry: task_lint.Registry
) -> None:
    module = load_module("reloaded_tasks", RELOADED_MODULE)
    old_send = module.send_mail

    importlib.reload(module)

    assert len(task_registry) == 2
    assert module.send_mail is not old_send
    assert get_task("reloaded_tasks:send_mail") is module.send_mail
    assert old_send.metadata.id not in task_registry
    assert get_task(module.send_mail.metadata.id) is module.send_mail


def test_module_reload_keeps_explicit_name(
    load_module: Callable[[str, str], Any], task_registry: task_lint.Registry
) -> None:
    module = load_module("reloaded_named_tasks", RELOADED_MODULE)
    old_build = module.build_report

    importlib.reload(module)

    assert get_task("reports.build") is module.build_report
    assert module.build_report is not old_build
    assert old_build.metadata.id not in task_registry


def test_module_reload_twice_keeps_count(
    load_module: Callable[[str, str], Any], task_registry: task_lint.Registry
) -> None:
    module = load_module("twice_reloaded_tasks", RELOADED_MODULE)

    importlib.reload(module)
    importlib.reload(module)

    assert len(task_registry) == 2
    assert [t.metadata.qualified_name for t in task_lint.all_tasks()] == [
        "twice_reloaded_tasks:send_mail",
        "twice_reloaded_tasks:build_report",
    ]


SAME_FUNCTION_NAME = """
from task_lint import task


@task
def send(payload: str) -> str:
    return "{module}:" + payload
"""


def test_same_function_name_in_two_modules(
    load_module: Callable[[str, str], Any], task_registry: task_lint.Registry
) -> None:
    billing = load_module("billing_tasks", SAME_FUNCTION_NAME.format(module="billing"))
    mail = load_module("mail_tasks", SAME_FUNCTION_NAME.format(module="mail"))

    assert len(task_registry) == 2
    assert billing.send is not mail.send
    assert get_task("billing_tasks:send") is billing.send
    assert get_task("mail_tasks:send") is mail.send
    assert billing.send.metadata.id != mail.send.metadata.id
    assert get_task("billing_tasks:send")("x") == "billing:x"
    assert get_task("mail_tasks:send")("x") == "mail:x"


DUPLICATE_NAME_FIRST = """
from task_lint import task


@task(name="send")
def send_invoice(invoice_id: int) -> None:
    return None
"""

DUPLICATE_NAME_SECOND = """
from task_lint import task


@task(name="send")
def send_mail(address: str) -> None:
    return None
"""


def test_duplicate_explicit_name_raises(load_module: Callable[[str, str], Any]) -> None:
    load_module("duplicate_first", DUPLICATE_NAME_FIRST)

    with pytest.raises(DuplicateTaskError):
        load_module("duplicate_second", DUPLICATE_NAME_SECOND)


def test_duplicate_name_message_names_locations(load_module: Callable[[str, str], Any], tmp_path: Path) -> None:
    load_module("duplicate_first_located", DUPLICATE_NAME_FIRST)

    with pytest.raises(DuplicateTaskError) as excinfo:
        load_module("duplicate_second_located", DUPLICATE_NAME_SECOND)

    message = str(excinfo.value)
    first_location = f"{tmp_path / 'duplicate_first_located.py'}:5"
    second_location = f"{tmp_path / 'duplicate_second_located.py'}:5"
    assert first_location in message
    assert second_location in message
    assert "duplicate_first_located:send_invoice" in message
    assert "duplicate_second_located:send_mail" in message
    assert "'send'" in message


def test_duplicate_name_keeps_first_task(
    load_module: Callable[[str, str], Any], task_registry: task_lint.Registry
) -> None:
    first = load_module("duplicate_first_kept", DUPLICATE_NAME_FIRST)

    with pytest.raises(DuplicateTaskError):
        load_module("duplicate_second_dropped", DUPLICATE_NAME_SECOND)

    assert get_task("send") is first.send_invoice
    assert len(task_registry) == 1
    assert "duplicate_second_dropped:send_mail" not in task_registry


def test_duplicate_name_in_same_module() -> None:
    task(name="report")(make_job("daily"))

    with pytest.raises(DuplicateTaskError) as excinfo:
        task(name="report")(make_job("weekly"))

    assert re.search(r"test_registry\.py:\d+", str(excinfo.value))


def test_duplicate_name_class_keyword() -> None:
    task(name="export")(make_job("export_rows"))

    with pytest.raises(DuplicateTaskError):

        class Export(metaclass=Task, name="export"):
            def execute(self, n: int) -> int:
                return n


def test_concurrent_definitions_none_lost(task_registry: task_lint.Registry) -> None:
    thread_count = 8
    tasks_per_thread = 1_000
    start = threading.Barrier(thread_count)
    failures: list[BaseException] = []

    def define_tasks(thread_index: int) -> None:
        start.wait()
        try:
            for index in range(tasks_per_thread):
                task(make_job(f"job_{thread_index}_{index}"))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=define_tasks, args=(i,)) for i in range(thread_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(task_registry) == thread_count * tasks_per_thread
    assert len(task_lint.all_tasks()) == thread_count * tasks_per_thread
    assert len({t.metadata.id for t in task_lint.all_tasks()}) == thread_count * tasks_per_thread
    assert get_task(f"{__name__}:job_7_999").metadata.qualname == "job_7_999"


def test_isolated_registry_leaks_nothing() -> None:
    enclosing = current_registry()
    count_before = len(task_lint.all_tasks())

    with task_lint.isolated_registry() as inner:
        inner_task = task(name="scratch.job")(make_job("scratch_job"))
        assert current_registry() is inner
        assert get_task("scratch.job") is inner_task

    assert current_registry() is enclosing
    assert len(task_lint.all_tasks()) == count_before
    assert "scratch.job" not in enclosing
    assert inner_task.metadata.id not in enclosing
    with pytest.raises(KeyError):
        get_task(f"{__name__}:scratch_job")


def test_isolated_registry_restored_after_error() -> None:
    enclosing = current_registry()

    with pytest.raises(RuntimeError), task_lint.isolated_registry():
        task(make_job("failing_job"))
        raise RuntimeError("boom")

    assert current_registry() is enclosing
    assert f"{__name__}:failing_job" not in enclosing


def test_isolated_registry_starts_empty() -> None:
    task(make_job("outer_job"))

    with task_lint.isolated_registry() as inner:
        assert len(inner) == 0
        assert task_lint.all_tasks() == []

    assert len(task_lint.all_tasks()) == 1


def test_isolated_registry_allows_reused_name() -> None:
    outer_task = task(name="shared")(make_job("outer_shared"))

    with task_lint.isolated_registry():
        inner_task = task(name="shared")(make_job("inner_shared"))
        assert get_task("shared") is inner_task

    assert get_task("shared") is outer_task
