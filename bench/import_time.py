"""Measure the start-up cost of `import task_lint` against a bare interpreter.

Three commands run with the interpreter that runs this script, interleaved
(A B C, A B C, ...), and the report gives the median wall time of each and the
ratio to `python -c pass`:

- `python -c pass`
- `python -c "import task_lint"`
- `python -c "from task_lint import task"` followed by the definition of one task
  with four annotated parameters (this also builds the task's metadata)

`PYTHONDONTWRITEBYTECODE` is removed from the environment of these commands, and
one untimed round runs first, so that imports load cached bytecode instead of
compiling. The same run checks, in a fresh interpreter, that `import task_lint`
loads none of jinja2, astroid and flake8, and lists the slowest imports that
`python -X importtime` reports for it.

Run from the repository root:

    python bench/import_time.py            # 30 interleaved runs per command
    python bench/import_time.py --quick    # 5 runs per command
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import _common

DEFINE_ONE_TASK = """\
from task_lint import task

@task
def resize(path: str, width: int, height: int, keep_ratio: bool = True) -> list[int]:
    return [width, height]
"""

FORBIDDEN = ("jinja2", "astroid", "flake8")

CHECK_MODULES = f"""\
import json, sys
import task_lint
loaded = sorted(name for name in sys.modules if name.split(".")[0] in {FORBIDDEN!r})
print(json.dumps(loaded))
"""


def commands(python: str) -> dict[str, list[str]]:
    return {
        "python -c pass": [python, "-c", "pass"],
        "import task_lint": [python, "-c", "import task_lint"],
        "from task_lint import task; define one task": [python, "-c", DEFINE_ONE_TASK],
    }


def forbidden_modules(python: str) -> list[str]:
    """Return the jinja2, astroid and flake8 modules loaded by `import task_lint` in a fresh interpreter."""
    output = subprocess.run(
        [python, "-c", CHECK_MODULES], env=_common.bench_environment(), capture_output=True, text=True, check=True
    ).stdout
    loaded: list[str] = json.loads(output)
    return loaded


def slowest_imports(python: str, count: int, runs: int) -> list[tuple[float, float, str]]:
    """Return `(self µs, cumulative µs, module)` of the slowest imports under `import task_lint`.

    Each number is the median over `runs` runs of `python -X importtime`.
    """
    samples: dict[str, list[tuple[int, int]]] = {}
    for _ in range(runs):
        completed = subprocess.run(
            [python, "-X", "importtime", "-c", "import task_lint"],
            env=_common.bench_environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        for line in completed.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
            samples.setdefault(name.strip(), []).append((int(self_us), int(cumulative_us)))
    rows = [
        (
            _common.median([own for own, _ in values]),
            _common.median([total for _, total in values]),
            name,
        )
        for name, values in samples.items()
    ]
    return sorted(rows, key=lambda row: row[0], reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 runs per command, for a smoke test")
    parser.add_argument("--runs", type=int, help="interleaved runs per command (default 30, quick 5)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to start (default: this one)")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 30)

    machine = _common.machine_lines()
    to_time = commands(args.python)
    times = _common.time_interleaved(to_time, runs, _common.bench_environment(), warmup=1)
    baseline = _common.median(_common.walls(times["python -c pass"]))
    baseline_cpu = _common.median(_common.cpus(times["python -c pass"]))

    print("## Import time\n")
    print("\n".join(machine))
    print(f"- load average after measuring: {_common.load_average()}")
    print(f"- command: `{_common.invocation('import_time.py')}`")
    print(f"- {runs} interleaved runs per command after one warm-up round, PYTHONDONTWRITEBYTECODE unset\n")
    rows = []
    for name, timings in times.items():
        wall = _common.median(_common.walls(timings))
        cpu = _common.median(_common.cpus(timings))
        rows.append(
            [
                f"`{name}`",
                f"{wall * 1000:.1f}",
                f"{min(_common.walls(timings)) * 1000:.1f} to {max(_common.walls(timings)) * 1000:.1f}",
                f"{cpu * 1000:.1f}",
                f"{(wall - baseline) * 1000:.1f}",
                f"{wall / baseline:.2f}x",
                f"{cpu / baseline_cpu:.2f}x",
            ]
        )
    header = [
        "command",
        "median wall ms",
        "wall range ms",
        "median CPU ms",
        "wall ms added over `python -c pass`",
        "wall ratio to `python -c pass`",
        "CPU ratio",
    ]
    print(_common.markdown_table(header, rows))

    loaded = forbidden_modules(args.python)
    print()
    if loaded:
        print(f"After `import task_lint`, these modules are loaded: {', '.join(loaded)}. **Target missed.**")
    else:
        print(f"After `import task_lint`, `sys.modules` contains none of {', '.join(FORBIDDEN)}: target met.")

    importtime_runs = 3 if args.quick else 10
    print(f"\n### Slowest imports under `import task_lint` (`-X importtime`, median of {importtime_runs} runs)\n")
    print(
        _common.markdown_table(
            ["module", "self ms", "cumulative ms"],
            [
                [f"`{name}`", f"{own / 1000:.1f}", f"{total / 1000:.1f}"]
                for own, total, name in slowest_imports(args.python, 12, importtime_runs)
            ],
        )
    )
    if loaded:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
