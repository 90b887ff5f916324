"""Runtime checks of the example project in fixtures/example_project.

The `shop` package is imported once per module, inside `isolated_registry()`, and
removed from `sys.modules` and `sys.path` afterwards, so no task leaks into other tests.
"""

from __future__ import annotations

import ast
import asyncio
import enum
import importlib
import inspect
import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

import task_lint
from task_lint import Registry, TaskDefinitionWarning
from task_lint.model.types import (
    AnyType,
    ArrayType,
    EnumDef,
    LiteralType,
    MappingType,
    ObjectDef,
    RefType,
    ScalarType,
    TupleType,
    TypeNode,
    UnionType,
    iter_nodes,
    reachable_definitions,
)

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE_ROOT = REPOSITORY / "fixtures" / "example_project"
PACKAGE_DIR = EXAMPLE_ROOT / "shop"

# Runtime problem codes of the tasks in shop/problems.py. The runtime reports only
# annotation problems, so the last four tasks, whose problems are static rules
# (TSK201 *args, TSK402 mutable default, TSK401 default of the wrong type, TSK202
# positional-only parameter), have none here.
EXPECTED_PROBLEM_CODES: dict[str, list[str]] = {
    "shop.problems:tag_products": ["TSK101"],
    "shop.problems:count_visits": ["TSK102"],
    "shop.problems:apply_discount_rule": ["TSK301"],
    "shop.problems:refund_order": ["TSK103"],
    "shop.problems:notify_customers": [],
    "shop.problems:tag_order": [],
    "shop.problems:resize_banner": [],
    "shop.problems:scale_price": [],
}

# Tasks that warn when defined: TSK103 is left out because a forward reference may
# still resolve once its module has finished importing.
EXPECTED_DEFINITION_WARNINGS = {
    "shop.problems:tag_products",
    "shop.problems:count_visits",
    "shop.problems:apply_discount_rule",
}

ASYNC_TASKS = {
    "shop.orders:reserve_stock",
    "shop.media:media_disk_usage",
    "shop.notifications:broadcast",
}

CLASS_TASKS = {
    "shop.maintenance:PurgeExpiredSessions",
    "shop.maintenance:RebuildSearchIndex",
    "shop.maintenance:RotateLogs",
}

GOOD_TASKS = [
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
]

GOOD_MODULES = ["billing", "maintenance", "media", "notifications", "orders", "reports"]


@dataclass
class ExampleShop:
    """The imported example package, the registry its tasks joined, and the definition warnings."""

    package: Any
    registry: Registry
    warnings: list[warnings.WarningMessage]

    def task(self, qualified_name: str) -> Any:
        return self.registry.get(qualified_name)

    @property
    def models(self) -> Any:
        return sys.modules["shop.models"]


def _drop_shop_modules() -> None:
    for name in [name for name in sys.modules if name == "shop" or name.startswith("shop.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def shop() -> Iterator[ExampleShop]:
    assert "shop" not in sys.modules, "another test imported the example package without removing it"
    sys.path.insert(0, str(EXAMPLE_ROOT))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TaskDefinitionWarning)
            with task_lint.isolated_registry() as registry:
                package = importlib.import_module("shop")
        yield ExampleShop(package, registry, list(caught))
    finally:
        sys.path.remove(str(EXAMPLE_ROOT))
        _drop_shop_modules()


# --- Registration -------------------------------------------------------------------


def test_example_registers_at_least_15_tasks(shop: ExampleShop) -> None:
    assert len(shop.registry) >= 15
    assert len(GOOD_TASKS) >= 15


def test_example_task_names(shop: ExampleShop) -> None:
    registered = {task.metadata.qualified_name for task in shop.registry.all()}
    assert registered == set(GOOD_TASKS) | set(EXPECTED_PROBLEM_CODES)


def test_example_tasks_stay_in_isolated_registry(shop: ExampleShop) -> None:
    outside = {task.metadata.qualified_name for task in task_lint.all_tasks()}
    assert not outside & set(GOOD_TASKS)
    assert not outside & set(EXPECTED_PROBLEM_CODES)


def test_example_explicit_names(shop: ExampleShop) -> None:
    explicit = {
        "billing.compute_invoice": "shop.billing:compute_invoice",
        "orders.cancel": "shop.orders:cancel_order",
        "orders.adjust_inventory": "shop.orders:adjust_inventory",
        "media.thumbnail_sizes": "shop.media:thumbnail_sizes",
        "notifications.broadcast": "shop.notifications:broadcast",
        "reports.summarize_metrics": "shop.reports:summarize_metrics",
    }
    for name, qualified_name in explicit.items():
        assert shop.registry.get(name) is shop.task(qualified_name), name


def test_example_task_options(shop: ExampleShop) -> None:
    charge = shop.task("shop.billing:charge_card").metadata.options
    assert charge == {"retries": 3, "retry_delay": 2.0, "time_limit": 30, "queue": "billing"}
    upload = shop.task("shop.media:store_upload").metadata.options
    assert upload == {"retries": 3, "retry_delay": 2.0, "time_limit": 30, "queue": "media"}
    assert shop.task("shop.maintenance:RotateLogs").metadata.options == {"queue": "maintenance"}


# --- Problems -----------------------------------------------------------------------


def test_only_problem_tasks_have_problems(shop: ExampleShop) -> None:
    for task in shop.registry.all():
        metadata = task.metadata
        codes = [problem.code for problem in metadata.problems]
        assert codes == EXPECTED_PROBLEM_CODES.get(metadata.qualified_name, []), metadata.qualified_name


def test_problem_tasks_all_in_problems_module(shop: ExampleShop) -> None:
    in_module = {t.metadata.qualified_name for t in shop.registry.all() if t.metadata.module == "shop.problems"}
    assert in_module == set(EXPECTED_PROBLEM_CODES)


def test_problems_name_the_parameter(shop: ExampleShop) -> None:
    expected = {
        "shop.problems:tag_products": "tags",
        "shop.problems:count_visits": None,
        "shop.problems:apply_discount_rule": "rule",
        "shop.problems:refund_order": "order",
    }
    for qualified_name, parameter in expected.items():
        problems = shop.task(qualified_name).metadata.problems
        assert [problem.parameter for problem in problems] == [parameter], qualified_name


def test_definition_warnings_name_tasks(shop: ExampleShop) -> None:
    assert all(issubclass(w.category, TaskDefinitionWarning) for w in shop.warnings)
    assert all(Path(w.filename) == PACKAGE_DIR / "problems.py" for w in shop.warnings)
    warned = {str(w.message).split()[1] for w in shop.warnings}
    assert warned == EXPECTED_DEFINITION_WARNINGS


# --- Task forms ---------------------------------------------------------------------


def test_async_tasks_return_coroutines(shop: ExampleShop, tmp_path: Path) -> None:
    registered_async = {t.metadata.qualified_name for t in shop.registry.all() if t.metadata.is_async}
    assert registered_async == ASYNC_TASKS
    for qualified_name in sorted(ASYNC_TASKS):
        task = shop.task(qualified_name)
        arguments = SAMPLE_ARGUMENTS[qualified_name](shop.models, tmp_path)
        result = task(**arguments)
        assert inspect.iscoroutine(result), qualified_name
        result.close()


def test_class_tasks_registered(shop: ExampleShop) -> None:
    registered_classes = {t.metadata.qualified_name for t in shop.registry.all() if t.metadata.kind == "class"}
    assert registered_classes == CLASS_TASKS
    for qualified_name in CLASS_TASKS:
        task = shop.task(qualified_name)
        assert isinstance(task, task_lint.Task)
        assert "self" not in task.metadata.signature.parameters


def test_abstract_base_not_registered(shop: ExampleShop) -> None:
    base_module = sys.modules["shop.base"]
    base = base_module.MaintenanceJob
    assert "shop.base:MaintenanceJob" not in shop.registry
    assert all(task is not base for task in shop.registry.all())
    with pytest.raises(TypeError, match="abstract"):
        base()
    with pytest.raises(AttributeError, match="abstract"):
        base.metadata


def test_class_task_through_abstract_base(shop: ExampleShop) -> None:
    base = sys.modules["shop.base"].MaintenanceJob
    purge = shop.task("shop.maintenance:PurgeExpiredSessions")
    rotate = shop.task("shop.maintenance:RotateLogs")
    assert issubclass(purge, base)
    assert not issubclass(rotate, base)


# --- Wire format coverage -----------------------------------------------------------


def _collect_features(shop: ExampleShop) -> set[str]:
    """Name each wire-format row that the good tasks' parameter and return types use."""
    features: set[str] = set()
    for qualified_name in GOOD_TASKS:
        description = shop.task(qualified_name).metadata.description
        roots: list[TypeNode] = [p.annotation for p in description.parameters if p.annotation is not None]
        if description.returns is not None:
            roots.append(description.returns)
        definitions = reachable_definitions(roots, description.definitions)
        for definition in definitions:
            if isinstance(definition, ObjectDef):
                features.add(definition.kind)
                roots.extend(f.type for f in definition.fields)
                if "[" in definition.name:
                    features.add("generic dataclass")
                if any(isinstance(f.type, RefType) for f in definition.fields) and definition.kind == "dataclass":
                    features.add("nested dataclass")
            elif isinstance(definition, EnumDef):
                features.add(_enum_feature(definition.origin))
        for root in roots:
            for node in iter_nodes(root):
                features.update(_node_features(node))
    return features


def _enum_feature(cls: type[enum.Enum]) -> str:
    if issubclass(cls, enum.IntEnum):
        return "IntEnum"
    if sys.version_info >= (3, 11) and issubclass(cls, enum.StrEnum):
        return "StrEnum"
    if issubclass(cls, str):
        # On Python 3.10 shop.models defines its own StrEnum as a str mixin.
        return "StrEnum" if cls.__mro__[1].__name__ == "StrEnum" else "str Enum"
    return "Enum"


def _node_features(node: TypeNode) -> set[str]:
    if isinstance(node, ScalarType):
        return {node.kind}
    if isinstance(node, AnyType):
        return {"Any"}
    if isinstance(node, ArrayType):
        return {f"{node.container}[T]"}
    if isinstance(node, TupleType):
        return {"tuple[A, B]"}
    if isinstance(node, MappingType):
        return {"dict[str, T]"}
    if isinstance(node, UnionType):
        return {"Union"}
    if isinstance(node, LiteralType):
        return {"Literal"}
    return set()


def test_good_tasks_cover_wire_format(shop: ExampleShop) -> None:
    features = _collect_features(shop)
    expected = {
        "int", "float", "str", "bool", "none", "bytes", "datetime", "date", "time",
        "timedelta", "decimal", "uuid", "path",
        "Enum", "IntEnum", "StrEnum", "str Enum",
        "list[T]", "tuple[T]", "set[T]", "frozenset[T]", "tuple[A, B]", "dict[str, T]",
        "Union", "Literal",
        "dataclass", "nested dataclass", "generic dataclass", "typeddict", "namedtuple",
        "Any",
    }  # fmt: skip
    assert expected - features == set()


def _annotation_spellings(module_path: Path) -> set[str]:
    """Name the union spellings used in the annotations of a module's functions."""
    spellings: set[str] = set()
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        annotations = [arg.annotation for arg in (*node.args.args, *node.args.kwonlyargs) if arg.annotation]
        if node.returns is not None:
            annotations.append(node.returns)
        for annotation in annotations:
            for part in ast.walk(annotation):
                if isinstance(part, ast.Subscript) and isinstance(part.value, ast.Name):
                    spellings.add(part.value.id)
                elif isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr):
                    spellings.add("A | B")
    return spellings


def test_good_tasks_use_every_union_spelling() -> None:
    spellings: set[str] = set()
    for module in GOOD_MODULES:
        spellings |= _annotation_spellings(PACKAGE_DIR / f"{module}.py")
    assert {"Optional", "Union", "A | B", "Literal"} <= spellings


# --- Round trips --------------------------------------------------------------------

BERLIN = timezone(timedelta(hours=2))
ORDER_ID = UUID("3a1f6c2e-8b4d-4e7a-9f10-2c5d6e7f8a9b")


def _order(models: Any, status_name: str = "PAID", day: int = 17) -> Any:
    return models.Order(
        order_id=ORDER_ID,
        customer_email="grace@example.org",
        placed_at=datetime(2024, 5, day, 18, 30, tzinfo=BERLIN),
        items=[
            models.LineItem("MUG-01", 2, Decimal("9.90")),
            models.LineItem("POSTER-A2", 1, Decimal("14.50")),
        ],
        shipping_address=models.Address("Grace Hopper", "Hauptstraße 5", "69117", "Heidelberg"),
        currency=models.Currency.EUR,
        status=getattr(models.OrderStatus, status_name),
        note="Please ring twice",
    )


def _log_dir(tmp_path: Path) -> Path:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    (log_dir / "app.log").write_text("today\n", encoding="utf-8")
    (log_dir / "app.log.1").write_text("yesterday\n", encoding="utf-8")
    (log_dir / "app.log.2").write_text("two days ago\n", encoding="utf-8")
    return log_dir


def _media_root(tmp_path: Path) -> Path:
    media_root = tmp_path / "media"
    (media_root / "ab").mkdir(parents=True)
    (media_root / "ab" / "logo.png").write_bytes(b"\x89PNG" + bytes(60))
    (media_root / "terms.pdf").write_bytes(b"%PDF-1.7\n")
    return media_root


def _outbox(tmp_path: Path) -> Path:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    return outbox


# Arguments for one call of each good task, built from the imported models and a
# temporary folder for the tasks that read or write files.
SAMPLE_ARGUMENTS: dict[str, Callable[[Any, Path], dict[str, Any]]] = {
    "shop.billing:compute_invoice": lambda m, tmp: {
        "items": [m.LineItem("MUG-01", 3, Decimal("9.90"))],
        "tax_rate": Decimal("0.19"),
        "currency": m.Currency.GBP,
    },
    "shop.billing:charge_card": lambda m, tmp: {
        "order_id": ORDER_ID,
        "amount": Decimal("34.30"),
        "currency": m.Currency.EUR,
        "card_token": "tok_visa_4242",
        "idempotency_key": "checkout-8812",
    },
    "shop.billing:payment_due_date": lambda m, tmp: {
        "issued_on": date(2024, 6, 1),
        "terms": timedelta(days=14),
    },
    "shop.maintenance:PurgeExpiredSessions": lambda m, tmp: {
        "last_seen": {
            "s-old": datetime(2024, 5, 16, 8, 0, tzinfo=timezone.utc),
            "s-new": datetime(2024, 5, 17, 9, 0, tzinfo=BERLIN),
        },
        "now": datetime(2024, 5, 17, 10, 0, tzinfo=timezone.utc),
        "max_idle": timedelta(hours=6, minutes=30),
    },
    "shop.maintenance:RebuildSearchIndex": lambda m, tmp: {
        "documents": {"MUG-01": "The enamel mug for camping", "TEE-M": "Cotton shirt with the shop logo"},
        "language": "en",
        "shards": 2,
    },
    "shop.maintenance:RotateLogs": lambda m, tmp: {"log_dir": _log_dir(tmp), "keep": 2},
    "shop.media:store_upload": lambda m, tmp: {
        "data": b"\x89PNG\r\n\x1a\n" + bytes(range(32)),
        "media_root": tmp / "media",
        "content_type": "image/png",
    },
    "shop.media:checksum": lambda m, tmp: {"data": b"invoice 2024-0042", "algorithm": "blake2b"},
    "shop.media:thumbnail_sizes": lambda m, tmp: {
        "original": m.Dimensions(800, 600),
        "widths": (160, 320, 1024),
    },
    "shop.media:media_disk_usage": lambda m, tmp: {"media_root": _media_root(tmp), "extensions": (".png", ".pdf")},
    "shop.notifications:send_email": lambda m, tmp: {
        "outbox": _outbox(tmp),
        "to": ["grace@example.org", "orders@shop.example"],
        "subject": "Your invoice",
        "body": "Thank you for your order.",
        "priority": m.Priority.HIGH,
        "send_at": datetime(2024, 5, 17, 18, 45, tzinfo=BERLIN),
    },
    "shop.notifications:broadcast": lambda m, tmp: {
        "message": m.Notification(
            recipient_id=ORDER_ID,
            title="Back in stock",
            body="The enamel mug is available again.",
            priority=m.Priority.LOW,
            phone="+49 30 1234567",
            tags=["restock", "mug"],
        ),
        "channels": {m.Channel.EMAIL, m.Channel.SMS, m.Channel.PUSH},
    },
    "shop.notifications:in_quiet_hours": lambda m, tmp: {
        "now": time(23, 15),
        "start": time(21, 30),
        "end": time(6, 45, 30),
    },
    "shop.orders:validate_order": lambda m, tmp: {"order": _order(m)},
    "shop.orders:cancel_order": lambda m, tmp: {"order": _order(m), "reason": "customer_request", "refund": True},
    "shop.orders:dispatch_deadline": lambda m, tmp: {
        "ship_on": date(2024, 5, 21),
        "window": (time(9, 0, tzinfo=BERLIN), time(12, 0, tzinfo=BERLIN)),
        "transit_hours": 3.5,
    },
    "shop.orders:reserve_stock": lambda m, tmp: {
        "skus": frozenset({"MUG-01", "TEE-M"}),
        "stock": {"MUG-01": 5, "TEE-M": 2, "POSTER-A2": 0},
        "quantity": 2,
    },
    "shop.orders:adjust_inventory": lambda m, tmp: {"levels": {"MUG-01": 5}, "sku": "MUG-01", "delta": -3},
    "shop.reports:daily_sales": lambda m, tmp: {
        "orders": [_order(m, "PAID", 17), _order(m, "SHIPPED", 18), _order(m, "PENDING", 18)],
        "page": 1,
        "page_size": 1,
    },
    "shop.reports:export_csv": lambda m, tmp: {
        "rows": [m.SalesRow(date(2024, 5, 18), 4, Decimal("120.40"))],
        "destination": tmp / "sales.csv",
        "delimiter": ";",
    },
    "shop.reports:summarize_metrics": lambda m, tmp: {
        "samples": {"checkout_ms": [120.0, 95.5, 301.25, 88.0], "empty": []},
        "percentiles": (0.5, 0.95),
    },
    "shop.reports:record_event": lambda m, tmp: {
        "event": "checkout.completed",
        "payload": {"order": str(ORDER_ID), "items": 2, "coupon": None, "tags": ["first-order"]},
        "occurred_at": datetime(2024, 5, 17, 18, 31, tzinfo=BERLIN),
    },
}


def test_sample_arguments_cover_good_tasks() -> None:
    assert set(SAMPLE_ARGUMENTS) == set(GOOD_TASKS)


def _through_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("qualified_name", GOOD_TASKS)
def test_good_task_round_trips(shop: ExampleShop, tmp_path: Path, qualified_name: str) -> None:
    task = shop.task(qualified_name)
    arguments = SAMPLE_ARGUMENTS[qualified_name](shop.models, tmp_path)

    encoded = _through_json(task_lint.encode_inputs(task, **arguments))
    decoded = task_lint.decode_inputs(task, encoded)
    assert decoded == arguments
    assert {name: type(value) for name, value in decoded.items()} == {
        name: type(value) for name, value in arguments.items()
    }

    result = task(**decoded)
    if task.metadata.is_async:
        result = asyncio.run(result)
    encoded_result = _through_json(task_lint.encode_output(task, result))
    assert task_lint.decode_output(task, encoded_result) == result
    # Re-encoding the decoded value gives the same JSON, so no type was lost on the way.
    assert _through_json(task_lint.encode_output(task, task_lint.decode_output(task, encoded_result))) == encoded_result


def test_round_trip_keeps_utc_offsets(shop: ExampleShop, tmp_path: Path) -> None:
    task = shop.task("shop.orders:dispatch_deadline")
    arguments = SAMPLE_ARGUMENTS["shop.orders:dispatch_deadline"](shop.models, tmp_path)
    encoded = _through_json(task_lint.encode_inputs(task, **arguments))
    assert encoded["window"] == ["09:00:00+02:00", "12:00:00+02:00"]
    deadline = task_lint.decode_output(task, _through_json(task_lint.encode_output(task, task(**arguments))))
    assert deadline == datetime(2024, 5, 21, 5, 30, tzinfo=BERLIN)
    assert deadline.utcoffset() == timedelta(hours=2)


def test_round_trip_generic_page(shop: ExampleShop, tmp_path: Path) -> None:
    models = shop.models
    task = shop.task("shop.reports:daily_sales")
    page = task(**SAMPLE_ARGUMENTS["shop.reports:daily_sales"](models, tmp_path))
    decoded = task_lint.decode_output(task, _through_json(task_lint.encode_output(task, page)))
    assert isinstance(decoded, models.Page)
    assert decoded.items == [models.SalesRow(date(2024, 5, 18), 1, Decimal("34.30"))]
    assert isinstance(decoded.items[0], models.SalesRow)
    assert decoded.total == 2
    assert decoded.has_next


# --- The example script -------------------------------------------------------------


def test_run_example_script_succeeds() -> None:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLE_ROOT / "run_example.py")],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "shop.problems:tag_products: 1 problem(s)" in completed.stdout
    assert "TSK103 parameter `order` of task `refund_order`" in completed.stdout
    assert "shop.orders:validate_order: 0 problem(s)" in completed.stdout
