"""Self-contained workers: the task's code carried into the worker, its module never imported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_worker_e2e import SAMPLE_INPUTS, SETUP, folder_snapshot, normalize
from worker_support import EXAMPLE_ROOT, EXAMPLE_WORKER_TASKS, generate, run_worker, worker_name

# A package whose import leaves a trace file: the self-contained worker must not.
TRACED_PROJECT = {
    "traced/__init__.py": """\
        import pathlib

        pathlib.Path(__file__).with_name("TRACE_package").write_text("imported")
        """,
    "traced/models.py": """\
        import enum
        from dataclasses import dataclass, field


        class Color(enum.Enum):
            RED = "red"
            BLUE = "blue"


        @dataclass
        class Row:
            id: int
            color: Color = Color.RED
            tags: list[str] = field(default_factory=list)
        """,
    "traced/jobs.py": """\
        from __future__ import annotations

        import math
        import os.path
        import pathlib

        from task_lint import task
        from traced.models import Color as Colour
        from traced.models import Row

        pathlib.Path(__file__).with_name("TRACE_jobs").write_text("imported")
        SCALE = 3
        LIMIT = SCALE * 10


        def helper(value: int) -> int:
            return min(value * SCALE, LIMIT)


        @task
        def score(rows: list[Row], bonus: int = 1) -> float:
            \"\"\"Score the red rows.\"\"\"
            total = sum(helper(row.id) for row in rows if row.color is Colour.RED)
            return math.sqrt(total + bonus) + len(os.path.sep)
        """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def traces(root: Path) -> list[str]:
    return sorted(path.name for path in root.rglob("TRACE_*"))


@pytest.fixture(scope="module")
def example_workers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Module-importing and self-contained workers of the example project."""
    from task_lint.cli import main

    folder = tmp_path_factory.mktemp("workers")
    importing = folder / "importing"
    carried = folder / "carried"
    assert main(["workers", str(EXAMPLE_ROOT), "-o", str(importing)]) == 1  # two tasks are refused
    assert main(["workers", str(EXAMPLE_ROOT), "-o", str(carried), "--self-contained"]) == 1
    return importing, carried


def test_traced_module_leaves_no_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src", TRACED_PROJECT)
    arguments = json.dumps({"rows": [{"id": 2}, {"id": 5, "color": "blue"}], "bonus": 3})

    run = generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained")
    carried = run_worker(tmp_path / "out" / "traced__jobs__score.py", arguments)

    assert run.code == 0, run.out
    assert carried.code == 0, carried.stdout + carried.stderr
    assert carried.response == {"ok": True, "result": 4.0}
    assert traces(tmp_path / "src") == []


def test_importing_worker_leaves_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The same project through a module-importing worker: the canary works.
    write(tmp_path / "src", TRACED_PROJECT)
    arguments = json.dumps({"rows": [{"id": 2}], "bonus": 3})

    generate(capsys, tmp_path / "out", str(tmp_path / "src"))
    imported = run_worker(tmp_path / "out" / "traced__jobs__score.py", arguments)

    assert imported.response == {"ok": True, "result": 4.0}
    assert traces(tmp_path / "src") == ["TRACE_jobs", "TRACE_package"]


def test_carried_source_drops_decorator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from worker_support import load_generated

    write(tmp_path / "src", TRACED_PROJECT)
    generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained")
    worker = load_generated(tmp_path / "out" / "traced__jobs__score.py", "carried_score")

    source = worker.CARRIED_SOURCE
    assert "@task" not in source
    assert "task_lint" not in source
    assert "class Row" in source
    assert "Colour = Color" in source
    assert "def helper" in source
    assert "TRACE" not in source
    assert worker.CARRIED_CALL == "function"


def test_docstring_names_carried_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from worker_support import load_generated

    write(tmp_path / "src", TRACED_PROJECT)
    generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained")
    worker = load_generated(tmp_path / "out" / "traced__jobs__score.py", "carried_docstring")

    docstring = worker.__doc__
    assert docstring.startswith("A generated task worker that carries the task's own code.")
    assert "runs the copy of the task\nin CARRIED_SOURCE" in docstring
    assert "TASK_MODULE and its package are never imported" in docstring
    assert "named by" not in docstring


@pytest.mark.parametrize("qualified_name", EXAMPLE_WORKER_TASKS)
def test_example_matches_importing_worker(
    example_workers: tuple[Path, Path], tmp_path: Path, qualified_name: str
) -> None:
    importing, carried = example_workers
    files = tmp_path / "files"
    arguments = json.dumps(SAMPLE_INPUTS[qualified_name](files))
    setup = SETUP.get(qualified_name, lambda folder: None)

    files.mkdir()
    setup(files)
    expected = run_worker(importing / worker_name(qualified_name), arguments)
    expected_files = folder_snapshot(files)
    expected_response = normalize(qualified_name, expected.response, files)
    shutil.rmtree(files)
    files.mkdir()
    setup(files)
    actual = run_worker(carried / worker_name(qualified_name), arguments)

    assert actual.code == expected.code == 0, actual.stdout + actual.stderr
    assert normalize(qualified_name, actual.response, files) == expected_response
    if qualified_name != "shop.notifications:send_email":
        assert folder_snapshot(files) == expected_files


def test_example_worker_never_imports_shop(example_workers: tuple[Path, Path]) -> None:
    _, carried = example_workers
    worker = carried / worker_name("shop.orders:adjust_inventory")

    completed = subprocess.run(
        [sys.executable, "-X", "importtime", str(worker)],
        input=b'{"levels": {"a": 3}, "sku": "a"}',
        capture_output=True,
        check=False,
        timeout=60,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in completed.stderr.decode().splitlines() if "|" in line]

    assert json.loads(completed.stdout) == {"ok": True, "result": {"a": 2}}
    assert not [name for name in imported if name == "shop" or name.startswith("shop.")]
    assert "task_lint" not in imported


@pytest.mark.parametrize(
    ("module", "name", "reason"),
    [
        (
            """\
            from task_lint import task

            client = open(__file__)


            @task
            def fetch(n: int) -> int:
                return client.fileno() + n
            """,
            "client",
            "is bound by a call to `open`, which may have side effects when it runs",
        ),
        (
            """\
            from task_lint import task

            COUNT = 0


            @task
            def bump(n: int) -> int:
                global COUNT
                COUNT += n
                return COUNT
            """,
            "COUNT",
            "writes with `global`",
        ),
        (
            """\
            from package_that_is_not_installed import *

            from task_lint import task


            @task
            def base(path: str) -> str:
                return basename(path)
            """,
            "basename",
            "whose names task-lint cannot list",
        ),
        (
            """\
            from task_lint import task


            @task
            def ghost(n: int) -> int:
                return undefined_helper(n)
            """,
            "undefined_helper",
            "cannot be resolved in its module",
        ),
        (
            """\
            import pkg.helpers

            from task_lint import task


            @task
            def whole(n: int) -> int:
                return pkg.helpers.double(n)
            """,
            "pkg",
            "is the project module `pkg`",
        ),
    ],
    ids=["side-effect-call", "global-write", "star-import", "unresolved", "whole-module"],
)
def test_uncarriable_name_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], module: str, name: str, reason: str
) -> None:
    write(
        tmp_path / "src",
        {
            "pkg/__init__.py": "",
            "pkg/helpers.py": "def double(n):\n    return 2 * n\n",
            "pkg/jobs.py": module,
            "pkg/clean.py": "from task_lint import task\n\n\n@task\ndef ok(n: int) -> int:\n    return n\n",
        },
    )

    run = generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained")
    written = sorted(path.name for path in (tmp_path / "out").glob("*.py"))

    assert run.code == 1
    assert "TSK501" in run.out
    assert f"uses `{name}`" in run.out
    assert reason in run.out
    assert written == ["pkg__clean__ok.py"]


def test_star_import_carried_explicitly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from worker_support import load_generated

    write(
        tmp_path / "src",
        {
            "jobs.py": """\
            from os.path import *

            from task_lint import task


            @task
            def base(path: str) -> str:
                return basename(path)
            """
        },
    )

    run = generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained")
    worker = load_generated(tmp_path / "out" / "jobs__base.py", "carried_star")
    response = run_worker(tmp_path / "out" / "jobs__base.py", '{"path": "/a/b.txt"}').response

    assert run.code == 0, run.out
    assert "from os.path import basename" in worker.CARRIED_SOURCE
    assert "import *" not in worker.CARRIED_SOURCE
    assert response == {"ok": True, "result": "b.txt"}


def test_refusal_silenced_by_noqa(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path / "src",
        {
            "jobs.py": """\
            from task_lint import task

            client = open(__file__)


            @task
            def fetch(n: int) -> int:  # noqa: TSK501
                return client.fileno() + n
            """
        },
    )

    run = generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained")

    assert run.code == 0, run.out
    assert "TSK501" not in run.out


def test_regeneration_is_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src", TRACED_PROJECT)

    generate(capsys, tmp_path / "first", str(tmp_path / "src"), "--self-contained")
    generate(capsys, tmp_path / "second", str(tmp_path / "src"), "--self-contained")
    first = (tmp_path / "first" / "traced__jobs__score.py").read_bytes()
    second = (tmp_path / "second" / "traced__jobs__score.py").read_bytes()

    assert first == second


def test_carried_workers_pass_ruff(example_workers: tuple[Path, Path]) -> None:
    _, carried = example_workers
    ruff = Path(sys.executable).with_name("ruff")

    result = subprocess.run(
        [str(ruff), "check", "--isolated", "--no-cache", str(carried)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout


def test_carried_workers_compile(example_workers: tuple[Path, Path]) -> None:
    from worker_support import load_generated

    _, carried = example_workers
    for index, path in enumerate(sorted(carried.glob("*.py"))):
        worker = load_generated(path, f"carried_compile_{index}")
        compile(worker.CARRIED_SOURCE, str(path), "exec")


def test_self_contained_needs_stdio(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src", TRACED_PROJECT)

    run = generate(capsys, tmp_path / "out", str(tmp_path / "src"), "--self-contained", "--target", "celery")

    assert run.code == 2
    assert "stdio target only" in run.err
