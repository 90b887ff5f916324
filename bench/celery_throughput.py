"""Measure Celery throughput of a generated worker against a hand-written Celery task.

Both variants run the same function body through the same two `celery worker`
processes (solo pool, one task at a time each) on a `redis-server` that this script
starts on a free 127.0.0.1 port:

- generated: `task-lint workers --target celery` output, submitted with
  `task_lint.celery.Client.submit`, which validates and encodes on the client,
  and read back with `SubmittedTask.get`, which decodes the result;
- hand-written: an undecorated copy of the function, registered with `@app.task`
  on the same Celery application. Both variants therefore share one configuration
  (JSON serializer, late acknowledgement, prefetch multiplier 1). It is submitted
  with `app.send_task` and read back with `AsyncResult.get`, with plain JSON
  values in both directions.

The function takes 20 ints, 20 floats and a string and returns a `dict[str, float]`.
One sample submits `--tasks` tasks from this process, then waits for every result.
Throughput is tasks divided by the wall time of the sample. Samples alternate
between the variants (A B, B A, A B, ...) after one warm-up sample each, and the
reported ratio is the median over the pairs of adjacent samples. CPU time per
task is also reported, for the client (this process) and for the two workers
(read from /proc, so Linux only).

Run from the repository root:

    python bench/celery_throughput.py            # 11 samples of 500 tasks per variant
    python bench/celery_throughput.py --quick    # 2 samples of 100 tasks
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _common
import celery
import redis

import task_lint
import task_lint.celery

TARGET_RATIO = 0.90  # generated throughput at least 90 % of hand-written
RESULT_TIMEOUT = 60.0

# The body that both variants run.
BODY = """\
    total = sum(value * weight for value, weight in zip(values, weights))
    return {"total": total, "mean": total / len(values), "label_length": float(len(label))}
"""

GENERATED_SOURCE = (
    "from task_lint import task\n\n\n"
    "@task\n"
    "def weighted_total(values: list[int], weights: list[float], label: str) -> dict[str, float]:\n" + BODY
)

# Registered on the generated application, so that both variants share its configuration.
HANDWRITTEN_SOURCE = (
    "from celery_app import app\n\n\n"
    '@app.task(name="bench.handwritten_total", serializer="json")\n'
    "def handwritten_total(values, weights, label):\n" + BODY
)

PAYLOAD: dict[str, Any] = {
    "values": list(range(1, 21)),
    "weights": [index / 8 for index in range(20)],
    "label": "checkout latency, EU region",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process group, killing it after 10 seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        process.wait(timeout=10)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Start `redis-server` without persistence on a free port and yield the URL of database 0."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not on PATH; install it (e.g. `apt-get install redis-server`)")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with open(folder / "redis.log", "wb") as log:
        process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"redis-server did not start:\n{(folder / 'redis.log').read_text()}") from None
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


def generate(folder: Path) -> Path:
    """Write the benchmark task, generate its Celery target, add the hand-written task and return the target."""
    source = folder / "source"
    source.mkdir()
    (source / "bench_tasks.py").write_text(GENERATED_SOURCE, encoding="utf-8")
    output = folder / "workers"
    task_lint_command = Path(sys.executable).with_name("task-lint")
    command = [str(task_lint_command), "workers", str(source), "-o", str(output), "--target", "celery"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"task-lint workers failed with exit code {completed.returncode}:\n{completed.stderr}")
    (output / "handwritten_tasks.py").write_text(HANDWRITTEN_SOURCE, encoding="utf-8")
    return output


@contextmanager
def workers(folder: Path, broker_url: str, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start `count` solo-pool workers of the combined application and stop them on exit."""
    environment = dict(os.environ, TASK_LINT_BROKER_URL=broker_url)
    environment.pop("TASK_LINT_RESULT_BACKEND", None)
    control = celery.Celery("bench_control", broker=broker_url)
    started: list[subprocess.Popen[bytes]] = []
    names = [f"bench{index}-{uuid.uuid4().hex[:6]}@127.0.0.1" for index in range(count)]
    try:
        for name in names:
            command = [
                sys.executable, "-m", "celery", "-A", "handwritten_tasks", "worker", "--pool", "solo",
                "--concurrency", "1", "-n", name, "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel", "WARNING",
            ]  # fmt: skip
            with open(folder / f"{name.split('@', maxsplit=1)[0]}.log", "wb") as log:
                started.append(
                    subprocess.Popen(
                        command,
                        cwd=folder,
                        env=environment,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 60
        waiting = set(names)
        while waiting:
            if time.monotonic() > deadline or any(process.poll() is not None for process in started):
                raise SystemExit(f"workers did not start: {sorted(waiting)}. Their logs are in {folder}")
            for reply in control.control.ping(destination=sorted(waiting), timeout=0.5):
                waiting -= set(reply)
        yield started
    finally:
        for process in started:
            stop(process)
        control.close()


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time of a process, read from /proc (Linux only)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        # The fields after the command name, which is in brackets and may contain spaces.
        fields = handle.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    """One sample: throughput, CPU time per task of the client and of the workers, and the results."""

    tasks_per_second: float
    client_cpu: float
    worker_cpu: float
    results: list[Any]


def sample(submit: Callable[[], Any], collect: Callable[[Any], Any], tasks: int, worker_pids: list[int]) -> Sample:
    """Submit `tasks` tasks from this process and wait for all results."""
    workers_before = sum(cpu_seconds(pid) for pid in worker_pids)
    start = time.perf_counter()
    start_cpu = time.process_time()
    pending = [submit() for _ in range(tasks)]
    results = [collect(item) for item in pending]
    elapsed = time.perf_counter() - start
    client_cpu = time.process_time() - start_cpu
    worker_cpu = sum(cpu_seconds(pid) for pid in worker_pids) - workers_before
    return Sample(tasks / elapsed, client_cpu / tasks, worker_cpu / tasks, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=500, help="tasks per sample (default: 500)")
    parser.add_argument("--samples", type=int, default=11, help="timed samples per variant (default: 11)")
    parser.add_argument("--quick", action="store_true", help="2 samples of 100 tasks, for a smoke test")
    args = parser.parse_args()
    tasks, samples = (100, 2) if args.quick else (args.tasks, args.samples)
    machine = _common.machine_lines()

    with tempfile.TemporaryDirectory(prefix="celery_bench_") as scratch:
        folder = Path(scratch)
        target = generate(folder)
        sys.path.insert(0, str(folder / "source"))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            import bench_tasks

        with redis_server(folder) as broker_url, workers(target, broker_url, 2) as processes:
            worker_pids = [process.pid for process in processes]
            app = task_lint.celery.make_app(broker=broker_url, backend=broker_url)
            client = task_lint.celery.Client(app)
            variants: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]] = {
                "generated": (
                    lambda: client.submit(bench_tasks.weighted_total, **PAYLOAD),
                    lambda item: item.get(timeout=RESULT_TIMEOUT),
                ),
                "hand-written": (
                    lambda: app.send_task("bench.handwritten_total", kwargs=PAYLOAD),
                    lambda item: item.get(timeout=RESULT_TIMEOUT),
                ),
            }
            samples_by_variant: dict[str, list[Sample]] = {name: [] for name in variants}
            outputs: dict[str, Any] = {}
            for name, (submit, collect) in variants.items():
                outputs[name] = sample(submit, collect, tasks, worker_pids).results[0]
            if outputs["generated"] != outputs["hand-written"]:
                raise SystemExit(f"the variants return different results: {outputs}")
            order = list(variants)
            for index in range(samples):
                for name in order if index % 2 == 0 else reversed(order):
                    samples_by_variant[name].append(sample(*variants[name], tasks, worker_pids))
            app.close()

    rates = {name: [item.tasks_per_second for item in items] for name, items in samples_by_variant.items()}
    generated = _common.median(rates["generated"])
    handwritten = _common.median(rates["hand-written"])
    # Adjacent samples form a pair. A change in machine load between pairs moves
    # both variants of a pair alike, so the verdict uses the median pair ratio.
    pairs = [g / h for g, h in zip(rates["generated"], rates["hand-written"], strict=True)]
    ratio = _common.median(pairs)
    command = "python bench/celery_throughput.py" + (" --quick" if args.quick else "")

    print("## Celery\n")
    print("\n".join(machine))
    print(f"- load average after measuring: {_common.load_average()}")
    print(f"- celery {celery.__version__}, redis-py {redis.__version__}, {redis_version()}")
    print(f"- command: `{command}`")
    print(
        f"- {samples} samples of {tasks} tasks per variant, alternating after one warm-up sample each; "
        "2 worker processes (solo pool), the client in one more process, all on this machine\n"
    )
    rows = []
    for name, label in (("generated", "generated worker"), ("hand-written", "hand-written task")):
        rows.append(
            [
                label,
                f"{_common.median(rates[name]):.0f}",
                f"{min(rates[name]):.0f} to {max(rates[name]):.0f}",
                f"{_common.median([item.client_cpu for item in samples_by_variant[name]]) * 1000:.2f}",
                f"{_common.median([item.worker_cpu for item in samples_by_variant[name]]) * 1000:.2f}",
            ]
        )
    header = [
        "variant",
        "median tasks/s",
        "min to max tasks/s",
        "client CPU ms per task (median)",
        "worker CPU ms per task, both workers (median)",
    ]
    print(_common.markdown_table(header, rows))
    print()
    print(
        f"Generated ÷ hand-written throughput: {ratio:.3f}, the median of the {len(pairs)} pair ratios "
        f"({min(pairs):.3f} to {max(pairs):.3f}). The ratio of the medians is {generated / handwritten:.3f}. "
        f"Target: at least {TARGET_RATIO:.2f}, that is at most 10 % slower: {_common.verdict(ratio >= TARGET_RATIO)}."
    )


def redis_version() -> str:
    """Return `redis-server X.Y.Z` from the output of `redis-server --version`."""
    executable = shutil.which("redis-server")
    if executable is None:
        return "redis-server (version unknown)"
    completed = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    for word in completed.stdout.split():
        if word.startswith("v="):
            return f"redis-server {word[2:]}"
    return "redis-server (version unknown)"


if __name__ == "__main__":
    main()
