"""JSON and JSON Lines output, per the contract in the README."""

from __future__ import annotations

import json
from typing import Any

from imagetag_lint.findings import Finding, Position
from imagetag_lint.rules import RuleSet


def _position(position: Position) -> dict[str, int]:
    return {"row": position.row, "column": position.column}


def finding_to_dict(finding: Finding, rule_set: RuleSet) -> dict[str, Any]:
    rule = rule_set.rules[finding.code]
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability,
            "message": finding.fix.message,
            "edits": [
                {
                    "filename": edit.filename,
                    "content": edit.content,
                    "location": _position(edit.start),
                    "end_location": _position(edit.end),
                }
                for edit in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "name": rule.name,
        "severity": finding.severity or rule.severity,
        "message": finding.message,
        "filename": finding.filename,
        "location": _position(finding.span.start),
        "end_location": _position(finding.span.end),
        "steps": list(finding.steps),
        "related": [
            {
                "filename": related.span.filename,
                "location": _position(related.span.start),
                "end_location": _position(related.span.end),
                "message": related.message,
            }
            for related in finding.related
        ],
        "fix": fix,
        "fingerprint": finding.fingerprint,  # stable when code moves; the baseline and SARIF use it
    }


def render_json(findings: list[Finding], rule_set: RuleSet) -> str:
    return json.dumps([finding_to_dict(f, rule_set) for f in findings], indent=2) + "\n"


def render_json_lines(findings: list[Finding], rule_set: RuleSet) -> str:
    return "".join(json.dumps(finding_to_dict(f, rule_set)) + "\n" for f in findings)
