"""TSK205: a task decorated inside a class that is not a task class."""

from dataclasses import dataclass

from task_lint import Task, task


class Billing:
    @task
    def charge(self, amount: int) -> None:  # expect: TSK205:5 TSK101:16
        pass

    @staticmethod
    @task
    def refund(amount: int) -> None:  # expect: TSK205:5
        pass


@dataclass
class Settings:
    @task
    def reload(path: str) -> None:  # expect: TSK205:5
        pass


class Export(metaclass=Task):
    """A task class may hold helper tasks: a worker reaches them through the class."""

    @task
    def helper(path: str) -> None:
        pass

    def execute(self, path: str) -> None:
        pass
