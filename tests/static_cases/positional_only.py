"""TSK202: positional-only parameters, reported at each parameter before the `/`."""

from decimal import Decimal

from task_lint import task


@task
def scale(price: Decimal, /, factor: Decimal) -> Decimal:  # expect: TSK202:11
    """Multiply a price by a factor."""
    return price * factor


@task
def shift(
    start: int,  # expect: TSK202:5
    stop: int,  # expect: TSK202:5
    /,
    *,
    step: int = 1,
) -> list[int]:
    """Every parameter before the slash is reported, and keyword-only ones are fine."""
    return list(range(start, stop, step))
