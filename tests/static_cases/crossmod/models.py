from dataclasses import dataclass


class Connection:
    """A plain class, with no JSON form."""


@dataclass
class Order:
    order_id: int
    connection: Connection


@dataclass
class Invoice:
    number: str
