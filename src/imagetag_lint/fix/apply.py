"""Applying fixes: pick non-overlapping ones, verify each re-parses, loop (fix/write.py writes).

Everything happens on an in-memory overlay of the files (path -> bytes); the linter reads
through it, so a round of fixes is re-linted before the next round, and `--diff` shares every
step with `--fix` except the final write.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from imagetag_lint.findings import Applicability, Finding, Fix
from imagetag_lint.fix.edits import OverlapError, apply_edits, fixes_overlap
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import first_error, parse
from imagetag_lint.lint import LintResult
from imagetag_lint.python.source import PythonFile
from imagetag_lint.record import field, record

MAX_ROUNDS = 25
APPLICABLE = {False: (Applicability.SAFE,), True: (Applicability.SAFE, Applicability.UNSAFE)}

Lint = Callable[[dict[str, bytes]], LintResult]  # lints the inputs through an overlay of fixed texts


@record
class FixOutcome:
    """What the fix rounds did: the last round's result, the texts before and after, and the
    findings whose fixes were applied."""

    result: LintResult  # of the last round: what remains to report
    original: dict[str, bytes] = field(default_factory=dict)  # absolute path -> bytes as read
    fixed: dict[str, bytes] = field(default_factory=dict)  # absolute path -> bytes after fixes
    display: dict[str, str] = field(default_factory=dict)  # absolute path -> name as reported
    applied: list[Finding] = field(default_factory=list)  # findings whose fix was applied
    rejected: list[str] = field(default_factory=list)  # fixes rolled back, with the reason

    @property
    def changed(self) -> list[str]:
        return sorted(p for p, data in self.fixed.items() if data != self.original.get(p))


def fix_all(lint: Lint, unsafe: bool) -> FixOutcome:
    """Rounds of lint -> choose -> apply on an overlay, until no fix applies."""
    overlay: dict[str, bytes] = {}
    outcome: FixOutcome | None = None
    for _ in range(MAX_ROUNDS):
        result = lint(overlay)
        if outcome is None:
            outcome = FixOutcome(result)
        outcome.result = result
        chosen = choose(result.findings, APPLICABLE[unsafe], _regions(result.sources))
        if not chosen:
            break
        by_name = {}
        for name, file in result.sources.items():
            path = result.paths.get(name)
            if path is not None:
                by_name[name] = path
                outcome.original.setdefault(path, file.source)
                outcome.display[path] = name
        accepted: list[tuple[Fix, list[Finding]]] = []
        for fix, findings in chosen:
            try:
                _apply_fixes([fix], overlay, by_name, outcome)  # each alone must re-parse
            except (OverlapError, _Rejected) as reason:
                outcome.rejected.append(f"{findings[0].filename}:{findings[0].span.start.row}: {reason}")
                continue
            accepted.append((fix, findings))
        if not accepted:
            break
        try:
            overlay.update(_apply_fixes([fix for fix, _ in accepted], overlay, by_name, outcome))
        except (OverlapError, _Rejected):
            accepted = accepted[:1]
            overlay.update(_apply_fixes([accepted[0][0]], overlay, by_name, outcome))
        for _, findings in accepted:
            outcome.applied.extend(findings)
        # the rest were planned on the old text: the next round re-lints and re-plans them
    assert outcome is not None
    outcome.fixed = {p: overlay.get(p, data) for p, data in outcome.original.items()}
    return outcome


class _Rejected(Exception):
    pass


Region = tuple[str, int]  # (filename, start byte of the top-level declaration)


def _regions(files: dict[str, SourceFile | PythonFile]) -> Callable[[str, int], Region]:
    starts: dict[str, list[int]] = {}
    for name, file in files.items():
        if isinstance(file, PythonFile):
            starts[name] = file.top_level_starts()
        else:
            starts[name] = [node.start_byte for node in file.tree.root_node.named_children]

    def region(filename: str, offset: int) -> Region:
        declarations = starts.get(filename, [])
        return filename, declarations[max(0, bisect_right(declarations, offset) - 1)] if declarations else 0

    return region


def choose(
    findings: list[Finding], applicable: tuple[str, ...], region: Callable[[str, int], Region]
) -> list[tuple[Fix, list[Finding]]]:
    """Fixes to apply this round: one per distinct fix, none touching a declaration another
    chosen fix touches (both were planned on the same text; the next round re-plans the rest)."""
    chosen: list[tuple[Fix, list[Finding]]] = []
    taken: set[Region] = set()
    for finding in findings:
        fix = finding.fix
        if fix is None or fix.applicability not in applicable or not fix.edits:
            continue
        same = next((entry for entry in chosen if entry[0] == fix), None)
        if same is not None:
            same[1].append(finding)
            continue
        regions = {region(e.filename, e.start_byte) for e in fix.edits}
        if regions & taken or any(fixes_overlap(fix, other) for other, _ in chosen):
            continue
        taken |= regions
        chosen.append((fix, [finding]))
    return chosen


def _apply_fixes(
    fixes: list[Fix], overlay: dict[str, bytes], by_name: dict[str, str], outcome: FixOutcome
) -> dict[str, bytes]:
    """The new text of every file the fixes touch; all were planned on the current overlay."""
    updated: dict[str, bytes] = {}
    edits = [e for fix in fixes for e in fix.edits]
    for filename in sorted({e.filename for e in edits}):
        path = by_name.get(filename)
        if path is None:
            raise _Rejected(f"{filename} is not among the linted files")
        before = overlay.get(path, outcome.original[path])
        if _errors(before, filename):
            raise _Rejected(f"{filename} has syntax errors; fix them first, then rerun --fix")
        after = apply_edits(before, [e for e in edits if e.filename == filename])
        if _errors(after, filename):
            raise _Rejected(f"the fix would leave a syntax error in {filename}; rolled back")
        updated[path] = after
    return updated


def _errors(source: bytes, filename: str) -> bool:
    if filename.endswith(".py"):
        # libcst: only a Python fix pays for it
        from imagetag_lint.python.syntax import parses

        return not parses(source)
    return first_error(parse(source)) is not None


def unified_diff(outcome: FixOutcome) -> str:
    import difflib  # only --diff needs it

    chunks: list[str] = []
    for path in outcome.changed:
        name = outcome.display.get(path, path)
        before = outcome.original[path].decode("utf-8", "replace").splitlines(keepends=True)
        after = outcome.fixed[path].decode("utf-8", "replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)

