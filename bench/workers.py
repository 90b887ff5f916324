"""Measure worker generation, worker start-up and batch-mode throughput.

Three measurements, each reported as a ratio to its baseline within the same run:

1. Generation: `build_workers` (parse, analyse, plan and render every task in
   memory) and `build_workers` plus writing the files, against reading and
   `ast.parse` of the same sources. The sources are a corpus of about 1,000 tasks
   written by `corpus.py` (seed 2024). Each timing is the median of several runs
   in this process.
2. Start-up: one worker call (`python WORKER.py --input FILE`, and the same with
   `python -m WORKER`) against `python -c "import <task module>"`, for two task
   modules: `shop.orders` from fixtures/example_project (which imports the whole
   `shop` package) and a module with one task that imports only task_lint.
   Commands run interleaved in subprocesses, timed by wall and by CPU time.
   Target: the worker at most 1.2 times the import, on both measures.
3. Throughput: calls per second of `--batch` (one process, many JSON lines)
   against one process per call, on `shop.orders:adjust_inventory`.

Run from the repository root:

    python bench/workers.py            # 20 start-up runs, 1,000 batch calls
    python bench/workers.py --quick    # 5 start-up runs, 200 batch calls
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _common
import corpus

from task_lint.codegen.workers import build_workers, sync_workers
from task_lint.static.config import Config

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE_ROOT = REPOSITORY / "fixtures" / "example_project"
STARTUP_TARGET = 1.2

# 190 modules of 5 tasks, plus a class-based task in every fourth module: 998 tasks.
CORPUS_MODULES = 190

SMALL_MODULE = '''\
from task_lint import task


@task
def add(a: int, b: int = 2) -> int:
    """Add two numbers."""
    return a + b
'''

ADJUST_INPUT = {"levels": {"MUG-01": 5}, "sku": "MUG-01", "delta": 2}


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """Run `action` once untimed, then `runs` times, and return the median wall time."""
    action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def parse_all(paths: list[str]) -> None:
    for path in paths:
        with open(path, "rb") as handle:
            ast.parse(handle.read(), filename=path)


def measure_generation(folder: str, runs: int) -> list[str]:
    shape = corpus.write_corpus(folder, CORPUS_MODULES)
    paths = sorted(str(path) for path in Path(folder).rglob("*.py"))
    config = Config()
    output = os.path.join(folder, "workers")
    built = build_workers([folder], config, output)

    def generate_and_write() -> None:
        with tempfile.TemporaryDirectory() as target:
            result = build_workers([folder], config, target)
            sync_workers(result.files, target, scanned=[folder], check=False, prune=False)

    parse = median_seconds(lambda: parse_all(paths), runs)
    render = median_seconds(lambda: build_workers([folder], config, output), runs)
    write = median_seconds(generate_and_write, runs)
    rows = [
        ["read and `ast.parse` every source file", f"{parse * 1000:.0f}", "1.00x"],
        ["`build_workers`: plan and render in memory", f"{render * 1000:.0f}", f"{render / parse:.1f}x"],
        ["`build_workers` and write the files", f"{write * 1000:.0f}", f"{write / parse:.1f}x"],
    ]
    return [
        "### Generation\n",
        f"Corpus: {shape['modules']} modules with {shape['tasks']} tasks and {shape['lines']:,} lines "
        f"(`bench/corpus.py`, seed 2024). {len(built.files)} tasks get a worker; "
        f"{len(built.refusals)} refusal findings come from the corpus's deliberate problems. "
        f"Median of {runs} runs in one process, after one untimed run.\n",
        _common.markdown_table(["step", "median ms", "ratio to parsing"], rows),
        "",
    ]


def write_small_project(folder: str) -> str:
    project = os.path.join(folder, "small")
    os.makedirs(project)
    with open(os.path.join(project, "bench_jobs.py"), "w", encoding="utf-8") as handle:
        handle.write(SMALL_MODULE)
    return project


def measure_startup(folder: str, workers: str, runs: int) -> tuple[list[str], bool]:
    python = sys.executable
    small = write_small_project(folder)
    small_workers = os.path.join(folder, "small_workers")
    result = build_workers([small], Config(), small_workers)
    sync_workers(result.files, small_workers, scanned=[small], check=False, prune=False)

    adjust_input = os.path.join(folder, "adjust.json")
    with open(adjust_input, "w", encoding="utf-8") as handle:
        json.dump(ADJUST_INPUT, handle)
    add_input = os.path.join(folder, "add.json")
    with open(add_input, "w", encoding="utf-8") as handle:
        handle.write('{"a": 40}')

    cases = [
        (
            "`shop.orders` (example project)",
            str(EXAMPLE_ROOT),
            "shop.orders",
            workers,
            "shop__orders__adjust_inventory",
        ),
        ("`bench_jobs` (one task, imports task_lint)", small, "bench_jobs", small_workers, "bench_jobs__add"),
    ]
    inputs = {"shop.orders": adjust_input, "bench_jobs": add_input}
    rows = []
    met = True
    for label, cwd, module, folder_of_workers, worker in cases:
        # The worker folder on PYTHONPATH lets `python -m` find the worker and
        # load its cached bytecode; running the file compiles it every time.
        environment = {**_common.bench_environment(), "PYTHONPATH": folder_of_workers}
        commands = {
            "import": [python, "-c", f"import {module}"],
            "file": [python, os.path.join(folder_of_workers, worker + ".py"), "--input", inputs[module]],
            "module": [python, "-m", worker, "--input", inputs[module]],
        }
        times = _common.time_interleaved(commands, runs, environment, cwd=cwd, warmup=2)
        imported_wall = _common.median(_common.walls(times["import"]))
        imported_cpu = _common.median(_common.cpus(times["import"]))
        for form in ("file", "module"):
            wall = _common.median(_common.walls(times[form]))
            cpu = _common.median(_common.cpus(times[form]))
            within = wall / imported_wall <= STARTUP_TARGET and cpu / imported_cpu <= STARTUP_TARGET
            if form == "file":
                met = met and within
            rows.append(
                [
                    label,
                    "`python WORKER.py`" if form == "file" else "`python -m WORKER`",
                    f"{imported_wall * 1000:.1f} / {imported_cpu * 1000:.1f}",
                    f"{wall * 1000:.1f} / {cpu * 1000:.1f}",
                    f"{wall / imported_wall:.2f}x / {cpu / imported_cpu:.2f}x",
                    _common.verdict(within),
                ]
            )
    header = [
        "task module",
        "worker run as",
        "`python -c 'import MODULE'` ms (wall / CPU)",
        "one worker call ms (wall / CPU)",
        "ratio (wall / CPU)",
        f"target <= {STARTUP_TARGET}x on both",
    ]
    return [
        "### Start-up\n",
        f"Median of {runs} interleaved runs per command, after two warm-up rounds, with the task "
        "module's folder as the working directory. CPU time is user plus system time of the "
        "process, which other load on the machine disturbs less than wall time. The worker call "
        "parses its options, reads the JSON file, imports the task module, runs the task and "
        "writes the response. The exit code follows the verdict for `python WORKER.py`.\n",
        _common.markdown_table(header, rows),
        "",
    ], met


def measure_throughput(folder: str, workers: str, batch_calls: int, process_calls: int) -> list[str]:
    worker = os.path.join(workers, "shop__orders__adjust_inventory.py")
    environment = _common.bench_environment()
    lines = os.path.join(folder, "batch.jsonl")
    with open(lines, "w", encoding="utf-8") as handle:
        for number in range(batch_calls):
            handle.write(json.dumps({**ADJUST_INPUT, "delta": number}) + "\n")

    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, worker, "--batch", "--input", lines],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    batch_seconds = time.perf_counter() - start
    answers = completed.stdout.splitlines()
    if len(answers) != batch_calls or not all(json.loads(line)["ok"] for line in answers):
        raise RuntimeError("the batch run did not return a successful response for every call")

    single_input = os.path.join(folder, "single.json")
    with open(single_input, "w", encoding="utf-8") as handle:
        json.dump(ADJUST_INPUT, handle)
    command = [sys.executable, worker, "--input", single_input]
    _common.run_once(command, environment)
    start = time.perf_counter()
    for _ in range(process_calls):
        _common.run_once(command, environment)
    process_seconds = time.perf_counter() - start

    batch_rate = batch_calls / batch_seconds
    process_rate = process_calls / process_seconds
    rows = [
        [f"`--batch`, {batch_calls} calls in one process", f"{batch_seconds:.2f}", f"{batch_rate:,.0f}", "1.0x"],
        [
            f"one process per call, {process_calls} calls",
            f"{process_seconds:.2f}",
            f"{process_rate:,.1f}",
            f"{process_rate / batch_rate:.3f}x",
        ],
    ]
    return [
        "### Batch mode\n",
        "`shop.orders:adjust_inventory` on a small object, run with the worker file. "
        "The batch time includes the one start-up.\n",
        _common.markdown_table(["mode", "total s", "calls per second", "ratio to batch"], rows),
        "",
        f"Batch mode runs {batch_rate / process_rate:,.0f} times as many calls per second.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    args = parser.parse_args()
    startup_runs = 5 if args.quick else 20
    generation_runs = 2 if args.quick else 5
    batch_calls = 200 if args.quick else 1000
    process_calls = 10 if args.quick else 40

    machine = _common.machine_lines()
    with tempfile.TemporaryDirectory() as folder:
        workers = os.path.join(folder, "example_workers")
        example = build_workers([str(EXAMPLE_ROOT)], Config(), workers)
        sync_workers(example.files, workers, scanned=[str(EXAMPLE_ROOT)], check=False, prune=False)

        generation = measure_generation(os.path.join(folder, "corpus"), generation_runs)
        startup, met = measure_startup(folder, workers, startup_runs)
        throughput = measure_throughput(folder, workers, batch_calls, process_calls)

    print("## Workers\n")
    print("\n".join(machine))
    print(f"- load average after measuring: {_common.load_average()}")
    print(f"- command: `python bench/workers.py{' --quick' if args.quick else ''}`\n")
    print("\n".join(generation + startup + throughput))
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
