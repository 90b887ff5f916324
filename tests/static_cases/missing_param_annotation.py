"""TSK101: a parameter without an annotation is reported at the parameter."""

from task_lint import Task, task


@task
def resize(path: str, width, height: int = 10) -> None:  # expect: TSK101:23
    """Resize an image."""


@task
def crop(
    path: str,
    left,  # expect: TSK101:5
    *,
    top=0,  # expect: TSK101:5
) -> None:
    """Crop an image."""


class Rotate(metaclass=Task):
    """Rotate an image: `self` is not a task input, so it is never reported."""

    def execute(self, angle) -> None:  # expect: TSK101:23
        pass


class Flip(metaclass=Task):
    """Flip an image: `cls` of a classmethod is never reported either."""

    @classmethod
    def execute(cls, axis) -> None:  # expect: TSK101:22
        pass


class Blur(metaclass=Task):
    """Blur an image: a staticmethod has no `self`, so its first parameter counts."""

    @staticmethod
    def execute(radius) -> None:  # expect: TSK101:17
        pass
