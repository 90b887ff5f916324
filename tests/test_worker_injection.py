"""Values from user code reach generated workers only as data, whatever characters they hold.

Hypothesis writes task modules whose docstrings, defaults, option values, enum
values, Literal values and (non-ASCII) names contain triple quotes, backslashes,
Jinja2 syntax, U+2028, NUL and the like. For each one the worker must compile, its
statements must be exactly those of a worker for a benign twin of the same shape,
and the values must come back unchanged from the generated module.
"""

from __future__ import annotations

import ast
import base64
import keyword
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worker_support import load_generated

from task_lint.codegen.workers import build_workers
from task_lint.static.config import Config

FRAGMENTS = [
    '"""',
    "'''",
    '"',
    "'",
    "\\",
    "\\n",
    "\\x00",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{{ plan.module }}",
    "{% endblock %}",
    "\u2028",
    "\u2029",
    "\x00",
    "\n",
    "\r",
    "\t",
    "\x85",
    "\x0c",
    "# noqa",
    "\nimport os\nos.system('x')\n",
    "é",
    "\U0001d518",
    ")",
    "]",
    "}",
]

hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=8).map("".join)

# Names the module below defines or imports; task names must not shadow them.
RESERVED = {"task", "dataclasses", "enum", "Literal", "name", "value", "mro"}


def is_name(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text) and text not in RESERVED


# Python reads identifiers in NFKC form, so only normalized names come back unchanged.
identifier = (
    st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lo")), min_size=1, max_size=6)
    .map(lambda text: unicodedata.normalize("NFKC", text))
    .filter(is_name)
)


@dataclass
class TaskShape:
    """Everything a generated task module is built from."""

    function: str
    enum_class: str
    box_class: str
    parameters: list[str]
    doc: str
    task_name: str
    queue: str
    text_default: str
    bytes_default: bytes
    float_default: float
    int_default: int
    members: list[str]
    member_values: list[str]
    literal_values: list[str | int]
    fields: list[str]
    field_defaults: list[str]


@st.composite
def task_shapes(draw: st.DrawFn) -> TaskShape:
    names = draw(st.lists(identifier, min_size=10, max_size=10, unique=True))
    member_count = draw(st.integers(1, 3))
    field_count = draw(st.integers(1, 3))
    literal_values = draw(
        st.lists(st.one_of(hostile_text, st.integers(-(10**6), 10**6)), min_size=1, max_size=3, unique=True)
    )
    return TaskShape(
        function=names[0],
        enum_class=names[1],
        box_class=names[2],
        parameters=names[3:10],
        doc=draw(hostile_text),
        # A task name must not be blank, so a letter sits between two hostile parts.
        task_name=draw(hostile_text) + "n" + draw(hostile_text),
        queue=draw(hostile_text),
        text_default=draw(hostile_text),
        bytes_default=draw(st.binary(max_size=12) | hostile_text.map(lambda text: text.encode("utf-8"))),
        float_default=draw(st.floats(allow_nan=False, allow_infinity=False)),
        int_default=draw(st.integers(-(10**30), 10**30)),
        members=draw(st.lists(identifier, min_size=member_count, max_size=member_count, unique=True)),
        member_values=draw(st.lists(hostile_text, min_size=member_count, max_size=member_count, unique=True)),
        literal_values=literal_values,
        fields=draw(st.lists(identifier, min_size=field_count, max_size=field_count, unique=True)),
        field_defaults=draw(st.lists(hostile_text, min_size=field_count, max_size=field_count)),
    )


def benign_twin(shape: TaskShape) -> TaskShape:
    """The same shape with plain ASCII names and harmless values."""
    return TaskShape(
        function="plain_task",
        enum_class="Colour",
        box_class="Box",
        parameters=[f"argument_{index}" for index in range(len(shape.parameters))],
        doc="Do something.",
        task_name="plain",
        queue="default",
        text_default="text",
        bytes_default=b"bytes",
        float_default=1.5,
        int_default=7,
        members=[f"MEMBER_{index}" for index in range(len(shape.members))],
        member_values=[f"value {index}" for index in range(len(shape.member_values))],
        literal_values=[
            f"literal {index}" if isinstance(value, str) else index for index, value in enumerate(shape.literal_values)
        ],
        fields=[f"field_{index}" for index in range(len(shape.fields))],
        field_defaults=[f"default {index}" for index in range(len(shape.field_defaults))],
    )


def module_source(shape: TaskShape) -> str:
    """Write the task module; every value is spelled with repr(), as a programmer could have typed it."""
    members = "".join(
        f"    {name} = {value!r}\n" for name, value in zip(shape.members, shape.member_values, strict=True)
    )
    fields = "".join(
        f"    {name}: str = {value!r}\n" for name, value in zip(shape.fields, shape.field_defaults, strict=True)
    )
    literal = ", ".join(repr(value) for value in shape.literal_values)
    text, raw, real, whole, member, choice, box = shape.parameters[:7]
    return (
        "import dataclasses\n"
        "import enum\n"
        "from typing import Literal\n"
        "\n"
        "from task_lint import task\n"
        "\n"
        "\n"
        f"class {shape.enum_class}(enum.Enum):\n"
        f"{members}"
        "\n"
        "\n"
        "@dataclasses.dataclass\n"
        f"class {shape.box_class}:\n"
        f"{fields}"
        "\n"
        "\n"
        f"@task(name={shape.task_name!r}, queue={shape.queue!r})\n"
        f"def {shape.function}(\n"
        f"    {text}: str = {shape.text_default!r},\n"
        f"    {raw}: bytes = {shape.bytes_default!r},\n"
        f"    {real}: float = {shape.float_default!r},\n"
        f"    {whole}: int = {shape.int_default!r},\n"
        f"    {member}: {shape.enum_class} = {shape.enum_class}.{shape.members[0]},\n"
        f"    {choice}: Literal[{literal}] = {shape.literal_values[0]!r},\n"
        f"    {box}: {shape.box_class} | None = None,\n"
        ") -> str:\n"
        f"    {shape.doc!r}\n"
        "    return ''\n"
    )


def generate_worker(shape: TaskShape, folder: Path) -> tuple[str, Path]:
    """Write the module for a shape and generate its worker; return the module source and the worker path."""
    source = module_source(shape)
    project = folder / "project"
    project.mkdir()
    (project / "hostile_jobs.py").write_text(source, encoding="utf-8")
    output = folder / "workers"
    built = build_workers([str(project)], Config(), str(output))
    assert built.refusals == (), built.refusals
    assert len(built.files) == 1
    path = output / built.files[0].name
    output.mkdir()
    path.write_text(built.files[0].content, encoding="utf-8")
    return source, path


def statement_shapes(tree: ast.Module) -> list[tuple[str, ...]]:
    """Each top-level statement as the names of the statement types inside it.

    Codecs are written in the order of their generated names, which follow the
    user's names, so the top-level statements are compared as a sorted list.
    """
    return sorted(
        tuple(type(node).__name__ for node in ast.walk(statement) if isinstance(node, ast.stmt))
        for statement in tree.body
    )


def docstring_of(source: str, function: str) -> str | None:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            # task_lint treats an empty docstring as none.
            return ast.get_docstring(node) or None
    raise AssertionError(f"no function {function} in the task module")


def literal_choices(schema: dict[str, Any]) -> list[Any]:
    return schema["enum"] if "enum" in schema else [schema["const"]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=task_shapes())
def test_hostile_values_stay_data(shape: TaskShape) -> None:
    with tempfile.TemporaryDirectory() as hostile_folder, tempfile.TemporaryDirectory() as twin_folder:
        source, worker = generate_worker(shape, Path(hostile_folder))
        _, twin_worker = generate_worker(benign_twin(shape), Path(twin_folder))
        text = worker.read_text(encoding="utf-8")

        tree = ast.parse(text)
        compile(tree, str(worker), "exec")
        assert statement_shapes(tree) == statement_shapes(ast.parse(twin_worker.read_text(encoding="utf-8")))
        assert text.isascii()

        module = load_generated(worker, "hostile_worker")
        assert module.TASK_DOC == docstring_of(source, shape.function)
        assert module.TASK_QUALNAME == shape.function
        assert module.TASK_NAME == shape.task_name
        assert module.TASK_OPTIONS == {"name": shape.task_name, "queue": shape.queue}

        properties = module.INPUT_SCHEMA["properties"]
        text_name, raw, real, whole, member, choice, _ = shape.parameters[:7]
        assert list(properties) == shape.parameters[:7]
        assert properties[text_name]["default"] == shape.text_default
        assert properties[raw]["default"] == base64.b64encode(shape.bytes_default).decode("ascii")
        assert properties[real]["default"] == shape.float_default
        assert properties[whole]["default"] == shape.int_default
        assert properties[member]["default"] == shape.member_values[0]
        assert literal_choices(properties[choice]) == shape.literal_values
        assert properties[choice]["default"] == shape.literal_values[0]

        # $defs keys are sanitized for JSON Pointer use; the title is the class name.
        definitions = {schema["title"]: schema for schema in module.INPUT_SCHEMA["$defs"].values()}
        assert definitions[shape.enum_class]["enum"] == shape.member_values
        box_fields = definitions[shape.box_class]["properties"]
        assert list(box_fields) == shape.fields
        assert [box_fields[field]["default"] for field in shape.fields] == shape.field_defaults

        # The decoder tables hold the names and Literal values unchanged.
        for value in shape.literal_values:
            args, kwargs, errors = module.decode_arguments({choice: value, text_name: shape.text_default})
            assert errors == []
            assert args == ()
            assert kwargs == {choice: value, text_name: shape.text_default}


def test_benign_twin_matches_itself() -> None:
    # The comparison above is meaningful only if two benign workers agree.
    shape = TaskShape(
        function="jobs",
        enum_class="Mode",
        box_class="Crate",
        parameters=[f"p{index}" for index in range(7)],
        doc="Doc.",
        task_name="n",
        queue="q",
        text_default="t",
        bytes_default=b"b",
        float_default=0.5,
        int_default=1,
        members=["A", "B"],
        member_values=["a", "b"],
        literal_values=["x", 2],
        fields=["size"],
        field_defaults=["big"],
    )
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        _, one = generate_worker(shape, Path(first))
        _, two = generate_worker(benign_twin(shape), Path(second))
        assert statement_shapes(ast.parse(one.read_text(encoding="utf-8"))) == statement_shapes(
            ast.parse(two.read_text(encoding="utf-8"))
        )


def test_extra_statement_is_detected() -> None:
    # A worker with one injected statement must not match its twin.
    clean = ast.parse("X = 1\n\n\ndef f():\n    return 1\n")
    injected = ast.parse("X = 1\n\n\ndef f():\n    import os\n    return 1\n")

    assert statement_shapes(clean) != statement_shapes(injected)
