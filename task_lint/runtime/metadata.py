"""`TaskMetadata` and `TaskAnalyzer`: what the runtime knows about each task.

Annotations are resolved lazily against the task module's globals, so string
annotations, `from __future__ import annotations` and classes defined later in the
module all work. A description that still has unresolved names is not cached, so
a later access can resolve them once the module has finished importing.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from task_lint.model.codec import CodecBuilder
from task_lint.model.docstrings import parse_docstring
from task_lint.model.from_runtime import RuntimeTypeReader, evaluate_annotation
from task_lint.model.schema import Schema, input_schema, output_schema
from task_lint.model.task import (
    ParameterDescription,
    ParameterKind,
    Problem,
    TaskDescription,
    TaskKind,
    annotation_problems,
)
from task_lint.model.types import Definitions, UnresolvedType, problem_nodes

if TYPE_CHECKING:
    from task_lint.runtime.calls import CallValidator
    from task_lint.runtime.task import Task

NO_DESCRIPTION = "No description available"

_KINDS: dict[Any, ParameterKind] = {
    inspect.Parameter.POSITIONAL_ONLY: "positional_only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional_or_keyword",
    inspect.Parameter.VAR_POSITIONAL: "var_positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword_only",
    inspect.Parameter.VAR_KEYWORD: "var_keyword",
}


def task_signature(func: Callable[..., Any], drop_first: bool) -> inspect.Signature:
    """Return the signature of a task function, without `self` or `cls` for methods."""
    signature = inspect.signature(func)
    if drop_first:
        parameters = list(signature.parameters.values())[1:]
        signature = signature.replace(parameters=parameters)
    return signature


def describe_callable(
    func: Callable[..., Any],
    *,
    name: str,
    module: str,
    qualname: str,
    kind: TaskKind,
    drop_first: bool = False,
    options: dict[str, Any] | None = None,
    doc: str | None = None,
) -> TaskDescription:
    """Build the task description of a live function from its signature and docstring.

    `doc` is the raw docstring to use; the function's own is the default.
    """
    signature = task_signature(func, drop_first)
    target = inspect.unwrap(func)
    module_globals: dict[str, Any] = getattr(target, "__globals__", {})
    raw_doc = doc if doc is not None else func.__doc__
    # A docstring of only whitespace counts as none, on every Python version.
    doc = (inspect.cleandoc(raw_doc) or None) if raw_doc else None
    parsed = parse_docstring(doc)

    definitions: Definitions = {}
    reader = RuntimeTypeReader(definitions, module_globals)
    parameters: list[ParameterDescription] = []
    for parameter in signature.parameters.values():
        annotation = None
        if parameter.annotation is not inspect.Parameter.empty:
            annotation = reader.read(parameter.annotation)
        default = None
        if parameter.default is not inspect.Parameter.empty:
            default = reader.default(parameter.default, annotation)
        parameters.append(
            ParameterDescription(
                name=parameter.name,
                kind=_KINDS[parameter.kind],
                annotation=annotation,
                default=default,
                description=parsed.parameters.get(parameter.name),
            )
        )
    returns = None
    if signature.return_annotation is not inspect.Signature.empty:
        returns = reader.read(signature.return_annotation)

    return TaskDescription(
        name=name,
        module=module,
        qualname=qualname,
        kind=kind,
        parameters=tuple(parameters),
        returns=returns,
        definitions=definitions,
        doc=doc,
        description=parsed.description,
        returns_description=parsed.returns,
        is_async=inspect.iscoroutinefunction(target),
        options=dict(options or {}),
    )


def has_unresolved(description: TaskDescription) -> bool:
    nodes = [p.annotation for p in description.parameters if p.annotation is not None]
    if description.returns is not None:
        nodes.append(description.returns)
    return any(
        isinstance(bad, UnresolvedType) for node in nodes for bad in problem_nodes(node, description.definitions)
    )


class TaskMetadata:
    """What a task is: id, names, function, signature, doc, types, schema and problems.

    `input_schema` maps each parameter name to its resolved annotation, `Any` where
    the annotation is missing, and the annotation text where it cannot be resolved.
    """

    def __init__(
        self,
        *,
        func: Callable[..., Any],
        name: str,
        explicit_name: str | None,
        module: str,
        qualname: str,
        kind: TaskKind,
        drop_first: bool,
        options: dict[str, Any],
        doc: str | None = None,
    ) -> None:
        self.id = str(uuid.uuid4())
        self._raw_doc = doc if doc is not None else func.__doc__
        self.func = func
        self.name = name
        self.explicit_name = explicit_name
        self.module = module
        self.qualname = qualname
        self.kind = kind
        self.options = options
        self._drop_first = drop_first
        self._lock = threading.Lock()
        self._description: TaskDescription | None = None
        self._signature: inspect.Signature | None = None
        self._validator: CallValidator | None = None
        self._codecs: CodecBuilder | None = None

    def __repr__(self) -> str:
        return f"<TaskMetadata {self.qualified_name} id={self.id}>"

    @property
    def qualified_name(self) -> str:
        return f"{self.module}:{self.qualname}"

    @property
    def location(self) -> str:
        """`path:line` of the task function, or the module name when the source file is unknown."""
        target = inspect.unwrap(self.func)
        code = getattr(target, "__code__", None)
        if code is None:
            return self.module
        return f"{code.co_filename}:{code.co_firstlineno}"

    @property
    def signature(self) -> inspect.Signature:
        if self._signature is None:
            self._signature = task_signature(self.func, self._drop_first)
        return self._signature

    @property
    def doc(self) -> str:
        """The cleaned docstring, or "No description available" when there is none."""
        # cleandoc turns a docstring of only whitespace into "" on Python 3.10.
        cleaned = inspect.cleandoc(self._raw_doc) if self._raw_doc else ""
        return cleaned or NO_DESCRIPTION

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(inspect.unwrap(self.func))

    @property
    def description(self) -> TaskDescription:
        """The task's description in the shared type model, resolved on first use."""
        cached = self._description
        if cached is not None:
            return cached
        description = describe_callable(
            self.func,
            name=self.name,
            module=self.module,
            qualname=self.qualname,
            kind=self.kind,
            drop_first=self._drop_first,
            options=self.options,
            doc=self._raw_doc,
        )
        if not has_unresolved(description):
            self._description = description
        return description

    @property
    def input_schema(self) -> dict[str, Any]:
        module_globals = getattr(inspect.unwrap(self.func), "__globals__", {})
        resolved: dict[str, Any] = {}
        for name, parameter in self.signature.parameters.items():
            annotation = parameter.annotation
            if annotation is inspect.Parameter.empty:
                resolved[name] = Any
                continue
            if isinstance(annotation, str):
                # Kept as text when it cannot be evaluated; `problems` explains why.
                with contextlib.suppress(Exception):
                    annotation = evaluate_annotation(annotation, module_globals)
            resolved[name] = annotation
        return resolved

    @property
    def output_type(self) -> Any:
        annotation = self.signature.return_annotation
        if annotation is inspect.Signature.empty:
            return Any
        if isinstance(annotation, str):
            module_globals = getattr(inspect.unwrap(self.func), "__globals__", {})
            try:
                return evaluate_annotation(annotation, module_globals)
            except Exception:  # noqa: BLE001  # kept as text; `problems` explains it
                return annotation
        return annotation

    @property
    def problems(self) -> list[Problem]:
        """Missing, unresolved and unsupported annotations, each naming its parameter."""
        return annotation_problems(self.description)

    def json_schema(self) -> Schema:
        """Return the JSON Schema (draft 2020-12) of the task's inputs."""
        return input_schema(self.description)

    def output_json_schema(self) -> Schema:
        """Return the JSON Schema (draft 2020-12) of the task's result."""
        return output_schema(self.description)

    def codecs(self) -> CodecBuilder:
        """Return the codec builder for this task's types, created once the description is final."""
        description = self.description
        codecs = self._codecs
        if codecs is None or codecs.definitions is not description.definitions:
            codecs = CodecBuilder(description.definitions)
            if self._description is not None:
                self._codecs = codecs
        return codecs

    def validator(self) -> CallValidator:
        """Return the compiled call validator, built on the first call.

        NOTE: an annotation that is still unresolved at the first call stays
        unchecked for the life of the process.
        """
        validator = self._validator
        if validator is None:
            from task_lint.runtime.calls import CallValidator

            with self._lock:
                validator = self._validator
                if validator is None:
                    validator = CallValidator(self.description, self.signature, self.codecs())
                    self._validator = validator
        return validator


class TaskAnalyzer:
    """Describe task classes as plain dicts, for tooling and logs."""

    @staticmethod
    def analyze_task(task_class: Any) -> dict[str, Any]:
        """Return id, names, module, doc, source, types, JSON Schema and problems of a task class.

        Raises `ValueError` when `task_class` is not a task.
        """
        from task_lint.runtime.task import Task

        if not isinstance(task_class, Task) or getattr(task_class, "__task_metadata__", None) is None:
            raise ValueError(
                f"{task_class!r} is not a task; decorate a function with @task or give a class metaclass=Task"
            )
        metadata = task_class.metadata
        try:
            source: str | None = inspect.getsource(metadata.func)
        except (OSError, TypeError):
            source = None
        return {
            "id": metadata.id,
            "name": metadata.name,
            "qualified_name": metadata.qualified_name,
            "module": metadata.module,
            "doc": metadata.doc,
            "source": source,
            "input_schema": metadata.input_schema,
            "output_type": metadata.output_type,
            "json_schema": metadata.json_schema(),
            "problems": [str(problem) for problem in metadata.problems],
        }

    @staticmethod
    def analyze_all(tasks: list[Task] | None = None) -> list[dict[str, Any]]:
        from task_lint.runtime.registry import all_tasks

        return [TaskAnalyzer.analyze_task(task) for task in (tasks if tasks is not None else all_tasks())]
