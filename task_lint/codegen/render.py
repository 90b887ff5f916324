"""The Jinja2 environment and the rendering of worker plans into Python source.

One environment serves every target: strict undefined variables, trimmed blocks,
the trailing newline kept, and two filters registered here and nowhere else:

- `pyrepr` and `pyarg` render any value as a Python literal
  (`task_lint.codegen.literals`), and `comment` as one line of comment text: the
  only ways user values reach generated code;
- `identifier` (and `identifier_path` for dotted names) lets through only ASCII
  identifiers, the names that plans invent, and raises for anything else.

Templates live in the top-level `templates/` folder, which the wheel ships as
`task_lint/templates`.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from task_lint.codegen.literals import python_literal, string_literal
from task_lint.codegen.plan import WorkerPlan
from task_lint.model.wire import DATE_PATTERN, DATETIME_PATTERN, DECIMAL_PATTERN, TIME_PATTERN, UUID_PATTERN

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

# The duration pattern with named groups, used by the generated parser. It
# accepts exactly what task_lint.model.wire.parse_duration accepts.
DURATION_PARSE_PATTERN = (
    r"^(?P<sign>[-+])?P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+)(?:[.,](?P<fraction>\d{1,6}))?S)?)?$"
)

TARGETS = {
    "stdio": "worker/stdio.py.j2",
    "celery": "worker/celery_task.py.j2",
    "stdio-self-contained": "worker/stdio_self_contained.py.j2",
}

# task_lint task options that mean something to Celery, and their Celery names.
CELERY_OPTION_NAMES = {
    "retries": "max_retries",
    "retry_delay": "default_retry_delay",
    "time_limit": "time_limit",
    "soft_time_limit": "soft_time_limit",
    "queue": "queue",
}
CELERY_APP_MODULE = "celery_app"


class TemplateError(Exception):
    """A template or a plan that cannot be rendered safely."""


def templates_folder() -> str:
    """Return the folder holding the templates: inside the package when installed from a wheel."""
    packaged = os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates")
    if os.path.isdir(packaged):
        return packaged
    checkout = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "templates")
    if os.path.isdir(checkout):
        return checkout
    raise TemplateError(f"templates folder not found next to {__file__}; reinstall task-lint")


def _identifier(value: Any) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise TemplateError(f"{value!r} is not an ASCII identifier; refusing to write it into generated code")
    return value


def _identifier_path(value: Any) -> str:
    if not isinstance(value, str) or not _DOTTED.match(value):
        raise TemplateError(f"{value!r} is not a dotted ASCII name; refusing to write it into generated code")
    return value


def _pyrepr(value: Any, column: int = 0, indent: int = 0) -> str:
    # A literal that starts at `column` on a line indented by `indent`.
    return python_literal(value, column, indent)


def _pyarg(value: Any, indent: int) -> str:
    # A literal on a line of its own inside brackets, indented by `indent`.
    return python_literal(value, indent, indent, bracketed=True)


_PLAIN_COMMENT = re.compile(r"^[A-Za-z0-9_./+@:,= -]*$")


def _comment(value: Any, width: int = 60) -> str:
    # Text for a `#` comment on one line: plain ASCII text as it is, anything else
    # as an escaped literal, so no value can end the comment. Long text is cut,
    # because comments are cosmetic.
    text = str(value)
    if not _PLAIN_COMMENT.match(text):
        text = string_literal(text)
    return text if len(text) <= width else text[: width - 3] + "..."


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    """Return the one configured Jinja2 environment."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_folder()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = _pyrepr
    env.filters["pyarg"] = _pyarg
    env.filters["comment"] = _comment
    env.filters["identifier"] = _identifier
    env.filters["identifier_path"] = _identifier_path
    return env


class _StringScalar:
    """The table row of one scalar carried as a JSON string, for the scalar template."""

    def __init__(self, name: str, display: str, wire: str, parse: str, python: str, encode: str) -> None:
        self.name = name
        self.wire = f"expected {wire}, got "
        self.invalid = f"invalid {display} "
        self.mismatch = f"expected {display}, got "
        self.parse = parse
        self.python = python
        self.encode = encode


_STRING_SCALARS = {
    "datetime": _StringScalar(
        "datetime",
        "datetime",
        "an ISO 8601 date-time string",
        "parse_datetime",
        "datetime.datetime",
        "datetime.datetime.isoformat",
    ),
    "date": _StringScalar(
        "date", "date", "an ISO 8601 date string", "parse_date", "datetime.date", "datetime.date.isoformat"
    ),
    "time": _StringScalar(
        "time", "time", "an ISO 8601 time string", "parse_time", "datetime.time", "datetime.time.isoformat"
    ),
    "timedelta": _StringScalar(
        "timedelta",
        "timedelta",
        "an ISO 8601 duration string",
        "parse_duration",
        "datetime.timedelta",
        "format_duration",
    ),
    "decimal": _StringScalar(
        "decimal", "Decimal", "a decimal number as a string", "parse_decimal", "decimal.Decimal", "str"
    ),
    "uuid": _StringScalar("uuid", "UUID", "a UUID string", "parse_uuid", "uuid.UUID", "str"),
    "path": _StringScalar("path", "Path", "a path string", "pathlib.Path", "pathlib.Path", "str"),
}


def celery_options(options: dict[str, Any]) -> dict[str, Any]:
    """Map task options to Celery task options; without `retries` the task never retries."""
    mapped = {CELERY_OPTION_NAMES[key]: value for key, value in options.items() if key in CELERY_OPTION_NAMES}
    mapped.setdefault("max_retries", 0)
    return dict(sorted(mapped.items()))


def render_celery_app(task_modules: dict[str, str], generator_version: str) -> str:
    """Render the Celery application module that registers every task module."""
    template = environment().get_template("worker/celery_app.py.j2")
    ordered = dict(sorted(task_modules.items()))
    return str(template.render(task_modules=ordered, generator_version=generator_version))


def _imports(plan: WorkerPlan, target: str) -> list[str]:
    kinds = set(plan.scalar_kinds)
    # traceback is imported where a call fails, and the stdio worker parses its
    # own few options, because argparse and traceback cost more start-up time than
    # a small task module's import.
    modules = {"json", "os", "sys"}
    if "mapping" in plan.composite_kinds:
        modules.add("collections.abc")
    if plan.carried is None:
        modules.add("importlib")
    if kinds & {"float", "any"}:
        modules.add("math")
    if plan.is_async:
        modules.add("asyncio")
    if plan.carried is not None:
        modules.add("types")
    if "bytes" in kinds:
        modules |= {"base64", "binascii"}
    if kinds & {"datetime", "date", "time", "timedelta"}:
        modules.add("datetime")
    if kinds & {"datetime", "date", "time", "timedelta", "decimal", "uuid"}:
        modules.add("re")
    if "decimal" in kinds:
        modules.add("decimal")
    if "uuid" in kinds:
        modules.add("uuid")
    if "path" in kinds:
        modules.add("pathlib")
    return sorted(modules)


_STDIO_PROTOCOL = (
    "It writes one JSON object per call:\n"
    '{"ok": true, "result": ...} or {"ok": false, "error": {...}}.\n'
    "Exit codes: 0 ok, 1 the task raised, 2 invalid input, 3 the response\n"
    "could not be written to standard output."
)

# The generated module's docstring for each target, wrapped to fit 72 columns.
_DOCSTRING_SUMMARIES = {
    "stdio": "A generated task worker.",
    "stdio-self-contained": "A generated task worker that carries the task's own code.",
    "celery": "A generated Celery task module.",
}
_DOCSTRING_BODIES = {
    "stdio": (
        "It reads one JSON object of arguments from stdin or --input FILE\n"
        "(or one object per line with --batch), imports the task named by\n"
        "TASK_MODULE and TASK_QUALNAME from SOURCE_ROOT, and runs it.\n" + _STDIO_PROTOCOL
    ),
    "stdio-self-contained": (
        "It reads one JSON object of arguments from stdin or --input FILE\n"
        "(or one object per line with --batch) and runs the copy of the task\n"
        "in CARRIED_SOURCE, so TASK_MODULE and its package are never imported.\n" + _STDIO_PROTOCOL
    ),
    "celery": (
        "register(app) registers the task on a Celery app under the name\n"
        "TASK_MODULE:TASK_QUALNAME, and celery_app.py in this folder calls it.\n"
        "The first call in a worker process imports the task from SOURCE_ROOT.\n"
        "Each call takes the task's arguments as keyword arguments and returns\n"
        '{"ok": true, "result": ...} or {"ok": false, "error": {...}}.\n'
        "A task with retries is retried when it raises, until none are left."
    ),
}


def render_worker(plan: WorkerPlan, target: str = "stdio") -> str:
    """Render the worker module of one plan as Python source."""
    template_name = TARGETS.get(target)
    if template_name is None:
        raise TemplateError(f"unknown worker target {target!r}; choose one of {', '.join(TARGETS)}")
    template = environment().get_template(template_name)
    string_scalars = [_STRING_SCALARS[kind] for kind in plan.scalar_kinds if kind in _STRING_SCALARS]
    return str(
        template.render(
            plan=plan,
            celery_options=celery_options(plan.options),
            imports=_imports(plan, target),
            string_scalars=string_scalars,
            patterns={
                "datetime": DATETIME_PATTERN,
                "date": DATE_PATTERN,
                "time": TIME_PATTERN,
                "duration": DURATION_PARSE_PATTERN,
                "decimal": DECIMAL_PATTERN,
                "uuid": UUID_PATTERN,
            },
            docstring_summary=_DOCSTRING_SUMMARIES[target],
            docstring_body=_DOCSTRING_BODIES[target],
        )
    )
