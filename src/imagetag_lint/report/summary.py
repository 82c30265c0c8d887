"""The words at the end of the text report: what was found, what `--fix` can do, what it did.

Everything here takes plain counts, so that the summary says exactly what happened: files *with*
findings (not files linted), fixes that were written (not merely planned), and never "All checks
passed" for a run that exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from imagetag_lint.findings import Finding
from imagetag_lint.record import field, record

# the marker a finding carries in the text report, by its fix's applicability (as ruff's `[*]`)
MARKERS = {"safe": "[*]", "unsafe": "[unsafe]", "display-only": "[by hand]"}


def marker(finding: Finding) -> str:
    """`[*]` fixed by --fix, `[unsafe]` needs --unsafe-fixes, `[by hand]` no edit is offered."""
    return MARKERS[finding.fix.applicability if finding.fix is not None else "display-only"]


@record(frozen=True)
class Fixable:
    """How the findings left can be fixed."""

    safe: int = 0  # by --fix
    unsafe: int = 0  # by --fix --unsafe-fixes
    by_hand: int = 0  # display-only fixes and findings without a fix
    refused: int = 0  # fixes this --fix run rolled back (a file it must edit is not linted, ...)


def fixable(findings: Iterable[Finding], refused: Iterable[Finding] = ()) -> Fixable:
    """The counts by applicability; a fix --fix has just rolled back is counted apart: running
    --fix again would not apply it either."""
    counts = {"safe": 0, "unsafe": 0, "display-only": 0}
    not_applied = {id(f) for f in refused}
    for finding in findings:
        if id(finding) not in not_applied:
            counts[finding.fix.applicability if finding.fix is not None else "display-only"] += 1
    return Fixable(counts["safe"], counts["unsafe"], counts["display-only"], len(not_applied))


@record(frozen=True)
class NotWritten:
    """A file `--fix` changed in memory but could not write, and why."""

    filename: str
    reason: str
    # the findings whose fix needed this file and no file listed before it (a fix that spans
    # several files is counted once), as planned in the fixed text
    findings: tuple[Finding, ...]


@record(frozen=True)
class Summary:
    """Plain counts of one run, for the last lines of the text report."""

    findings: int = 0  # left to report, as the files are on disk
    files_with_findings: int = 0
    files_linted: int = 0
    fixable: Fixable = field(default_factory=Fixable)
    errors: int = 0  # files that could not be linted
    unread_paths: int = 0  # paths that are no file to lint: a directory that cannot be read, a missing path
    notes: Sequence[str] = ()  # what narrowed the report: a baseline, --new-from-rev
    fixed: int = 0  # findings whose fix was written
    fixed_files: int = 0
    fixed_led_to: int = 0  # findings the fixes led to (not in the text as read) whose fix was written too
    not_written: Sequence[NotWritten] = ()
    not_analysed: int = 0  # files read but not parsed at all (a Python file that is not valid Python)


def summarize(
    findings: Sequence[Finding],
    files_linted: int,
    errors: int = 0,
    notes: Sequence[str] = (),
    fixed: Sequence[Finding] = (),
    not_written: Sequence[NotWritten] = (),
    refused: Sequence[Finding] = (),
    not_analysed: int = 0,
    led_to: Sequence[Finding] = (),
    unread_paths: int = 0,
) -> Summary:
    """The counts of a run; with --fix, findings are those on disk after the writes (a fix not
    written leaves its finding among them), fixed the findings whose fixes were written, refused
    those left whose fixes were rolled back, and led_to the findings among those applied that
    earlier fixes led to: they are no findings of the text as read, and are counted apart."""
    later = {id(f) for f in led_to}
    shown = {id(f) for f in findings}
    return Summary(
        findings=len(findings),
        files_with_findings=len({f.filename for f in findings}),
        files_linted=files_linted,
        fixable=fixable(findings, [f for f in refused if id(f) in shown]),
        errors=errors,
        unread_paths=unread_paths,
        notes=tuple(notes),
        fixed=sum(id(f) not in later for f in fixed),
        fixed_led_to=sum(id(f) in later for f in fixed),
        fixed_files=len({e.filename for f in fixed if f.fix is not None for e in f.fix.edits}),
        not_written=tuple(not_written),
        not_analysed=not_analysed,
    )


def summary_lines(summary: Summary) -> list[str]:
    lines = []
    if summary.fixed or summary.fixed_led_to:
        more = f", and {_count(summary.fixed_led_to, 'finding')} that those fixes led to" if summary.fixed_led_to else ""
        lines.append(f"Fixed {_count(summary.fixed, 'finding')} in {_count(summary.fixed_files, 'file')}{more}.")
    counted = False
    for skipped in summary.not_written:
        fixes = _count(len(skipped.findings), "fix", "fixes")
        more = _count(len(skipped.findings), "more fix", "more fixes")
        lost = "" if not skipped.findings else f"; {more} did not happen" if counted else f"; its {fixes} did not happen"
        lines.append(f"Not written: {skipped.filename} ({skipped.reason}){lost}.")
        counted = counted or bool(skipped.findings)
    lines.append(_outcome(summary))
    hint = fix_hint(summary.fixable)
    if hint:
        lines.append(hint)
    return lines


def fix_hint(counts: Fixable) -> str:
    """`N fixable with --fix (M more with --unsafe-fixes); K to fix by hand.`, or "" for none."""
    parts = []
    if counts.safe:
        more = f" ({counts.unsafe} more with --unsafe-fixes)" if counts.unsafe else ""
        parts.append(f"[*] {counts.safe} fixable with --fix{more}")
    elif counts.unsafe:
        parts.append(f"{counts.unsafe} fixable with --fix --unsafe-fixes")
    if counts.refused:
        fixes = "fix" if counts.refused == 1 else "fixes"
        parts.append(f"{counts.refused} {fixes} refused by --fix (see the {'warning' if counts.refused == 1 else 'warnings'} above)")
    if counts.by_hand:
        parts.append(f"{counts.by_hand} to fix by hand")
    return "; ".join(parts) + "." if parts else ""


def _outcome(summary: Summary) -> str:
    linted = _count(summary.files_linted, "file")
    details = list(summary.notes)
    if summary.findings:
        line = f"Found {_count(summary.findings, 'finding')} in {_count(summary.files_with_findings, 'file')}"
        details.insert(0, f"{summary.files_linted} linted")
    elif summary.errors or summary.unread_paths or summary.fixed or summary.not_analysed:  # the run may still exit non-zero (--exit-non-zero-on-fix)
        line = f"No findings {'left ' if summary.fixed else ''}in {linted}"
    else:
        line = f"All checks passed in {linted}"
    if details:
        line += f" ({'; '.join(details)})"
    if summary.not_analysed:
        line += f"; {_count(summary.not_analysed, 'file')} not analysed"
    if summary.errors:
        line += f"; {_count(summary.errors, 'file')} could not be linted"
    if summary.unread_paths:
        line += f"; {_count(summary.unread_paths, 'path')} could not be read"
    return line + "."


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def written(applied: Sequence[Finding], failures: Sequence[tuple[str, str]]) -> tuple[list[Finding], list[NotWritten]]:
    """Split the fixes --fix applied into those written and, per file not written (its name and
    why), the fixes that needed it and no file before it: each fix is counted once."""
    reasons = dict(failures)

    def files(finding: Finding) -> set[str]:
        return {e.filename for e in finding.fix.edits} if finding.fix is not None else {finding.filename}

    fixed = [f for f in applied if not files(f) & reasons.keys()]
    counted: set[int] = set()
    not_written = []
    for name, reason in reasons.items():
        needed = tuple(f for f in applied if name in files(f) and id(f) not in counted)
        counted.update(id(f) for f in needed)
        not_written.append(NotWritten(name, reason, needed))
    return fixed, not_written
