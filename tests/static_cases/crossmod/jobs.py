from __future__ import annotations

from typing import TYPE_CHECKING

from crossmod import ImportJob, job
from crossmod.models import Connection, Order

if TYPE_CHECKING:
    from crossmod.models import Invoice


@job
def ship(order: Order, connection: Connection) -> None:  # expect: TSK301:17 TSK301:36
    """`Order` has a field of the plain class `Connection`."""


@job
def bill(invoice: Invoice) -> None:  # expect: TSK103:19
    """`Invoice` is imported only for type checkers."""


class CsvImport(ImportJob):  # expect: TSK101:1 TSK402:1
    """`execute` is inherited from another module, so findings point at this class."""
