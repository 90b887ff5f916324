# task-lint-config: extend-select=TSK901
"""TSK901 (off by default): a task without a docstring."""

from task_lint import Task, task


@task
def resize(width: int) -> None:  # expect: TSK901:1
    pass


@task
async def fetch(url: str) -> str:  # expect: TSK901:1
    return url


class Export(metaclass=Task):  # expect: TSK901:1
    def execute(self, path: str) -> None:
        pass


class Rotate(metaclass=Task):
    def execute(self, keep: int) -> None:
        """A docstring on `execute` documents a class-based task too."""


@task
def crop(left: int) -> None:
    """Crop an image."""
