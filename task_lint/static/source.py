"""Reading Python source the way the interpreter does, and `# noqa` comments the way flake8 does.

Files are decoded by their PEP 263 coding declaration or byte order mark, so Latin-1
and BOM files read right. Columns in findings count characters, not UTF-8 bytes as
`ast` offsets do, so editors underline the right place on lines with non-ASCII text.
"""

from __future__ import annotations
import __future__

import ast
import bisect
import codecs
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Iterable

from task_lint.model.record import Record


class SourceError(Record):
    """A file that cannot be decoded (`TSK002`) or parsed (`TSK001`), with the position of the problem.

    `line` is 1-based and `column` 0-based, counted in characters.
    """

    code: str
    message: str
    line: int = 1
    column: int = 0


class SourceFile:
    """The text of one file, split into lines, with helpers for positions and `noqa`."""

    def __init__(self, text: str, path: str = "<stdin>") -> None:
        self.path = path
        self.text = text
        # Lines end where the parser ends them: at \n, \r\n and \r, not at the form
        # feeds and other separators that `str.splitlines` also splits on.
        self.lines = io.StringIO(text, newline="").readlines()
        self._noqa: dict[int, str] | None = None
        self._keyword_lines: dict[str, list[int]] = {}
        self._ascii = text.isascii()
        # Whether `parse` compiled the text too, which it does before Python 3.12,
        # and whether it walked the tree for the errors that `compile_errors` finds.
        self._compiled = False
        self._statements_checked = False

    @classmethod
    def from_lines(cls, lines: list[str], path: str) -> SourceFile:
        return cls("".join(lines), path)

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def char_column(self, line: int, byte_offset: int) -> int:
        """Convert an `ast` column (UTF-8 bytes) into a column in characters."""
        if self._ascii:
            return byte_offset
        text = self.line_text(line)
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))

    def parse(self) -> ast.Module:
        """Parse the text and raise every `SyntaxError` an import would raise.

        Raises `SyntaxError` (and `ValueError` for NUL bytes on old Pythons). Some
        errors come only from the compiler, after parsing succeeded. The walk over
        statements in `compile_errors` finds the common ones for far less than a
        compile costs. On Python 3.12 and later, `compiler_error` finds the others
        for a file that is reported on. Columns count characters.
        """
        with warnings.catch_warnings():
            # Invalid escape sequences in user code are the user's warnings, not ours.
            warnings.simplefilter("ignore")
            tree = ast.parse(self.text, filename=self.path, type_comments=False)
            # Before 3.12 the compiler also rejects expressions that the parser
            # accepts but that are nested more deeply than the compiler's recursion
            # limit. Only compiling the text finds those, because compiling the tree
            # object hits another limit while converting it back to C.
            if sys.version_info < (3, 12):
                error = self._compile_error()
                if error is not None:
                    raise error
                return tree
        error = self._statement_error(tree)
        if error is not None:
            raise error
        return tree

    def _statement_error(self, tree: ast.Module) -> SyntaxError | None:
        """Return the first error that `compile_errors` finds in the tree of this text, or None."""
        self._statements_checked = True
        problem = compile_errors(tree, self)
        if problem is None:
            return None
        message, node = problem
        line = getattr(node, "lineno", 1)
        column = self.char_column(line, getattr(node, "col_offset", 0))
        return SyntaxError(message, (self.path, line, column + 1, self.line_text(line)))

    def compiler_error(self, tree: ast.Module) -> SyntaxError | None:
        """Return the error that compiling the parsed text raises, or None.

        A tree that came from elsewhere (flake8 passes its own) first gets the walk
        that `parse` does. Then, from Python 3.12 on, only a text that
        `needs_compiler` is compiled, which costs about as much as parsing it again.
        Before 3.12 every text is compiled, as `parse` does. Modules read only to
        resolve names skip this, since their tasks are not reported.
        """
        if not self._statements_checked and not self._compiled:
            error = self._statement_error(tree)
            if error is not None:
                return error
        if self._compiled or (sys.version_info >= (3, 12) and not needs_compiler(self.text)):
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return self._compile_error()
            except MemoryError:
                return None  # the parser already accepted the text

    def _compile_error(self) -> SyntaxError | None:
        """Compile the text and return the `SyntaxError` it raises, with a character column, or None."""
        self._compiled = True
        try:
            compile(self.text, self.path, "exec", dont_inherit=True)
        except SyntaxError as error:
            if error.lineno is not None and error.offset is not None:
                error.offset = self.char_column(error.lineno, error.offset - 1) + 1
            return error
        except RecursionError:
            return SyntaxError("too many nested parentheses or operands for the compiler")
        except ValueError:
            pass  # NUL bytes: the parser already accepted or rejected the text
        return None

    def segment(self, node: ast.AST) -> str | None:
        """Return the text of a node that starts and ends on one line, as written, else None."""
        line = getattr(node, "lineno", None)
        if line is None or getattr(node, "end_lineno", None) != line:
            return None
        text = self.line_text(line)
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if text.isascii():
            return text[start:end]
        return text.encode("utf-8")[start:end].decode("utf-8", errors="replace")

    def keyword_lines(self, kind: str) -> list[int]:
        """Return, in order, the lines that may contain a word of a kind: `"block"`, `"jump"`, `"yield"` or `"future"`.

        `"block"` lines may start a `def`, `async def` or `class` statement, `"jump"`
        lines may contain `break` or `continue`, `"yield"` lines a `yield`, and
        `"future"` lines a `__future__` import. The search runs
        on the text, so a word in a string or comment also counts. It never misses a
        real keyword, because a definition starts a logical line with its keyword and
        the others are whole words.
        """
        found = self._keyword_lines.get(kind)
        if found is None and not any(word in self.text for word in _KEYWORD_WORDS[kind]):
            found = self._keyword_lines[kind] = []
        if found is None:
            text = self.text
            if "\r" in text:  # the parser ends lines at \r\n and a lone \r as well as at \n
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            found = []
            line, last = 1, 0
            for match in _KEYWORD_PATTERNS[kind].finditer(text):
                line += text.count("\n", last, match.start())
                last = match.start()
                if not found or found[-1] != line:
                    found.append(line)
            self._keyword_lines[kind] = found
        return found

    def has_keyword_within(self, kind: str, node: ast.stmt) -> bool:
        """Return whether a statement's lines may contain a keyword of a kind, other than the statement's own.

        For `"block"` the first line is left out, since it starts the statement itself.
        """
        lines = self.keyword_lines(kind)
        end = node.end_lineno or node.lineno
        search = bisect.bisect_right if kind == "block" else bisect.bisect_left
        index = search(lines, node.lineno)
        return index < len(lines) and lines[index] <= end

    def file_noqa(self) -> bool:
        """Return whether a `# flake8: noqa` line turns off every finding in the file."""
        if "flake8" not in self.text.lower():
            return False
        return any(_FILE_NOQA.match(line) for line in self.lines)

    def noqa_codes(self, line: int) -> set[str] | None:
        """Return the codes a `# noqa` comment covers on a line: empty for a bare `# noqa`, None for none.

        Like flake8, a comment covers every line of a multi-line string or of a statement
        continued with backslashes. Inside brackets each physical line stands alone.
        """
        text = self._noqa_line(line)
        match = _NOQA.search(text)
        if match is None:
            return None
        codes = match.group("codes")
        if codes is None:
            return set()
        return {code for code in re.split(r"[,\s]+", codes.strip()) if code}

    def is_noqa(self, line: int, code: str) -> bool:
        codes = self.noqa_codes(line)
        if codes is None:
            return False
        return not codes or code in codes or code.startswith(tuple(codes))

    def _noqa_line(self, line: int) -> str:
        if self._noqa is None:
            self._noqa = _logical_line_map(self.lines) if "noqa" in self.text.lower() else {}
        return self._noqa.get(line, self.line_text(line))


# Words that compiler-only errors need, beyond what `compile_errors` looks for: the
# symbol-table and async errors (`await`, `nonlocal`, `global`, a duplicate lambda
# argument, `__debug__`) and assignment expressions.
_COMPILER_WORDS = ("await", "nonlocal", "global", "lambda", "yield", "__debug__", ":=")
# Shapes of the others: `async for` and `async with`, star imports, `except` clauses
# that must be last or must not return, and type parameters. Each pattern starts
# with a literal, which the regular expression engine finds fast.
_COMPILER_SHAPES = tuple(
    re.compile(pattern)
    for pattern in (
        r"async[ \t\f\\\r\n]+(?:for|with)\b",
        r"import[ \t\f\\\r\n(]*\*",
        r"except[ \t\f]*[:*]",
        r"def[ \t\f]+\w+[ \t\f]*\[",
        r"class[ \t\f]+\w+[ \t\f]*\[",
        r"type[ \t\f]+\w+[ \t\f]*\[",
    )
)
# A starred target or value follows one of these, or starts a line.
_BEFORE_STAR = frozenset("=([,;:\n\r")
_WORDS_BEFORE_STAR = ("for", "in", "return")


def needs_compiler(text: str) -> bool:
    """Return whether a text that parses may still contain an error that only the compiler reports.

    A text that may is compiled. The test is generous, because a match costs only a
    compile, while a miss hides an error. Words inside strings and comments count too.
    NOTE: on Python 3.12 and later two errors are still missed: a keyword repeated in
    a call that is not a decorator, and about 20 nested loops, `try` or `with`
    statements (`too many statically nested blocks`).
    """
    if any(word in text for word in _COMPILER_WORDS):
        return True
    if any(pattern.search(text) for pattern in _COMPILER_SHAPES):
        return True
    return _has_starred_operand(text)


def _has_starred_operand(text: str) -> bool:
    """Return whether a `*` (not `**`) may start an assignment target or a value.

    Multiplication has an operand before its `*`. A starred target or value has
    `=`, a bracket, a comma, a colon, a line start or `for`, `in` or `return`.
    """
    index = text.find("*")
    while index != -1:
        if text.startswith("*", index + 1):
            index = text.find("*", index + 2)
            continue
        end = index
        while end > 0 and text[end - 1] in " \t\f\\":
            end -= 1
        if end == 0 or text[end - 1] in _BEFORE_STAR or text.endswith(_WORDS_BEFORE_STAR, 0, end):
            return True
        index = text.find("*", index + 1)
    return False


_KEYWORD_PATTERNS = {
    # `async` alone too: `async \` may continue onto a line that starts with `def`.
    "block": re.compile(r"^[ \t\f]*(?:async|def|class)\b", re.MULTILINE),
    "jump": re.compile(r"\b(?:break|continue)\b"),
    "yield": re.compile(r"\byield\b"),
    "future": re.compile(r"\b__future__\b"),
}

# Words that each kind's pattern needs, to skip the search when none is in the text.
_KEYWORD_WORDS = {
    "block": ("def", "class"),
    "jump": ("break", "continue"),
    "yield": ("yield",),
    "future": ("__future__",),
}

# flake8's pattern for noqa comments: bare, or with codes after a colon, in any case.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
# Like flake8 7, a file-level comment that lists codes after `noqa` still skips the whole file.
_FILE_NOQA = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)


def _logical_line_map(lines: list[str]) -> dict[int, str]:
    """Map each line to the text that flake8 searches for `noqa` on it.

    Lines joined by a multi-line token (a string) or by backslashes map to the text of
    all of them. tokenize ends a range at every NL token, which it also emits inside
    brackets, so a bracketed statement maps line by line.
    """
    mapping: dict[int, str] = {}
    first = len(lines) + 2
    last = -1
    try:
        for token in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first = min(first, token.start[0])
            last = max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1 : last])
                for number in range(first, last + 1):
                    mapping[number] = joined
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return mapping


_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def compile_errors(tree: ast.Module, source: SourceFile | None = None) -> tuple[str, ast.AST] | None:
    """Return the first error that only the compiler reports, with its node, or None.

    Covers misplaced and unknown `from __future__` imports, `return` and `yield` outside a
    function, `break` and `continue` outside a loop, duplicate argument names, and a
    keyword repeated in a decorator call or a class header.
    It walks statements only, so expressions such as lambdas are not looked into.
    With the `source` of the tree, it skips the body of a function whose lines contain
    no nested definition, `break`, `continue` or `__future__`, because nothing else in
    a function body can be one of these errors.
    """
    seen_other = False
    top_level_future = 0
    for index, statement in enumerate(tree.body):
        is_docstring = (
            index == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        )
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            top_level_future += 1
            if seen_other:
                return "from __future__ imports must occur at the beginning of the file", statement
            for alias in statement.names:
                if alias.name == "braces":
                    return "not a chance", statement
                if alias.name not in __future__.all_feature_names:
                    return f"future feature {alias.name} is not defined", statement
        elif not is_docstring:
            seen_other = True

    top_level = {id(statement) for statement in tree.body}
    # Each top-level `from __future__` import names `__future__` once. Only another
    # mention can be a nested one, so most function bodies need no search for it.
    future_elsewhere = source is None or source.text.count("__future__") > top_level_future
    # (statement, inside a function, inside a loop of the current function)
    pending: list[tuple[ast.stmt, bool, bool]] = [(statement, False, False) for statement in reversed(tree.body)]
    while pending:
        statement, in_function, in_loop = pending.pop()
        if (
            isinstance(statement, ast.ImportFrom)
            and statement.module == "__future__"
            and id(statement) not in top_level
        ):
            return "from __future__ imports must occur at the beginning of the file", statement
        if isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
            repeated = _repeated_keyword(statement)
            if repeated is not None:
                return f"keyword argument repeated: {repeated.arg}", repeated
        if isinstance(statement, _FUNCTIONS):
            duplicate = _duplicate_argument(statement.args)
            if duplicate is not None:
                return f"duplicate argument '{duplicate.arg}' in function definition", duplicate
            if (
                source is not None
                and not source.has_keyword_within("block", statement)
                and not source.has_keyword_within("jump", statement)
                and not (future_elsewhere and source.has_keyword_within("future", statement))
            ):
                continue
            pending.extend((child, True, False) for child in reversed(statement.body))
            continue
        if isinstance(statement, ast.ClassDef):
            pending.extend((child, False, False) for child in reversed(statement.body))
            continue
        if not in_function:
            if isinstance(statement, ast.Return):
                return "'return' outside function", statement
            value = getattr(statement, "value", None)
            if isinstance(value, (ast.Yield, ast.YieldFrom)):
                return "'yield' outside function", value
        if not in_loop and isinstance(statement, ast.Break):
            return "'break' outside loop", statement
        if not in_loop and isinstance(statement, ast.Continue):
            return "'continue' not properly in loop", statement
        loop = isinstance(statement, _LOOPS)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, field, None)
            if not isinstance(children, list):
                continue
            # A loop's else clause is outside the loop.
            inside = in_loop or (loop and field == "body")
            for child in reversed(children):
                if isinstance(child, ast.stmt):
                    pending.append((child, in_function, inside))
                elif hasattr(child, "body"):  # except handlers and match cases
                    pending.extend((grandchild, in_function, inside) for grandchild in reversed(child.body))
    return None


def _repeated_keyword(statement: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.keyword | None:
    """Return the second of two equal keywords in a decorator call or class header, else None.

    Since 3.12 the compiler, not the parser, rejects them. Calls elsewhere are not
    looked into: that would mean walking every expression.
    """
    calls = [decorator.keywords for decorator in statement.decorator_list if isinstance(decorator, ast.Call)]
    if isinstance(statement, ast.ClassDef):
        calls.append(statement.keywords)
    for keywords in calls:
        seen: set[str] = set()
        for keyword in keywords:
            if keyword.arg is None:
                continue
            if keyword.arg in seen:
                return keyword
            seen.add(keyword.arg)
    return None


def _duplicate_argument(arguments: ast.arguments) -> ast.arg | None:
    """Return the second of two parameters with one name, where the compiler reports it, else None."""
    names: set[str] = set()
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    for argument in every:
        if argument is None:
            continue
        if argument.arg in names:
            return argument
        names.add(argument.arg)
    return None


def decode_source(data: bytes, path: str) -> tuple[str | None, SourceError | None]:
    """Decode source bytes by their coding declaration or BOM, as the interpreter would."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        line, column = _declaration_error_position(data)
        return None, SourceError("TSK002", str(error), line, column)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        line, column = _decode_error_position(data, error, encoding)
        return None, SourceError("TSK002", f"invalid {encoding} data: {error}", line, column)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


# The PEP 263 coding declaration, as `tokenize` matches it.
_CODING_DECLARATION = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)


def declares_encoding(data: bytes) -> bool:
    """Return whether one of the first two lines has a coding declaration."""
    # Latin-1 maps every byte to one character, so ASCII declarations match as written.
    return any(_CODING_DECLARATION.match(line.decode("latin-1")) for line in data.split(b"\n", 2)[:2])


def _declaration_error_position(data: bytes) -> tuple[int, int]:
    """Locate what `tokenize.detect_encoding` rejected: a first line that is not UTF-8, or the declared encoding."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for number, line in enumerate(data.split(b"\n", 2)[:2], start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            return number, len(line[: error.start].decode("utf-8", errors="replace"))
        match = _CODING_DECLARATION.match(text)
        if match is not None:
            return number, match.start(1)
    return 1, 0


def _decode_error_position(data: bytes, error: UnicodeDecodeError | LookupError, encoding: str) -> tuple[int, int]:
    """Return the line and the column in characters of the first byte that cannot be decoded."""
    start = error.start if isinstance(error, UnicodeDecodeError) else 0
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    try:
        column = len(data[line_start:start].decode(encoding, errors="replace"))
    except LookupError:
        column = start - line_start
    return line, column


def syntax_error(error: SyntaxError | ValueError, source: SourceFile | None) -> SourceError:
    """Turn a parse failure into a `TSK001` error with a character column."""
    if isinstance(error, SyntaxError):
        line = error.lineno or 1
        # SyntaxError.offset is 1-based and counts characters of the decoded line.
        column = max((error.offset or 1) - 1, 0)
        message = error.msg
        return SourceError("TSK001", message, line, column)
    return SourceError("TSK001", str(error), 1, 0)


def read_source(path: str) -> tuple[SourceFile | None, SourceError | None]:
    """Read and decode a file; returns the source or the decode error."""
    with open(path, "rb") as handle:
        data = handle.read()
    text, error = decode_source(data, path)
    if text is None:
        return None, error
    return SourceFile(text, path), None


def contains_any(text: str, words: Iterable[str]) -> bool:
    return any(word in text for word in words)
