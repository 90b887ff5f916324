"""Measure the cost of a validated task call against other ways of checking arguments.

For two signatures, one process times the same call through:

- a plain function (no checks),
- a `@task` from task_lint,
- pydantic `validate_call`, in its default (lax) mode and with `strict=True`,
- beartype's `@beartype`,
- a hand-written `isinstance` check at the top of the function.

The simple signature is `(a: int, b: str, c: list[int], d: float = 1.0) -> int`,
called as `f(7, "abc", <10 ints>, d=2.5)`. The rich one is
`(customer: str, items: list[LineItem], note: Optional[str] = None,
discount: float | None = None) -> int` with `LineItem` a dataclass of three fields,
called with 5 items. Every variant runs the same body and the same calling loop.

Repetitions are interleaved (A B C ..., A B C ..., ...) with garbage collection off
during each sample, like `timeit`. Each sample records the thread's CPU time
(`time.thread_time_ns`), which other processes on a loaded machine disturb less than
wall time, and the wall time. The report gives the median CPU time per call, the
ratio to the plain call and to pydantic's default mode, the overhead (time minus
the plain call) and the median wall time.

Before timing, a table shows which invalid inputs each variant rejects, because
the variants do not check the same things. beartype also checks the return value,
while task_lint and pydantic leave it unchecked by default (`validate_return` off).

Run from the repository root:

    python bench/runtime_calls.py            # 21 rounds of 20,000 calls per variant
    python bench/runtime_calls.py --quick    # 3 rounds of 2,000 calls
    python bench/runtime_calls.py --breakdown  # also time the layers of a task_lint call
"""

from __future__ import annotations

import argparse
import gc
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Optional

import _common
from beartype import beartype
from pydantic import validate_call

from task_lint import task

# --- The two signatures, once per variant -----------------------------------------


@dataclass
class LineItem:
    sku: str
    quantity: int
    unit_price: float


def plain_simple(a: int, b: str, c: list[int], d: float = 1.0) -> int:
    return a + len(c)


def plain_rich(
    customer: str,
    items: list[LineItem],
    note: Optional[str] = None,  # noqa: UP045  # the Optional spelling is what is measured
    discount: float | None = None,
) -> int:
    return len(items)


def hand_simple(a: int, b: str, c: list[int], d: float = 1.0) -> int:
    if not isinstance(a, int) or isinstance(a, bool):
        raise TypeError("a must be int")
    if not isinstance(b, str):
        raise TypeError("b must be str")
    if not isinstance(c, list):
        raise TypeError("c must be list[int]")
    for item in c:
        if not isinstance(item, int) or isinstance(item, bool):
            raise TypeError("c must be list[int]")
    if not isinstance(d, (int, float)) or isinstance(d, bool):
        raise TypeError("d must be float")
    return a + len(c)


def hand_rich(
    customer: str,
    items: list[LineItem],
    note: Optional[str] = None,  # noqa: UP045
    discount: float | None = None,
) -> int:
    if not isinstance(customer, str):
        raise TypeError("customer must be str")
    if not isinstance(items, list):
        raise TypeError("items must be list[LineItem]")
    for item in items:
        if not isinstance(item, LineItem):
            raise TypeError("items must be list[LineItem]")
        if not isinstance(item.sku, str):
            raise TypeError("sku must be str")
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool):
            raise TypeError("quantity must be int")
        if not isinstance(item.unit_price, (int, float)) or isinstance(item.unit_price, bool):
            raise TypeError("unit_price must be float")
    if note is not None and not isinstance(note, str):
        raise TypeError("note must be str or None")
    if discount is not None and (not isinstance(discount, (int, float)) or isinstance(discount, bool)):
        raise TypeError("discount must be float or None")
    return len(items)


def build_variants() -> dict[str, tuple[Callable[..., int], Callable[..., int]]]:
    """Return variant name -> (simple function, rich function)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a definition warning would mean the task is not fully checked
        task_simple = task(name="bench.simple")(plain_simple)
        task_rich = task(name="bench.rich")(plain_rich)
    return {
        "plain call": (plain_simple, plain_rich),
        "task_lint @task": (task_simple, task_rich),
        "pydantic validate_call": (validate_call(plain_simple), validate_call(plain_rich)),
        "pydantic validate_call strict": (
            validate_call(config={"strict": True})(plain_simple),
            validate_call(config={"strict": True})(plain_rich),
        ),
        "beartype": (beartype(plain_simple), beartype(plain_rich)),
        "hand-written isinstance": (hand_simple, hand_rich),
    }


# --- Inputs ------------------------------------------------------------------------

SIMPLE_LIST = list(range(10))
RICH_ITEMS = [LineItem(f"sku-{i}", i + 1, 1.5 * i) for i in range(5)]


def call_simple(function: Callable[..., int]) -> int:
    return function(7, "abc", SIMPLE_LIST, d=2.5)


def call_rich(function: Callable[..., int]) -> int:
    return function("acme", RICH_ITEMS, note=None, discount=0.1)


def loop_simple(function: Callable[..., int], count: int) -> None:
    data = SIMPLE_LIST
    for _ in repeat(None, count):
        function(7, "abc", data, d=2.5)


def loop_rich(function: Callable[..., int], count: int) -> None:
    items = RICH_ITEMS
    for _ in repeat(None, count):
        function("acme", items, note=None, discount=0.1)


# Invalid calls, each with the argument that breaks the signature. The last list
# element and a dataclass field are included because some validators sample
# containers or check only the instance type.
INVALID_CALLS: list[tuple[str, str, Callable[[Callable[..., int]], Any]]] = [
    ("simple", "a=True (bool for int)", lambda f: f(True, "abc", SIMPLE_LIST)),
    ("simple", 'a="7" (str for int)', lambda f: f("7", "abc", SIMPLE_LIST)),
    ("simple", 'last item of c is "9"', lambda f: f(7, "abc", [*SIMPLE_LIST[:-1], "9"])),
    ("simple", 'd="2.5" (str for float)', lambda f: f(7, "abc", SIMPLE_LIST, d="2.5")),
    ("rich", "note=5 (int for Optional[str])", lambda f: f("acme", RICH_ITEMS, note=5)),
    (
        "rich",
        'item field quantity="1"',
        lambda f: f("acme", [*RICH_ITEMS[:-1], LineItem("x", "1", 1.0)]),  # type: ignore[arg-type]
    ),
]


def rejects(function: Callable[..., int], call: Callable[[Callable[..., int]], Any]) -> bool:
    try:
        call(function)
    except Exception:
        return True
    return False


def rejection_table(variants: dict[str, tuple[Callable[..., int], Callable[..., int]]]) -> str:
    names = [name for name in variants if name != "plain call"]
    rows = []
    for signature, label, call in INVALID_CALLS:
        index = 0 if signature == "simple" else 1
        row: list[object] = [f"{signature}: {label}"]
        row.extend("rejects" if rejects(variants[name][index], call) else "accepts" for name in names)
        rows.append(row)
    return _common.markdown_table(["invalid call", *names], rows)


# --- Timing ------------------------------------------------------------------------


def time_sample(
    loop: Callable[[Callable[..., int], int], None], function: Callable[..., int], count: int
) -> _common.Timing:
    """Time one sample of `count` calls with the collector off; return CPU and wall nanoseconds per call."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start_wall = time.perf_counter_ns()
        start_cpu = time.thread_time_ns()
        loop(function, count)
        cpu = time.thread_time_ns() - start_cpu
        wall = time.perf_counter_ns() - start_wall
    finally:
        if gc_was_enabled:
            gc.enable()
    return _common.Timing(wall / count, cpu / count)


def measure(
    variants: dict[str, tuple[Callable[..., int], Callable[..., int]]], rounds: int, count: int
) -> dict[str, dict[str, list[_common.Timing]]]:
    """Return signature -> variant -> nanoseconds per call, one timing per round."""
    results: dict[str, dict[str, list[_common.Timing]]] = {}
    for signature, loop, index in (("simple", loop_simple, 0), ("rich", loop_rich, 1)):
        samples: dict[str, list[_common.Timing]] = {name: [] for name in variants}
        for functions in variants.values():  # warm-up: first calls compile validators
            time_sample(loop, functions[index], max(1, count // 10))
        for _ in range(rounds):
            for name, functions in variants.items():
                samples[name].append(time_sample(loop, functions[index], count))
        results[signature] = samples
    return results


def report(results: dict[str, dict[str, list[_common.Timing]]]) -> str:
    parts = []
    verdicts = []
    for signature, samples in results.items():
        plain = _common.median(_common.cpus(samples["plain call"]))
        pydantic = _common.median(_common.cpus(samples["pydantic validate_call"]))
        rows = []
        for name, timings in samples.items():
            cpu = _common.median(_common.cpus(timings))
            rows.append(
                [
                    name,
                    f"{cpu:,.0f}",
                    f"{min(_common.cpus(timings)):,.0f} to {max(_common.cpus(timings)):,.0f}",
                    f"{_common.median(_common.walls(timings)):,.0f}",
                    f"{cpu - plain:,.0f}",
                    f"{cpu / plain:.2f}x",
                    f"{cpu / pydantic:.2f}x",
                ]
            )
        header = [
            "variant",
            "median CPU ns/call",
            "CPU range ns/call",
            "median wall ns/call",
            "overhead ns (CPU minus plain call)",
            "ratio to plain call",
            "ratio to pydantic",
        ]
        parts.append(f"### {signature} signature\n\n" + _common.markdown_table(header, rows))
        ours = _common.median(_common.cpus(samples["task_lint @task"])) - plain
        theirs = pydantic - plain
        verdicts.append(
            f"- {signature}: task_lint overhead {ours:,.0f} ns, pydantic `validate_call` overhead {theirs:,.0f} ns "
            f"({ours / theirs:.2f}x): target {_common.verdict(ours <= theirs)}"
        )
    target = "Target: overhead no higher than pydantic `validate_call` (CPU time per call)."
    return "\n\n".join(parts) + f"\n\n{target}\n\n" + "\n".join(verdicts)


# --- Where a task_lint call spends its time ----------------------------------------


def cpu_ns_per_call(statement: Callable[[], object], count: int, repeats: int = 7) -> float:
    """Return the median CPU nanoseconds per call of `statement` over `repeats` samples of `count` calls."""
    samples = []
    for _ in range(repeats):
        gc.disable()
        try:
            start = time.thread_time_ns()
            for _ in repeat(None, count):
                statement()
            samples.append((time.thread_time_ns() - start) / count)
        finally:
            gc.enable()
    return _common.median(samples)


def breakdown(task_class: Any, args: tuple[Any, ...], kwargs: dict[str, Any], count: int) -> list[list[object]]:
    """Time the layers of one validated call, from the outside in.

    This reads task_lint internals (`__task_call__`, `CallValidator`, codecs), so it
    shows where the time goes in the version measured and may need changes when
    those internals change.
    """
    task_class(*args, **kwargs)  # the first call compiles the runner
    runner = task_class.__task_call__
    function = task_class.metadata.func
    validator = task_class.metadata.validator()
    check = validator.check
    bound = task_class.metadata.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    full = cpu_ns_per_call(lambda: task_class(*args, **kwargs), count)
    run = cpu_ns_per_call(lambda: runner(*args, **kwargs), count)
    plain = cpu_ns_per_call(lambda: function(*args, **kwargs), count)
    generic = cpu_ns_per_call(lambda: check(args, kwargs), count)
    per_parameter = []
    for name, value in bound.arguments.items():
        codec_check = validator.codecs[name].check
        cost = cpu_ns_per_call(lambda codec_check=codec_check, value=value: codec_check(value), count)
        per_parameter.append((name, type(validator.codecs[name]).__name__, cost))
    # Each timed statement is a lambda, so the cost of an empty lambda call is
    # subtracted from every row that is not a difference of two other rows.
    empty = cpu_ns_per_call(lambda: None, count)
    rows: list[list[object]] = [
        ["whole call `Task(...)`", f"{full:,.0f}"],
        ["metaclass `__call__` (whole call minus the compiled runner)", f"{full - run:,.0f}"],
        ["compiled runner: binding and inline checks (runner minus the plain function call)", f"{run - plain:,.0f}"],
        ["the plain function call, with its body", f"{plain - empty:,.0f}"],
        ["generic `CallValidator.check`, used when no runner compiles", f"{generic - empty:,.0f}"],
    ]
    for name, codec, cost in per_parameter:
        rows.append([f"codec check of `{name}` ({codec}), as the generic check runs it", f"{cost - empty:,.0f}"])
    rows.append(["(an empty lambda call, subtracted from the rows that stand alone)", f"{empty:,.0f}"])
    return rows


def print_breakdown(variants: dict[str, tuple[Callable[..., int], Callable[..., int]]], count: int) -> None:
    simple, rich = variants["task_lint @task"]
    cases = [
        ("simple", simple, (7, "abc", SIMPLE_LIST), {"d": 2.5}),
        ("rich", rich, ("acme", RICH_ITEMS), {"note": None, "discount": 0.1}),
    ]
    for signature, task_class, args, kwargs in cases:
        print(f"\n### Where a task_lint call spends its time: {signature} signature\n")
        print(f"Median CPU ns per call of 7 samples of {count:,} calls, measured from the outside in.\n")
        print(_common.markdown_table(["layer", "CPU ns"], breakdown(task_class, args, kwargs, count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2,000 calls, for a smoke test")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per variant (default 21, quick 3)")
    parser.add_argument("--calls", type=int, help="calls per sample (default 20000, quick 2000)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the layers of a task_lint call (reads its internals)"
    )
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 21)
    count = args.calls or (2_000 if args.quick else 20_000)

    import beartype as beartype_module
    import pydantic

    variants = build_variants()
    for name, (simple, rich) in variants.items():
        expected = (17, 5)
        got = (call_simple(simple), call_rich(rich))
        if got != expected:
            raise SystemExit(f"{name} returned {got} on valid input, expected {expected}")

    print("## Runtime call overhead\n")
    print("\n".join(_common.machine_lines()))
    print(f"- pydantic {pydantic.VERSION}, beartype {beartype_module.__version__}")
    print(f"- command: `{_common.invocation('runtime_calls.py')}`")
    print(f"- {rounds} interleaved rounds of {count:,} calls per variant and signature\n")
    print("### What each variant rejects\n")
    print(rejection_table(variants))
    print()
    print(report(measure(variants, rounds, count)))
    if args.breakdown:
        print_breakdown(variants, count)
    print(f"\nLoad average after measuring: {_common.load_average()}.")


if __name__ == "__main__":
    main()
