"""The rule table: every finding task_lint can report, in one place.

The static checker, the runtime's `TaskMetadata.problems`, `task-lint rule CODE`,
the README's rule list and docs/rules.md all read this table, so they cannot drift.

Codes are `TSK` plus three digits. The hundreds give the family: 0xx files that
cannot be read, 1xx annotations, 2xx task structure and location, 3xx
serialization, 4xx defaults, 5xx worker generation, 9xx opt-in strictness and
internal failures.
"""

from __future__ import annotations

from task_lint.model.record import Record


class Rule(Record):
    """One rule: its code, name, message template and documentation."""

    code: str
    name: str
    message: str
    rationale: str
    example: str
    fix: str
    enabled_by_default: bool = True
    # The title where the name, read as a phrase, would lose a hyphen or a word.
    title: str = ""

    def format(self, **values: str) -> str:
        """Fill the message template, for example with `task=` and `param=`."""
        return self.message.format(**values)

    def summary(self) -> str:
        """Return a title for the rule, such as "Missing parameter annotation"."""
        return self.title or self.name.replace("-", " ").capitalize()

    def example_markdown(self) -> str:
        return _markdown_part(self.example)

    def fix_markdown(self) -> str:
        return _markdown_part(self.fix)


def _markdown_part(text: str) -> str:
    # Code spans several lines; a one-line sentence or a parenthesised note is prose.
    if "\n" not in text and (text.endswith(".") or text.startswith("(")):
        return text
    return f"```python\n{text}\n```"


RULES: tuple[Rule, ...] = (
    Rule(
        code="TSK001",
        name="syntax-error",
        message="file cannot be parsed: {error}",
        rationale="A file that Python cannot parse cannot be checked, and importing it fails too.",
        example="@task\ndef resize(width: int\n    ...",
        fix="Fix the syntax error at the reported position.",
    ),
    Rule(
        code="TSK002",
        name="undecodable-file",
        message="file cannot be decoded: {error}",
        rationale=(
            "Python reads source as UTF-8 unless a coding declaration or a byte order mark says otherwise. "
            "A file whose bytes do not match its encoding cannot be imported."
        ),
        example="# -*- coding: utf-8 -*-\nname = 'caf\\xe9'  # the byte 0xE9 is Latin-1, not UTF-8",
        fix="Save the file as UTF-8, or declare its real encoding in a coding comment on line 1 or 2.",
    ),
    Rule(
        code="TSK101",
        name="missing-parameter-annotation",
        message="parameter `{param}` of task `{task}` has no type annotation",
        rationale=(
            "Validation, JSON serialization, the JSON Schema and generated workers all work from "
            "annotations. A parameter without one accepts any value, cannot be decoded from JSON "
            "and shows as an untyped field in forms."
        ),
        example="@task\ndef resize(path: str, width):\n    ...",
        fix="@task\ndef resize(path: str, width: int):\n    ...",
    ),
    Rule(
        code="TSK102",
        name="missing-return-annotation",
        message="task `{task}` has no return annotation",
        rationale=(
            "Results cross a process boundary as JSON, and the return annotation decides how they "
            "are encoded and decoded. Without it a worker cannot encode a Decimal or a datetime "
            "so that it comes back as the same type."
        ),
        example="@task\ndef total(prices: list[Decimal]):\n    return sum(prices)",
        fix="@task\ndef total(prices: list[Decimal]) -> Decimal:\n    return sum(prices)",
    ),
    Rule(
        code="TSK103",
        name="unresolved-annotation",
        message="{target} of task `{task}` has annotation `{annotation}`, which cannot be resolved ({reason})",
        rationale=(
            "An annotation must name a type that exists when the task runs. A name imported only "
            "under `if TYPE_CHECKING:`, a typo, or a class defined in another process cannot be "
            "resolved at run time, so the value cannot be validated or decoded."
        ),
        example=(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop.models import Order\n\n"
            "@task\ndef ship(order: 'Order') -> None:\n    ..."
        ),
        fix="from shop.models import Order\n\n@task\ndef ship(order: Order) -> None:\n    ...",
    ),
    Rule(
        code="TSK201",
        name="variadic-parameter",
        message="task `{task}` takes `{param}`, which a JSON object of arguments cannot fill by name",
        rationale=(
            "Workers receive one JSON object that maps parameter names to values. `*args` and "
            "`**kwargs` have no fixed names, so the JSON Schema cannot describe them and callers "
            "cannot know what to send."
        ),
        example="@task\ndef notify(*emails: str) -> None:\n    ...",
        fix="@task\ndef notify(emails: list[str]) -> None:\n    ...",
    ),
    Rule(
        code="TSK202",
        name="positional-only-parameter",
        message="parameter `{param}` of task `{task}` is positional-only, but task inputs are passed by name",
        rationale=(
            "Python lets a function rename positional-only parameters without breaking callers, "
            "but a task's JSON inputs are keyed by parameter name, so such a rename silently "
            "breaks every stored or queued call."
        ),
        example="@task\ndef scale(factor: float, /) -> float:\n    ...",
        fix="@task\ndef scale(factor: float) -> float:\n    ...",
        title="Positional-only parameter",
    ),
    Rule(
        code="TSK203",
        name="nested-task",
        message="task `{task}` is defined inside `{outer}`, so a worker cannot import it",
        rationale=(
            "A worker locates a task by module and qualified name. A task created inside a "
            "function exists only while that function runs, so no other process can import it."
        ),
        example="def build():\n    @task\n    def step(n: int) -> int:\n        return n\n    return step",
        fix="@task\ndef step(n: int) -> int:\n    return n",
    ),
    Rule(
        code="TSK204",
        name="main-guard-task",
        message='task `{task}` is defined under `if __name__ == "__main__":`, so a worker cannot import it',
        rationale=(
            "Code under the main guard runs only when the file is executed as a script. A worker "
            "imports the module, so the task does not exist there."
        ),
        example='if __name__ == "__main__":\n    @task\n    def step(n: int) -> int:\n        return n',
        fix='@task\ndef step(n: int) -> int:\n    return n\n\nif __name__ == "__main__":\n    step(1)',
    ),
    Rule(
        code="TSK205",
        name="method-task",
        message="task `{task}` is a method of `{outer}`, which is not a task class, so a worker cannot call it",
        rationale=(
            "A task decorated inside an ordinary class becomes a class attribute. A worker would "
            "need an instance of the enclosing class to call it, and it has no way to build one."
        ),
        example="class Billing:\n    @task\n    def charge(self, amount: Decimal) -> None:\n        ...",
        fix="@task\ndef charge(amount: Decimal) -> None:\n    ...",
    ),
    Rule(
        code="TSK206",
        name="duplicate-task-name",
        message="task name `{name}` is also used by `{other}` at {location}",
        rationale=(
            "Tasks are registered and looked up by name. Two different tasks with the same "
            "explicit name raise `DuplicateTaskError` on import, and a function defined twice "
            "silently replaces the first task. The later definition, by file path and line, gets "
            "the finding. Every module under the source root of a checked file counts, so checking "
            "only the changed files still finds a clash with an unchanged one: when only the file "
            "with the first definition is checked, that one gets the finding."
        ),
        example="# billing.py\n@task(name='send')\ndef send_invoice(...) -> None: ...\n\n"
        "# mail.py\n@task(name='send')\ndef send_mail(...) -> None: ...",
        fix="@task(name='billing.send')\ndef send_invoice(...) -> None: ...",
    ),
    Rule(
        code="TSK207",
        name="missing-execute",
        message="task class `{task}` has no `execute` method",
        rationale=(
            "A class-based task runs its `execute` method. A class with the `Task` metaclass and "
            "no `execute` raises `TaskDefinitionError` when it is defined, unless it is marked "
            "as a base class with `abstract = True`."
        ),
        example="class Export(metaclass=Task):\n    def run(self, path: str) -> None:\n        ...",
        fix="class Export(metaclass=Task):\n    def execute(self, path: str) -> None:\n        ...",
        title="Task class without execute method",
    ),
    Rule(
        code="TSK301",
        name="unserializable-type",
        message="{target} of task `{task}` has type `{annotation}`, which has no JSON form ({reason})",
        rationale=(
            "Task inputs and results cross process boundaries as JSON. Callables, open files, "
            "locks and arbitrary classes have no JSON form, so the task cannot run in a worker."
        ),
        example="@task\ndef apply(fn: Callable[[int], int], n: int) -> int:\n    ...",
        fix="@task\ndef apply(operation: Literal['double', 'square'], n: int) -> int:\n    ...",
    ),
    Rule(
        code="TSK401",
        name="default-type-mismatch",
        message=(
            "default `{default}` of parameter `{param}` in task `{task}` does not match its annotation `{annotation}`"
        ),
        rationale=(
            "Defaults are not validated when a task is called, and the JSON Schema advertises "
            "them to forms. A default of the wrong type reaches the task body unchecked."
        ),
        example="@task\ndef resize(width: int = '100') -> None:\n    ...",
        fix="@task\ndef resize(width: int = 100) -> None:\n    ...",
    ),
    Rule(
        code="TSK402",
        name="mutable-default",
        message="parameter `{param}` of task `{task}` has a mutable default `{default}`",
        rationale=(
            "A mutable default is created once and shared by every call in a worker process, so "
            "one call's changes leak into the next."
        ),
        example="@task\ndef tag(names: list[str] = []) -> list[str]:\n    ...",
        fix="@task\ndef tag(names: tuple[str, ...] = ()) -> list[str]:\n    ...",
    ),
    Rule(
        code="TSK501",
        name="uncarriable-name",
        message="task `{task}` uses `{name}`, which a self-contained worker cannot carry ({reason})",
        rationale=(
            "`task-lint workers --self-contained` copies the task and every module-level name it uses into "
            "the worker, so the worker never imports the task's module. A name bound by a call with side "
            "effects (a client, a connection, an open file), a global the task writes, or a name from a star "
            "import would behave differently in the worker, so such a task gets a module-importing worker or none. "
            "Only the workers command reports this rule."
        ),
        example="client = make_client()\n\n@task\ndef fetch(key: str) -> str:\n    return client.get(key)",
        fix="@task\ndef fetch(key: str) -> str:\n    client = make_client()\n    return client.get(key)",
        title="Name that a self-contained worker cannot carry",
    ),
    Rule(
        code="TSK901",
        name="missing-docstring",
        message="task `{task}` has no docstring",
        rationale=(
            "The docstring becomes the task's description in its JSON Schema, its form and its "
            "Markdown docs. Parameter sections in Google, NumPy or Sphinx style describe fields."
        ),
        example="@task\ndef resize(width: int) -> None:\n    ...",
        fix=(
            '@task\ndef resize(width: int) -> None:\n    """Resize the image.\n\n'
            '    Args:\n        width: Target width in pixels.\n    """'
        ),
        enabled_by_default=False,
    ),
    Rule(
        code="TSK902",
        name="any-annotation",
        message="{target} of task `{task}` uses `Any`, which turns off validation for it",
        rationale=(
            "`Any` accepts every value, so a wrong input reaches the task body and the form shows "
            "a free-form field. Opt in to this rule to require precise types."
        ),
        example="@task\ndef store(payload: dict[str, Any]) -> None:\n    ...",
        fix="@task\ndef store(payload: dict[str, int | str]) -> None:\n    ...",
        enabled_by_default=False,
        title="Any in an annotation",
    ),
    Rule(
        code="TSK999",
        name="internal-error",
        message="task_lint failed on this file ({error}); please report this with the file",
        rationale=(
            "An internal failure of task_lint is reported as one finding, so that flake8 and the "
            "CLI still report every other finding instead of stopping."
        ),
        example="(any file that makes task_lint fail)",
        fix="Report the file and the message to the task_lint maintainers.",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def get_rule(code_or_name: str) -> Rule:
    """Return the rule with this code or name; raise `KeyError` when there is none."""
    key = code_or_name.strip()
    rule = RULES_BY_CODE.get(key.upper()) or RULES_BY_NAME.get(key.lower())
    if rule is None:
        raise KeyError(code_or_name)
    return rule


def target_text(param: str | None) -> str:
    """Name what a finding is about: "parameter `x`" or "return type"."""
    return "return type" if param is None else f"parameter `{param}`"


def rules_markdown_table() -> str:
    """Render the rule list as a Markdown table, for the README."""
    lines = ["| Code | Name | Default | Message |", "|---|---|---|---|"]
    for rule in RULES:
        default = "on" if rule.enabled_by_default else "off"
        message = rule.message.replace("|", "\\|")
        lines.append(f"| `{rule.code}` | {rule.name} | {default} | {message} |")
    return "\n".join(lines) + "\n"


def rules_markdown_page() -> str:
    """Render every rule's documentation as one Markdown page, for docs/rules.md."""
    parts = [
        "# Rules\n",
        "Generated from the rule table in `task_lint/rules.py`; "
        "`task-lint rule CODE` prints the same text in the terminal.\n",
    ]
    for rule in RULES:
        state = "on by default" if rule.enabled_by_default else f"off by default (`--extend-select {rule.code}`)"
        parts.append(
            f"## {rule.code} {rule.name}\n\n{state}. Message: `{rule.message}`\n\n{rule.rationale}\n\n"
            f"Example:\n\n{rule.example_markdown()}\n\nFix:\n\n{rule.fix_markdown()}\n"
        )
    return "\n".join(parts)
