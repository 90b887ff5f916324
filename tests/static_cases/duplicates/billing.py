from task_lint import task


@task(name="send")
def send_invoice(number: str) -> None:
    """The first task named `send`, by path and line."""


@task
def archive(number: str) -> None:
    """The first definition of `duplicates.billing:archive`."""


@task
def archive(number: str) -> None:  # expect: TSK206:1
    """Defining the same function again replaces the first task."""
