"""Report formats of `task-lint check`: text, JSON, SARIF 2.1.0 and GitHub workflow commands.

Columns are 1-based and count characters (Unicode code points), in every format.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from task_lint._version import __version__
from task_lint.rules import RULES, RULES_BY_CODE
from task_lint.static.findings import Finding

FORMATS = ("text", "json", "sarif", "github")
INFORMATION_URI = "https://pypi.org/project/task-lint/"


def format_text(findings: Sequence[Finding]) -> str:
    """`path:line:col: CODE message`, one finding per line, as flake8 prints them."""
    return "".join(f"{f.path}:{f.line}:{f.column + 1}: {f.code} {f.message}\n" for f in findings)


def format_json(findings: Sequence[Finding]) -> str:
    entries = [
        {
            "path": finding.path,
            "line": finding.line,
            "column": finding.column + 1,
            "code": finding.code,
            "rule": RULES_BY_CODE[finding.code].name if finding.code in RULES_BY_CODE else None,
            "message": finding.message,
        }
        for finding in findings
    ]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(code: str) -> dict[str, Any]:
    rule = RULES_BY_CODE[code]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": f"{rule.rationale}\n\nExample:\n{rule.example}\n\nFix:\n{rule.fix}",
            "markdown": f"{rule.rationale}\n\nExample:\n\n{rule.example_markdown()}\n\nFix:\n\n{rule.fix_markdown()}",
        },
        "defaultConfiguration": {"level": "warning", "enabled": rule.enabled_by_default},
    }


def _artifact_location(path: str, root: str) -> dict[str, Any]:
    """Return a SARIF artifactLocation; URIs are percent-encoded, as RFC 3986 requires."""
    absolute = os.path.abspath(path)
    if absolute.startswith(root.rstrip(os.sep) + os.sep):
        relative = os.path.relpath(absolute, root).replace(os.sep, "/")
        return {"uri": quote(relative), "uriBaseId": "%SRCROOT%"}
    return {"uri": Path(absolute).as_uri()}


def _folder_uri(folder: str) -> str:
    # SARIF base URIs must end with a slash, so that relative URIs resolve inside the folder.
    uri = Path(folder).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def format_sarif(findings: Sequence[Finding], base: str | None = None) -> str:
    """One SARIF 2.1.0 run with every rule in the driver and one result per finding.

    Paths are relative to `base` (the current folder by default) when they lie under it,
    with `%SRCROOT%` as their base id, which is how code scanning services map them.
    """
    root = os.path.abspath(base or os.getcwd())
    codes = [rule.code for rule in RULES]
    results = []
    for finding in findings:
        location = _artifact_location(finding.path, root)
        results.append(
            {
                "ruleId": finding.code,
                "ruleIndex": codes.index(finding.code) if finding.code in codes else -1,
                "level": "error" if finding.code in ("TSK001", "TSK002", "TSK999") else "warning",
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {"startLine": finding.line, "startColumn": finding.column + 1},
                        }
                    }
                ],
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "task-lint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(code) for code in codes],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _folder_uri(root)}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands, which annotate the pull request diff."""
    lines = []
    for finding in findings:
        level = "error" if finding.code in ("TSK001", "TSK002", "TSK999") else "warning"
        properties = ",".join(
            [
                f"file={_escape_property(finding.path)}",
                f"line={finding.line}",
                f"col={finding.column + 1}",
                f"title={_escape_property('task-lint ' + finding.code)}",
            ]
        )
        lines.append(f"::{level} {properties}::{_escape_data(finding.code + ' ' + finding.message)}\n")
    return "".join(lines)


FORMATTERS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}
