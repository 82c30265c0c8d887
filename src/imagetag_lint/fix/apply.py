"""Applying fixes: pick non-overlapping ones, verify each re-parses, loop (fix/write.py writes).

Everything happens on an in-memory overlay of the files (path -> bytes); the linter reads
through it, so a round of fixes is re-linted before the next round, and `--diff` shares every
step with `--fix` except the final write.
"""

from __future__ import annotations

import gc
import os
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable

from imagetag_lint.findings import Applicability, Edit, Finding, Fix
from imagetag_lint.fix.comments import realign_trailing_comments
from imagetag_lint.fix.edits import OverlapError, apply_edits, changes_nothing, overlaps
from imagetag_lint.fix.together import declared_twice
from imagetag_lint.fix.tracking import carried
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, Tree, captures, first_error
from imagetag_lint.golang.parser import parse_for_check as parse
from imagetag_lint.lint import LintResult
from imagetag_lint.python.source import PythonFile, split_lines
from imagetag_lint.record import field, record
from imagetag_lint.repair.imports import drop_imports_left_unused, removes_exported_name

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
    led_to: list[Finding] = field(default_factory=list)  # of those, the ones earlier fixes led to (fix/tracking.py)
    rejected: list[str] = field(default_factory=list)  # fixes rolled back, with the reason
    refused: list[Finding] = field(default_factory=list)  # findings left whose fix was rolled back

    @property
    def changed(self) -> list[str]:
        return sorted(p for p, data in self.fixed.items() if data != self.original.get(p))


def fix_all(lint: Lint, unsafe: bool) -> FixOutcome:
    """Rounds of lint -> choose -> apply on an overlay, until no fix applies.

    Each round applies at least one fix, so the rounds end; a bound that grows with the fixes
    the first round offers stops fixes that undo each other, and says what was left."""
    overlay: dict[str, bytes] = {}
    outcome: FixOutcome | None = None
    rounds, limit = 0, MAX_ROUNDS
    refused: set[_Key] = set()  # findings whose fix was rolled back, as planned in the last round
    found: set[_Key] = set()  # the findings of the text as read, where they stand now, not yet fixed
    while True:
        result = lint(overlay)
        if outcome is None:
            outcome = FixOutcome(result)
            found = {_key(f) for f in result.findings}
        outcome.result = result
        candidates = [f for f in result.findings if _key(f) not in refused]
        chosen = choose(candidates, APPLICABLE[unsafe], _regions(result.sources), result.sources)
        if not chosen:
            break
        if rounds == 0:
            limit = MAX_ROUNDS + len(chosen) + sum(1 for f in result.findings if f.fix is not None and f.fix.edits)
        if rounds == limit:
            outcome.rejected.append(
                f"--fix stopped after {rounds} rounds with {len(chosen)} more fixes to apply; run it again"
            )
            break
        rounds += 1
        by_name = {}
        for name, file in result.sources.items():
            path = result.paths.get(name)
            if path is not None:
                by_name[name] = path
                outcome.original.setdefault(path, file.source)
                outcome.display[path] = name
        before = dict(overlay)
        accepted = _accept(chosen, overlay, by_name, outcome)
        while not accepted and chosen:  # every chosen fix was rolled back: try the ones they kept out
            refused.update(_key(f) for _, findings in chosen for f in findings)
            candidates = [f for f in candidates if _key(f) not in refused]
            chosen = choose(candidates, APPLICABLE[unsafe], _regions(result.sources), result.sources)
            accepted = _accept(chosen, overlay, by_name, outcome) if chosen else []
        if not accepted:
            outcome.refused = [f for f in result.findings if _key(f) in refused]
            break
        if all(overlay.get(p) == before.get(p, outcome.original.get(p)) for p in overlay):
            break  # edits that together put back what they replace: nothing was fixed
        for _, findings in accepted:
            outcome.applied.extend(findings)
            outcome.led_to.extend(f for f in findings if _key(f) not in found)
        found = _carried(found - {_key(f) for _, findings in accepted for f in findings}, before, overlay, outcome)
        # the rest were planned on the old text: the next round re-lints and re-plans them, and
        # parses every file again: this round's trees go first (the run collects cycles rarely,
        # and the project holds its files in cycles), which halves the peak of a --fix run
        result.sources.clear()
        gc.collect()
    assert outcome is not None
    outcome.fixed = {p: overlay.get(p, data) for p, data in outcome.original.items()}
    return outcome


Chosen = list[tuple[Fix, list[Finding]]]
_Key = tuple[str, int, int, str]


def _carried(found: set[_Key], before: dict[str, bytes], overlay: dict[str, bytes], outcome: FixOutcome) -> set[_Key]:
    """The findings of the text as read, moved along with the round's edits."""
    changes = {
        outcome.display[path]: (before.get(path, outcome.original[path]), text)
        for path, text in overlay.items()
        if text is not before.get(path)
    }
    return carried(found, changes) if changes else found


def _key(finding: Finding) -> _Key:
    """A finding of one round's lint: a rolled-back fix is not chosen again in that round."""
    return finding.filename, finding.span.start.row, finding.span.start.column, finding.code


def _accept(chosen: Chosen, overlay: dict[str, bytes], by_name: dict[str, str], outcome: FixOutcome) -> Chosen:
    """Apply the chosen fixes to the overlay (all of them when together they re-parse and declare
    no name twice, else each that re-parses alone, as many as go together); the fixes applied."""
    try:
        overlay.update(_apply_fixes([fix for fix, _ in chosen], overlay, by_name, outcome))
        return chosen
    except (OverlapError, _Rejected):
        pass  # find the culprits one by one
    accepted: Chosen = []
    for fix, findings in chosen:
        try:
            _apply_fixes([fix], overlay, by_name, outcome)  # each alone must re-parse
        except (OverlapError, _Rejected) as reason:
            message = f"{findings[0].filename}:{findings[0].span.start.row}: {reason}"
            if message not in outcome.rejected:  # planned again each round
                outcome.rejected.append(message)
            continue
        accepted.append((fix, findings))
    if not accepted:
        return accepted
    try:
        overlay.update(_apply_fixes([fix for fix, _ in accepted], overlay, by_name, outcome))
        return accepted
    except (OverlapError, _Rejected):
        pass  # some declare a name another declares too: keep those that go together
    together: Chosen = []
    for fix, findings in accepted:
        near = _directories(fix, by_name)  # fixes of other packages cannot disturb it
        try:
            _apply_fixes([kept for kept, _ in together if _directories(kept, by_name) & near] + [fix], overlay, by_name, outcome)
        except (OverlapError, _Rejected):
            continue  # the next round plans it on the text the others leave
        together.append((fix, findings))
    overlay.update(_apply_fixes([fix for fix, _ in together], overlay, by_name, outcome))
    return together


def _directories(fix: Fix, by_name: dict[str, str]) -> set[str]:
    return {os.path.dirname(by_name.get(e.filename, e.filename)) for e in fix.edits}


class _Rejected(Exception):
    pass


Region = tuple[str, int]  # (filename, start byte of the top-level declaration)


def _regions(files: dict[str, SourceFile | PythonFile]) -> Callable[[str, int], Region]:
    starts: dict[str, list[int]] = {}  # by file, asked for

    def declarations_of(filename: str) -> list[int]:
        if filename not in starts:
            file = files.get(filename)
            if file is None:
                starts[filename] = []
            elif isinstance(file, PythonFile):
                starts[filename] = file.top_level_starts()
            else:
                starts[filename] = [child.start_byte for child in file.outline if child.named]
        return starts[filename]

    def region(filename: str, offset: int) -> Region:
        declarations = declarations_of(filename)
        return filename, declarations[max(0, bisect_right(declarations, offset) - 1)] if declarations else 0

    return region


def choose(
    findings: list[Finding],
    applicable: tuple[str, ...],
    region: Callable[[str, int], Region],
    sources: dict[str, SourceFile | PythonFile],
) -> Chosen:
    """Fixes to apply this round: one per distinct fix that changes some byte, none overlapping
    another, and none touching a declaration another chosen fix touches (both were planned on the same text; the
    next round re-plans the rest), except that fixes which only put a name in place of a string
    literal share a declaration (see `_literal_to_name`)."""
    texts = {name: file.source for name, file in sources.items()}
    chosen: dict[Fix, list[Finding]] = {}
    exclusive: set[Region] = set()  # declarations a chosen fix of any kind touches
    shared: set[Region] = set()  # declarations only literal-to-name fixes touch
    taken = _TakenBytes()
    for finding in findings:
        fix = finding.fix
        if fix is None or fix.applicability not in applicable or not fix.edits or changes_nothing(fix, texts):
            continue
        if fix in chosen:
            chosen[fix].append(finding)
            continue
        regions = {region(e.filename, e.start_byte) for e in fix.edits}
        sharing = _literal_to_name(fix, sources)
        if not sharing:
            regions |= _dot_imports_read(fix, sources, region)
        if regions & exclusive or (not sharing and regions & shared) or taken.overlaps(fix):
            continue
        (shared if sharing else exclusive).update(regions)
        taken.add(fix)
        chosen[fix] = [finding]
    return list(chosen.items())


def _literal_to_name(fix: Fix, sources: dict[str, SourceFile | PythonFile]) -> bool:
    """Does every edit of the fix replace a string literal with a name? Such fixes commute with
    each other: a literal reads no variable and no package, so putting a name there leaves
    nothing unused, declares nothing, and the name was in scope when the fix was planned."""
    for edit in fix.edits:
        file = sources.get(edit.filename)
        if file is None or not edit.content.isidentifier():
            return False
        old = file.source[edit.start_byte : edit.end_byte]
        if len(old) < 2 or old[0] != old[-1] or old[:1] not in (b'"', b"`"):
            return False
    return True


def _dot_imports_read(fix: Fix, sources: dict[str, SourceFile | PythonFile], region: Callable[[str, int], Region]) -> set[Region]:
    """The import declarations of the Go files with a dot import in which the fix replaces an
    exported name (`GenerateMailImageName()`), perhaps one the dot import brings in. Whether
    two such fixes together leave that import unused takes the package's names, which only the
    planner reads: they go in successive rounds, and the second one is planned on the text the
    first one left."""
    found: set[Region] = set()
    for edit in fix.edits:
        file = sources.get(edit.filename)
        if not isinstance(file, SourceFile) or "." not in file.imports:
            continue
        if removes_exported_name(file.source, edit):
            imports = next((n for n in file.tree.root_node.named_children if n.type == "import_declaration"), None)
            if imports is not None:
                found.add(region(edit.filename, imports.start_byte))
    return found


class _TakenBytes:
    """The edits of the fixes chosen so far, by file and start: does a new fix overlap one?
    (Looked up by position, so choosing n fixes is not n * n comparisons.)"""

    def __init__(self) -> None:
        self._edits: dict[str, list[tuple[int, int, Edit]]] = {}

    def overlaps(self, fix: Fix) -> bool:
        for edit in fix.edits:
            placed = self._edits.get(edit.filename, [])
            position = max(0, bisect_left(placed, edit.start_byte, key=lambda t: t[0]) - 2)
            while position < len(placed) and placed[position][0] <= edit.end_byte:
                if overlaps(edit, placed[position][2]):
                    return True
                position += 1
        return False

    def add(self, fix: Fix) -> None:
        for edit in fix.edits:
            insort(self._edits.setdefault(edit.filename, []), (edit.start_byte, edit.end_byte, edit), key=lambda t: t[:2])


def _apply_fixes(
    fixes: list[Fix], overlay: dict[str, bytes], by_name: dict[str, str], outcome: FixOutcome
) -> dict[str, bytes]:
    """The new text of every file the fixes touch; all were planned on the current overlay. A Go
    file that several of them edit loses the imports they leave unused together (each fix
    removes those it leaves unused alone), and a name two of them declare rejects the lot."""
    updated: dict[str, bytes] = {}
    trees: dict[str, tuple[Node, Node]] = {}  # Go files: their trees before and after, parsed once
    edits = [e for fix in fixes for e in fix.edits]
    editing = Counter(name for fix in fixes for name in {e.filename for e in fix.edits})  # how many fixes edit each file
    for filename in sorted({e.filename for e in edits}):
        path = by_name.get(filename)
        if path is None:
            raise _Rejected(f"{filename} is not among the linted files")
        before = overlay.get(path, outcome.original[path])
        mine = [e for e in edits if e.filename == filename]
        if filename.endswith(".py"):
            updated[path] = _python_after(before, mine, filename, editing[filename] > 1)
            continue
        old = parse(before)
        if _go_errors(before, old):
            raise _Rejected(f"{filename} has syntax errors; fix them first, then rerun --fix")
        after = apply_edits(before, mine)
        new = parse(after)
        if editing[filename] > 1:
            cleaned = drop_imports_left_unused(old.root_node, after, new.root_node)
            if cleaned != after:
                after, new = cleaned, parse(cleaned)
        aligned = realign_trailing_comments(before, after, new.root_node)  # as gofmt lines them up
        if aligned != after:
            after, new = aligned, parse(aligned)
        if _go_errors(after, new):
            raise _Rejected(f"the fix would leave a syntax error in {filename}; rolled back")
        updated[path], trees[path] = after, (old.root_node, new.root_node)
    packages = Counter(d for fix in fixes for d in _directories(fix, by_name))
    shared = {p: pair for p, pair in trees.items() if packages[os.path.dirname(p)] > 1}  # several fixes edit its package
    reason = declared_twice(shared, outcome.display) if shared else None
    if reason is not None:
        raise _Rejected(reason)
    return updated


def _python_after(before: bytes, edits: list[Edit], filename: str, several: bool) -> bytes:
    """The file after the edits; when several fixes edit it, without the locals and imports they
    leave unused together (each fix removes those it leaves unused alone)."""
    if _errors(before, filename):
        raise _Rejected(f"{filename} has syntax errors; fix them first, then rerun --fix")
    after = apply_edits(before, edits)
    if _errors(after, filename):
        raise _Rejected(f"the fix would leave a syntax error in {filename}; rolled back")
    if several and not before.startswith(b"\xef\xbb\xbf"):
        from imagetag_lint.python.unused_imports import drop_unused

        after = drop_unused(before.decode("utf-8"), after.decode("utf-8")).encode("utf-8")
    return after


def _errors(source: bytes, filename: str) -> bool:
    if filename.endswith(".py"):
        # libcst: only a Python fix pays for it
        from imagetag_lint.python.syntax import parses

        return not parses(source)
    return _go_errors(source, parse(source))


def _go_errors(source: bytes, tree: Tree) -> bool:
    return first_error(tree) is not None or (b"..." in source and _spread_before_last(tree))


def _spread_before_last(tree: Tree) -> bool:
    """`f(xs..., y)`: tree-sitter's Go grammar takes a spread anywhere in an argument list, but
    Go's parser only as the last argument."""
    for spread in captures("(argument_list (variadic_argument) @spread)", tree.root_node).get("spread", []):
        later = spread.next_named_sibling
        while later is not None and later.type == "comment":
            later = later.next_named_sibling
        if later is not None:
            return True
    return False


def unified_diff(outcome: FixOutcome) -> str:
    import difflib  # only --diff needs it

    chunks: list[str] = []
    for path in outcome.changed:
        name = outcome.display.get(path, path)
        before = split_lines(outcome.original[path].decode("utf-8", "replace"))
        after = split_lines(outcome.fixed[path].decode("utf-8", "replace"))
        chunks.extend(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)

