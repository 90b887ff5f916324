"""Python literals for generated code: the quoting filter that every user value goes through.

`python_literal` renders JSON-like data (dicts with str keys, lists, tuples, str,
int, float, bool, None) as Python source that evaluates back to the same value. It
never lets a value break out of its literal: strings are written with `repr` and
then ASCII escapes, so quotes, backslashes, NUL, line separators such as U+2028
and template syntax (`{{ }}`, `{% %}`) come out as escaped data.

Long values are laid out to fit flake8's default limit of 79 columns: containers
one item per line with a hanging indent, long strings as adjacent literals. A long
string inside a container gets parentheses of its own, because ruff's default rules
(ISC004) flag bare adjacent literals in a list or tuple as a possibly missing comma.
"""

from __future__ import annotations

import math
from typing import Any

MAX_WIDTH = 79
_STEP = 4


class UnsafeLiteralError(ValueError):
    """A value with no safe Python literal form, such as an object or a NaN."""


def python_literal(value: Any, column: int = 0, indent: int = 0, *, bracketed: bool = False, reserve: int = 1) -> str:
    """Render a value as a Python literal.

    `column` is where the literal starts on its first line and `indent` the
    indentation of that line, which continuation lines build on. `reserve` is the
    number of characters that follow the literal on its last line, such as a comma.
    With `bracketed`, the literal is the only thing inside its brackets (such as
    the one argument of a call), so a long string needs no parentheses of its own.
    """
    # Flat forms of the containers inside `value`, each computed once, because the
    # layout needs the flat form of a part at every level above it.
    flats: dict[int, str] = {}
    return _layout(value, column, indent, bracketed, reserve, flats)


def _layout(value: Any, column: int, indent: int, bracketed: bool, reserve: int, flats: dict[int, str]) -> str:
    flat = _flat(value, flats)
    if column + len(flat) + reserve <= MAX_WIDTH:
        return flat
    if isinstance(value, dict):
        return _container("{", "}", list(value), list(value.values()), indent, flats)
    if isinstance(value, (list, tuple)):
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        return _container(opening, closing, [None] * len(value), list(value), indent, flats)
    if isinstance(value, str):
        return _split_string(value, column, indent, bracketed)
    return flat


def _container(
    opening: str, closing: str, keys: list[str | None], items: list[Any], indent: int, flats: dict[int, str]
) -> str:
    inner = indent + _STEP
    pad = " " * inner
    lines = []
    for key, item in zip(keys, items, strict=True):
        head = pad
        if key is not None:
            head += _layout(key, inner, inner, False, 3, flats) + ": "
        column = len(head.rsplit("\n", 1)[-1])
        splittable = isinstance(item, (dict, list, tuple, str))
        if key is not None and column + len(_flat(item, flats)) + 1 > MAX_WIDTH and not splittable:
            # A number that does not fit after its key goes on the next line.
            deeper = inner + _STEP
            head = head.rstrip() + "\n" + " " * deeper
            lines.append(f"{head}{_layout(item, deeper, deeper, False, 1, flats)},")
            continue
        lines.append(f"{head}{_layout(item, column, inner, False, 1, flats)},")
    return opening + "\n" + "\n".join(lines) + "\n" + " " * indent + closing


def _flat(value: Any, flats: dict[int, str]) -> str:
    if not isinstance(value, (list, tuple, dict)):
        return _flat_scalar(value)
    known = flats.get(id(value))
    if known is not None:
        return known
    if isinstance(value, list):
        flat = "[" + ", ".join(_flat(item, flats) for item in value) + "]"
    elif isinstance(value, tuple):
        inner = ", ".join(_flat(item, flats) for item in value)
        flat = f"({inner},)" if len(value) == 1 else f"({inner})"
    else:
        for key in value:
            if not isinstance(key, str):
                raise UnsafeLiteralError(f"dict key {key!r} is not a str")
        flat = "{" + ", ".join(f"{_string(key)}: {_flat(item, flats)}" for key, item in value.items()) + "}"
    flats[id(value)] = flat
    return flat


def _flat_scalar(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeLiteralError(f"{value!r} has no Python literal form")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    raise UnsafeLiteralError(f"a value of type {type(value).__name__} has no literal form in generated code")


def string_literal(text: str) -> str:
    """Render a string as one single-line ASCII Python literal."""
    return _string(text)


def _string(text: str) -> str:
    # repr() escapes quotes, backslashes and unprintable characters; the ASCII
    # pass escapes the rest, so generated files are plain ASCII.
    return repr(text).encode("ascii", "backslashreplace").decode("ascii")


def _split_string(text: str, column: int, indent: int, bracketed: bool) -> str:
    """Split a long string into adjacent literals, one per line."""
    inner = indent if bracketed else indent + _STEP
    # Room for each piece, keeping a column for a trailing comma or bracket.
    first_room = MAX_WIDTH - column - 8 if bracketed else MAX_WIDTH - inner - 8
    room = MAX_WIDTH - inner - 8
    pieces: list[str] = []
    if first_room < 12:
        # No room left on the first line: start with an empty literal there.
        pieces.append("")
    current = ""
    for char in text:
        limit = max(first_room if not pieces else room, 12)
        candidate = current + char
        # Prefer not to end a piece on a backslash, so regular expressions stay
        # readable, but give up after a few characters (a run of backslashes).
        size = len(_string(candidate))
        if current and (size > limit + 6 or (size > limit and not current.endswith("\\"))):
            cut = _break_point(current)
            pieces.append(current[:cut])
            current = current[cut:] + char
        else:
            current = candidate
        if char == "\n":
            pieces.append(current)
            current = ""
    if current or not pieces:
        pieces.append(current)
    pad = " " * inner
    if bracketed:
        return ("\n" + pad).join(_string(piece) for piece in pieces)
    body = "\n".join(f"{pad}{_string(piece)}" for piece in pieces)
    return "(\n" + body + "\n" + " " * indent + ")"


def _break_point(piece: str) -> int:
    """Return where to end a piece: after its last space, if that is in its second half."""
    space = piece.rfind(" ")
    return space + 1 if space >= len(piece) // 2 else len(piece)
