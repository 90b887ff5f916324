"""The `task-lint` command: check, schema, docs and rule.

Exit codes follow flake8 and ruff: 0 when clean, 1 when there are findings, 2 for a
usage or configuration error. Errors are one line on stderr that names the value
and the fix, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from task_lint._version import __version__

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A usage or configuration error; the CLI prints it and exits with 2."""


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _add_selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rule selection (same meaning as in flake8)")
    group.add_argument("--select", type=_comma_list, metavar="CODES", help="report only these codes or prefixes")
    group.add_argument("--ignore", type=_comma_list, metavar="CODES", help="do not report these codes or prefixes")
    group.add_argument(
        "--extend-select", type=_comma_list, metavar="CODES", help="report these codes in addition to the default set"
    )
    group.add_argument(
        "--extend-ignore", type=_comma_list, metavar="CODES", help="ignore these codes in addition to --ignore"
    )


def _add_discovery_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("finding files and tasks")
    group.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    group.add_argument(
        "--exclude", type=_comma_list, metavar="PATTERNS", help="replace the default list of excluded names and globs"
    )
    group.add_argument(
        "--extend-exclude", type=_comma_list, metavar="PATTERNS", help="exclude these names and globs as well"
    )
    group.add_argument(
        "--task-decorators",
        type=_comma_list,
        metavar="NAMES",
        help="also treat functions decorated with these dotted names as tasks (comma-separated), "
        "e.g. celery.shared_task,airflow.sdk.task",
    )
    group.add_argument(
        "--source-root",
        action="append",
        dest="source_roots",
        metavar="DIR",
        help="folder that module names are relative to (repeatable; default: the folder above the outermost package)",
    )
    group.add_argument("--config", metavar="PYPROJECT", help="read [tool.task_lint] from this file")
    group.add_argument(
        "--no-prefilter",
        action="store_true",
        help="parse every file, also those that cannot define a task (slower; reports syntax errors everywhere)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="task-lint",
        description="Check typed Python tasks before import: annotations, serialization and worker location.",
    )
    parser.add_argument("--version", action="version", version=f"task-lint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="report problems in task definitions")
    _add_discovery_options(check)
    _add_selection_options(check)
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), help="report format (default: text)")
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout (-: stdout)")
    check.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="analyse files in N processes, at most one per CPU; 0: one per CPU (default: 0 from 64 files on, else 1)",
    )
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: .task_lint_cache)")
    check.add_argument("--exit-zero", action="store_true", help="exit with 0 even when there are findings")

    schema = commands.add_parser("schema", help="print each task's input JSON Schema, keyed by qualified name")
    _add_discovery_options(schema)
    schema.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout (-: stdout)")

    docs = commands.add_parser("docs", help="print Markdown reference docs for the tasks")
    _add_discovery_options(docs)
    docs.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout (-: stdout)")
    docs.add_argument("--title", default="Tasks", help="title of the page (default: Tasks)")

    rule = commands.add_parser("rule", help="explain a rule, e.g. task-lint rule TSK101")
    rule.add_argument("code", nargs="?", help="rule code or name, e.g. TSK101 or missing-parameter-annotation")
    rule.add_argument("--all", action="store_true", help="explain every rule")

    from task_lint import cli_codegen

    cli_codegen.add_parsers(commands, _add_discovery_options, _add_selection_options)
    return parser


# --- Configuration --------------------------------------------------------------------


def load_config(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Merge `[tool.task_lint]` from pyproject.toml with command-line options (which win)."""
    from task_lint.static.config import (
        Config,
        ConfigError,
        find_pyproject,
        load_pyproject,
        normalize_patterns,
        validate_codes,
    )

    try:
        pyproject = args.config or find_pyproject(args.paths[0] if args.paths else os.getcwd())
        if args.config and not os.path.isfile(args.config):
            raise UsageError(f"configuration file not found: {args.config}")
        options = load_pyproject(pyproject) if pyproject else {}
        base = os.path.dirname(os.path.abspath(pyproject)) if pyproject else os.getcwd()
        if "source_roots" in options:
            options["source_roots"] = tuple(os.path.join(base, root) for root in options["source_roots"])
        extra_keys = ("jobs", "cache_dir", "format", "workers_output", "workers_target", "workers_self_contained")
        extra: dict[str, Any] = {key: options.pop(key) for key in extra_keys if key in options}
        if pyproject:
            extra["pyproject"] = pyproject
        # Folders named in pyproject.toml are relative to it, not to the current folder.
        for key in ("workers_output", "cache_dir"):
            if key in extra:
                extra[key] = os.path.join(base, extra[key])
        for name in ("select", "ignore", "extend_select", "extend_ignore"):
            value = getattr(args, name, None)
            if value is not None:
                options[name] = validate_codes(value, f"--{name.replace('_', '-')}")
        for name in ("exclude", "extend_exclude"):
            value = getattr(args, name, None)
            if value is not None:
                options[name] = normalize_patterns(value, os.getcwd())
        for name in ("task_decorators", "source_roots"):
            value = getattr(args, name, None)
            if value is not None:
                options[name] = tuple(value)
        for name in ("jobs", "cache_dir", "format"):
            value = getattr(args, name, None)
            if value is not None:
                extra[name] = value
        return Config(**options), extra
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (`| head`). The command still ends with its own
            # exit code, and later output goes to /dev/null instead of failing again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return
    from task_lint.files import write_atomic

    try:
        write_atomic(output, text)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None


def _check_paths_exist(paths: Sequence[str]) -> None:
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"path not found: {path}")


# --- Commands -------------------------------------------------------------------------


def command_check(args: argparse.Namespace) -> int:
    from task_lint.formats import FORMATTERS
    from task_lint.static.cache import Cache
    from task_lint.static.checker import Checker, cpu_count

    _check_paths_exist(args.paths)
    config, extra = load_config(args)
    output_format = extra.get("format", "text")
    if output_format not in FORMATTERS:
        raise UsageError(f"unknown format {output_format!r}; choose one of {', '.join(FORMATTERS)}")
    jobs = extra.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or jobs < 0):
        raise UsageError(f"--jobs must be 0 or more, got {jobs!r}")
    if jobs == 0:
        jobs = cpu_count()
    cache = None
    if not args.no_cache:
        # Like ruff's, the default cache sits next to the project's pyproject.toml, so
        # runs from any folder of the project share it.
        pyproject = extra.get("pyproject")
        default = os.path.join(os.path.dirname(os.path.abspath(pyproject)) if pyproject else "", ".task_lint_cache")
        directory = extra.get("cache_dir") or os.environ.get("TASK_LINT_CACHE_DIR") or default
        cache = Cache(directory, config.fingerprint() + ("-all" if args.no_prefilter else ""))

    checker = Checker(config, jobs=jobs, cache=cache, prefilter=not args.no_prefilter)
    _RETAINED[:] = [checker]
    report = checker.check(args.paths)
    text = FORMATTERS[output_format](report.findings)
    _write_output(text, args.output)
    if report.findings and output_format == "text" and args.output in (None, "-"):
        count = len(report.findings)
        files = len({finding.path for finding in report.findings})
        noun = "finding" if count == 1 else "findings"
        # With `2>&1 | head` the summary meets the same closed pipe as the report.
        with contextlib.suppress(BrokenPipeError):
            print(f"Found {count} {noun} in {files} file{'s' if files != 1 else ''}.", file=sys.stderr)
    if report.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _describe(args: argparse.Namespace) -> tuple[list[Any], list[Any]]:
    from task_lint.static.checker import Checker

    _check_paths_exist(args.paths)
    config, _ = load_config(args)
    return Checker(config, prefilter=not args.no_prefilter).describe(args.paths)


def _report_unreadable(problems: list[Any]) -> None:
    from task_lint.formats import format_text

    if problems:
        sys.stderr.write(format_text(problems))


def command_schema(args: argparse.Namespace) -> int:
    from task_lint.model.schema import input_schema

    descriptions, problems = _describe(args)
    _report_unreadable(problems)
    schemas = {d.qualified_name: input_schema(d) for d in sorted(descriptions, key=lambda d: d.qualified_name)}
    _write_output(json.dumps(schemas, indent=2, ensure_ascii=False) + "\n", args.output)
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def command_docs(args: argparse.Namespace) -> int:
    from task_lint.model.docs import tasks_markdown

    descriptions, problems = _describe(args)
    _report_unreadable(problems)
    _write_output(tasks_markdown(descriptions, title=args.title), args.output)
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def rule_text(code: str) -> str:
    """Render one rule's documentation as plain text for the terminal."""
    from task_lint.rules import get_rule

    rule = get_rule(code)
    state = "on by default" if rule.enabled_by_default else "off by default; enable with --extend-select " + rule.code
    lines = [
        f"{rule.code} {rule.name} ({state})",
        "",
        f"Message: {rule.message}",
        "",
        rule.rationale,
        "",
        "Example:",
        *_indent(rule.example),
        "",
        "Fix:",
        *_indent(rule.fix),
    ]
    return "\n".join(lines) + "\n"


def _indent(text: str) -> list[str]:
    # Blank lines stay empty, so that the output has no trailing whitespace.
    return ["    " + line if line.strip() else "" for line in text.splitlines()]


def command_rule(args: argparse.Namespace) -> int:
    from task_lint.rules import RULES

    if args.all:
        _write_output("\n".join(rule_text(rule.code) for rule in RULES), None)
        return EXIT_CLEAN
    if not args.code:
        raise UsageError("name a rule code, e.g. task-lint rule TSK101, or use --all")
    try:
        text = rule_text(args.code)
    except KeyError:
        known = ", ".join(rule.code for rule in RULES)
        raise UsageError(f"unknown rule {args.code!r}; known codes are {known}") from None
    _write_output(text, None)
    return EXIT_CLEAN


def command_workers(args: argparse.Namespace) -> int:
    from task_lint import cli_codegen

    return cli_codegen.command_workers(args, load_config, UsageError)


def command_run(args: argparse.Namespace) -> int:
    from task_lint import cli_codegen

    return cli_codegen.command_run(args, UsageError)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": command_check,
    "schema": command_schema,
    "docs": command_docs,
    "rule": command_rule,
    "workers": command_workers,
    "run": command_run,
}


class _ClosedOutput(io.TextIOBase):
    """A stand-in for a standard output that was closed before the process started."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    closed = sys.stdout is None
    if closed:
        # Python starts with no sys.stdout when file descriptor 1 is closed (`>&-`).
        # A command that writes to a file (`--output`) still works, while a write to
        # standard output fails as it would on a full disk.
        sys.stdout = _ClosedOutput()
    parser = build_parser()
    args = parser.parse_args(argv)
    if closed and args.command == "run":
        # No caller could read the response, so the task and its side effects must not happen.
        if sys.stderr is not None:
            print("task-lint: error: standard output is closed, so the task was not run", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"task-lint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("task-lint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (for example `| head`); that is not an error.
        sys.stderr.close()
        return EXIT_CLEAN
    except OSError as error:
        # The system refused a read or write that no command handles itself, such
        # as standard output on a full disk: report it in one line, not a traceback.
        where = "standard output" if error.filename is None else error.filename
        print(f"task-lint: error: {where}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE


# Objects that the last command built, which `console_main` leaves to the end of the process.
_RETAINED: list[object] = []


def console_main() -> None:
    """Run the `task-lint` command and exit with its code."""
    arguments = sys.argv[1:]
    if arguments[:1] == ["run"]:
        # `run` executes user code, which keeps the collector and a normal exit.
        sys.exit(main(arguments))
    # The command is a short-lived process whose analysis builds no reference cycles
    # to collect, while every collection would walk all the parsed trees again:
    # about a fifth of a large check.
    gc.disable()
    code = main(arguments)
    # Freeing the parsed trees object by object cost 0.23 s of a 3 s check on the
    # benchmark corpus. As mypy's hard_exit does, flush the output and end the
    # process without the interpreter's clean-up.
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        pass  # the reader went away (`| head`), which is no error
    except OSError as error:
        with contextlib.suppress(OSError, ValueError):
            print(f"task-lint: error: standard output: {error.strerror or error}", file=sys.stderr)
        code = EXIT_USAGE
    except ValueError:
        pass  # standard output was closed, so there was nothing left to write
    with contextlib.suppress(OSError, ValueError, AttributeError):  # AttributeError: no sys.stderr
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console_main()
