"""Writing files so that readers never see a partial one, and comparing paths."""

from __future__ import annotations

import contextlib
import os
import tempfile


def is_within(path: str, folder: str) -> bool:
    """Return whether `path` is `folder` or lies inside it; both are absolute paths."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # on Windows, paths on different drives
        return False


def write_atomic(path: str, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`.

    A crash or a full disk leaves either the old file or the new one, never half of
    one. The new file gets the usual permissions for the process's umask.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
