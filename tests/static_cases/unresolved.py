"""TSK103: annotations that name something that does not exist when the task runs."""

from typing import TYPE_CHECKING, Optional

from task_lint import task

if TYPE_CHECKING:
    from decimal import Decimal


@task
def refund(amount: "Decimal") -> None:  # expect: TSK103:20
    """`Decimal` is imported only for type checkers."""


@task
def ship(order: "Order", carrier: "list['Carrier']") -> None:  # expect: TSK103:17 TSK103:35
    """Neither name is defined anywhere, with or without nested quotes."""


@task
def price(amount: Optional["Decimal"] = None) -> "Decimal":  # expect: TSK103:19 TSK103:50
    """A string nested in an annotation makes the whole annotation unresolved."""
    return amount


@task
def parse(text: "list[int") -> None:  # expect: TSK103:17
    """A string annotation that is not valid Python cannot be resolved."""
