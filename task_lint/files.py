"""Writing files so that readers never see a partial one, and comparing paths."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


def is_within(path: str, folder: str) -> bool:
    """Return whether `path` is `folder` or lies inside it; both are absolute paths."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # on Windows, paths on different drives
        return False


def write_atomic(path: str, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`.

    For a regular file, a crash or a full disk leaves either the old file or the new
    one, never half of one. A replaced file keeps its permissions, and a new one gets
    the usual ones for the process's umask. A symbolic link stays, and the file it
    points to gets the text. A path that is not a regular file (`/dev/stdout`, a named
    pipe) cannot be replaced, so it is written directly.
    """
    target = os.path.realpath(path)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        return
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        else:
            os.chmod(temporary, stat.S_IMODE(mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
