"""TSK102: a task without a return annotation is reported at its `def` line."""

from task_lint import Task, task


@task
def count_visits(day: str):  # expect: TSK102:1
    """Count the visits of one day."""


@task(name="fetch_page")
async def fetch(url: str):  # expect: TSK102:1
    """Fetch a page."""


@task
def build_report(  # expect: TSK102:1
    title: str,
    pages: int,
):
    """The finding points at the `def`, not at the line that closes the signature."""


class Export(metaclass=Task):
    """For a class-based task, the `def execute` line is the place to add the annotation."""

    def execute(self, path: str):  # expect: TSK102:5
        pass


@task
def with_return(path: str) -> None:
    """An annotated return, `-> None` included, is never reported."""
