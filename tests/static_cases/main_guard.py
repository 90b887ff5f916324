"""TSK204: a task defined under the main guard, which a worker's import never runs."""

from task_lint import Task, task

if __name__ == "__main__":

    @task
    def step(n: int) -> int:  # expect: TSK204:5
        return n

    class Report(metaclass=Task):  # expect: TSK204:5
        def execute(self) -> None:
            pass


if "__main__" == __name__:

    @task
    def reversed_guard(n: int) -> int:  # expect: TSK204:5
        return n

else:

    @task
    def imported(n: int) -> int:
        """The `else` branch runs on import, so this task is fine."""
        return n


if __name__ != "__main__":

    @task
    def not_a_guard(n: int) -> int:
        """Only an equality test with `"__main__"` is the main guard."""
        return n
