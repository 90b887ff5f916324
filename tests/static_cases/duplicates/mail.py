from task_lint import Task, task


@task(name="send")
def send_mail(address: str) -> None:  # expect: TSK206:1
    """A second task with the explicit name `send`."""


class Notify(metaclass=Task, name="send"):  # expect: TSK206:1
    """Class keywords name a task too."""

    def execute(self, address: str) -> None:
        pass


@task
def archive(address: str) -> None:
    """The same function name in another module is a different task."""
