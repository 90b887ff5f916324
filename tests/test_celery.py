"""The Celery target on real parts: a `redis-server`, `celery worker` processes and the client.

`task-lint workers --target celery` generates the Celery application from the
example project and from a small probe project written here. The tests run it in
`celery worker` subprocesses against a `redis-server` that a session fixture
starts on a free 127.0.0.1 port, and submit through `task_lint.celery`.

Each group of tests uses its own Redis database, so the messages of one group
never reach the workers of another:

- 0: two prefork workers shared by most tests (prefork, because Celery enforces
  time limits only in a child process),
- 1: the workers of the killed-worker test, with a 2-second visibility timeout,
- 2: the worker whose pool process the lost-process test kills,
- 5: no workers at all, so a message sent there stays in its queue.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import datetime
import enum
import importlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import celery
import pytest
import redis
from test_fixtures_runtime import GOOD_TASKS, ORDER_ID, SAMPLE_ARGUMENTS

import task_lint
import task_lint.celery
from task_lint import TaskDefinitionWarning, TaskInputError
from task_lint.celery import Client, RemoteTaskError, SubmittedTask

REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        REDIS_SERVER is None,
        reason="redis-server is not on PATH; install it (e.g. `apt-get install redis-server`) to run the Celery tests",
    ),
]

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE_ROOT = REPOSITORY / "fixtures" / "example_project"
TASK_LINT = Path(sys.executable).with_name("task-lint")

SHARED_DB = 0
KILL_DB = 1
LOST_CHILD_DB = 2
IDLE_DB = 5

# Every queue that a task of the two projects names, except "special": the shared
# workers must leave that one to a worker started for it.
SHARED_QUEUES = ("billing", "celery", "maintenance", "media")

# Seconds to wait for a result, a worker start or a file that a task writes.
RESULT_TIMEOUT = 30.0
START_TIMEOUT = 60.0

PROBE_MODULE = "celery_probe_tasks"

# Tasks for the options, redelivery and load tests. Each records what it did in
# files under a folder that the test passes in, because the tests cannot see into
# a worker process otherwise.
PROBE_SOURCE = """\
import os
import time
from pathlib import Path

from task_lint import task


@task(retries=2, retry_delay=0.1)
def flaky(counter: Path, succeed_on: int) -> int:
    \"\"\"Append the start time of this attempt to `counter`, and fail until attempt `succeed_on`.\"\"\"
    with open(counter, "a", encoding="utf-8") as handle:
        handle.write(f"{time.time()}\\n")
    attempt = len(counter.read_text(encoding="utf-8").splitlines())
    if attempt < succeed_on:
        raise RuntimeError(f"attempt {attempt} failed")
    return attempt


@task(time_limit=1)
def overrun(state_dir: Path, seconds: float) -> float:
    \"\"\"Record a start in `state_dir`, then sleep past the 1-second time limit.\"\"\"
    with open(state_dir / "starts", "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\\n")
    time.sleep(seconds)
    return seconds


@task(queue="special")
def worker_name() -> str:
    \"\"\"Return the name that the test gave the worker running this task.\"\"\"
    return os.environ["PROBE_WORKER_NAME"]


@task
def interrupted(state_dir: Path) -> int:
    \"\"\"Record attempt N as `start-N`. The first attempt sleeps until its worker is killed.\"\"\"
    attempt = len(list(state_dir.glob("start-*"))) + 1
    # Written under another name and renamed, so that `start-N` never exists empty.
    partial = state_dir / f".start-{attempt}"
    partial.write_text(str(os.getpid()), encoding="utf-8")
    os.replace(partial, state_dir / f"start-{attempt}")
    if attempt == 1:
        time.sleep(120)
    # O_EXCL: a second completion of the same task raises here.
    os.close(os.open(state_dir / "done", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    return attempt


@task
def record_job(job: int, marker_dir: Path) -> int:
    \"\"\"Create the marker file of `job` holding this process id and return `job`.\"\"\"
    try:
        descriptor = os.open(marker_dir / str(job), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        # A second execution of the same job leaves a file of its own.
        descriptor = os.open(marker_dir / f"{job}.again.{os.getpid()}.{time.time_ns()}", os.O_CREAT | os.O_WRONLY)
    os.write(descriptor, str(os.getpid()).encode())
    os.close(descriptor)
    return job
"""

PROBE_TASKS = ["flaky", "overrun", "worker_name", "interrupted", "record_job"]

# Arguments (positional, keyword) for the example tasks in shop/problems.py that
# still get a worker. SAMPLE_ARGUMENTS covers the others.
PROBLEM_SAMPLES: dict[str, Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "shop.problems:tag_products": lambda: ((), {"skus": ["MUG-01", "TEE-M"], "tags": ["sale"]}),
    "shop.problems:count_visits": lambda: (
        (),
        {"day": datetime.date(2024, 5, 17), "visits": {"2024-05-17": 42, "2024-05-18": 7}},
    ),
    "shop.problems:notify_customers": lambda: (("grace@example.org", "orders@shop.example"), {}),
    "shop.problems:tag_order": lambda: ((), {"order_id": ORDER_ID, "tags": ["vip"]}),
    "shop.problems:resize_banner": lambda: ((), {"path": Path("banners/summer.png"), "width": 640}),
    "shop.problems:scale_price": lambda: ((Decimal("10.00"),), {"factor": Decimal("1.5")}),
}

ROUND_TRIP_TASKS = sorted([*GOOD_TASKS, *PROBLEM_SAMPLES])


# --- Redis ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclasses.dataclass
class RedisServer:
    """A running `redis-server` on 127.0.0.1."""

    port: int

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db)


def stop_process(process: subprocess.Popen[bytes], group: bool = False) -> None:
    """Terminate a process (or its whole process group), killing it after 10 seconds."""
    if process.poll() is None or group:
        try:
            if group:
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        elif process.poll() is None:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Start `redis-server` on a free port without persistence and stop it at the end."""
    assert REDIS_SERVER is not None
    folder = tmp_path_factory.mktemp("redis")
    log_path = folder / "redis.log"
    # Another process can take the free port before redis-server binds it, so try up to three ports.
    for _ in range(3):
        port = free_port()
        command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        server = RedisServer(port)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with server.client(0) as probe:
                    probe.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        if process.poll() is None and time.monotonic() < deadline:
            break
        stop_process(process)
    else:
        pytest.fail(f"redis-server did not start. Its log:\n{log_path.read_text(errors='replace')}")
    try:
        yield server
    finally:
        stop_process(process)


# --- The generated Celery target --------------------------------------------------


@pytest.fixture(scope="module")
def celery_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate the Celery target of the example and probe projects and return its folder."""
    root = tmp_path_factory.mktemp("celery_target")
    probe = root / "probe"
    probe.mkdir()
    (probe / f"{PROBE_MODULE}.py").write_text(PROBE_SOURCE, encoding="utf-8")
    output = root / "workers"
    command = [str(TASK_LINT), "workers", str(EXAMPLE_ROOT), str(probe), "-o", str(output), "--target", "celery"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    # Exit code 1: the example project has two tasks that no worker can serve.
    assert completed.returncode == 1, completed.stderr
    assert (output / "celery_app.py").is_file(), completed.stderr
    return output


def read_constant(module: Path, name: str) -> Any:
    """Read a literal module-level constant of a generated module without importing it."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(target, "id", None) for target in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} has no assignment to {name}")


@dataclasses.dataclass
class Projects:
    """The example package and the probe module, imported in this process for in-process calls."""

    registry: task_lint.Registry
    probe: Any

    def task(self, qualified_name: str) -> Any:
        return self.registry.get(qualified_name)

    @property
    def models(self) -> Any:
        return sys.modules["shop.models"]


@pytest.fixture(scope="module")
def projects(celery_target: Path) -> Iterator[Projects]:
    assert "shop" not in sys.modules, "another test imported the example package without removing it"
    paths = [str(EXAMPLE_ROOT), str(celery_target.parent / "probe")]
    sys.path[:0] = paths
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TaskDefinitionWarning)
            with task_lint.isolated_registry() as registry:
                importlib.import_module("shop")
                probe = importlib.import_module(PROBE_MODULE)
        yield Projects(registry, probe)
    finally:
        for path in paths:
            sys.path.remove(path)
        for name in [name for name in sys.modules if name in {"shop", PROBE_MODULE} or name.startswith("shop.")]:
            del sys.modules[name]


# --- Celery workers ---------------------------------------------------------------


@dataclasses.dataclass
class Worker:
    """One `celery worker` process, with its output in `log`."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class Workers:
    """Start `celery worker` processes from the generated folder and stop all of them on exit."""

    def __init__(self, folder: Path, broker_url: str, logs: Path) -> None:
        self.folder = folder
        self.broker_url = broker_url
        self.logs = logs
        self.started: list[Worker] = []
        self.control = celery.Celery("task_lint_test_control", broker=broker_url)

    def start(
        self,
        label: str,
        *,
        pool: str = "prefork",
        queues: tuple[str, ...] = SHARED_QUEUES,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> Worker:
        """Start a worker with concurrency 1, named `<label>-<random hex>@task-lint-tests`.

        With `wait`, return only once the worker replies to a ping.
        """
        name = f"{label}-{uuid.uuid4().hex[:8]}@task-lint-tests"
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"TASK_LINT_RESULT_BACKEND", "TASK_LINT_VISIBILITY_TIMEOUT"}
        }
        environment.update({"TASK_LINT_BROKER_URL": self.broker_url, "PROBE_WORKER_NAME": name})
        environment.update(env or {})

        command = [
            sys.executable, "-m", "celery", "-A", "celery_app", "worker",
            "--pool", pool, "--concurrency", "1", "-n", name, "-Q", ",".join(queues),
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING",
        ]  # fmt: skip

        log = self.logs / f"{name.split('@', maxsplit=1)[0]}.log"
        with open(log, "wb") as output:
            # A session of its own, so that stopping the worker also stops its pool processes.
            process = subprocess.Popen(
                command,
                cwd=self.folder,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        worker = Worker(name, process, log)
        self.started.append(worker)
        if wait:
            self.wait_ready(worker)
        return worker

    def wait_ready(self, worker: Worker) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if worker.process.poll() is not None:
                pytest.fail(f"worker {worker.name} exited with {worker.process.returncode}:\n{worker.log_text()}")
            if self.control.control.ping(destination=[worker.name], timeout=0.5):
                return
        pytest.fail(f"worker {worker.name} did not reply to ping within {START_TIMEOUT} s:\n{worker.log_text()}")

    def stop_all(self) -> None:
        for worker in self.started:
            stop_process(worker.process, group=True)
        self.control.close()


@pytest.fixture(scope="module")
def shared_workers(
    redis_server: RedisServer, celery_target: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workers]:
    """Two prefork workers on database 0, consuming every queue except "special"."""
    workers = Workers(celery_target, redis_server.url(SHARED_DB), tmp_path_factory.mktemp("shared_logs"))
    try:
        first = workers.start("shared1", wait=False)
        second = workers.start("shared2", wait=False)
        workers.wait_ready(first)
        workers.wait_ready(second)
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def workers(redis_server: RedisServer, celery_target: Path, tmp_path: Path) -> Iterator[Callable[[int], Workers]]:
    """Make `Workers` for one test on a database of its choice, and stop them all after the test."""
    groups: list[Workers] = []

    def make(db: int) -> Workers:
        logs = tmp_path / f"logs-{db}"
        logs.mkdir(exist_ok=True)
        groups.append(Workers(celery_target, redis_server.url(db), logs))
        return groups[-1]

    yield make
    for group in groups:
        group.stop_all()


def make_client(redis_server: RedisServer, db: int) -> Client:
    url = redis_server.url(db)
    return Client(task_lint.celery.make_app(broker=url, backend=url))


@pytest.fixture(scope="module")
def client(redis_server: RedisServer) -> Iterator[Client]:
    """A client of the shared workers."""
    made = make_client(redis_server, SHARED_DB)
    yield made
    made.app.close()


def wait_for(condition: Callable[[], bool], description: str, timeout: float = RESULT_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {description}")
        time.sleep(0.05)


# --- Comparing results ------------------------------------------------------------


def shape(value: Any) -> Any:
    """Describe a value with its types all the way down, and with what `==` ignores.

    Aware datetimes and times that differ only in their UTC offset compare equal,
    and so do Decimal("1.5") and Decimal("1.50"). The description keeps both apart.
    """
    if isinstance(value, (datetime.datetime, datetime.time)):
        return (type(value), value.isoformat())
    if isinstance(value, (Decimal, float)):
        return (type(value), repr(value))
    if isinstance(value, enum.Enum):
        return (type(value), value.name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value), tuple((f.name, shape(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return (type(value), sorted(((repr(shape(k)), shape(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (set, frozenset)):
        return (type(value), sorted(repr(shape(item)) for item in value))
    if isinstance(value, (list, tuple)):
        return (type(value), [shape(item) for item in value])
    return (type(value), value)


def sample_call(projects: Projects, qualified_name: str, folder: Path) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Build the sample arguments of a task, with file arguments inside `folder`."""
    if qualified_name in PROBLEM_SAMPLES:
        return PROBLEM_SAMPLES[qualified_name]()
    return (), SAMPLE_ARGUMENTS[qualified_name](projects.models, folder)


def call_in_process(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = task(*args, **kwargs)
    if task.metadata.is_async:
        result = asyncio.run(result)
    return result


# --- Generation -------------------------------------------------------------------


def test_shape_tells_offsets_apart() -> None:
    utc = datetime.datetime(2024, 5, 17, 16, 30, tzinfo=datetime.timezone.utc)
    berlin = utc.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert utc == berlin
    assert shape(utc) != shape(berlin)
    assert shape(Decimal("1.5")) != shape(Decimal("1.50"))
    assert shape([1]) != shape((1,))


def test_target_registers_every_task(celery_target: Path) -> None:
    probe_names = {f"{PROBE_MODULE}:{name}" for name in PROBE_TASKS}
    registered = read_constant(celery_target / "celery_app.py", "TASK_MODULES")
    assert set(registered) == set(ROUND_TRIP_TASKS) | probe_names


def test_target_maps_task_options(celery_target: Path) -> None:
    charge_card = read_constant(celery_target / "shop__billing__charge_card.py", "CELERY_OPTIONS")
    checksum = read_constant(celery_target / "shop__media__checksum.py", "CELERY_OPTIONS")
    assert charge_card == {"default_retry_delay": 2.0, "max_retries": 3, "queue": "billing", "time_limit": 30}
    # Without `retries`, a task that raised is not retried.
    assert checksum == {"max_retries": 0}


# --- Round trips ------------------------------------------------------------------


@pytest.mark.parametrize("qualified_name", ROUND_TRIP_TASKS)
def test_task_round_trips(
    projects: Projects, shared_workers: Workers, client: Client, tmp_path: Path, qualified_name: str
) -> None:
    task = projects.task(qualified_name)
    # The worker and the in-process call see the same files at the same paths:
    # the folder is restored from a copy between the two calls.
    work = tmp_path / "work"
    work.mkdir()
    args, kwargs = sample_call(projects, qualified_name, work)
    shutil.copytree(work, tmp_path / "snapshot")

    remote = client.submit(task, *args, **kwargs).get(timeout=RESULT_TIMEOUT)
    remote_files = sorted(path.relative_to(work) for path in work.rglob("*"))

    shutil.rmtree(work)
    shutil.copytree(tmp_path / "snapshot", work)
    local = call_in_process(task, args, kwargs)

    if qualified_name == "shop.notifications:send_email":
        # The message id is a random UUID, which names the message file.
        assert type(remote) is UUID
        assert Path("outbox", f"{remote}.eml") in remote_files
        return
    if qualified_name == "shop.billing:charge_card":
        # captured_at is the clock at the call: compare its type and offset only.
        assert type(remote.captured_at) is datetime.datetime
        assert remote.captured_at.utcoffset() == datetime.timedelta(0)
        remote = dataclasses.replace(remote, captured_at=local.captured_at)
    assert remote == local
    assert shape(remote) == shape(local)


def test_round_trip_keeps_exact_types(projects: Projects, shared_workers: Workers, client: Client) -> None:
    models = projects.models
    items = [models.LineItem("MUG-01", 3, Decimal("9.90"))]
    invoice = client.submit(
        projects.task("shop.billing:compute_invoice"),
        items=items,
        tax_rate=Decimal("0.19"),
        currency=models.Currency.GBP,
    ).get(timeout=RESULT_TIMEOUT)
    berlin = datetime.timezone(datetime.timedelta(hours=2))
    deadline = client.submit(
        projects.task("shop.orders:dispatch_deadline"),
        ship_on=datetime.date(2024, 5, 21),
        window=(datetime.time(9, 0, tzinfo=berlin), datetime.time(12, 0, tzinfo=berlin)),
        transit_hours=3.5,
    ).get(timeout=RESULT_TIMEOUT)
    sizes = client.submit(
        projects.task("shop.media:thumbnail_sizes"), original=models.Dimensions(800, 600), widths=(160,)
    ).get(timeout=RESULT_TIMEOUT)

    assert type(invoice["subtotal"]) is Decimal
    assert str(invoice["subtotal"]) == "29.70"
    assert invoice["currency"] is models.Currency.GBP
    assert type(deadline) is datetime.datetime
    assert deadline.utcoffset() == datetime.timedelta(hours=2)
    assert type(sizes[0]) is models.Dimensions


def test_submit_reads_environment(
    projects: Projects, shared_workers: Workers, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASK_LINT_BROKER_URL", redis_server.url(SHARED_DB))
    monkeypatch.delenv("TASK_LINT_RESULT_BACKEND", raising=False)
    # The module-level client reads the environment when it is created on first use, so start without one.
    monkeypatch.setattr(task_lint.celery, "_default", [])
    checksum = projects.task("shop.media:checksum")

    try:
        by_class = task_lint.celery.submit(checksum, data=b"abc", algorithm="md5").get(timeout=RESULT_TIMEOUT)
    finally:
        for made in task_lint.celery._default:
            made.app.close()

    assert by_class == "900150983cd24fb0d6963f7d28e17f72"


def test_submit_by_qualified_name(
    projects: Projects, shared_workers: Workers, client: Client, task_registry: task_lint.Registry
) -> None:
    checksum = projects.task("shop.media:checksum")
    task_registry.register(checksum)

    by_name = client.submit("shop.media:checksum", data=b"abc", algorithm="sha1").get(timeout=RESULT_TIMEOUT)

    assert by_name == "a9993e364706816aba3e25717850c26c9cd0d89d"


# --- Errors -----------------------------------------------------------------------


def test_invalid_arguments_never_sent(projects: Projects, redis_server: RedisServer) -> None:
    # Database 5 has no workers, so every message sent there stays in its queue.
    idle = make_client(redis_server, IDLE_DB)
    queue = redis_server.client(IDLE_DB)
    invoice = projects.task("shop.billing:compute_invoice")
    try:
        with pytest.raises(TaskInputError) as raised:
            idle.submit(invoice, items="MUG-01", tax_rate=0.19)
        assert queue.llen("celery") == 0

        # The same client does send valid arguments, so the check above can fail.
        idle.submit(invoice, items=[], tax_rate=Decimal("0.19"))
        assert queue.llen("celery") == 1
    finally:
        queue.flushdb()
        queue.close()
        idle.app.close()
    locations = [error["loc"] for error in raised.value.errors]
    assert ["items"] in locations
    assert ["tax_rate"] in locations


def test_submit_reports_every_missing_argument(projects: Projects, redis_server: RedisServer) -> None:
    # Database 5 has no workers, so a message sent there would stay in its queue.
    idle = make_client(redis_server, IDLE_DB)
    queue = redis_server.client(IDLE_DB)
    charge = projects.task("shop.billing:charge_card")
    try:
        with pytest.raises(TaskInputError) as raised:
            idle.submit(charge, order_id=ORDER_ID)
        assert queue.llen("billing") == 0
    finally:
        queue.flushdb()
        queue.close()
        idle.app.close()
    errors = [(error["loc"], error["msg"]) for error in raised.value.errors]
    assert errors == [
        (["amount"], "missing required argument"),
        (["currency"], "missing required argument"),
        (["card_token"], "missing required argument"),
    ]


def test_missing_extra_names_install_command() -> None:
    # sys.modules["celery"] = None makes `import celery` fail as if Celery were not installed.
    script = textwrap.dedent(
        """\
        import json, sys
        sys.modules["celery"] = None
        try:
            import task_lint.celery
        except ImportError as error:
            print(json.dumps([type(error).__name__, error.name, str(error)]))
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)

    kind, name, message = json.loads(completed.stdout)

    assert kind == "ModuleNotFoundError"
    assert name == "celery"
    assert "pip install 'task-lint[celery]'" in message
    assert "pip install -e '.[celery]'" in message


@pytest.fixture
def idle_client(redis_server: RedisServer) -> Iterator[Client]:
    """A client of database 5, which has no workers."""
    idle = make_client(redis_server, IDLE_DB)
    yield idle
    idle.app.close()


def test_submit_unknown_module(idle_client: Client) -> None:
    with pytest.raises(ModuleNotFoundError) as raised:
        idle_client.submit("no.such:task")

    message = str(raised.value)
    assert message.startswith("cannot import module 'no.such' of task 'no.such:task': No module named 'no'.")
    assert "PYTHONPATH" in message


def test_submit_unregistered_name(idle_client: Client, task_registry: task_lint.Registry) -> None:
    with pytest.raises(KeyError) as raised:
        idle_client.submit("billing.compute_invoice")

    message = str(raised.value)
    assert "no task with id or name 'billing.compute_invoice' is registered" in message
    assert "import that module first" in message
    assert "'module:qualname'" in message


def test_submit_imports_qualified_name(
    idle_client: Client, task_registry: task_lint.Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "from task_lint import task\n\n\n@task\ndef present(n: int) -> int:\n    return n\n"
    (tmp_path / "celery_submit_probe.py").write_text(source, encoding="utf-8")
    (tmp_path / "celery_submit_broken.py").write_text("import no_such_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(TaskInputError):
            idle_client.submit("celery_submit_probe:present", n="1")
        with pytest.raises(KeyError) as missing_task:
            idle_client.submit("celery_submit_probe:absent")
        # A missing module inside the task's module keeps Python's own error.
        with pytest.raises(ModuleNotFoundError) as missing_dependency:
            idle_client.submit("celery_submit_broken:run")
    finally:
        sys.modules.pop("celery_submit_probe", None)
        sys.modules.pop("celery_submit_broken", None)

    assert "module 'celery_submit_probe' has no registered task 'absent'" in str(missing_task.value)
    assert "its registered tasks are present" in str(missing_task.value)
    assert str(missing_dependency.value) == "No module named 'no_such_dependency'"


def test_task_error_comes_back(projects: Projects, shared_workers: Workers, client: Client) -> None:
    adjust = projects.task("shop.orders:adjust_inventory")

    with pytest.raises(RemoteTaskError) as raised:
        client.submit(adjust, levels={"MUG-01": 1}, sku="MUG-01", delta=-3).get(timeout=RESULT_TIMEOUT)

    assert raised.value.exception == "ValueError"
    assert raised.value.message == "MUG-01: cannot remove 3 units, only 1 on hand"
    assert raised.value.traceback is not None
    assert "adjust_inventory" in raised.value.traceback


def test_worker_validates_raw_message(projects: Projects, shared_workers: Workers, client: Client) -> None:
    # Sent past the client's validation, as a producer without task_lint would.
    due_date = projects.task("shop.billing:payment_due_date")
    sent = client.app.send_task("shop.billing:payment_due_date", kwargs={"issued_on": "1 June"})

    with pytest.raises(TaskInputError) as raised:
        SubmittedTask(due_date.metadata, sent).get(timeout=RESULT_TIMEOUT)

    assert [error["loc"] for error in raised.value.errors] == [["issued_on"]]


def test_worker_rejects_infinity_under_any(projects: Projects, shared_workers: Workers, client: Client) -> None:
    # Sent past the client's validation: Celery's JSON writes the infinity as
    # `Infinity`, and the worker's json.loads reads it back as float("inf").
    record_event = projects.task("shop.reports:record_event")
    arguments = {"event": "signup", "payload": {"ratio": float("inf")}}
    sent = client.app.send_task("shop.reports:record_event", kwargs=arguments)

    with pytest.raises(TaskInputError) as raised:
        SubmittedTask(record_event.metadata, sent).get(timeout=RESULT_TIMEOUT)

    assert [error["loc"] for error in raised.value.errors] == [["payload", "ratio"]]
    assert raised.value.errors[0]["msg"] == "NaN and infinities are not allowed because JSON has no form for them"


def test_pickle_message_rejected(
    redis_server: RedisServer, shared_workers: Workers, projects: Projects, client: Client
) -> None:
    url = redis_server.url(SHARED_DB)
    sender = celery.Celery("task_lint_test_pickle", broker=url, backend=url)
    sender.conf.update(accept_content=["json", "pickle"], result_accept_content=["json", "pickle"])
    try:
        rejected = sender.send_task(
            "shop.billing:payment_due_date", kwargs={"issued_on": "2024-06-01"}, serializer="pickle"
        )
        wait_for(
            lambda: any("untrusted content of type pickle" in w.log_text() for w in shared_workers.started),
            "a worker to log that it rejected the pickle message",
        )
        # The same task sent as JSON afterwards runs, so the worker is still serving.
        due = client.submit(projects.task("shop.billing:payment_due_date"), issued_on=datetime.date(2024, 6, 1))
        assert due.get(timeout=RESULT_TIMEOUT) == datetime.date(2024, 7, 1)
        assert rejected.state == "PENDING"
        with redis_server.client(SHARED_DB) as broker:
            assert broker.llen("celery") == 0
    finally:
        sender.close()


# --- Task options -----------------------------------------------------------------


def test_retries_until_success(projects: Projects, shared_workers: Workers, client: Client, tmp_path: Path) -> None:
    counter = tmp_path / "attempts"

    result = client.submit(projects.probe.flaky, counter=counter, succeed_on=3).get(timeout=RESULT_TIMEOUT)

    starts = [float(line) for line in counter.read_text(encoding="utf-8").splitlines()]
    assert result == 3
    assert len(starts) == 3
    # retry_delay=0.1 becomes Celery's countdown between attempts.
    assert min(later - earlier for earlier, later in itertools.pairwise(starts)) >= 0.1


def test_retries_run_out(projects: Projects, shared_workers: Workers, client: Client, tmp_path: Path) -> None:
    counter = tmp_path / "attempts"

    with pytest.raises(RemoteTaskError) as raised:
        client.submit(projects.probe.flaky, counter=counter, succeed_on=4).get(timeout=RESULT_TIMEOUT)

    # retries=2 means the first attempt and two retries.
    assert raised.value.message == "attempt 3 failed"
    assert len(counter.read_text(encoding="utf-8").splitlines()) == 3


def test_time_limit_stops_task(projects: Projects, shared_workers: Workers, client: Client, tmp_path: Path) -> None:
    started = time.monotonic()

    with pytest.raises(RemoteTaskError) as raised:
        client.submit(projects.probe.overrun, state_dir=tmp_path, seconds=20.0).get(timeout=RESULT_TIMEOUT)

    assert raised.value.exception == "TimeLimitExceeded"
    assert time.monotonic() - started < 10
    # A time limit is a failure, not a lost worker: the message is not delivered again.
    time.sleep(1.5)
    assert len((tmp_path / "starts").read_text(encoding="utf-8").splitlines()) == 1


def test_queue_needs_its_worker(
    projects: Projects,
    shared_workers: Workers,
    client: Client,
    redis_server: RedisServer,
    workers: Callable[[int], Workers],
) -> None:
    submitted = client.submit(projects.probe.worker_name)
    # The shared workers do not consume "special", so the message waits there.
    time.sleep(1.5)
    assert not submitted.async_result.ready()
    with redis_server.client(SHARED_DB) as broker:
        assert broker.llen("special") == 1

    special = workers(SHARED_DB).start("special", queues=("special",))

    assert submitted.get(timeout=RESULT_TIMEOUT) == special.name


# --- Reliability ------------------------------------------------------------------


def test_killed_worker_loses_nothing(
    projects: Projects, redis_server: RedisServer, workers: Callable[[int], Workers], tmp_path: Path
) -> None:
    visibility_timeout = 2.0
    group = workers(KILL_DB)
    settings = {"TASK_LINT_VISIBILITY_TIMEOUT": str(visibility_timeout)}
    broker = redis_server.client(KILL_DB)
    killed_client = make_client(redis_server, KILL_DB)
    state = tmp_path / "state"
    state.mkdir()
    try:
        # Prefork, because the solo pool acknowledges only after the task has run
        # even without late acknowledgement, so it would not show the difference.
        first = group.start("doomed", env=settings)
        submitted = killed_client.submit(projects.probe.interrupted, state_dir=state)
        wait_for((state / "start-1").exists, "the first attempt to start")

        # The whole worker dies at once, its pool process included.
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        # Unacknowledged: the message waits in kombu's `unacked` hash for the timeout.
        assert broker.hlen("unacked") == 1

        # kombu 5.7 restores expired messages when a worker starts, and after that
        # only about every 100 s by default, so start the second worker once the
        # timeout has passed.
        expired_at = (state / "start-1").stat().st_mtime + visibility_timeout + 0.5
        time.sleep(max(0.0, expired_at - time.time()))
        group.start("rescuer", env=settings)

        assert submitted.get(timeout=RESULT_TIMEOUT) == 2
        assert sorted(path.name for path in state.glob("start-*")) == ["start-1", "start-2"]
        first_pid = (state / "start-1").read_text(encoding="utf-8")
        assert (state / "start-2").read_text(encoding="utf-8") != first_pid
        assert (state / "done").is_file()
        wait_for(lambda: broker.hlen("unacked") == 0, "the second worker to acknowledge the message", timeout=5)
        assert broker.llen("celery") == 0
    finally:
        broker.flushdb()
        broker.close()
        killed_client.app.close()


def test_lost_pool_process_requeues(
    projects: Projects, redis_server: RedisServer, workers: Callable[[int], Workers], tmp_path: Path
) -> None:
    # The default visibility timeout (3600 s): only the requeue can bring the message back in time.
    group = workers(LOST_CHILD_DB)
    broker = redis_server.client(LOST_CHILD_DB)
    lost_client = make_client(redis_server, LOST_CHILD_DB)
    state = tmp_path / "state"
    state.mkdir()
    try:
        group.start("survivor")
        submitted = lost_client.submit(projects.probe.interrupted, state_dir=state)
        wait_for((state / "start-1").exists, "the first attempt to start")

        # Only the pool process dies. The worker replaces it and requeues the message.
        first_pid = (state / "start-1").read_text(encoding="utf-8")
        os.kill(int(first_pid), signal.SIGKILL)

        assert submitted.get(timeout=RESULT_TIMEOUT) == 2
        assert sorted(path.name for path in state.glob("start-*")) == ["start-1", "start-2"]
        assert (state / "start-2").read_text(encoding="utf-8") != first_pid
        assert (state / "done").is_file()
        wait_for(lambda: broker.hlen("unacked") == 0, "the worker to acknowledge the message", timeout=5)
    finally:
        broker.flushdb()
        broker.close()
        lost_client.app.close()


def test_thousand_tasks_run_once(projects: Projects, shared_workers: Workers, client: Client, tmp_path: Path) -> None:
    count = 1000
    markers = tmp_path / "markers"
    markers.mkdir()

    submitted = [client.submit(projects.probe.record_job, job=job, marker_dir=markers) for job in range(count)]
    results = [item.get(timeout=RESULT_TIMEOUT) for item in submitted]

    assert sorted(results) == list(range(count))
    assert sorted(path.name for path in markers.iterdir()) == sorted(str(job) for job in range(count))
    pids = {path.read_text(encoding="utf-8") for path in markers.iterdir()}
    assert len(pids) >= 2
