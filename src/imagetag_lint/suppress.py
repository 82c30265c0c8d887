"""Inline suppressions, read from real comments, and the findings about them (IMG100, IMG101).

    //imagetaglint:ignore IMG001 // reason        on the finding's line, or alone on the line above
    //imagetaglint:file-ignore IMG002 // reason   before the package clause: the whole file
    # imagetaglint: ignore[IMG001] reason         the same in Python (python/suppressions.py)
    # imagetaglint: file-ignore[IMG002] reason    before the first statement

A suppression without a reason still suppresses, and is reported (IMG101). A suppression, or a
code in one, that suppresses nothing is reported (IMG100) with a safe fix that removes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from imagetag_lint.directives import PREFIX
from imagetag_lint.findings import Applicability, Edit, Finding, Fix, Span
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, captures, parse, parse_input
from imagetag_lint.python import suppressions as python_directives
from imagetag_lint.python.source import PythonFile
from imagetag_lint.record import field, record
from imagetag_lint.registry import (
    SUPPRESSION_CODES,
    SUPPRESSION_WITHOUT_REASON,
    UNUSED_SUPPRESSION,
)
from imagetag_lint.rules import RuleSet

KINDS = ("ignore", "file-ignore")
_DIRECTIVE = re.compile(r"//imagetaglint:(?P<kind>[\w-]*)(?P<codes>[^/]*)(?://(?P<reason>.*))?", re.DOTALL)
_CODE = re.compile(r"[^\s,]+")


@record(frozen=True)
class Code:
    """A rule code named in a suppression comment, with its place."""

    name: str  # as written
    start_byte: int
    end_byte: int


@record(frozen=True)
class Suppression:
    """One suppression comment: its codes, reason and place."""

    file: SourceFile | PythonFile = field(compare=False)
    kind: str
    codes: tuple[Code, ...]
    reason: str | None  # None when there is no `//` after the codes
    start_byte: int
    end_byte: int  # of the comment, without a trailing carriage return
    rows: frozenset[int]  # the rows it covers; empty for a whole-file suppression
    standalone: bool  # alone on its line (covers the next line), not after code
    problem: str = ""  # why it cannot suppress anything at all (unknown directive, misplaced...)

    @property
    def whole_file(self) -> bool:
        return self.kind == "file-ignore"

    def covers(self, finding: Finding) -> bool:
        return not self.problem and (self.whole_file or finding.span.start.row in self.rows)

    def directive(self, codes: Iterable[Code] | None = None) -> str:
        names = [c.name for c in (self.codes if codes is None else codes)]
        if isinstance(self.file, PythonFile):
            return python_directives.render(self.kind, names)
        return f"//imagetaglint:{self.kind}" + "".join(f" {name}" for name in names)


@record
class SuppressionResult:
    """Findings left after suppressions, and the suppression findings (IMG100, IMG101)."""

    findings: list[Finding]  # what is left, plus IMG100/IMG101 findings
    suppressed: int = 0


# -- reading --------------------------------------------------------------------------------


def read_suppressions(file: SourceFile | PythonFile) -> list[Suppression]:
    if isinstance(file, PythonFile):
        return _python_suppressions(file)
    if PREFIX not in file.source:
        return []
    root = file.tree.root_node
    comments = sorted(captures("(comment) @comment", root).get("comment", []), key=lambda n: n.start_byte)
    standalone_rows = {row for c in comments if _standalone(file, c) for row in _rows(c)}
    package = next((c for c in root.named_children if c.type == "package_clause"), None)
    return [
        _suppression(file, comment, standalone_rows, package)
        for comment in comments
        if (comment.text or b"").startswith(PREFIX)
    ]


def _suppression(file: SourceFile, comment: Node, standalone_rows: set[int], package: Node | None) -> Suppression:
    raw = (comment.text or b"").rstrip(b"\r").decode("utf-8", "replace")
    match = _DIRECTIVE.match(raw)
    assert match is not None  # the prefix alone matches
    kind, reason = match.group("kind"), match.group("reason")
    base = comment.start_byte
    codes_at = base + len(raw[: match.start("codes")].encode())
    codes = tuple(
        Code(
            m.group(),
            codes_at + len(match.group("codes")[: m.start()].encode()),
            codes_at + len(match.group("codes")[: m.end()].encode()),
        )
        for m in _CODE.finditer(match.group("codes"))
    )
    standalone = _standalone(file, comment)
    row = comment.start_point.row + 1
    rows = {row}
    if standalone:
        below = row + 1
        while below in standalone_rows:
            below += 1
        rows.add(below)
    problem = _problem(kind, codes, comment, package)
    return Suppression(
        file=file,
        kind=kind,
        codes=codes,
        reason=None if reason is None else reason.strip(),
        start_byte=base,
        end_byte=base + len(raw.encode()),
        rows=frozenset() if kind == "file-ignore" else frozenset(rows),
        standalone=standalone,
        problem=problem,
    )


def _problem(kind: str, codes: tuple[Code, ...], comment: Node, package: Node | None) -> str:
    if kind not in KINDS:
        return f"`imagetaglint:{kind}` is not a directive; write `imagetaglint:ignore` or `imagetaglint:file-ignore`"
    if not codes:
        return "it names no rule code"
    if kind == "file-ignore" and package is not None and comment.start_byte > package.start_byte:
        return "`file-ignore` must come before the package clause"
    return ""


def _standalone(file: SourceFile, comment: Node) -> bool:
    line_start = file.line_starts[comment.start_point.row]
    return not file.source[line_start : comment.start_byte].strip()


def _rows(comment: Node) -> range:
    return range(comment.start_point.row + 1, comment.end_point.row + 2)


def _python_suppressions(file: PythonFile) -> list[Suppression]:
    comments = python_directives.directive_comments(file)
    standalone_rows = {c.row for c in comments if c.standalone}
    found = []
    for comment in comments:
        parsed = python_directives.parse_directive(comment.text)
        assert parsed is not None  # directive_comments keeps only those
        kind, named, reason = parsed
        codes = tuple(
            Code(name, comment.start + len(comment.text[:start].encode()), comment.start + len(comment.text[:end].encode()))
            for name, start, end in named
        )
        rows = {comment.row}
        if comment.standalone:
            below = comment.row + 1
            while below in standalone_rows:
                below += 1
            rows.add(below)
        found.append(
            Suppression(
                file=file,
                kind=kind,
                codes=codes,
                reason=reason,
                start_byte=comment.start,
                end_byte=comment.end,
                rows=frozenset() if kind == "file-ignore" else frozenset(rows),
                standalone=comment.standalone,
                problem=_python_problem(kind, codes, comment.before_code),
            )
        )
    return found


def _python_problem(kind: str, codes: tuple[Code, ...], before_code: bool) -> str:
    if kind not in KINDS:
        return f"`imagetaglint: {kind}` is not a directive; write `imagetaglint: ignore[...]` or `imagetaglint: file-ignore[...]`"
    if not codes:
        return f"it names no rule code; write them in brackets: `# imagetaglint: {kind}[IMG001] reason`"
    if kind == "file-ignore" and not before_code:
        return "`file-ignore` must come before the first statement"
    return ""


def directive_file(source: bytes, display: str, directory: str) -> SourceFile:
    """A file the prefilter skipped but that holds directives: parsed only for its comments."""
    return SourceFile(display, directory, source, parse(parse_input(source)), package="", imports={})


# -- applying -------------------------------------------------------------------------------


def apply_suppressions(
    findings: Iterable[Finding], files: Mapping[str, SourceFile | PythonFile], rule_set: RuleSet, selected: frozenset[str]
) -> SuppressionResult:
    """Drop suppressed findings; add IMG100/IMG101 findings (when selected) about the comments."""
    by_file = {name: read_suppressions(file) for name, file in files.items()}
    used: dict[int, set[str]] = {}  # id of a suppression -> the codes it suppressed
    result = SuppressionResult([])
    for finding in findings:
        suppression = _suppressing(finding, by_file.get(finding.filename, []))
        if suppression is None:
            result.findings.append(finding)
        else:
            used.setdefault(id(suppression), set()).add(finding.code)
            result.suppressed += 1
    for suppressions in by_file.values():
        for suppression in suppressions:
            result.findings.extend(_judge(suppression, used.get(id(suppression), set()), rule_set, selected))
    result.findings.sort(key=Finding.sort_key)
    return result


def _suppressing(finding: Finding, suppressions: list[Suppression]) -> Suppression | None:
    if finding.code in SUPPRESSION_CODES:
        return None
    for suppression in suppressions:
        if suppression.covers(finding) and any(c.name.upper() == finding.code for c in suppression.codes):
            return suppression
    return None


def _judge(suppression: Suppression, used: set[str], rule_set: RuleSet, selected: frozenset[str]) -> list[Finding]:
    if suppression.problem:
        return [_unused(suppression, suppression.problem, rule_set, fix=None)] if UNUSED_SUPPRESSION in selected else []
    unused = [
        (code, why) for code in suppression.codes if (why := _why_unused(code, suppression, used, rule_set, selected))
    ]
    if unused and UNUSED_SUPPRESSION in selected:
        fix = _removal(suppression, [code for code, _ in unused])
        why = "; ".join(dict.fromkeys(why for _, why in unused))
        return [_unused(suppression, why, rule_set, fix, [code for code, _ in unused])]
    if used and not suppression.reason and SUPPRESSION_WITHOUT_REASON in selected:
        return [_no_reason(suppression, sorted(used), rule_set)]
    return []


def _why_unused(
    code: Code, suppression: Suppression, used: set[str], rule_set: RuleSet, selected: frozenset[str]
) -> str:
    name = code.name.upper()
    if name in SUPPRESSION_CODES:
        return f"`{code.name}` cannot be suppressed inline (use `ignore` in the configuration)"
    if name not in rule_set.rules:
        return f"`{code.name}` is not a rule code"
    if name in used or name not in selected:  # a rule that did not run cannot be judged
        return ""
    if suppression.whole_file:
        return f"no {name} finding in this file"
    return f"no {name} finding on {'the next line' if suppression.standalone else 'this line'}"


def _unused(
    suppression: Suppression, why: str, rule_set: RuleSet, fix: Fix | None, codes: list[Code] | None = None
) -> Finding:
    # a partly unused suppression is named by its unused codes only: that part suppresses nothing
    message = rule_set.rules[UNUSED_SUPPRESSION].render_message(directive=suppression.directive(codes), why=why)
    return Finding(UNUSED_SUPPRESSION, message, _span(suppression), fix=fix)


def _no_reason(suppression: Suppression, codes: list[str], rule_set: RuleSet) -> Finding:
    listed = ", ".join(codes)
    example = f"//imagetaglint:{suppression.kind} {listed} // <why>"
    if isinstance(suppression.file, PythonFile):
        example = f"{suppression.directive()} <why>"
    message = rule_set.rules[SUPPRESSION_WITHOUT_REASON].render_message(codes=listed, example=example)
    return Finding(SUPPRESSION_WITHOUT_REASON, message, _span(suppression))


def _span(suppression: Suppression) -> Span:
    return suppression.file.span_bytes(suppression.start_byte, suppression.end_byte)


# -- the fix --------------------------------------------------------------------------------


def _removal(suppression: Suppression, unused: list[Code]) -> Fix:
    if len(unused) == len(suppression.codes):
        if _joins_code_lines(suppression):
            return Fix(
                Applicability.DISPLAY_ONLY,
                "remove the unused suppression by hand, then run gofmt (the lines around it may need aligning)",
            )
        return Fix(Applicability.SAFE, "remove the unused suppression", (_delete_comment(suppression),))
    kept = [code for code in suppression.codes if code not in unused]
    first, last = suppression.codes[0], suppression.codes[-1]
    source = suppression.file.source
    separator = source[first.end_byte : suppression.codes[1].start_byte].decode() if len(suppression.codes) > 1 else " "
    content = separator.join(code.name for code in kept)
    names = ", ".join(code.name for code in unused)
    return Fix(
        Applicability.SAFE, f"remove unused code {names}", (_edit(suppression.file, first.start_byte, last.end_byte, content),)
    )


def _line(file: SourceFile | PythonFile, row: int) -> bytes:
    """Row's text (1-based) without its line ending; b"" past either end of the file."""
    if row < 1 or row > len(file.line_starts):
        return b""
    end = file.line_starts[row] if row < len(file.line_starts) else len(file.source)
    return file.source[file.line_starts[row - 1] : end].rstrip(b"\r\n")


_KEYED = re.compile(rb"^\s*\w+:\s*\S")  # `Name: value`: a line of a composite literal gofmt aligns


def _joins_code_lines(suppression: Suppression) -> bool:
    """A line of its own between two keyed elements (`Name: "svc",`): gofmt aligns the values of a
    block of them, and this line may be what keeps two blocks apart, so taking it out may leave
    code that gofmt would change."""
    if not suppression.standalone or not isinstance(suppression.file, SourceFile):
        return False
    row = suppression.file.position(suppression.start_byte).row
    return all(_KEYED.match(_line(suppression.file, near)) for near in (row - 1, row + 1))


def _delete_comment(suppression: Suppression) -> Edit:
    file = suppression.file
    if suppression.standalone:  # the whole line goes
        row = file.position(suppression.start_byte).row
        start = file.line_starts[row - 1]
        end = file.line_starts[row] if row < len(file.line_starts) else len(file.source)
        if _line(file, row - 1).strip() == b"//" and not _line(file, row + 1).lstrip().startswith(b"//"):
            start = file.line_starts[row - 2]  # it ended a doc comment after an empty `//` line: that goes too
        return _edit(file, start, end, "")
    start = suppression.start_byte
    while start > 0 and file.source[start - 1 : start] in (b" ", b"\t"):
        start -= 1
    return _edit(file, start, suppression.end_byte, "")


def _edit(file: SourceFile | PythonFile, start: int, end: int, content: str) -> Edit:
    return Edit(file.filename, start, end, content, file.position(start), file.position(end))
