"""Helpers for the Python front-end's tests: fixture packages, `# want` markers, a fix loop."""

from __future__ import annotations

import re
from pathlib import Path

from imagetag_lint.findings import Finding, Fix
from imagetag_lint.fix.edits import apply_edits, fixes_overlap
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.python.unused_imports import drop_unused
from imagetag_lint.rules import RuleSet

PYTHON_FIXTURES = Path(__file__).parent / "fixtures" / "python"
WANT = re.compile(r"#\s*want\s+(IMG\d{3}.*)$")
# a related place of a finding on another line: `# related IMG001 "message"`
RELATED = re.compile(r"#\s*related\s+(IMG\d{3}.*)$")
ITEM = re.compile(r'(IMG\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?')

Want = tuple[str, int, str, str]  # (file, line, code, message regexp or "")


def package_sources(root: Path) -> dict[str, bytes]:
    """Every .py file under root, by its path relative to root's parent (`package/file.py`)."""
    return {p.relative_to(root.parent).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def wanted(sources: dict[str, bytes], marker: re.Pattern[str] = WANT) -> set[Want]:
    found = set()
    for name, source in sources.items():
        for number, line in enumerate(source.decode().splitlines(), 1):
            match = marker.search(line)
            if match:
                for item in ITEM.finditer(match.group(1)):
                    found.add((name, number, item.group(1), item.group(2) or ""))
    return found


def mismatches(findings: list[Finding], wants: set[Want]) -> tuple[list[Want], list[str]]:
    """Wants no finding matches (line, code and message), and findings no want asks for."""
    found = {(f.filename, f.span.start.row, f.code): f.message for f in findings}
    missing = [w for w in sorted(wants) if w[:3] not in found or not re.search(w[3], found[w[:3]])]
    expected = {w[:3] for w in wants}
    unexpected = [f"{k[0]}:{k[1]} {k[2]} {m}" for k, m in sorted(found.items()) if k not in expected]
    return missing, unexpected


def related_mismatches(findings: list[Finding], sources: dict[str, bytes]) -> tuple[list[Want], list[str]]:
    """`# related` markers no finding names (file, line, the finding's code, the place's message),
    and the stale deployments an IMG001 names on lines without a marker."""
    places = {(r.span.filename, r.span.start.row, f.code, r.message) for f in findings for r in f.related}
    wants = wanted(sources, RELATED)
    missing = [w for w in sorted(wants)
               if not any(p[:3] == w[:3] and re.search(w[3], p[3]) for p in places)]
    marked = {w[:3] for w in wants}
    unmarked = [f"{p[0]}:{p[1]} {p[2]} {p[3]}" for p in sorted(places)
                if p[2] == "IMG001" and p[3].startswith(("the deployment here", "the load here")) and p[:3] not in marked]
    return missing, unmarked


def fix_rounds(sources: dict[str, bytes], rule_set: RuleSet, applicable: tuple[str, ...] = ("safe", "unsafe")) -> dict[str, bytes]:
    """Apply fixes round by round (non-overlapping ones, each distinct fix once) until none apply."""
    current = dict(sources)
    for _ in range(10):
        chosen: list[Fix] = []
        for finding in lint_python_sources(current, rule_set).findings:
            fix = finding.fix
            if fix is None or fix.applicability not in applicable or not fix.edits or fix in chosen:
                continue
            if not any(fixes_overlap(fix, other) for other in chosen):
                chosen.append(fix)
        if not chosen:
            return current
        for name in {e.filename for fix in chosen for e in fix.edits}:
            before = current[name]
            current[name] = apply_edits(before, [e for fix in chosen for e in fix.edits if e.filename == name])
            if sum(1 for fix in chosen if any(e.filename == name for e in fix.edits)) > 1:  # as the apply path does
                current[name] = drop_unused(before.decode(), current[name].decode()).encode()
    raise AssertionError("fixes did not settle in 10 rounds")
