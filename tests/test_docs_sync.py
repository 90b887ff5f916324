"""The README's rule list and docs/rules.md match the rule table in task_lint/rules.py.

Run with `TASK_LINT_REGENERATE=1` to rewrite both files from the table instead of
failing; the test then passes, and the diff shows what changed.
"""

from __future__ import annotations

import os
from pathlib import Path

from task_lint.rules import RULES, rules_markdown_page, rules_markdown_table

REPOSITORY = Path(__file__).resolve().parents[1]
README = REPOSITORY / "README.md"
RULES_PAGE = REPOSITORY / "docs" / "rules.md"
START = "<!-- rules:start -->\n"
END = "<!-- rules:end -->"


def regenerate() -> bool:
    return os.environ.get("TASK_LINT_REGENERATE") == "1"


def readme_rule_block(text: str) -> tuple[int, int]:
    """Return the start and end offsets of the text between the two rule markers."""
    assert text.count(START) == 1, f"README.md needs exactly one {START.strip()} line"
    assert text.count(END) == 1, f"README.md needs exactly one {END} line"
    start = text.index(START) + len(START)
    end = text.index(END)
    assert start <= end, f"{END} comes before {START.strip()} in README.md"
    return start, end


def test_readme_rule_table_current() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = readme_rule_block(text)
    expected = rules_markdown_table()

    if regenerate() and text[start:end] != expected:
        README.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        text = README.read_text(encoding="utf-8")
        start, end = readme_rule_block(text)

    assert text[start:end] == expected, "README.md rule list is stale; rerun with TASK_LINT_REGENERATE=1"


def test_rules_page_current() -> None:
    expected = rules_markdown_page()

    if regenerate() and (not RULES_PAGE.exists() or RULES_PAGE.read_text(encoding="utf-8") != expected):
        RULES_PAGE.parent.mkdir(parents=True, exist_ok=True)
        RULES_PAGE.write_text(expected, encoding="utf-8")

    assert RULES_PAGE.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale; rerun with TASK_LINT_REGENERATE=1"
    )


def test_readme_table_lists_every_code() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = readme_rule_block(text)
    rows = [line for line in text[start:end].splitlines() if line.startswith("| `TSK")]

    assert [row.split("`")[1] for row in rows] == [rule.code for rule in RULES]


def test_rules_page_has_every_heading() -> None:
    headings = [line for line in rules_markdown_page().splitlines() if line.startswith("## ")]

    assert headings == [f"## {rule.code} {rule.name}" for rule in RULES]
