"""`write_atomic`: whole files or none, and never a replaced link or device."""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from task_lint.files import write_atomic


def test_new_file_written(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.txt"

    write_atomic(str(target), "first\n")

    assert target.read_text(encoding="utf-8") == "first\n"
    assert [path.name for path in target.parent.iterdir()] == ["report.txt"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_replaced_file_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)

    write_atomic(str(target), "new\n")

    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_symbolic_link_stays(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)

    write_atomic(str(link), "new\n")

    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_written_not_replaced(tmp_path: Path) -> None:
    # A named pipe takes the place of a device such as /dev/stdout, which must never be replaced.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")), daemon=True)
    reader.start()

    write_atomic(str(pipe), "through the pipe\n")
    reader.join(timeout=10)

    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert received == ["through the pipe\n"]
