"""Fuzz the static pass for longer than CI does, with generated programs and task signatures.

Runs the two properties of `tests/test_fuzz.py` with many more examples. Neither
the analysis nor the flake8 plugin may fail (TSK999) on hypothesmith programs
wrapped in and next to tasks, or on tasks whose annotations and defaults are
generated expressions. At the end it prints, per property, how many examples ran,
how many wrapped sources compiled, how many findings they got and the wall time.
A failure prints hypothesis's minimal failing example and exits with 1.

Run from the repository root:

    python bench/fuzz.py                  # 2,000 examples per property
    python bench/fuzz.py --examples 20000 --seed 1
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

TESTS = Path(__file__).resolve().parent.parent / "tests"


def run_property(name: str, test: Callable[[], None], counts: collections.Counter[str]) -> bool:
    """Run one hypothesis test, print its summary and return whether it passed."""
    started = time.monotonic()
    passed = True
    try:
        test()
    except Exception as error:  # hypothesis has printed the minimal failing example
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        passed = False
    elapsed = time.monotonic() - started

    print(f"== {name}")
    for key in sorted(counts):
        print(f"{key}: {counts[key]}")
    print(f"wall time: {elapsed:.1f} s")
    print("result: " + ("no internal error" if passed else "internal error found"))
    return passed


def main() -> int:
    # The properties and their helpers live with the test; import them from there.
    sys.path.insert(0, str(TESTS))
    from test_fuzz import analyse, decorate_functions, inside_task, programs, signatures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default: 2000)")
    parser.add_argument("--seed", type=int, default=None, help="random seed, for a repeatable run")
    args = parser.parse_args()

    # hypothesmith compiles candidate programs, and some of them draw SyntaxWarnings.
    warnings.simplefilter("ignore", SyntaxWarning)
    fuzz_settings = settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    program_counts: collections.Counter[str] = collections.Counter()
    signature_counts: collections.Counter[str] = collections.Counter()

    @fuzz_settings
    @given(program=programs())
    def programs_hold(program: str) -> None:
        program_counts["examples"] += 1
        with tempfile.TemporaryDirectory() as folder:
            for variant, text in (("decorated", decorate_functions(program)), ("task body", inside_task(program))):
                outcome = analyse(text, Path(folder))
                program_counts[f"{variant} compiled"] += outcome.compiled
                program_counts[f"{variant} findings"] += len(outcome.codes)
                assert outcome.internal_errors == [], outcome.internal_errors

    @fuzz_settings
    @given(module=signatures())
    def signatures_hold(module: str) -> None:
        signature_counts["examples"] += 1
        with tempfile.TemporaryDirectory() as folder:
            outcome = analyse(module, Path(folder))
        signature_counts["compiled"] += outcome.compiled
        signature_counts["findings"] += len(outcome.codes)
        assert outcome.internal_errors == [], outcome.internal_errors

    if args.seed is not None:
        programs_hold = seed(args.seed)(programs_hold)
        signatures_hold = seed(args.seed)(signatures_hold)

    passed = run_property("hypothesmith programs next to and inside tasks", programs_hold, program_counts)
    passed &= run_property("task signatures with generated expressions", signatures_hold, signature_counts)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
