"""Check Apache Airflow's example DAGs with task-lint and summarise the findings in Markdown.

Steps, all in a temporary folder outside the repository (removed at the end unless
`--keep` is given):

1. `pip download --no-deps --only-binary :all:` of the latest `apache-airflow-core`
   and `apache-airflow-providers-standard` wheels from PyPI.
2. Extract every file under an `example_dags/` folder of each wheel into a folder
   named after the wheel, so reported paths are `<wheel>/<path inside the wheel>`.
3. Run `task-lint check --no-cache --format json` on both folders with the Airflow
   task decorators configured (`airflow.sdk.task`, `airflow.decorators.task`, and
   `airflow.sdk.setup` and `airflow.sdk.teardown`, which also make tasks). A
   configured name also matches its attributes, so `@task.bash`, `@task.branch`,
   `@task.virtualenv` and the other `@task.<kind>` forms count. `dag`, `asset` and
   `task_group` are left out, because what they decorate is not a task.
   The check is timed over several runs after a warm-up run.
4. Count the tasks with `task-lint schema` (one JSON Schema per task), and, as a
   cross-check, count the functions whose decorator is spelled `task`, `task.<kind>`,
   `setup` or `teardown` with a plain `ast` scan.

The Markdown summary goes to stdout: versions, counts by code, a few findings per
code with file and line, and the wall times.

    python bench/realworld.py            # 5 timed runs of the check
    python bench/realworld.py --quick    # 1 timed run
"""

from __future__ import annotations

import argparse
import ast
import collections
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import _common

DISTRIBUTIONS = ("apache-airflow-core", "apache-airflow-providers-standard")
TASK_DECORATORS = ("airflow.sdk.task", "airflow.decorators.task", "airflow.sdk.setup", "airflow.sdk.teardown")
EXAMPLES_PER_CODE = 3


def task_lint() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "task-lint")
    return beside if os.path.exists(beside) else shutil.which("task-lint") or "task-lint"


def download(folder: str) -> list[str]:
    """Download the wheels into `folder` and return their paths."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary",
        ":all:",
        "--dest",
        folder,
        *DISTRIBUTIONS,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"pip download failed with exit code {completed.returncode}:\n{completed.stderr[-2000:]}")
    wheels = sorted(glob.glob(os.path.join(folder, "*.whl")))
    if len(wheels) != len(DISTRIBUTIONS):
        raise SystemExit(f"expected {len(DISTRIBUTIONS)} wheels in {folder}, found {wheels}")
    return wheels


def extract_examples(wheel: str, target: str) -> int:
    """Extract the `example_dags/` files of a wheel under `target` and return the number of `.py` files."""
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if "/example_dags/" not in f"/{name}" or name.endswith("/"):
                continue
            archive.extract(name, target)
            count += name.endswith(".py")
    return count


def decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def scan_decorators(folders: list[str]) -> collections.Counter[str]:
    """Count functions by how their task-like decorator is spelled, with a plain syntax scan."""
    spellings: collections.Counter[str] = collections.Counter()
    for folder in folders:
        for path in glob.glob(os.path.join(folder, "**", "*.py"), recursive=True):
            with open(path, "rb") as handle:
                tree = ast.parse(handle.read(), path)
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for decorator in node.decorator_list:
                    name = decorator_name(decorator)
                    if name in ("task", "setup", "teardown") or name.startswith("task."):
                        spellings["@" + name] += 1
                        break
    return spellings


def run_check(folders: list[str], cwd: str, runs: int) -> tuple[list[dict[str, object]], list[float], list[str]]:
    """Run the check once untimed, then `runs` times timed, and return the findings, the times and the command."""
    command = [
        task_lint(),
        "check",
        "--no-cache",
        "--task-decorators",
        ",".join(TASK_DECORATORS),
        "--format",
        "json",
        *(os.path.relpath(folder, cwd) for folder in folders),
    ]
    environment = _common.bench_environment()
    completed = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, check=False)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"task-lint exited with {completed.returncode}:\n{completed.stderr[-2000:]}")
    findings = json.loads(completed.stdout)
    times = [_common.run_once(command, environment, cwd, ok=(0, 1)).wall for _ in range(runs)]
    return findings, times, command


def count_tasks(folders: list[str], cwd: str) -> int:
    command = [
        task_lint(),
        "schema",
        "--task-decorators",
        ",".join(TASK_DECORATORS),
        *(os.path.relpath(folder, cwd) for folder in folders),
    ]
    completed = subprocess.run(
        command, cwd=cwd, env=_common.bench_environment(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"task-lint schema exited with {completed.returncode}:\n{completed.stderr[-2000:]}")
    return len(json.loads(completed.stdout))


def summary(
    wheels: list[str],
    files: dict[str, int],
    findings: list[dict[str, object]],
    tasks: int,
    spellings: collections.Counter[str],
    timings: dict[str, float],
    check_times: list[float],
    command: list[str],
) -> str:
    lines = ["## task-lint on Apache Airflow's example DAGs\n"]
    lines.extend(_common.machine_lines())
    lines.append("- wheels: " + ", ".join(f"`{os.path.basename(wheel)}`" for wheel in wheels))
    lines.append(
        "- `.py` files under `example_dags/`: " + ", ".join(f"{name} {count}" for name, count in files.items())
    )
    shown = _common.shell_command(["task-lint", *command[1:]])
    lines.append(f"- check command, run in the folder of the extracted wheels: `{shown}`")
    lines.append("")
    lines.append(
        f"task-lint found **{tasks} tasks** (`task-lint schema` gives one schema each) and reported "
        f"**{len(findings)} findings** in {len({f['path'] for f in findings})} files."
    )

    scanned = sum(spellings.values())
    lines.append(
        f"A plain syntax scan finds {scanned} functions decorated with a `task`, `task.<kind>`, `setup` or "
        "`teardown` spelling: " + ", ".join(f"`{name}` {count}" for name, count in spellings.most_common()) + ".\n"
    )
    by_code = collections.Counter(str(f["code"]) for f in findings)
    rule_names = {str(f["code"]): str(f.get("rule", "")) for f in findings}
    lines.append(
        _common.markdown_table(
            ["code", "rule", "findings"],
            [[f"`{code}`", rule_names[code], count] for code, count in sorted(by_code.items())],
        )
    )

    lines.append("\n### Examples (path inside the wheel folder, line)\n")
    for code in sorted(by_code):
        # One example per file, so that the examples show different DAGs.
        examples: dict[object, dict[str, object]] = {}
        for finding in findings:
            if finding["code"] == code and len(examples) < EXAMPLES_PER_CODE:
                examples.setdefault(finding["path"], finding)
        for finding in examples.values():
            lines.append(f"- `{finding['path']}:{finding['line']}` {code} {finding['message']}")

    lines.append("\n### Time\n")
    lines.append(
        _common.markdown_table(
            ["step", "seconds"],
            [
                ["`pip download` of both wheels", f"{timings['download']:.2f}"],
                ["extracting `example_dags/`", f"{timings['extract']:.2f}"],
                [
                    f"`task-lint check`, median of {len(check_times)} timed run(s) after a warm-up run",
                    f"{_common.median(check_times):.3f} (range {_common.spread(check_times)})",
                ],
            ],
        )
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time the check once instead of 5 times")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    runs = 1 if args.quick else 5

    scratch = tempfile.mkdtemp(prefix="task-lint-airflow-")
    try:
        start = time.perf_counter()
        wheels = download(os.path.join(scratch, "wheels"))
        download_time = time.perf_counter() - start

        start = time.perf_counter()
        source = os.path.join(scratch, "src")
        folders = []
        files = {}
        for wheel in wheels:
            name = os.path.basename(wheel).removesuffix(".whl").removesuffix("-py3-none-any")
            folder = os.path.join(source, name)
            files[name] = extract_examples(wheel, folder)
            folders.append(folder)
        extract_time = time.perf_counter() - start

        findings, check_times, command = run_check(folders, source, runs)
        tasks = count_tasks(folders, source)
        spellings = scan_decorators(folders)
        print(
            summary(
                wheels,
                files,
                findings,
                tasks,
                spellings,
                {"download": download_time, "extract": extract_time},
                check_times,
                command,
            )
        )
    finally:
        if args.keep:
            print(f"\nKept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
