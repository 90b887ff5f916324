"""Helpers shared by the benchmark scripts: machine description, timing and Markdown tables.

The scripts import this module by name, which works because Python puts the folder
of the script it runs (`bench/`) first on `sys.path`.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from typing import NamedTuple


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def cpu_count() -> int:
    """Return the number of CPUs this process may run on, as `task-lint check` counts them."""
    from task_lint.static.checker import cpu_count as usable

    return usable()


def machine_lines() -> list[str]:
    """Describe the machine and interpreter as Markdown list items."""
    usable = cpu_count()
    return [
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores ({usable} usable by this process)",
        f"- Python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"- OS: {os_name()}, kernel {platform.release()}",
        f"- load average (1, 5 and 15 minutes) before measuring: {load_average()}",
        f"- task_lint source: {source_revision()}",
    ]


def source_revision() -> str:
    """Return the git commit of the checked-out task_lint and whether task_lint/ has uncommitted changes."""
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(
            ["git", "-C", repository, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", repository, "status", "--porcelain", "--", "task_lint"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (", with uncommitted changes in task_lint/" if changes else "")


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def bench_environment() -> dict[str, str]:
    """Return the environment for timed subprocesses: this one without `PYTHONDONTWRITEBYTECODE`.

    `PYTHONDONTWRITEBYTECODE` makes every import compile from source, which would
    time the compiler rather than the program.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


class Timing(NamedTuple):
    """Wall time and CPU time (user plus system, of the process and the children it waited for) in seconds.

    CPU time changes less than wall time when other processes load the machine, so
    the reports show both.
    """

    wall: float
    cpu: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(
    command: Sequence[str], environment: Mapping[str, str], cwd: str | None = None, ok: Sequence[int] = (0,)
) -> Timing:
    """Run a command with its output discarded and return its wall and CPU time.

    Raises `RuntimeError` with the command's stderr when the exit code is not in `ok`.
    """
    cpu_before = children_cpu()
    start = time.perf_counter()
    completed = subprocess.run(
        list(command), env=dict(environment), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    if completed.returncode not in ok:
        stderr = completed.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited with {completed.returncode}:\n{stderr}")
    return Timing(elapsed, cpu)


def time_interleaved(
    commands: Mapping[str, Sequence[str]],
    runs: int,
    environment: Mapping[str, str],
    cwd: str | None = None,
    ok: Sequence[int] = (0,),
    warmup: int = 1,
) -> dict[str, list[Timing]]:
    """Time each command `runs` times in the order A B C, A B C, ... and return the timings per command.

    `warmup` untimed rounds come first, so that file caches and bytecode caches are warm.
    """
    for _ in range(warmup):
        for command in commands.values():
            run_once(command, environment, cwd, ok)
    times: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(run_once(command, environment, cwd, ok))
    return times


def walls(timings: Sequence[Timing]) -> list[float]:
    return [timing.wall for timing in timings]


def cpus(timings: Sequence[Timing]) -> list[float]:
    return [timing.cpu for timing in timings]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float], digits: int = 3) -> str:
    """Return the minimum and maximum as `min to max` for tables."""
    return f"{min(values):.{digits}f} to {max(values):.{digits}f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def timing_table(
    labels: Mapping[str, str], times: Mapping[str, Sequence[Timing]], baseline: str | None = None, digits: int = 3
) -> str:
    """Tabulate median wall and CPU times per command, with ratios to the `baseline` command when one is named.

    `labels` maps each key of `times` to the text of its first column.
    """
    header = ["command", "median wall s", "wall range s", "median CPU s"]
    if baseline is not None:
        header += [f"wall ratio to {labels[baseline]}", "CPU ratio"]
        base_wall = median(walls(times[baseline]))
        base_cpu = median(cpus(times[baseline]))
    rows = []
    for name, timings in times.items():
        wall = median(walls(timings))
        cpu = median(cpus(timings))
        row: list[object] = [labels[name], f"{wall:.{digits}f}", spread(walls(timings), digits), f"{cpu:.{digits}f}"]
        if baseline is not None:
            row += [f"{wall / base_wall:.3f}x", f"{cpu / base_cpu:.3f}x"]
        rows.append(row)
    return markdown_table(header, rows)


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def invocation(script: str) -> str:
    """Return how this script was run, as `python bench/SCRIPT ARGUMENTS`, for the report header."""
    return shell_command(["python", f"bench/{script}", *sys.argv[1:]])


def shell_command(command: Sequence[str]) -> str:
    """Quote a command for display in Markdown."""
    import shlex

    return " ".join(shlex.quote(part) for part in command)
