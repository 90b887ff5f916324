"""The wheel ships the worker templates: build it, install it in a fresh venv, and generate from there.

Building runs `python -m build --wheel`, which installs hatchling into an isolated
environment, and installing the wheel fetches its dependencies. Both need the
machine's package index (PyPI or a configured mirror).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from worker_support import EXAMPLE_ROOT, EXAMPLE_WORKER_TASKS, run_worker, worker_name

from task_lint.cli import main

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]
TIMEOUT = 600
TEMPLATES = ["base.py.j2", "composites.py.j2", "scalars.py.j2", "stdio.py.j2"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Variables of the development venv must not leak into the fresh one.
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def test_wheel_generates_workers(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPOSITORY)], tmp_path)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels = list(dist.glob("task_lint-*.whl"))
    assert len(wheels) == 1

    # The templates are inside the package, next to the code that loads them.
    with zipfile.ZipFile(wheels[0]) as archive:
        names = set(archive.namelist())
    for template in TEMPLATES:
        assert f"task_lint/templates/worker/{template}" in names, template
    assert not any(name.startswith("templates/") for name in names)

    venv = tmp_path / "venv"
    created = run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], tmp_path)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]

    located = run(
        [str(python), "-c", "from task_lint.codegen import render; print(render.templates_folder())"], tmp_path
    )
    assert located.returncode == 0, located.stderr
    folder = Path(located.stdout.strip())
    assert folder.is_relative_to(venv)
    assert folder.name == "templates"

    # Generate from the installed package, away from the checkout.
    fresh = tmp_path / "fresh" / "workers"
    generated = run([str(venv / "bin" / "task-lint"), "workers", str(EXAMPLE_ROOT), "-o", str(fresh)], tmp_path)
    assert generated.returncode == 1, generated.stderr
    assert "28 written, 0 unchanged, 2 refusal findings, 0 removed" in generated.stderr
    assert sorted(path.name for path in fresh.iterdir()) == sorted(worker_name(task) for task in EXAMPLE_WORKER_TASKS)

    # The checkout gives the same bytes for an output folder at the same depth.
    checkout = tmp_path / "checkout" / "workers"
    main(["workers", str(EXAMPLE_ROOT), "-o", str(checkout)])
    for path in sorted(fresh.iterdir()):
        assert path.read_bytes() == (checkout / path.name).read_bytes(), path.name

    # A worker runs with the fresh interpreter, whose task_lint is the installed wheel.
    worker = run_worker(
        fresh / worker_name("shop.orders:adjust_inventory"),
        json.dumps({"levels": {"a": 3}, "sku": "a"}),
        interpreter=[str(python)],
    )
    assert worker.code == 0, worker.stderr
    assert worker.response == {"ok": True, "result": {"a": 2}}
