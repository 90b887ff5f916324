"""Helpers for the worker tests: generating workers, running them, and loading them as modules.

Generation runs `task-lint workers` in this process. Workers run in a subprocess
with the same interpreter, and their one-line JSON responses are parsed here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cli_support import Run, run_main

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE_ROOT = REPOSITORY / "fixtures" / "example_project"

# Every task of the example project that a worker can run: the 22 tasks outside
# shop/problems.py and the 6 problem tasks whose problem leaves the task importable
# and its types decodable.
EXAMPLE_WORKER_TASKS = [
    "shop.billing:compute_invoice",
    "shop.billing:charge_card",
    "shop.billing:payment_due_date",
    "shop.maintenance:PurgeExpiredSessions",
    "shop.maintenance:RebuildSearchIndex",
    "shop.maintenance:RotateLogs",
    "shop.media:store_upload",
    "shop.media:checksum",
    "shop.media:thumbnail_sizes",
    "shop.media:media_disk_usage",
    "shop.notifications:send_email",
    "shop.notifications:broadcast",
    "shop.notifications:in_quiet_hours",
    "shop.orders:validate_order",
    "shop.orders:cancel_order",
    "shop.orders:dispatch_deadline",
    "shop.orders:reserve_stock",
    "shop.orders:adjust_inventory",
    "shop.reports:daily_sales",
    "shop.reports:export_csv",
    "shop.reports:summarize_metrics",
    "shop.reports:record_event",
    "shop.problems:tag_products",
    "shop.problems:count_visits",
    "shop.problems:notify_customers",
    "shop.problems:tag_order",
    "shop.problems:resize_banner",
    "shop.problems:scale_price",
]

# The two example tasks that no worker can run, with the finding that refuses each.
EXAMPLE_REFUSALS = {
    "shop.problems:apply_discount_rule": "TSK301",
    "shop.problems:refund_order": "TSK103",
}


def worker_name(qualified_name: str) -> str:
    """`shop.orders:adjust_inventory` gives `shop__orders__adjust_inventory.py`."""
    module, qualname = qualified_name.split(":")
    return f"{module.replace('.', '__')}__{qualname.replace('.', '__')}.py"


def generate(capsys: pytest.CaptureFixture[str], output: Path, *args: str) -> Run:
    """Run `task-lint workers ARGS -o OUTPUT` in this process."""
    return run_main(capsys, "workers", *args, "-o", str(output))


@dataclass
class WorkerRun:
    """Exit code, output lines and standard error of one worker process."""

    code: int
    stdout: str
    stderr: str

    @property
    def responses(self) -> list[Any]:
        return [json.loads(line) for line in self.stdout.splitlines()]

    @property
    def response(self) -> Any:
        lines = self.stdout.splitlines()
        assert len(lines) == 1, f"expected one response line, got {len(lines)}: {self.stdout[:500]!r}"
        return json.loads(lines[0])


def run_worker(
    worker: Path,
    stdin: str | bytes = b"",
    args: Sequence[str] = (),
    cwd: Path | None = None,
    interpreter: Sequence[str] = (),
    timeout: float = 60,
) -> WorkerRun:
    """Run a generated worker file with this interpreter and return what it wrote."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    completed = subprocess.run(
        [*(interpreter or [sys.executable]), str(worker), *args],
        input=data,
        capture_output=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return WorkerRun(
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8", errors="replace"),
    )


def load_generated(path: Path, name: str = "generated_worker") -> ModuleType:
    """Import a generated worker file as a module; its top level imports no task module."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
