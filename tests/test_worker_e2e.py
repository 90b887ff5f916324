"""Generated workers against in-process calls, for every task of fixtures/example_project.

Each worker runs as a subprocess on JSON arguments. The same arguments go through
`decode_inputs`, the task and `encode_output` in this process, and the two responses
must agree: results, exceptions, and the `loc`/`msg` of every invalid field. Hostile
inputs (malformed, NaN, 10 MB, 100,000 levels deep) must give exit code 2 and one
structured error line, never a traceback.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import shlex
import shutil
import subprocess
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from worker_support import EXAMPLE_ROOT, EXAMPLE_WORKER_TASKS, WorkerRun, load_generated, run_worker, worker_name

import task_lint
from task_lint.cli import main

ORDER_ID = "3a1f6c2e-8b4d-4e7a-9f10-2c5d6e7f8a9b"


def order(status: str = "paid", day: int = 17) -> dict[str, Any]:
    return {
        "order_id": ORDER_ID,
        "customer_email": "grace@example.org",
        "placed_at": f"2024-05-{day}T18:30:00+02:00",
        "items": [
            {"sku": "MUG-01", "quantity": 2, "unit_price": "9.90"},
            {"sku": "POSTER-A2", "quantity": 1, "unit_price": "14.50"},
        ],
        "shipping_address": {
            "name": "Grace Hopper",
            "street": "Hauptstraße 5",
            "postal_code": "69117",
            "city": "Heidelberg",
        },
        "currency": "EUR",
        "status": status,
        "note": "Please ring twice",
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def make_logs(files: Path) -> None:
    logs = files / "logs"
    logs.mkdir()
    (logs / "app.log").write_text("today\n", encoding="utf-8")
    (logs / "app.log.1").write_text("yesterday\n", encoding="utf-8")
    (logs / "app.log.2").write_text("two days ago\n", encoding="utf-8")


def make_media(files: Path) -> None:
    (files / "media" / "ab").mkdir(parents=True)
    (files / "media" / "ab" / "logo.png").write_bytes(b"\x89PNG" + bytes(60))
    (files / "media" / "terms.pdf").write_bytes(b"%PDF-1.7\n")


def make_outbox(files: Path) -> None:
    (files / "outbox").mkdir()


# Files that a task reads, created afresh in an empty folder before each call.
SETUP: dict[str, Callable[[Path], None]] = {
    "shop.maintenance:RotateLogs": make_logs,
    "shop.media:media_disk_usage": make_media,
    "shop.notifications:send_email": make_outbox,
}

# JSON arguments of one successful call per task; `files` is the folder of SETUP.
SAMPLE_INPUTS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "shop.billing:compute_invoice": lambda files: {
        "items": [{"sku": "MUG-01", "quantity": 3, "unit_price": "9.90"}],
        "tax_rate": "0.19",
        "currency": "GBP",
    },
    "shop.billing:charge_card": lambda files: {
        "order_id": ORDER_ID,
        "amount": "34.30",
        "currency": "EUR",
        "card_token": "tok_visa_4242",
        "idempotency_key": "checkout-8812",
    },
    "shop.billing:payment_due_date": lambda files: {"issued_on": "2024-06-01", "terms": "P14D"},
    "shop.maintenance:PurgeExpiredSessions": lambda files: {
        "last_seen": {"s-old": "2024-05-16T08:00:00+00:00", "s-new": "2024-05-17T09:00:00+02:00"},
        "now": "2024-05-17T10:00:00Z",
        "max_idle": "PT6H30M",
    },
    "shop.maintenance:RebuildSearchIndex": lambda files: {
        "documents": {"MUG-01": "The enamel mug for camping", "TEE-M": "Cotton shirt with the shop logo"},
        "language": "en",
        "shards": 2,
    },
    "shop.maintenance:RotateLogs": lambda files: {"log_dir": str(files / "logs"), "keep": 2},
    "shop.media:store_upload": lambda files: {
        "data": b64(b"\x89PNG\r\n\x1a\n" + bytes(range(32))),
        "media_root": str(files / "media"),
        "content_type": "image/png",
    },
    "shop.media:checksum": lambda files: {"data": b64(b"invoice 2024-0042"), "algorithm": "blake2b"},
    "shop.media:thumbnail_sizes": lambda files: {"original": {"width": 800, "height": 600}, "widths": [160, 320, 1024]},
    "shop.media:media_disk_usage": lambda files: {"media_root": str(files / "media"), "extensions": [".png", ".pdf"]},
    "shop.notifications:send_email": lambda files: {
        "outbox": str(files / "outbox"),
        "to": ["grace@example.org", "orders@shop.example"],
        "subject": "Your invoice",
        "body": "Thank you for your order.",
        "priority": 3,
        "send_at": "2024-05-17T18:45:00+02:00",
    },
    "shop.notifications:broadcast": lambda files: {
        "message": {
            "recipient_id": ORDER_ID,
            "title": "Back in stock",
            "body": "The enamel mug is available again.",
            "priority": 1,
            "phone": "+49 30 1234567",
            "tags": ["restock", "mug"],
        },
        "channels": ["sms", "email", "push"],
    },
    "shop.notifications:in_quiet_hours": lambda files: {"now": "23:15", "start": "21:30:00", "end": "06:45:30"},
    "shop.orders:validate_order": lambda files: {"order": order()},
    "shop.orders:cancel_order": lambda files: {"order": order(), "reason": "customer_request", "refund": True},
    "shop.orders:dispatch_deadline": lambda files: {
        "ship_on": "2024-05-21",
        "window": ["09:00:00+02:00", "12:00:00+02:00"],
        "transit_hours": 3.5,
    },
    "shop.orders:reserve_stock": lambda files: {
        "skus": ["MUG-01", "TEE-M"],
        "stock": {"MUG-01": 5, "TEE-M": 2, "POSTER-A2": 0},
        "quantity": 2,
    },
    "shop.orders:adjust_inventory": lambda files: {"levels": {"MUG-01": 5}, "sku": "MUG-01", "delta": -3},
    "shop.reports:daily_sales": lambda files: {
        "orders": [order("paid", 17), order("shipped", 18), order("pending", 18)],
        "page": 1,
        "page_size": 1,
    },
    "shop.reports:export_csv": lambda files: {
        "rows": [{"day": "2024-05-18", "orders": 4, "revenue": "120.40"}],
        "destination": str(files / "sales.csv"),
        "delimiter": ";",
    },
    "shop.reports:summarize_metrics": lambda files: {
        "samples": {"checkout_ms": [120.0, 95.5, 301.25, 88], "empty": []},
        "percentiles": [0.5, 0.95],
    },
    "shop.reports:record_event": lambda files: {
        "event": "checkout.completed",
        "payload": {"order": ORDER_ID, "items": 2, "coupon": None, "tags": ["first-order"]},
        "occurred_at": "2024-05-17T18:31:00+02:00",
    },
    "shop.problems:tag_products": lambda files: {"skus": ["MUG-01", "TEE-M"], "tags": {"sale": True}},
    "shop.problems:count_visits": lambda files: {"day": "2024-05-17", "visits": {"2024-05-17": 12}},
    "shop.problems:notify_customers": lambda files: {"emails": ["grace@example.org", "alan@example.org"]},
    "shop.problems:tag_order": lambda files: {"order_id": ORDER_ID, "tags": ["vip"]},
    "shop.problems:resize_banner": lambda files: {"path": "banners/top.png", "width": 300},
    "shop.problems:scale_price": lambda files: {"price": "10.00", "factor": "1.5"},
}

# Arguments that make each of these tasks raise.
RAISING_INPUTS: dict[str, dict[str, Any]] = {
    "shop.billing:charge_card": {"order_id": ORDER_ID, "amount": "-1", "currency": "EUR", "card_token": "tok_x"},
    "shop.maintenance:RebuildSearchIndex": {"documents": {}, "shards": 0},
    "shop.maintenance:RotateLogs": {"log_dir": "logs", "keep": 0},
    "shop.notifications:send_email": {"outbox": "outbox", "to": [], "subject": "s", "body": "b"},
    "shop.orders:cancel_order": {"order": order("shipped"), "reason": "fraud"},
    "shop.orders:dispatch_deadline": {"ship_on": "2024-05-21", "window": ["12:00", "09:00"]},
    "shop.orders:reserve_stock": {"skus": ["NOPE"], "stock": {"MUG-01": 1}},
    "shop.orders:adjust_inventory": {"levels": {"MUG-01": 1}, "sku": "MUG-01", "delta": -10},
    "shop.reports:daily_sales": {"orders": [], "page": 0},
}

# Invalid arguments per task, covering each kind of decoder the workers use.
INVALID_INPUTS: dict[str, list[Any]] = {
    "shop.orders:adjust_inventory": [
        {"levels": {"a": "x"}, "sku": 3, "extra": 1},
        {},
        {"levels": {"a": 1.5}, "sku": "a", "delta": True},
    ],
    "shop.billing:compute_invoice": [
        {"items": [{"sku": "A", "quantity": 1.5, "unit_price": "abc", "x": 1}], "currency": "XYZ", "tax_rate": 0.19},
        {"items": "none"},
    ],
    "shop.billing:payment_due_date": [
        {"issued_on": "2024-13-01", "terms": "P1Y"},
        {"issued_on": "2024-12-01T10:00", "terms": "PT"},
        {"issued_on": "2024-02-30", "terms": "P999999999999D"},
    ],
    "shop.billing:charge_card": [
        {"order_id": "xyz", "amount": "1e5", "currency": "EUR", "card_token": None},
        {"order_id": ORDER_ID.upper() + "0", "amount": "NaN", "currency": "eur", "card_token": "t"},
    ],
    "shop.maintenance:PurgeExpiredSessions": [
        {"last_seen": {"s": "yesterday", "t": 5}, "now": "2024-05-17 10:00", "max_idle": 5},
        {"last_seen": [], "now": "2024-05-17T25:00", "max_idle": "P1DT"},
    ],
    "shop.maintenance:RebuildSearchIndex": [
        {"documents": {"a": 1}, "language": "fr", "shards": "many"},
        {"documents": {}, "shards": True},
        {"documents": {}, "language": 1},
    ],
    "shop.maintenance:RotateLogs": [{"log_dir": 3, "keep": "7", "pattern": None}],
    "shop.media:store_upload": [
        {"data": "***", "media_root": 3, "content_type": "image/gif"},
        {"data": "abc", "media_root": "m", "content_type": None},
    ],
    "shop.media:checksum": [{"data": "é", "algorithm": None}, {"data": 5}],
    "shop.media:thumbnail_sizes": [
        {"original": {"width": 800, "depth": 3}, "widths": [1, "2", None]},
        {"original": [800, 600], "widths": {}},
    ],
    "shop.media:media_disk_usage": [{"media_root": None, "extensions": [".png", 1]}],
    "shop.notifications:send_email": [
        {"outbox": "/tmp", "to": "a@b", "subject": 1, "body": "x", "priority": "HIGH", "send_at": "2024-05-17"},
    ],
    "shop.notifications:broadcast": [
        {"message": {"recipient_id": ORDER_ID, "title": "t", "body": "b", "priority": 7}, "channels": ["sms", "fax"]},
        {"message": {"recipient_id": ORDER_ID, "title": "t", "body": "b", "tags": "x"}, "channels": ["sms", "sms"]},
    ],
    "shop.notifications:in_quiet_hours": [{"now": "25:00", "start": "10:00:00.1234567", "end": 7}],
    "shop.orders:validate_order": [
        {"order": {**order(), "status": "lost", "placed_at": "2024-05-17", "items": [{"sku": 1}]}},
    ],
    "shop.orders:cancel_order": [
        {"order": {"order_id": ORDER_ID}, "reason": "bored", "refund": "yes"},
    ],
    "shop.orders:dispatch_deadline": [
        {"ship_on": "2024-05-21", "window": ["09:00", "10:00", "11:00"], "transit_hours": "3"},
        {"ship_on": "2024-05-21", "window": ["09:00", 10], "transit_hours": 2**1024},
    ],
    "shop.orders:reserve_stock": [
        {"skus": "MUG", "stock": [], "quantity": True},
        {"skus": ["a", "a"], "stock": {"a": 1}},
    ],
    "shop.reports:daily_sales": [{"orders": [{}], "page": "1"}],
    "shop.reports:export_csv": [
        {"rows": [{"day": "2024-05-18", "orders": 4}], "destination": "x.csv", "delimiter": "|"},
    ],
    "shop.reports:summarize_metrics": [{"samples": {"a": [1, "2", True]}, "percentiles": [0.5, False]}],
    "shop.reports:record_event": [{"event": "e", "payload": [1], "occurred_at": "now"}],
    "shop.problems:count_visits": [{"day": 20240517, "visits": {"x": "1"}}],
    "shop.problems:notify_customers": [{"emails": ["a", 1]}],
    "shop.problems:tag_order": [{"order_id": 1, "tags": [None]}],
    "shop.problems:resize_banner": [{"path": [], "width": "100"}],
    "shop.problems:scale_price": [{"price": 1, "factor": "1"}],
}


def qualified_type(error: BaseException) -> str:
    cls = type(error)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def call_in_process(task: Any, arguments: Any) -> dict[str, Any]:
    """Call a task the way a worker does, through the runtime's codec; return the response in the worker's form."""
    try:
        decoded = task_lint.decode_inputs(task, arguments)
    except task_lint.TaskInputError as error:
        errors = [{"loc": detail["loc"], "msg": detail["msg"]} for detail in error.errors]
        return {"ok": False, "error": {"type": "invalid_input", "errors": errors}}
    args, kwargs = task_lint.bind_inputs(task, decoded)
    try:
        result = task(*args, **kwargs)
        if task.metadata.is_async:
            result = asyncio.run(result)
    except Exception as error:  # the task's own exception is the answer
        return {"ok": False, "error": {"type": "task_error", "exception": qualified_type(error), "message": str(error)}}
    return {"ok": True, "result": json.loads(json.dumps(task_lint.encode_output(task, result)))}


def without_traceback(response: dict[str, Any]) -> dict[str, Any]:
    if response["ok"] or "traceback" not in response["error"]:
        return response
    error = dict(response["error"])
    assert error.pop("traceback").startswith("Traceback (most recent call last):")
    return {"ok": False, "error": error}


def normalize(qualified_name: str, response: dict[str, Any], files: Path) -> dict[str, Any]:
    """Replace the parts of a result that differ between two calls (a clock, a random id)."""
    if not response["ok"]:
        return response
    result = response["result"]
    if qualified_name == "shop.billing:charge_card":
        captured_at = datetime.fromisoformat(result.pop("captured_at"))
        assert captured_at.utcoffset() is not None
    if qualified_name == "shop.notifications:send_email":
        message_id = uuid.UUID(result)
        assert (files / "outbox" / f"{message_id}.eml").is_file()
        response = {"ok": True, "result": "<message id>"}
    return response


def folder_snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def shop() -> Iterator[task_lint.Registry]:
    assert "shop" not in sys.modules, "another test imported the example package without removing it"
    sys.path.insert(0, str(EXAMPLE_ROOT))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", task_lint.TaskDefinitionWarning)
            with task_lint.isolated_registry() as registry:
                importlib.import_module("shop")
        yield registry
    finally:
        sys.path.remove(str(EXAMPLE_ROOT))
        for name in [name for name in sys.modules if name == "shop" or name.startswith("shop.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("e2e") / "workers"
    # capsys is function-scoped, so this module-scoped fixture calls main() directly.
    main(["workers", str(EXAMPLE_ROOT), "-o", str(output)])
    return output


def run(workers: Path, qualified_name: str, arguments: Any, cwd: Path | None = None) -> WorkerRun:
    return run_worker(workers / worker_name(qualified_name), json.dumps(arguments), cwd=cwd)


def run_batch(workers: Path, qualified_name: str, calls: list[Any], cwd: Path | None = None) -> WorkerRun:
    lines = "".join(json.dumps(arguments) + "\n" for arguments in calls)
    return run_worker(workers / worker_name(qualified_name), lines, ["--batch"], cwd=cwd)


# --- Coverage of the tables ---------------------------------------------------------


def test_samples_cover_every_worker() -> None:
    assert sorted(SAMPLE_INPUTS) == sorted(EXAMPLE_WORKER_TASKS)


def test_invalid_inputs_cover_most_workers() -> None:
    assert set(INVALID_INPUTS) <= set(EXAMPLE_WORKER_TASKS)
    assert len(INVALID_INPUTS) >= 25


# --- Results ------------------------------------------------------------------------


@pytest.mark.parametrize("qualified_name", EXAMPLE_WORKER_TASKS)
def test_worker_matches_in_process_call(
    shop: task_lint.Registry, workers: Path, tmp_path: Path, qualified_name: str
) -> None:
    files = tmp_path / "files"
    arguments = SAMPLE_INPUTS[qualified_name](files)
    setup = SETUP.get(qualified_name, lambda folder: None)

    files.mkdir()
    setup(files)
    worker = run(workers, qualified_name, arguments)
    worker_files = folder_snapshot(files)
    worker_response = normalize(qualified_name, worker.response, files)

    shutil.rmtree(files)
    files.mkdir()
    setup(files)
    local_response = normalize(qualified_name, call_in_process(shop.get(qualified_name), arguments), files)

    assert worker.code == 0, worker.response
    assert worker_response == local_response
    if qualified_name != "shop.notifications:send_email":
        assert worker_files == folder_snapshot(files)


@pytest.mark.parametrize("qualified_name", sorted(set(INVALID_INPUTS) | set(RAISING_INPUTS)))
def test_failed_calls_match_runtime(
    shop: task_lint.Registry, workers: Path, tmp_path: Path, qualified_name: str
) -> None:
    # One batch per task: its invalid arguments first, then the ones that make it raise.
    invalid = INVALID_INPUTS.get(qualified_name, [])
    raising = [RAISING_INPUTS[qualified_name]] if qualified_name in RAISING_INPUTS else []

    worker = run_batch(workers, qualified_name, invalid + raising, cwd=tmp_path)

    assert worker.code == (1 if raising else 2)
    assert len(worker.responses) == len(invalid) + len(raising)
    for arguments, response in zip(invalid + raising, worker.responses, strict=True):
        local = call_in_process(shop.get(qualified_name), arguments)
        assert local["ok"] is False, arguments
        expected_type = "task_error" if arguments in raising else "invalid_input"
        assert local["error"]["type"] == expected_type, arguments
        assert without_traceback(response) == local, arguments


def test_non_object_arguments_match_runtime(shop: task_lint.Registry, workers: Path) -> None:
    name = "shop.orders:adjust_inventory"

    worker = run_batch(workers, name, [[1], "levels", None])

    for arguments, response in zip([[1], "levels", None], worker.responses, strict=True):
        assert response == call_in_process(shop.get(name), arguments), arguments


def test_variadic_not_array_matches_runtime(shop: task_lint.Registry, workers: Path) -> None:
    name = "shop.problems:notify_customers"
    arguments = {"emails": "grace@example.org"}

    worker = run(workers, name, arguments)

    assert worker.code == 2
    assert worker.response == call_in_process(shop.get(name), arguments)


def test_schemas_match_runtime(shop: task_lint.Registry, workers: Path) -> None:
    for qualified_name in EXAMPLE_WORKER_TASKS:
        metadata = shop.get(qualified_name).metadata
        module = load_generated(workers / worker_name(qualified_name))
        assert module.INPUT_SCHEMA == metadata.json_schema(), qualified_name
        assert module.OUTPUT_SCHEMA == metadata.output_json_schema(), qualified_name


# --- Hostile input ------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024

HOSTILE_INPUTS: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"levels": {"a": 1}, "sku": "a"',
    "not UTF-8": b'{"sku": "\xff"}',
    "NaN": b'{"levels": {"a": NaN}, "sku": "a"}',
    "Infinity": b'{"levels": {}, "sku": "a", "delta": Infinity}',
    "minus Infinity": b'{"levels": {}, "sku": "a", "delta": -Infinity}',
    "nested 100000 deep": b'{"levels": ' + b"[" * 100_000 + b"]" * 100_000 + b', "sku": "a"}',
    "unclosed 100000 deep": b"[" * 100_000,
    "10 MB string for an int": b'{"levels": {}, "sku": "a", "delta": "' + b"9" * TEN_MB + b'"}',
    "10 MB of malformed JSON": b'{"levels": {' + b'"a": 1, ' * (TEN_MB // 8) + b"}",
    "10 MB array for a str": b'{"levels": {}, "sku": [' + b"1, " * (TEN_MB // 3) + b"1]}",
    "huge integer": b'{"levels": {}, "sku": "a", "delta": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("label", sorted(HOSTILE_INPUTS))
def test_hostile_input_exits_two(workers: Path, label: str) -> None:
    worker = run_worker(workers / worker_name("shop.orders:adjust_inventory"), HOSTILE_INPUTS[label])

    assert worker.code == 2, worker.stdout[:500]
    assert "Traceback" not in worker.stderr
    assert worker.stdout.endswith("\n")
    response = worker.response
    assert response["ok"] is False
    assert response["error"]["type"] in ("invalid_json", "invalid_input")
    assert "traceback" not in response["error"]
    assert len(worker.stdout) < 10_000


def test_nan_inside_any_payload(workers: Path) -> None:
    text = '{"event": "e", "payload": {"ratio": NaN}}'

    worker = run_worker(workers / worker_name("shop.reports:record_event"), text)

    assert worker.code == 2
    assert worker.response["error"]["type"] == "invalid_json"
    assert "NaN" in worker.response["error"]["message"]


def test_deep_any_payload_exits_two(workers: Path) -> None:
    text = '{"event": "e", "payload": {"deep": ' + "[" * 100_000 + "]" * 100_000 + "}}"

    worker = run_worker(workers / worker_name("shop.reports:record_event"), text)

    assert worker.code == 2
    assert worker.response == {"ok": False, "error": {"type": "invalid_json", "message": "input is nested too deeply"}}


def test_hostile_batch_line_answers_alone(workers: Path) -> None:
    lines = [b'{"levels": {}, "sku": "a", "delta": 1}', b"[" * 100_000, b'{"levels": NaN}', b'{"levels": {}, "sku": 5}']

    worker = run_worker(workers / worker_name("shop.orders:adjust_inventory"), b"\n".join(lines), ["--batch"])

    assert worker.code == 2
    responses = worker.responses
    assert len(responses) == 4
    assert responses[0] == {"ok": True, "result": {"a": 1}}
    assert responses[1]["error"] == {"type": "invalid_json", "message": "input is nested too deeply"}
    assert responses[2]["error"]["type"] == "invalid_json"
    assert responses[3]["error"]["errors"] == [{"loc": ["sku"], "msg": "expected a string, got an integer"}]


# --- Standard streams that fail -----------------------------------------------------

needs_linux_devices = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="uses /dev/full and /proc/self/mem, which only Linux has"
)
ADJUST = {"levels": {"mug": 3}, "sku": "mug", "delta": 1}


def run_to(worker: Path, target: Any, stdin: bytes, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, str(worker), *args],
        input=stdin,
        stdout=target,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )


@needs_linux_devices
@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        ([], json.dumps(ADJUST).encode()),
        (["--batch"], (json.dumps(ADJUST) + "\n" + json.dumps(ADJUST) + "\n").encode()),
        (["--schema"], b""),
        (["--help"], b""),
    ],
    ids=["call", "batch", "schema", "help"],
)
def test_full_standard_output_exits_three(workers: Path, args: list[str], stdin: bytes) -> None:
    with open("/dev/full", "wb") as full:
        completed = run_to(workers / worker_name("shop.orders:adjust_inventory"), full, stdin, args)

    stderr = completed.stderr.decode()
    assert completed.returncode == 3, stderr
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr
    assert stderr.count("worker: error: cannot write the response to standard output: No space left on device") == 1


def test_closed_pipe_exits_three_quietly(workers: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, str(workers / worker_name("shop.orders:adjust_inventory"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    # The reader goes away before the worker has its input, so its one write meets a broken pipe.
    process.stdout.close()
    _, stderr = process.communicate(json.dumps(ADJUST).encode(), timeout=60)

    assert process.returncode == 3
    # The example project's own definition warnings may come first; nothing else may.
    messages = stderr.decode()
    assert "worker: error" not in messages
    assert "Traceback" not in messages
    assert "Exception ignored" not in messages


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 1 with a POSIX shell")
@pytest.mark.parametrize("args", [[], ["--batch"], ["--schema"], ["--help"]], ids=["call", "batch", "schema", "help"])
def test_closed_standard_output_exits_three(workers: Path, args: list[str]) -> None:
    # With file descriptor 1 closed, Python starts with sys.stdout set to None.
    worker = workers / worker_name("shop.orders:adjust_inventory")
    command = " ".join(shlex.quote(part) for part in [sys.executable, str(worker), *args])
    completed = subprocess.run(
        ["sh", "-c", command + " >&-"],
        input=json.dumps(ADJUST).encode(),
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )

    stderr = completed.stderr.decode()
    assert completed.returncode == 3, stderr
    assert "Traceback" not in stderr
    assert stderr.count("worker: error: cannot write the response to standard output: standard output is closed") == 1


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 1 with a POSIX shell")
def test_closed_standard_output_runs_no_task(workers: Path, tmp_path: Path) -> None:
    # No response could reach the caller, so the e-mail must not be written.
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    worker = workers / worker_name("shop.notifications:send_email")
    arguments = {"outbox": str(outbox), "to": ["a@example.org"], "subject": "s", "body": "b"}

    completed = subprocess.run(
        ["sh", "-c", shlex.quote(sys.executable) + " " + shlex.quote(str(worker)) + " >&-"],
        input=json.dumps(arguments).encode(),
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 3
    assert list(outbox.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 0 with a POSIX shell")
@pytest.mark.parametrize("args", [[], ["--batch"], ["--input", "{input}"]], ids=["call", "batch", "input file"])
def test_closed_standard_input(workers: Path, tmp_path: Path, args: list[str]) -> None:
    # With file descriptor 0 closed, Python starts with sys.stdin set to None.
    arguments_file = tmp_path / "arguments.json"
    arguments_file.write_text(json.dumps(ADJUST), encoding="utf-8")
    worker = workers / worker_name("shop.orders:adjust_inventory")
    parts = [sys.executable, str(worker), *(arg.format(input=arguments_file) for arg in args)]

    completed = subprocess.run(
        ["sh", "-c", " ".join(shlex.quote(part) for part in parts) + " <&-"],
        capture_output=True,
        timeout=60,
        check=False,
    )

    stderr = completed.stderr.decode()
    assert "Traceback" not in stderr
    if args and args[0] == "--input":
        assert completed.returncode == 0, stderr
        assert json.loads(completed.stdout) == {"ok": True, "result": {"mug": 4}}
    else:
        assert completed.returncode == 2, stderr
        response = json.loads(completed.stdout)
        assert response["error"] == {
            "type": "unreadable_input",
            "message": "cannot read the input: standard input is closed",
        }


@needs_linux_devices
@pytest.mark.parametrize("args", [[], ["--batch"]], ids=["call", "batch"])
def test_input_that_fails_to_read_exits_two(workers: Path, args: list[str]) -> None:
    # Reading /proc/self/mem from its start fails with an I/O error after a successful open.
    worker = run_worker(
        workers / worker_name("shop.orders:adjust_inventory"), b"", ["--input", "/proc/self/mem", *args]
    )

    assert worker.code == 2
    assert "Traceback" not in worker.stderr
    assert worker.response["error"]["type"] == "unreadable_input"
    assert "Input/output error" in worker.response["error"]["message"]
