"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence

from imagetag_lint.findings import Finding
from imagetag_lint.rules import RuleSet

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def render_github(findings: Sequence[Finding], rule_set: RuleSet) -> str:
    return "".join(annotation(finding, rule_set) + "\n" for finding in findings)


def annotation(finding: Finding, rule_set: RuleSet) -> str:
    rule = rule_set.rules[finding.code]
    span = finding.span
    properties = {
        "file": finding.filename,
        "line": span.start.row,
        "col": span.start.column,
        "endLine": span.end.row,
        "endColumn": span.end.column,
        "title": f"{finding.code} {rule.name}",
    }
    if span.end.row != span.start.row:  # GitHub takes columns only for one-line annotations
        del properties["col"], properties["endColumn"]
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    lines = [f"{finding.code} {finding.message}"]
    lines += [
        f"related {r.span.filename}:{r.span.start.row}:{r.span.start.column}: {r.message}" for r in finding.related
    ]
    return f"::{COMMANDS[finding.severity or rule.severity]} {listed}::{escape_data(chr(10).join(lines))}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
