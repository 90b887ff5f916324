"""Start-up of a self-contained worker against a module-importing worker.

The task module imports several large standard-library packages at its top level
(as real task modules import their frameworks), while the task itself needs only
`math`. The module-importing worker pays for those imports on every start; the
self-contained one carries the task's code and never imports the module.

Run from the repository root:

    python bench/self_contained.py            # 30 interleaved runs of each
    python bench/self_contained.py --quick    # 8 runs of each

The script unsets PYTHONDONTWRITEBYTECODE for the measured processes and runs
each worker once before timing, so both read bytecode from the cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HEAVY_MODULE = '''\
"""Tasks of a service whose module imports its whole stack at the top."""

import asyncio
import email.mime.multipart
import http.server
import json
import math
import sqlite3
import unittest
import urllib.request
import xml.dom.minidom

from task_lint import task

SCALE = 2.5


@task
def hypotenuse(a: float, b: float) -> float:
    """Return the scaled length of the hypotenuse."""
    return math.hypot(a, b) * SCALE
'''


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def generate(source: Path, output: Path, *extra: str) -> None:
    command = [sys.executable, "-m", "task_lint.cli", "workers", str(source), "-o", str(output), *extra]
    subprocess.run(command, check=True, capture_output=True, env=environment())


def run_once(worker: Path) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(worker)],
        input=b'{"a": 3.0, "b": 4.0}',
        capture_output=True,
        check=True,
        env=environment(),
    )
    elapsed = time.perf_counter() - start
    if b'"ok": true' not in completed.stdout:
        raise SystemExit(f"worker failed: {completed.stdout!r} {completed.stderr!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 runs of each instead of 30")
    options = parser.parse_args()
    runs = 8 if options.quick else 30

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "src" / "service").mkdir(parents=True)
        (root / "src" / "service" / "__init__.py").write_text("")
        (root / "src" / "service" / "tasks.py").write_text(textwrap.dedent(HEAVY_MODULE))
        generate(root / "src", root / "importing")
        generate(root / "src", root / "carried", "--self-contained")
        importing = root / "importing" / "service__tasks__hypotenuse.py"
        carried = root / "carried" / "service__tasks__hypotenuse.py"

        for worker in (importing, carried):
            run_once(worker)  # fill the bytecode cache
        times: dict[str, list[float]] = {"importing": [], "self-contained": []}
        for _ in range(runs):
            times["importing"].append(run_once(importing))
            times["self-contained"].append(run_once(carried))

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, {runs} runs each")
    for name, value in medians.items():
        print(f"{name:>15}: median {value * 1000:7.1f} ms per call (one process per call)")
    ratio = medians["self-contained"] / medians["importing"]
    print(f"self-contained / importing: {ratio:.2f}")


if __name__ == "__main__":
    main()
