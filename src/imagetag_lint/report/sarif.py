"""SARIF 2.1.0, shaped for what GitHub code scanning reads.

Rules carry their docs from rules/; results carry full regions, a fingerprint that survives code
moving (`partialFingerprints`), the related places, and a code flow from the build call to the
deploy site.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from imagetag_lint import __version__
from imagetag_lint.errors import InputError
from imagetag_lint.findings import Finding, Fix, Related, Span
from imagetag_lint.fingerprint import VERSION as FINGERPRINT_VERSION
from imagetag_lint.report.docs import explain
from imagetag_lint.rules import Rule, RuleSet

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = f"imagetagLint/{FINGERPRINT_VERSION}"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}
# The analyses phrase the build call among the related places this way (see analysis/).
_BUILD_MARK = "built here"

Json = dict[str, Any]


def render_sarif(
    findings: Sequence[Finding], rule_set: RuleSet, errors: Sequence[InputError] = (), cwd: Path | None = None
) -> str:
    return json.dumps(sarif_log(findings, rule_set, errors, cwd), indent=2, ensure_ascii=False) + "\n"


def sarif_log(
    findings: Sequence[Finding], rule_set: RuleSet, errors: Sequence[InputError] = (), cwd: Path | None = None
) -> Json:
    rules = sorted(rule_set.rules.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rules)}
    run: Json = {
        "tool": {
            "driver": {
                "name": "imagetag-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(errors)],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, rule_set.rules[f.code], index[f.code]) for f in findings],
    }
    if cwd is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": cwd.absolute().as_uri().rstrip("/") + "/"}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def rule_descriptor(rule: Rule) -> Json:
    help_markdown = explain(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc("what-it-does") or rule.summary},
        "help": {"text": help_markdown, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["correctness", "kind", "e2e"]},
    }


def _invocation(errors: Sequence[InputError]) -> Json:
    invocation: Json = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": str(error)}} for error in errors
        ]
    return invocation


def _result(finding: Finding, rule: Rule, rule_index: int) -> Json:
    result: Json = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity or rule.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical_location(finding.span)}],
    }
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": physical_location(r.span), "message": {"text": r.message}}
            for number, r in enumerate(finding.related, 1)
        ]
    flows = code_flows(finding)
    if flows:
        result["codeFlows"] = flows
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_fix(finding.fix)]
    return result


def physical_location(span: Span) -> Json:
    return {"artifactLocation": artifact_location(span.filename), "region": region(span)}


def artifact_location(filename: str) -> Json:
    path = Path(filename)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": SRCROOT}


def region(span: Span) -> Json:
    return {
        "startLine": span.start.row,
        "startColumn": span.start.column,
        "endLine": span.end.row,
        "endColumn": span.end.column,  # SARIF's end column is exclusive, like ours
    }


def flow_paths(finding: Finding) -> list[tuple[Related, ...]]:
    """Each path from a build call to the deploy site, through the finding's places."""
    if finding.flow:
        return [finding.flow]
    here = Related(finding.span, finding.message)
    builds = [r for r in finding.related if _BUILD_MARK in r.message]
    others = tuple(r for r in finding.related if _BUILD_MARK not in r.message)
    if builds:
        return [(build, here, *others) for build in builds]
    # no build among the related places: the finding itself is the build call (IMG001) or the
    # start of the mismatch (a deploy helper ignoring its parameter)
    return [(here, *others)] if others else []


def code_flows(finding: Finding) -> list[Json]:
    return [
        {
            "message": {"text": "from the build call to the deploy site"},
            "threadFlows": [
                {
                    "locations": [
                        {
                            "location": {
                                "physicalLocation": physical_location(step.span),
                                "message": {"text": step.message},
                            },
                            "executionOrder": order,
                        }
                        for order, step in enumerate(path, 1)
                    ]
                }
            ],
        }
        for path in flow_paths(finding)
    ]


def _fix(fix: Fix) -> Json:
    by_file: dict[str, list[Json]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.filename, []).append(
            {
                "deletedRegion": region(Span(edit.filename, edit.start_byte, edit.end_byte, edit.start, edit.end)),
                "insertedContent": {"text": edit.content},
            }
        )
    return {
        "description": {"text": f"{fix.message} ({fix.applicability} fix)"},
        "artifactChanges": [
            {"artifactLocation": artifact_location(name), "replacements": replacements}
            for name, replacements in by_file.items()
        ],
        "properties": {"applicability": fix.applicability},
    }
