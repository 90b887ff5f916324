"""Measure the static checker: `task-lint check`, and flake8 with and without the TSK plugin.

Five measurements, each with its commands run interleaved (A B, A B, ...) after an
untimed warm-up round, with `PYTHONDONTWRITEBYTECODE` removed from their environment
so that imports load cached bytecode:

1. Cold check of the standard library of the running Python: `task-lint check
   --no-cache` against `ruff check --select ANN --no-cache --exit-zero` on the same
   folder. The script lists the `.py` files each tool would check and reports any
   difference. Target: task-lint no slower than ruff.
2. Warm rerun: `task-lint check` with a filled cache, on the standard library and on
   the generated corpus of (3). Target: under 0.1 s.
3. A generated corpus where every module defines tasks (see `corpus.py`):
   `task-lint check --no-cache` against a script that only reads and `ast.parse`s the
   same files, both as subprocesses including interpreter start-up. The same
   comparison also runs in this process (the checker's analysis against `ast.parse`
   of the same files, garbage collection on and off), to separate start-up from
   analysis. Target: no more than 1.3x plain `ast.parse`.
4. flake8 on the standard library with `--select E,W,F,C90,TSK -j2`, with the TSK
   plugin installed and without it. Target: no more than 1.02x.

5. flake8 on one module of the corpus of (3), made a project with a `pyproject.toml`,
   with and without the TSK plugin, in one process (`-j1`), as an editor runs it.
   The plugin reads every module of the project for the duplicate-name rule, once
   per process and cache folder. Timed with an empty cache folder and with the one
   the previous run filled. No target: this measures what an editor waits for on a
   large project.

How (4) and (5) remove the plugin: flake8 runs every plugin it finds through entry points,
whatever the values of `--select`, `--ignore` or `--extend-ignore`, because those
filter the reported codes after the plugins have run. `--enable-extensions` only
turns on plugins that declare themselves off by default. So each flake8 run gets
its own `sys.path`:
a temporary folder of symbolic links to flake8, pyflakes, pycodestyle and mccabe
with their `.dist-info` folders, and for the run with the plugin also to task_lint
and its dependencies. The interpreter starts with `-S`, so the virtual environment's
site-packages (which registers task_lint and flake8-annotations) is not on the path.
`flake8 --version` in each setup is checked to list exactly the expected plugins.

Run from the repository root. On an AMD EPYC machine with 2 cores and little other
load, the full run with `--flake8-runs 5` took 12 minutes, most of it in flake8.

    python bench/static_check.py
    python bench/static_check.py --quick        # 1 run each, 200-module corpus, flake8 on email/ only
    python bench/static_check.py --skip-flake8  # everything but (4) and (5)
    python bench/static_check.py --profile      # also print the checker's top costs on the corpus
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import importlib.metadata
import importlib.util
import io
import os
import pstats
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tokenize
from collections.abc import Callable, Sequence

import _common
import corpus

ACCEPT_FINDINGS = (0, 1)  # task-lint and flake8 exit with 1 when they report findings

PARSE_ONLY = """\
import ast, os, sys
for folder, subfolders, files in os.walk(sys.argv[1]):
    subfolders.sort()
    for name in sorted(files):
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                ast.parse(handle.read(), path)
"""


def tool(name: str) -> str:
    """Return the path of a console script next to this interpreter, else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found next to {sys.executable} or on PATH; install it into this environment")
    return found


def stdlib_folder() -> str:
    return sysconfig.get_paths()["stdlib"]


def python_files(folder: str) -> list[str]:
    result = []
    for parent, subfolders, files in os.walk(folder):
        subfolders.sort()
        result.extend(os.path.join(parent, name) for name in sorted(files) if name.endswith(".py"))
    return result


# --- 1. Cold check of the standard library against ruff --------------------------


def file_sets(folder: str, ruff: str) -> tuple[set[str], set[str]]:
    """Return the files task-lint and ruff would check under `folder`, as absolute paths."""
    from task_lint.static.checker import Checker
    from task_lint.static.config import Config

    ours = {os.path.abspath(path) for path in Checker(Config()).files([folder])}
    listed = subprocess.run(
        [ruff, "check", "--show-files", "--select", "ANN", "--no-cache", folder],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    theirs = {os.path.abspath(line.strip()) for line in listed if line.strip()}
    return ours, theirs


def command_block(commands: dict[str, list[str]]) -> list[str]:
    """Return the exact commands as a fenced block, one per line."""
    return ["```sh", *(_common.shell_command(command) for command in commands.values()), "```\n"]


def wall_ratio(times: dict[str, list[_common.Timing]], name: str, baseline: str) -> float:
    return _common.median(_common.walls(times[name])) / _common.median(_common.walls(times[baseline]))


def measure_cold(folder: str, runs: int, environment: dict[str, str]) -> list[str]:
    from task_lint.static.checker import AUTO_JOBS_MIN_FILES

    commands = {
        "task-lint": [tool("task-lint"), "check", "--no-cache", folder],
        "ruff": [tool("ruff"), "check", "--select", "ANN", "--no-cache", "--exit-zero", "--quiet", folder],
    }
    labels = {"task-lint": "`task-lint check --no-cache`", "ruff": "`ruff check --select ANN --no-cache`"}
    ours, theirs = file_sets(folder, commands["ruff"][0])
    lines = ["### 1. Cold check of the standard library\n", *command_block(commands)]
    lines.append(f"- task-lint would check {len(ours)} files, ruff {len(theirs)} (`ruff check --show-files`).")
    for label, extra in (("only task-lint", ours - theirs), ("only ruff", theirs - ours)):
        if extra:
            shown = ", ".join(f"`{os.path.relpath(path, folder)}`" for path in sorted(extra)[:5])
            lines.append(f"- {len(extra)} checked by {label}: {shown}")
    lines.append(
        "- Both use every core by default; task-lint starts more processes only from"
        f" {AUTO_JOBS_MIN_FILES} files to analyse on. The pre-filter means task-lint parses only files"
        " that can define a task.\n"
    )
    times = _common.time_interleaved(commands, runs, environment, ok=ACCEPT_FINDINGS)
    lines.append(_common.timing_table(labels, times, baseline="ruff"))
    ratio = wall_ratio(times, "task-lint", "ruff")
    lines.append(f"\nTarget: no slower than ruff. Wall-time ratio {ratio:.2f}x: {_common.verdict(ratio <= 1.0)}.")
    return lines


# --- 2. Warm cached rerun -----------------------------------------------------------


def measure_warm(folders: dict[str, str], runs: int, environment: dict[str, str], scratch: str) -> list[str]:
    commands: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for name, folder in folders.items():
        cache = os.path.join(scratch, f"cache-{name}")
        command = [tool("task-lint"), "check", "--cache-dir", cache, folder]
        _common.run_once(command, environment, ok=ACCEPT_FINDINGS)  # fill the cache
        commands[name] = command
        labels[name] = f"`task-lint check` on the {name}, cache filled"
    commands["python -c pass"] = [sys.executable, "-c", "pass"]
    labels["python -c pass"] = "`python -c pass`"
    times = _common.time_interleaved(commands, runs, environment, ok=ACCEPT_FINDINGS)
    lines = ["### 2. Warm cached rerun\n", *command_block(commands)]
    lines.append(_common.timing_table(labels, times))
    lines.append("\nTarget: a warm rerun under 0.1 s (wall time).\n")
    for name in folders:
        value = _common.median(_common.walls(times[name]))
        lines.append(f"- {name}: {value:.3f} s: {_common.verdict(value < 0.1)}")
    return lines


# --- 3. Generated corpus ------------------------------------------------------------


def measure_corpus(folder: str, shape: dict[str, int], runs: int, environment: dict[str, str]) -> list[str]:
    parse_script = os.path.join(os.path.dirname(folder), "parse_only.py")
    with open(parse_script, "w", encoding="utf-8") as handle:
        handle.write(PARSE_ONLY)

    commands = {
        "check": [tool("task-lint"), "check", "--no-cache", folder],
        "check serial": [tool("task-lint"), "check", "--no-cache", "--jobs", "1", folder],
        "parse": [sys.executable, parse_script, folder],
    }
    labels = {
        "check": f"`task-lint check --no-cache` (default: one process per CPU, {_common.cpu_count()} here)",
        "check serial": "`task-lint check --no-cache --jobs 1`",
        "parse": "`ast.parse` only",
    }
    lines = [
        "### 3. Generated corpus where every module defines tasks\n",
        f"{shape['modules']} task modules plus `models.py` and package `__init__.py` files, "
        f"{shape['tasks']} tasks, {shape['lines']:,} lines (`bench/corpus.py`, seed 2024). "
        "`parse_only.py` walks the folder, reads each `.py` file and calls `ast.parse` on it.\n",
        *command_block(commands),
        "As subprocesses, including interpreter start-up:\n",
    ]

    times = _common.time_interleaved(commands, runs, environment, ok=ACCEPT_FINDINGS)
    lines.append(_common.timing_table(labels, times, baseline="parse"))
    ratio = wall_ratio(times, "check", "parse")
    serial = wall_ratio(times, "check serial", "parse")
    lines.append(
        f"\nTarget: no more than 1.3x plain `ast.parse`. Wall-time ratio with the default: {ratio:.2f}x: "
        f"{_common.verdict(ratio <= 1.3)}. In one process (`--jobs 1`): {serial:.2f}x: "
        f"{_common.verdict(serial <= 1.3)}.\n"
    )
    lines.append("In this process, after imports, so without start-up:\n")
    lines.extend(measure_in_process(folder, runs))
    return lines


def check_in_process(folder: str) -> int:
    from task_lint.static.checker import Checker
    from task_lint.static.config import Config

    return len(Checker(Config()).check([folder]).findings)


def parse_in_process(files: Sequence[str]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            ast.parse(handle.read(), path)


def source_parse_in_process(files: Sequence[str]) -> None:
    """Parse each file the way the checker does: decode, `ast.parse`, then the checks for compiler-only errors."""
    from task_lint.static.source import SourceFile, decode_source

    for path in files:
        with open(path, "rb") as handle:
            text, _ = decode_source(handle.read(), path)
        if text is not None:
            SourceFile(text, path).parse()


def timed(function: Callable[..., object], *args: object) -> _common.Timing:
    start_wall = time.perf_counter()
    start_cpu = time.process_time()
    function(*args)
    return _common.Timing(time.perf_counter() - start_wall, time.process_time() - start_cpu)


def measure_in_process(folder: str, runs: int) -> list[str]:
    files = python_files(folder)
    check_in_process(folder)  # warm-up: imports and first-use set-up
    labels = {
        "check": "`Checker.check`",
        "check gc off": "`Checker.check` with `gc.disable()`",
        "source parse": "`SourceFile.parse` of each file (decode, `ast.parse`, compiler-only checks)",
        "parse": "`ast.parse` of each file",
    }
    times: dict[str, list[_common.Timing]] = {name: [] for name in labels}
    for _ in range(runs):
        times["check"].append(timed(check_in_process, folder))
        gc.disable()
        try:
            times["check gc off"].append(timed(check_in_process, folder))
        finally:
            gc.enable()
        times["source parse"].append(timed(source_parse_in_process, files))
        times["parse"].append(timed(parse_in_process, files))
    return [_common.timing_table(labels, times, baseline="parse")]


def profile_corpus(folder: str, count: int) -> list[str]:
    """Return the top costs of one in-process check of the corpus, by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    check_in_process(folder)
    profiler.disable()
    lines = ["### Profile of one in-process check of the corpus (cProfile)\n"]
    for order in ("tottime", "cumulative"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(order).print_stats(count)
        lines += [f"Sorted by {order}:\n", "```", stream.getvalue().strip(), "```\n"]
    return lines


# --- 4. flake8 with and without the plugin ------------------------------------------

BASE_DISTRIBUTIONS = ("flake8", "pyflakes", "pycodestyle", "mccabe")
PLUGIN_DISTRIBUTIONS = ("task-lint", "astroid", "jinja2", "markupsafe")
PLUGIN_IMPORTS = ("task_lint", "astroid", "jinja2", "markupsafe")
BASE_IMPORTS = ("flake8", "pyflakes", "pycodestyle", "mccabe")


def link(source: str, folder: str) -> None:
    target = os.path.join(folder, os.path.basename(source.rstrip(os.sep)))
    if not os.path.lexists(target):
        os.symlink(source, target)


def link_distribution(name: str, folder: str) -> None:
    """Link the `.dist-info` folder of an installed distribution, which contains its entry points."""
    distribution = importlib.metadata.distribution(name)
    for file in distribution.files or ():
        if file.parts[0].endswith(".dist-info"):
            link(os.path.dirname(str(file.locate())), folder)
            return
    raise SystemExit(f"no .dist-info folder found for {name}")


def link_import(name: str, folder: str) -> None:
    """Link the package folder or module file that `import name` loads."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise SystemExit(f"{name} is not importable from {sys.executable}")
    if spec.submodule_search_locations:
        link(next(iter(spec.submodule_search_locations)), folder)
    elif spec.origin:
        link(spec.origin, folder)


def flake8_paths(scratch: str) -> dict[str, str]:
    """Build the `sys.path` folders for flake8 without and with the plugin."""
    folders = {"without TSK": os.path.join(scratch, "flake8-base"), "with TSK": os.path.join(scratch, "flake8-tsk")}
    for label, folder in folders.items():
        os.makedirs(folder, exist_ok=True)
        distributions = BASE_DISTRIBUTIONS + (PLUGIN_DISTRIBUTIONS if label == "with TSK" else ())
        imports = BASE_IMPORTS + (PLUGIN_IMPORTS if label == "with TSK" else ())
        for name in distributions:
            link_distribution(name, folder)
        for name in imports:
            link_import(name, folder)
    return folders


def flake8_environment(base: dict[str, str], folder: str) -> dict[str, str]:
    environment = dict(base)
    environment["PYTHONPATH"] = folder
    return environment


def flake8_version(folder: str, environment: dict[str, str], cwd: str) -> str:
    return subprocess.run(
        [sys.executable, "-S", "-m", "flake8", "--version"],
        env=flake8_environment(environment, folder),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def plugin_cost(target: str) -> tuple[float, float, int]:
    """Time the TSK plugin's `run()` on every file flake8 would give it, in this process.

    Returns the CPU seconds of the first file (which includes the plugin's one-time
    scan of the file's source root), the CPU seconds of all files, and the number of
    files. Files that do not parse are
    skipped, as flake8 runs no tree plugin on them.
    """
    from task_lint.flake8_plugin import TaskLintPlugin

    first = total = 0.0
    count = 0
    for path in python_files(target):
        if "site-packages" in path.split(os.sep):
            continue
        try:
            with tokenize.open(path) as handle:
                text = handle.read()
            tree = ast.parse(text, path)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        lines = text.splitlines(keepends=True)
        start = time.process_time()
        list(TaskLintPlugin(tree, lines, path).run())
        elapsed = time.process_time() - start
        if count == 0:
            first = elapsed
        total += elapsed
        count += 1
    return first, total, count


def measure_flake8(target: str, runs: int, environment: dict[str, str], scratch: str, jobs: int = 2) -> list[str]:
    folders = flake8_paths(scratch)
    cwd = os.path.join(scratch, "flake8-cwd")  # an empty folder, so no setup.cfg or tox.ini is read
    os.makedirs(cwd, exist_ok=True)
    lines = ["### 4. flake8 with and without the TSK plugin\n"]
    for label, folder in folders.items():
        version = flake8_version(folder, environment, cwd)
        has_plugin = "task-lint" in version
        if has_plugin != (label == "with TSK") or "flake8-annotations" in version:
            raise SystemExit(f"flake8 {label} loads the wrong plugins: {version}")
        lines.append(f"- {label}: `flake8 --version` prints `{' '.join(version.split())}`")

    arguments = ["-m", "flake8", "--isolated", f"-j{jobs}", "--select", "E,W,F,C90,TSK"]
    arguments += ["--extend-exclude", "site-packages", "--exit-zero", target]
    lines.append(
        f"\nCommand in both setups, run from an empty folder:\n\n```sh\n"
        f"PYTHONPATH=<setup folder> {_common.shell_command([sys.executable, '-S', *arguments])}\n```\n"
    )

    # Warm the bytecode caches of both setups on one small file.
    for folder in folders.values():
        _common.run_once(
            [sys.executable, "-S", "-m", "flake8", "--isolated", os.path.join(stdlib_folder(), "this.py")],
            flake8_environment(environment, folder),
            cwd,
            ok=ACCEPT_FINDINGS,
        )

    times: dict[str, list[_common.Timing]] = {label: [] for label in folders}
    for _ in range(runs):
        for label, folder in folders.items():
            command = [sys.executable, "-S", *arguments]
            times[label].append(_common.run_once(command, flake8_environment(environment, folder), cwd))
    labels = {label: label for label in folders}
    lines.append(_common.timing_table(labels, times, baseline="without TSK", digits=2))
    ratio = wall_ratio(times, "with TSK", "without TSK")
    cpu_ratio = _common.median(_common.cpus(times["with TSK"])) / _common.median(_common.cpus(times["without TSK"]))
    lines.append(
        f"\nTarget: no more than 1.02x. Wall-time ratio {ratio:.3f}x: {_common.verdict(ratio <= 1.02)} "
        f"(CPU-time ratio {cpu_ratio:.3f}x)."
    )

    # Wall and CPU times of whole flake8 runs vary by more than the plugin costs when
    # other processes load the machine, so the plugin's own time is measured as well.
    first, total, count = plugin_cost(target)
    base_cpu = _common.median(_common.cpus(times["without TSK"]))
    estimate = (base_cpu + total + first * (jobs - 1)) / base_cpu
    lines.append(
        f"\nThe plugin's own CPU time, calling `TaskLintPlugin.run()` in this process on the {count} files that "
        f"parse: {total:.2f} s, of which {first:.2f} s is the first file, which pays for the one-time scan of the "
        f"file's source root. Each of the {jobs} flake8 worker processes repeats that first-file cost. Against the "
        f"median CPU time of flake8 without the plugin ({base_cpu:.1f} s), that estimates a CPU-time ratio of "
        f"{estimate:.3f}x: {_common.verdict(estimate <= 1.02)}. Importing the static checker in each worker is not "
        "included, because this process imported it earlier."
    )
    return lines


def measure_flake8_one_file(corpus_root: str, runs: int, environment: dict[str, str], scratch: str) -> list[str]:
    folders = flake8_paths(scratch)
    target = os.path.join("benchcorpus", "group_00", "module_0001.py")
    arguments = ["-m", "flake8", "--isolated", "-j1", "--select", "E,W,F,C90,TSK", "--exit-zero", target]
    command = [sys.executable, "-S", *arguments]
    labels = {
        "without": "without TSK",
        "cold": "with TSK, empty cache folder",
        "warm": "with TSK, cache folder from the previous run",
    }
    pyproject = os.path.join(corpus_root, "pyproject.toml")
    with open(pyproject, "w", encoding="utf-8") as handle:
        handle.write("")
    try:
        modules = len(python_files(os.path.join(corpus_root, "benchcorpus")))
        lines = [
            "### 5. flake8 on one file of a large project\n",
            f"The corpus of (3) with an empty `pyproject.toml` next to `benchcorpus/`, so {modules} modules form "
            "one project. flake8 checks one module in one process, as an editor runs it. For the duplicate-name "
            "rule the plugin reads the task names of every module of the project and keeps them in its cache "
            "folder (`TASK_LINT_CACHE_DIR`). Each cold run gets an empty folder, and each warm run the folder "
            "that the previous run filled. Command in both setups of (4), run from the folder that holds "
            "`pyproject.toml`:\n",
            "```sh\nPYTHONPATH=<setup folder> TASK_LINT_CACHE_DIR=<cache folder> "
            f"{_common.shell_command(command)}\n```\n",
        ]

        def environment_for(variant: str, run: int) -> dict[str, str]:
            folder = folders["without TSK" if variant == "without" else "with TSK"]
            cache = os.path.join(scratch, "names-warm" if variant == "warm" else f"names-{variant}-{run}")
            return {**flake8_environment(environment, folder), "TASK_LINT_CACHE_DIR": cache}

        for variant in labels:
            _common.run_once(command, environment_for(variant, -1), corpus_root)
        times: dict[str, list[_common.Timing]] = {variant: [] for variant in labels}
        for run in range(runs):
            for variant in labels:
                times[variant].append(_common.run_once(command, environment_for(variant, run), corpus_root))
    finally:
        os.remove(pyproject)
    lines.append(_common.timing_table(labels, times, baseline="without", digits=2))
    lines.append(
        f"\nWall-time ratio to flake8 without the plugin: {wall_ratio(times, 'cold', 'without'):.2f}x with an empty "
        f"cache folder, {wall_ratio(times, 'warm', 'without'):.2f}x with the cache of the previous run (no target)."
    )
    return lines


# --- Main ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, a 200-module corpus, flake8 on email/")
    parser.add_argument("--runs", type=int, help="interleaved runs of each cold and corpus command (default 5)")
    parser.add_argument("--flake8-runs", type=int, help="interleaved runs of each flake8 setup (default 3)")
    parser.add_argument("--corpus-files", type=int, help="task modules in the generated corpus (default 2000)")
    parser.add_argument("--skip-flake8", action="store_true", help="leave out the flake8 measurement")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top costs for the corpus check")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    flake8_runs = args.flake8_runs or (1 if args.quick else 3)
    corpus_files = args.corpus_files or (200 if args.quick else 2000)

    machine = _common.machine_lines()
    environment = _common.bench_environment()
    stdlib = stdlib_folder()
    sections: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="task-lint-bench-") as scratch:
        corpus_root = os.path.join(scratch, "corpus")
        shape = corpus.write_corpus(corpus_root, corpus_files)
        corpus_folder = os.path.join(corpus_root, "benchcorpus")

        sections.append(measure_cold(stdlib, runs, environment))
        sections.append(measure_warm({"stdlib": stdlib, "corpus": corpus_folder}, max(runs, 5), environment, scratch))
        sections.append(measure_corpus(corpus_folder, shape, runs, environment))
        if args.profile:
            sections.append(profile_corpus(corpus_folder, 25))
        if not args.skip_flake8:
            target = os.path.join(stdlib, "email") if args.quick else stdlib
            sections.append(measure_flake8(target, flake8_runs, environment, scratch))
            sections.append(measure_flake8_one_file(corpus_root, runs, environment, scratch))

    print("## Static checker\n")
    print("\n".join(machine))
    print(f"- load average after measuring: {_common.load_average()}")
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("task-lint", "ruff", "flake8", "astroid")
    )
    print(f"- {versions}")
    print(f"- command: `{_common.invocation('static_check.py')}`")
    print("- PYTHONDONTWRITEBYTECODE unset for every timed command; one untimed warm-up round first\n")
    for section in sections:
        print("\n".join(section))
        print()


if __name__ == "__main__":
    main()
