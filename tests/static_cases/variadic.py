"""TSK201: `*args` and `**kwargs`, reported at the parameter name."""

from task_lint import Task, task


@task
def notify(*emails: str) -> int:  # expect: TSK201:13
    """Queue a notice for each address."""
    return len(emails)


@task
def configure(name: str, **options: int) -> None:  # expect: TSK201:28
    """Store options."""


@task
def untyped(*args, **kwargs) -> None:  # expect: TSK201:14 TSK101:14 TSK201:22 TSK101:22
    """Both rules apply to an unannotated variadic parameter."""


class Broadcast(metaclass=Task):
    """Class-based tasks get the same finding."""

    def execute(self, *channels: str) -> None:  # expect: TSK201:24
        pass
