"""Parameter descriptions from Google, NumPy and Sphinx style docstrings.

Both halves pass the cleaned docstring (`inspect.cleandoc`, which `inspect.getdoc`
and `ast.get_docstring` apply), so a task's schema descriptions do not depend on
which half read it.
"""

from __future__ import annotations

import re

_GOOGLE_PARAMS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
_GOOGLE_RETURNS = {"returns", "return", "yields"}
_GOOGLE_OTHER = {
    "raises",
    "examples",
    "example",
    "notes",
    "note",
    "see also",
    "warnings",
    "warning",
    "references",
    "attributes",
    "todo",
}
_NUMPY_PARAMS = {"parameters", "other parameters", "keyword arguments"}
_NUMPY_RETURNS = {"returns", "yields"}

_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_NAME = re.compile(r"^\*{0,2}([A-Za-z_][A-Za-z0-9_]*)\s*(\(.*\))?$")
_NUMPY_NAMES = re.compile(r"^\*{0,2}[A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*\*{0,2}[A-Za-z_][A-Za-z0-9_]*)*$")
_PLAIN_TYPE = re.compile(r"^[\w.]+(?:\s*\|\s*[\w.]+)*$")
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?\*{0,2}([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_SPHINX_RETURNS = re.compile(r"^:returns?:\s*(.*)$")
_SPHINX_OTHER = re.compile(r"^:[A-Za-z]+(\s[^:]*)?:")


def _split_head(text: str) -> tuple[str, str] | None:
    """Split `head: rest` at the first colon outside brackets; None when there is none."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == ":" and depth == 0:
            return text[:index].strip(), text[index + 1 :].strip()
    return None


def _without_brackets(text: str) -> str:
    depth = 0
    kept = []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _google_item(text: str) -> tuple[str, str] | None:
    """Read `name (type): description` or `name: description`."""
    split = _split_head(text)
    if split is None:
        return None
    match = _GOOGLE_NAME.match(split[0])
    return (match.group(1), split[1]) if match else None


def _strip_return_type(text: str) -> str:
    """Drop a leading `type:` from a return description, keeping prose such as `Per metric: ...`."""
    split = _split_head(text)
    if split is None or not split[1] or not text[len(split[0]) + 1 :].startswith((" ", "\t")):
        return text
    # A type has no spaces outside its brackets, apart from `|` in unions.
    if _PLAIN_TYPE.match(_without_brackets(split[0]).strip()):
        return split[1]
    return text


class ParsedDocstring:
    """A docstring split into its free text, parameter descriptions and return description."""

    def __init__(self) -> None:
        self.description: str | None = None
        self.parameters: dict[str, str] = {}
        self.returns: str | None = None


def parse_docstring(doc: str | None) -> ParsedDocstring:
    """Split a cleaned docstring into description, parameters and return description.

    The description is the text before the first recognised section. Parameter
    descriptions keep their continuation lines, joined with single spaces.
    """
    if not doc:
        return ParsedDocstring()
    lines = doc.splitlines()
    parsed = ParsedDocstring()
    body_end = len(lines)
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        numpy_title = _numpy_section_title(lines, index)
        if numpy_title is not None:
            body_end = min(body_end, index)
            index = _read_numpy_section(lines, index + 2, numpy_title, parsed)
            continue
        google = _GOOGLE_HEADER.match(stripped) if line == line.lstrip() else None
        if google is not None and google.group(1).lower() in _GOOGLE_PARAMS | _GOOGLE_RETURNS | _GOOGLE_OTHER:
            body_end = min(body_end, index)
            index = _read_google_section(lines, index + 1, google.group(1).lower(), parsed)
            continue
        if stripped.startswith(":") and (
            _SPHINX_PARAM.match(stripped) or _SPHINX_RETURNS.match(stripped) or _SPHINX_OTHER.match(stripped)
        ):
            body_end = min(body_end, index)
            index = _read_sphinx_field(lines, index, parsed)
            continue
        index += 1
    description = "\n".join(lines[:body_end]).strip()
    parsed.description = description or None
    return parsed


def _numpy_section_title(lines: list[str], index: int) -> str | None:
    if index + 1 >= len(lines):
        return None
    title = lines[index].strip()
    underline = lines[index + 1].strip()
    if not title or not underline or set(underline) != {"-"} or len(underline) < 3:
        return None
    return title.lower()


def _read_numpy_section(lines: list[str], index: int, title: str, parsed: ParsedDocstring) -> int:
    current: list[str] = []
    parts: list[str] = []
    returns: list[str] = []

    def flush() -> None:
        if title in _NUMPY_PARAMS:
            for name in current:
                parsed.parameters.setdefault(name, " ".join(parts).strip())

    while index < len(lines):
        if _numpy_section_title(lines, index) is not None:
            break
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        indented = line != line.lstrip()
        if title in _NUMPY_RETURNS:
            # NumPy return sections hold `type` lines with indented descriptions.
            if indented:
                returns.append(line.strip())
        elif not indented:
            flush()
            head = line.split(":", 1)[0].strip() if ":" in line else line.strip()
            current = [n.strip().lstrip("*") for n in head.split(",")] if _NUMPY_NAMES.match(head) else []
            parts = []
        elif current:
            parts.append(line.strip())
        index += 1
    flush()
    if returns and parsed.returns is None:
        parsed.returns = " ".join(returns)
    return index


def _read_google_section(lines: list[str], index: int, title: str, parsed: ParsedDocstring) -> int:
    item_indent: int | None = None
    current: str | None = None
    parts: list[str] = []
    returns: list[str] = []

    def flush() -> None:
        if current is not None:
            parsed.parameters.setdefault(current, " ".join(parts).strip())

    while index < len(lines):
        line = lines[index]
        if line.strip() and line == line.lstrip():
            break  # the section ends at the next unindented line
        if not line.strip():
            index += 1
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if item_indent is None:
            item_indent = indent
        if title in _GOOGLE_RETURNS:
            returns.append(text)
        elif title in _GOOGLE_PARAMS:
            item = _google_item(text) if indent == item_indent else None
            if item is not None:
                flush()
                current, first = item
                parts = [first]
            elif current is not None:
                parts.append(text)
        index += 1
    flush()
    if returns and parsed.returns is None:
        # "Returns:\n    int: the count" names the type before a colon; drop it.
        returns[0] = _strip_return_type(returns[0])
        parsed.returns = " ".join(returns).strip() or None
    return index


def _read_sphinx_field(lines: list[str], index: int, parsed: ParsedDocstring) -> int:
    text = lines[index].strip()
    index += 1
    parts = []
    while index < len(lines) and lines[index].strip() and lines[index] != lines[index].lstrip():
        parts.append(lines[index].strip())
        index += 1
    param = _SPHINX_PARAM.match(text)
    if param is not None:
        parsed.parameters.setdefault(param.group(1), " ".join([param.group(2), *parts]).strip())
        return index
    returns = _SPHINX_RETURNS.match(text)
    if returns is not None and parsed.returns is None:
        parsed.returns = " ".join([returns.group(1), *parts]).strip() or None
    return index
