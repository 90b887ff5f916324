"""End to end: python-lsp-server runs flake8 on an unsaved buffer and publishes the TSK findings.

The test speaks the Language Server Protocol over the server's stdio itself
(JSON-RPC messages framed by a `Content-Length` header). pylsp's flake8 plugin runs
the `flake8` executable found on PATH with the buffer on stdin and
`--stdin-display-name`, so the venv's `bin` folder goes first on PATH.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

TIMEOUT = 60.0

SETTINGS = {
    "pylsp": {
        "plugins": {
            "flake8": {"enabled": True},
            "pycodestyle": {"enabled": False},
            "pyflakes": {"enabled": False},
            "mccabe": {"enabled": False},
        }
    }
}


class LanguageServer:
    """A pylsp process and the messages it has sent, read by a background thread."""

    def __init__(self, root: Path) -> None:
        bin_folder = os.path.dirname(sys.executable)
        env = {**os.environ, "PATH": bin_folder + os.pathsep + os.environ.get("PATH", "")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pylsp"],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read_messages, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_messages(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length).decode("utf-8")))

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        for line in stream:
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", errors="replace")

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stream = self.process.stdin
        assert stream is not None
        stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stream.flush()

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"method": method, "params": params or {}})

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a request and return its response, replying to the server's own requests meanwhile."""
        self._next_id += 1
        request_id = self._next_id
        self.send({"id": request_id, "method": method, "params": params})
        for message in self.receive():
            if message.get("id") == request_id and "method" not in message:
                return message
        raise AssertionError("unreachable")

    def receive(self, timeout: float = TIMEOUT) -> Iterator[dict[str, Any]]:
        """Yield the server's messages until `timeout` seconds pass, and reply null to each request from the server."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"timed out after {timeout:.0f} s waiting for a message from pylsp. Its stderr:\n{self.stderr}"
                )
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
                continue
            yield message

    def close(self) -> None:
        """Ask the server to shut down and exit, and kill it when it has not exited within the timeout."""
        try:
            if self.process.poll() is None:
                self.request("shutdown")
                self.notify("exit")
                self.process.wait(timeout=TIMEOUT)
        except (TimeoutError, subprocess.TimeoutExpired, BrokenPipeError, OSError):
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LanguageServer]:
    language_server = LanguageServer(tmp_path)
    try:
        yield language_server
    finally:
        language_server.close()


def initialize(server: LanguageServer, root: Path) -> None:
    response = server.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {},
            "initializationOptions": SETTINGS,
        },
    )
    assert "result" in response, response
    server.notify("initialized")
    server.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})


def diagnostics_for(server: LanguageServer, uri: str, code: str) -> list[dict[str, Any]]:
    """Wait for a publication for `uri` that contains `code`, and return its diagnostics."""
    for message in server.receive():
        if message.get("method") != "textDocument/publishDiagnostics":
            continue
        params = message["params"]
        if params["uri"] != uri:
            continue
        diagnostics: list[dict[str, Any]] = params["diagnostics"]
        if any(diagnostic.get("code") == code for diagnostic in diagnostics):
            return diagnostics
    raise AssertionError("unreachable")


BUFFER = """\
from task_lint import task


@task
def ship(order_id, express: bool = False) -> None:
    \"\"\"Ship an order.\"\"\"


@task
def greet(größe: int, who) -> None:
    \"\"\"Greet someone.\"\"\"
"""


def test_unsaved_buffer_gets_diagnostics(server: LanguageServer, tmp_path: Path) -> None:
    initialize(server, tmp_path)
    path = tmp_path / "draft.py"
    uri = path.as_uri()

    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": BUFFER}},
    )
    diagnostics = diagnostics_for(server, uri, "TSK101")

    assert not path.exists()
    found = sorted(
        (diagnostic["range"]["start"]["line"], diagnostic["range"]["start"]["character"], diagnostic["message"])
        for diagnostic in diagnostics
        if diagnostic.get("code") == "TSK101"
    )
    assert len(found) == 2
    assert found[0] == (4, 9, "TSK101 parameter `order_id` of task `ship` has no type annotation")
    assert found[1][:2] == (9, BUFFER.splitlines()[9].index("who"))
    assert "`who` of task `greet`" in found[1][2]
    assert {diagnostic["source"] for diagnostic in diagnostics if diagnostic.get("code") == "TSK101"} == {"flake8"}


def test_buffer_differs_from_disk(server: LanguageServer, tmp_path: Path) -> None:
    """A package module edited in the editor, using a decorator re-exported by its package."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/__init__.py").write_text("from shop.util import job\n", encoding="utf-8")
    (tmp_path / "shop/util.py").write_text("from task_lint import task as job\n", encoding="utf-8")
    path = tmp_path / "shop/orders.py"
    path.write_text("from shop import job\n", encoding="utf-8")
    initialize(server, tmp_path)

    buffer = 'from shop import job\n\n\n@job\ndef ship(order_id) -> None:\n    """Ship."""\n'
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": path.as_uri(), "languageId": "python", "version": 1, "text": buffer}},
    )
    diagnostics = diagnostics_for(server, path.as_uri(), "TSK101")

    found = [diagnostic for diagnostic in diagnostics if diagnostic.get("code") == "TSK101"]
    assert len(found) == 1
    assert found[0]["range"]["start"] == {"line": 4, "character": 9}
    assert "`order_id` of task `ship`" in found[0]["message"]
