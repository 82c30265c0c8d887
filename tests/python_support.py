"""Helpers for the Python front-end's tests: fixture packages, `# want` markers, a fix loop."""

from __future__ import annotations

import re
from pathlib import Path

from imagetag_lint.findings import Finding, Fix
from imagetag_lint.fix.edits import apply_edits, fixes_overlap
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import RuleSet

PYTHON_FIXTURES = Path(__file__).parent / "fixtures" / "python"
WANT = re.compile(r"#\s*want\s+(IMG\d{3}.*)$")
ITEM = re.compile(r'(IMG\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?')

Want = tuple[str, int, str, str]  # (file, line, code, message regexp or "")


def package_sources(root: Path) -> dict[str, bytes]:
    """Every .py file under root, by its path relative to root's parent (`package/file.py`)."""
    return {p.relative_to(root.parent).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def wanted(sources: dict[str, bytes]) -> set[Want]:
    found = set()
    for name, source in sources.items():
        for number, line in enumerate(source.decode().splitlines(), 1):
            match = WANT.search(line)
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
            current[name] = apply_edits(current[name], [e for fix in chosen for e in fix.edits if e.filename == name])
    raise AssertionError("fixes did not settle in 10 rounds")
