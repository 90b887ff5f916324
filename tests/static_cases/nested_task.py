"""TSK203: a task defined inside a function, reported at its `def` or `class` line."""

from task_lint import Task, task


def build_pipeline() -> object:
    @task
    def step(n: int) -> int:  # expect: TSK203:5
        return n

    return step


async def build_async() -> object:
    @task
    async def fetch(url: str) -> str:  # expect: TSK203:5
        return url

    class Cleanup(metaclass=Task):  # expect: TSK203:5
        def execute(self) -> None:
            pass

    return fetch, Cleanup


@task
def top_level(n: int) -> int:
    """A module-level task is what a worker can import."""
    return n
