"""Generate a package of Python modules in which every module defines `@task` functions.

`static_check.py` uses it to time `task-lint check` on code that is all tasks, the
worst case for the pre-filter. The output is deterministic for a given seed.

Layout under the target folder:

    benchcorpus/__init__.py
    benchcorpus/models.py            dataclasses and an enum that tasks use as annotations
    benchcorpus/group_NN/__init__.py
    benchcorpus/group_NN/module_NNNN.py

Each module imports the models absolutely or relatively, defines two helper
functions and `TASKS_PER_MODULE` tasks with varied annotations and defaults, and
every fourth module also defines a class-based task. About one parameter in
twelve has a deliberate problem (no annotation, a mutable default, a callable or
an unresolvable name), so the checker has findings to report.

Run on its own to write a corpus: `python bench/corpus.py OUTPUT_DIR --files 2000`.
"""

from __future__ import annotations

import argparse
import os
import random

TASKS_PER_MODULE = 5
MODULES_PER_GROUP = 100

MODELS = '''\
"""Shared types of the benchmark corpus."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class Priority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass
class Address:
    street: str
    city: str
    postcode: str | None = None


@dataclass
class LineItem:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass
class Order:
    id: int
    placed_at: datetime.datetime
    items: list[LineItem] = field(default_factory=list)
    ship_to: Address | None = None
    priority: Priority = Priority.NORMAL
'''

# (annotation, a default that matches it, or None for no default)
ANNOTATIONS: list[tuple[str, str | None]] = [
    ("int", "0"),
    ("str", '"x"'),
    ("float", "1.5"),
    ("bool", "False"),
    ("bytes", 'b""'),
    ("Decimal", None),
    ("datetime.datetime", None),
    ("datetime.date", None),
    ("list[int]", None),
    ("dict[str, float]", None),
    ("tuple[int, str]", None),
    ("set[str]", None),
    ("Optional[str]", "None"),
    ("int | None", "None"),
    ('Literal["fast", "slow"]', '"fast"'),
    ("Order", None),
    ("list[LineItem]", None),
    ("Address | None", "None"),
    ("Priority", "Priority.LOW"),
    ("dict[str, list[Order]]", None),
]

RETURNS = ["int", "str", "None", "dict[str, int]", "list[Order]", "Decimal", "bool", "Address"]

# Deliberate problems, as parameter text with a {name} placeholder.
PROBLEMS = [
    "{name}",  # no annotation
    "{name}: list[int] = []",  # mutable default
    "{name}: Callable[[int], int]",  # no JSON form
    "{name}: UndefinedName",  # cannot be resolved
]

BODY_LINES = [
    "total = 0",
    "for index in range(3):",
    "    total += index",
    "label = f'{total}-done'",
    "values = [value * 2 for value in range(total)]",
    "if not values:",
    "    values.append(total)",
    "mapping = {str(key): key for key in values}",
]


def parameter_text(rng: random.Random, index: int) -> str:
    name = f"arg_{index}"
    if rng.random() < 1 / 12:
        return rng.choice(PROBLEMS).format(name=name)
    annotation, default = rng.choice(ANNOTATIONS)
    if default is not None and rng.random() < 0.5:
        return f"{name}: {annotation} = {default}"
    return f"{name}: {annotation}"


def task_text(rng: random.Random, module_number: int, task_number: int) -> str:
    # Parameters with defaults must come last, so sort by whether one is present.
    parameters = [parameter_text(rng, index) for index in range(rng.randint(1, 6))]
    parameters.sort(key=lambda text: "=" in text)
    returns = rng.choice(RETURNS)
    function = f"task_{module_number}_{task_number}"
    if rng.random() < 0.5:
        decorator = "@task"
    else:
        decorator = f'@task(name="corpus.m{module_number}.t{task_number}", retries={rng.randint(0, 3)})'
    keyword = "async def" if rng.random() < 0.15 else "def"
    body = [f'    """Run step {task_number} of module {module_number}."""']
    body.extend(f"    {line}" for line in BODY_LINES[: rng.randint(2, len(BODY_LINES))])
    if body[-1].endswith(":"):
        body.append("        pass")
    body.append("    return None  # type: ignore[return-value]")
    signature = f"{keyword} {function}({', '.join(parameters)}) -> {returns}:"
    return "\n".join([decorator, signature, *body])


def module_text(rng: random.Random, module_number: int, relative: bool) -> str:
    models_import = "from ..models import" if relative else "from benchcorpus.models import"
    lines = [
        f'"""Generated module {module_number} of the benchmark corpus."""',
        "",
    ]
    if rng.random() < 0.5:
        lines += ["from __future__ import annotations", ""]
    lines += [
        "import datetime",
        "from collections.abc import Callable",
        "from decimal import Decimal",
        "from typing import Literal, Optional",
        "",
        "from task_lint import Task, task",
        f"{models_import} Address, LineItem, Order, Priority",
        "",
        "",
        f"def helper_{module_number}(value, scale=2):",
        "    return [value * scale for _ in range(3)]",
        "",
        "",
        f"def describe_{module_number}(order: Order) -> str:",
        "    return f'{order.id}: {len(order.items)} items'",
    ]
    for task_number in range(TASKS_PER_MODULE):
        lines += ["", "", task_text(rng, module_number, task_number)]
    if module_number % 4 == 0:
        lines += [
            "",
            "",
            f"class Resize{module_number}(metaclass=Task):",
            '    """Resize an image."""',
            "",
            "    def execute(self, width: int, height: int, keep_ratio: bool = True) -> tuple[int, int]:",
            "        return (width, height)",
        ]
    return "\n".join(lines) + "\n"


def write_corpus(target: str, files: int, seed: int = 2024) -> dict[str, int]:
    """Write the corpus under `target` and return the counts of modules, tasks and lines."""
    rng = random.Random(seed)
    package = os.path.join(target, "benchcorpus")
    os.makedirs(package, exist_ok=True)
    with open(os.path.join(package, "__init__.py"), "w", encoding="utf-8") as handle:
        handle.write('"""Benchmark corpus."""\n')
    with open(os.path.join(package, "models.py"), "w", encoding="utf-8") as handle:
        handle.write(MODELS)
    lines = MODELS.count("\n") + 1
    tasks = 0
    for module_number in range(files):
        group = os.path.join(package, f"group_{module_number // MODULES_PER_GROUP:02d}")
        if module_number % MODULES_PER_GROUP == 0:
            os.makedirs(group, exist_ok=True)
            with open(os.path.join(group, "__init__.py"), "w", encoding="utf-8") as handle:
                handle.write("")
        text = module_text(rng, module_number, relative=module_number % 2 == 0)
        with open(os.path.join(group, f"module_{module_number:04d}.py"), "w", encoding="utf-8") as handle:
            handle.write(text)
        lines += text.count("\n")
        tasks += TASKS_PER_MODULE + (1 if module_number % 4 == 0 else 0)
    return {"modules": files, "tasks": tasks, "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the benchmark corpus of task modules.")
    parser.add_argument("output", help="folder to write benchcorpus/ into")
    parser.add_argument("--files", type=int, default=2000, help="number of task modules (default 2000)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    args = parser.parse_args()
    print(write_corpus(args.output, args.files, args.seed))


if __name__ == "__main__":
    main()
