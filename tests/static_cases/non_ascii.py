"""Columns count characters, so lines with non-ASCII text point at the right place."""

from task_lint import task


@task
def größe_ändern(länge: int, breite, *größen: int) -> None:  # expect: TSK101:30 TSK201:39
    """Resize: identifiers with umlauts take two bytes per letter in UTF-8."""


@task
def grüßen(name: str = "👋🌍", anzahl: int = "zwei") -> None:  # expect: TSK401:44
    """An emoji is one character: four UTF-8 bytes, two UTF-16 code units."""


@task
def 計算(値: int, 単位) -> int:  # expect: TSK101:16
    """Three bytes per character in UTF-8."""
    return 値


@task
def ohne_rückgabe(straße: str):  # expect: TSK102:1
    """The `def` line is column 1 whatever follows it."""
