"""TSK207: a task class without `execute`, reported at the class line."""

from task_lint import Task


class Export(metaclass=Task):  # expect: TSK207:1
    def run(self, path: str) -> None:
        pass


class BaseJob(metaclass=Task):
    """A base class that says `abstract = True` is not a task."""

    abstract = True


class Cleanup(BaseJob):  # expect: TSK207:1
    """`abstract` is read from the class's own body, so this subclass is a task."""


class Rotate(BaseJob):
    def execute(self, keep: int) -> None:
        pass


class Purge(Rotate):
    """`execute` is inherited from a task class."""
