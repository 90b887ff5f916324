"""`task-lint run MODULE:TASK`: the worker template rendered in memory and run in this process.

Runs that import the example project go through the console script in a
subprocess, so that `shop` never enters this test process. In-process runs use a
module with a name of its own and remove it afterwards.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import console_script, run_process, write_files
from worker_support import EXAMPLE_ROOT, generate, run_worker, worker_name

from task_lint.codegen import inprocess
from task_lint.static.config import Config

ADJUST = "shop.orders:adjust_inventory"


def run_command(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), "run", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_example(reference: str, arguments: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_command(reference, "--source-root", str(EXAMPLE_ROOT), "--input", json.dumps(arguments), cwd=cwd)


@pytest.fixture(scope="module")
def example_workers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from task_lint.cli import main

    output = tmp_path_factory.mktemp("run") / "workers"
    # capsys is function-scoped, so this module-scoped fixture calls main() directly.
    main(["workers", str(EXAMPLE_ROOT), "-o", str(output)])
    return output


# --- Same responses as the generated worker -----------------------------------------

CASES = [
    (ADJUST, {"levels": {"MUG-01": 5}, "sku": "MUG-01", "delta": -3}, 0),
    (ADJUST, {"levels": {"MUG-01": 1}, "sku": "MUG-01", "delta": -3}, 1),
    (ADJUST, {"levels": [], "sku": 3}, 2),
    ("shop.orders:reserve_stock", {"skus": ["A"], "stock": {"A": 3, "B": 1}, "quantity": 2}, 0),
    ("shop.notifications:in_quiet_hours", {"now": "23:15"}, 0),
    ("shop.problems:scale_price", {"price": "10.00", "factor": "1.5"}, 0),
]


@pytest.mark.parametrize(("reference", "arguments", "code"), CASES)
def test_run_matches_worker_file(
    example_workers: Path, tmp_path: Path, reference: str, arguments: object, code: int
) -> None:
    command = run_example(reference, arguments, tmp_path)
    worker = run_worker(example_workers / worker_name(reference), json.dumps(arguments))

    assert command.returncode == code, command.stderr
    assert worker.code == code
    command_response = json.loads(command.stdout)
    worker_response = worker.response
    if code == 1:
        # Tracebacks name different frames: the worker file or the in-memory module.
        assert command_response["error"].pop("traceback").startswith("Traceback")
        assert worker_response["error"].pop("traceback").startswith("Traceback")
    assert command_response == worker_response


def test_traceback_names_worker_not_a_path(tmp_path: Path) -> None:
    arguments = {"levels": {"MUG-01": 1}, "sku": "MUG-01", "delta": -3}

    command = run_example(ADJUST, arguments, tmp_path)

    assert command.returncode == 1, command.stderr
    traceback = json.loads(command.stdout)["error"]["traceback"]
    first_frame = traceback.splitlines()[1]
    assert first_frame.startswith(f'  File "<task-lint worker {ADJUST}>", line ')
    assert str(EXAMPLE_ROOT / "shop" / "orders.py") in traceback


def split_source_root(source: str) -> tuple[str, str]:
    """Return the worker's AST without its SOURCE_ROOT assignment, and the SOURCE_ROOT value."""
    tree = ast.parse(source)
    root = None
    body = []
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if [target.id for target in targets if isinstance(target, ast.Name)] == ["SOURCE_ROOT"]:
            assert isinstance(statement, ast.Assign)
            root = ast.literal_eval(statement.value)
        else:
            body.append(statement)
    assert isinstance(root, str)
    return ast.dump(ast.Module(body=body, type_ignores=[])), root


def test_run_source_matches_worker_file(example_workers: Path) -> None:
    config = Config(source_roots=(str(EXAMPLE_ROOT),))

    source, module_path = inprocess.render_for(ADJUST, config)

    in_memory, in_memory_root = split_source_root(source)
    on_disk, on_disk_root = split_source_root((example_workers / worker_name(ADJUST)).read_text(encoding="utf-8"))
    # Only the source root differs: absolute in memory, relative to the worker file on disk.
    assert in_memory == on_disk
    assert in_memory_root == str(EXAMPLE_ROOT)
    assert Path(os.path.normpath(example_workers / on_disk_root)) == EXAMPLE_ROOT
    assert module_path == str(EXAMPLE_ROOT / "shop" / "orders.py")


def test_run_finds_task_by_name(tmp_path: Path) -> None:
    arguments = {"order": {"order_id": "x"}, "reason": "fraud"}

    command = run_example("shop.orders:orders.cancel", arguments, tmp_path)

    assert command.returncode == 2
    assert json.loads(command.stdout)["error"]["type"] == "invalid_input"


# --- Input: JSON text, @FILE and stdin ----------------------------------------------


def test_run_reads_input_file(tmp_path: Path) -> None:
    arguments = tmp_path / "arguments.json"
    arguments.write_text('{"levels": {"a": 2}, "sku": "a"}', encoding="utf-8")

    command = run_command(ADJUST, "--source-root", str(EXAMPLE_ROOT), "--input", f"@{arguments}", cwd=tmp_path)

    assert command.returncode == 0, command.stderr
    assert json.loads(command.stdout) == {"ok": True, "result": {"a": 1}}


def test_run_reads_stdin_by_default(tmp_path: Path) -> None:
    command = run_command(
        ADJUST, "--source-root", str(EXAMPLE_ROOT), cwd=tmp_path, stdin='{"levels": {}, "sku": "a", "delta": 4}'
    )

    assert command.returncode == 0, command.stderr
    assert json.loads(command.stdout) == {"ok": True, "result": {"a": 4}}


def test_run_source_root_defaults_to_cwd() -> None:
    command = run_command(ADJUST, "--input", '{"levels": {}, "sku": "a", "delta": 2}', cwd=EXAMPLE_ROOT)

    assert command.returncode == 0, command.stderr
    assert json.loads(command.stdout) == {"ok": True, "result": {"a": 2}}


def test_run_invalid_json_exits_two(tmp_path: Path) -> None:
    command = run_command(ADJUST, "--source-root", str(EXAMPLE_ROOT), "--input", "{bad", cwd=tmp_path)

    assert command.returncode == 2
    assert json.loads(command.stdout)["error"]["type"] == "invalid_json"


def test_run_input_not_utf8_exits_two(tmp_path: Path) -> None:
    arguments = tmp_path / "arguments.json"
    arguments.write_bytes(b'{"sku": "\xff"}')

    command = run_command(ADJUST, "--source-root", str(EXAMPLE_ROOT), "--input", f"@{arguments}", cwd=tmp_path)

    assert command.returncode == 2, command.stderr
    assert "Traceback" not in command.stderr
    error = json.loads(command.stdout)["error"]
    assert error["type"] == "invalid_json"
    assert error["message"].startswith("input is not valid UTF-8")


def test_run_stdin_not_utf8_exits_two(tmp_path: Path) -> None:
    completed = subprocess.run(
        [console_script(), "run", ADJUST, "--source-root", str(EXAMPLE_ROOT)],
        input=b"\xff\xfe",
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 2
    assert json.loads(completed.stdout)["error"]["message"].startswith("input is not valid UTF-8")


def test_run_missing_input_file(tmp_path: Path) -> None:
    run = run_process(
        ["run", ADJUST, "--source-root", str(EXAMPLE_ROOT), "--input", f"@{tmp_path / 'none.json'}"], tmp_path
    )

    assert run.code == 2
    assert "none.json" in run.err
    assert run.out == ""


# --- Usage errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("shop.orders", "expected MODULE:TASK"),
        ("shop.nowhere:task", "module 'shop.nowhere' not found"),
        ("shop.orders:nope", "tasks there: adjust_inventory, cancel_order"),
        ("shop.problems:apply_discount_rule", "TSK301"),
        ("shop.problems:refund_order", "TSK103"),
    ],
)
def test_run_usage_errors_exit_two(tmp_path: Path, reference: str, message: str) -> None:
    run = run_process(["run", reference, "--source-root", str(EXAMPLE_ROOT), "--input", "{}"], tmp_path)

    assert run.code == 2
    assert message in run.err
    assert run.out == ""


# --- Nothing written, module loaded from memory -------------------------------------

SPY = """\
import builtins, io, json, os, sys
written = []
real_open = builtins.open
def spying_open(file, mode="r", *args, **kwargs):
    if any(flag in mode for flag in "wax+"):
        written.append(str(file))
    return real_open(file, mode, *args, **kwargs)
builtins.open = io.open = spying_open
sys.dont_write_bytecode = True
from task_lint.cli import main
code = main(sys.argv[1:])
sys.stderr.write("\\nWRITTEN " + json.dumps(written) + "\\n")
sys.exit(code)
"""


def test_run_writes_no_file(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(
        project, {"jobs.py": "from task_lint import task\n\n\n@task\ndef double(a: int) -> int:\n    return 2 * a\n"}
    )
    before = sorted(path.name for path in tmp_path.rglob("*"))

    completed = subprocess.run(
        [sys.executable, "-c", SPY, "run", "jobs:double", "--source-root", str(project), "--input", '{"a": 21}'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {"ok": True, "result": 42}
    written = json.loads(completed.stderr.rsplit("WRITTEN ", 1)[1])
    assert written == []
    assert sorted(path.name for path in tmp_path.rglob("*")) == before


@pytest.fixture
def scratch_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A task module named `run_scratch_jobs`, removed from sys.modules and sys.path afterwards."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    source = """\
        import asyncio

        from task_lint import task


        @task
        def double(a: int) -> int:
            return 2 * a


        @task
        async def later(a: int) -> int:
            await asyncio.sleep(0)
            return a + 1


        @task
        def explode(a: int) -> int:
            raise ValueError(f"cannot handle {a}")
        """
    (tmp_path / "run_scratch_jobs.py").write_text(textwrap.dedent(source), encoding="utf-8")
    yield tmp_path
    sys.modules.pop("run_scratch_jobs", None)


def test_in_process_run_returns_response(scratch_module: Path) -> None:
    config = Config(source_roots=(str(scratch_module),))

    code, response = inprocess.run_task("run_scratch_jobs:double", b'{"a": 4}', config)

    assert code == 0
    assert json.loads(response) == {"ok": True, "result": 8}
    assert "run_scratch_jobs" in sys.modules


def test_in_process_run_async_task(scratch_module: Path) -> None:
    config = Config(source_roots=(str(scratch_module),))

    code, response = inprocess.run_task("run_scratch_jobs:later", b'{"a": 4}', config)

    assert code == 0
    assert json.loads(response) == {"ok": True, "result": 5}


def test_in_process_run_task_error(scratch_module: Path) -> None:
    config = Config(source_roots=(str(scratch_module),))

    code, response = inprocess.run_task("run_scratch_jobs:explode", b'{"a": 4}', config)

    error = json.loads(response)["error"]
    assert code == 1
    assert error["type"] == "task_error"
    assert error["exception"] == "ValueError"
    assert error["message"] == "cannot handle 4"


def test_help_describes_task_decorators() -> None:
    completed = subprocess.run(
        [console_script(), "run", "--help"], capture_output=True, text=True, timeout=120, check=False
    )

    assert completed.returncode == 0, completed.stderr
    options = completed.stdout.split("options:", 1)[1]
    described = " ".join(options.split())
    assert "--task-decorators NAMES also treat functions decorated with these dotted names as tasks" in described


def test_worker_module_not_on_disk(scratch_module: Path) -> None:
    config = Config(source_roots=(str(scratch_module),))
    source, module_path = inprocess.render_for("run_scratch_jobs:double", config)

    worker = inprocess.load_worker(source, str(scratch_module / "<worker>"), "scratch_worker")

    assert not Path(worker.__file__).exists()
    assert "scratch_worker" not in sys.modules
    assert worker.TASK_MODULE == "run_scratch_jobs"
    assert module_path == str(scratch_module / "run_scratch_jobs.py")
    assert "run_scratch_jobs" not in sys.modules


def test_run_and_workers_share_template(
    scratch_module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "workers"
    generate(capsys, output, str(scratch_module / "run_scratch_jobs.py"))
    config = Config(source_roots=(str(scratch_module),))

    source, _ = inprocess.render_for("run_scratch_jobs:double", config)

    in_memory, in_memory_root = split_source_root(source)
    on_disk, on_disk_root = split_source_root((output / "run_scratch_jobs__double.py").read_text(encoding="utf-8"))
    assert in_memory == on_disk
    assert in_memory_root == str(scratch_module)
    assert on_disk_root == ".."


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 0 with a POSIX shell")
def test_closed_standard_input_is_usage_error(tmp_path: Path) -> None:
    # With file descriptor 0 closed, Python starts with sys.stdin set to None.
    command = [
        console_script(),
        "run",
        "shop.orders:adjust_inventory",
        "--source-root",
        str(EXAMPLE_ROOT),
        "--input",
        "-",
    ]
    line = " ".join(shlex.quote(part) for part in command) + " <&-"

    completed = subprocess.run(
        ["sh", "-c", line], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "task-lint: error: standard input is closed" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 1 with a POSIX shell")
def test_closed_standard_output_runs_no_task(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "side_effect_jobs.py": """\
            from pathlib import Path

            from task_lint import task


            @task
            def touch(path: str) -> None:
                Path(path).write_text("ran")
            """
        },
    )
    marker = tmp_path / "marker.txt"
    arguments = json.dumps({"path": str(marker)})
    command = [console_script(), "run", "side_effect_jobs:touch", "--input", arguments]
    line = " ".join(shlex.quote(part) for part in command) + " >&-"

    completed = subprocess.run(
        ["sh", "-c", line], cwd=tmp_path, stderr=subprocess.PIPE, text=True, timeout=60, check=False
    )

    assert completed.returncode == 2
    assert completed.stderr == "task-lint: error: standard output is closed, so the task was not run\n"
    assert not marker.exists()
