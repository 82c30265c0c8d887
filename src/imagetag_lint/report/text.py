"""Human output with rich: location, code, message, a code frame, related places, the steps.

rich is imported only here, and only when there is something to draw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from imagetag_lint.findings import Finding
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.rules import RuleSet

if TYPE_CHECKING:
    from rich.console import Console


def make_console(stream: IO[str], color: str) -> Console:
    import os

    from rich.console import Console

    no_color = color == "never" or (color == "auto" and bool(os.environ.get("NO_COLOR")))
    force = True if color == "always" else None
    return Console(
        file=stream,
        force_terminal=force,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        soft_wrap=True,
        width=10_000 if not stream.isatty() else None,
    )


def render_text(
    findings: list[Finding],
    rule_set: RuleSet,
    sources: dict[str, SourceFile],
    stream: IO[str],
    color: str,
    show_steps: bool = True,
) -> None:
    if not findings:
        return
    from rich.markup import escape

    console = make_console(stream, color)
    for finding in findings:
        rule = rule_set.rules[finding.code]
        where = f"{finding.filename}:{finding.span.start.row}:{finding.span.start.column}"
        severity = finding.severity or rule.severity
        label = "" if severity == "error" else f"[yellow]{severity}:[/] "  # errors are the default
        console.print(
            f"[bold]{escape(where)}[/]: [bold red]{finding.code}[/] "
            f"[dim]\\[{rule.name}][/] {label}{escape(finding.message)}"
        )
        frame = _frame(finding, sources.get(finding.filename))
        if frame:
            console.print(escape(frame), style="none")
        for related in finding.related:
            start = related.span.start
            console.print(
                f"  [cyan]related[/] {escape(related.span.filename)}:{start.row}:{start.column}: "
                f"{escape(related.message)}"
            )
        if show_steps and finding.steps:
            console.print("  [green]fix[/] in four steps:")
            for number, step in enumerate(finding.steps, 1):
                console.print(f"    {number}. {escape(step)}")
        console.print()


def _frame(finding: Finding, file: SourceFile | None) -> str:
    if file is None:
        return ""
    row = finding.span.start.row
    lines = file.source.split(b"\n", row)[row - 1 : row]
    if not lines:
        return ""
    line = lines[0].rstrip(b"\r").decode("utf-8", "replace").expandtabs(4)
    raw = file.source.split(b"\n", row)[row - 1].decode("utf-8", "replace")
    start = len(raw[: finding.span.start.column - 1].expandtabs(4))
    if finding.span.end.row == row:
        width = max(1, len(raw[: finding.span.end.column - 1].expandtabs(4)) - start)
    else:
        width = max(1, len(line) - start)
    gutter = f"{row:>5} | "
    return f"{gutter}{line}\n{' ' * (len(gutter) - 2)}| {' ' * start}{'^' * width}"


def summary_line(findings: list[Finding], errors: int, files: int, notes: Sequence[str] = ()) -> str:
    if findings:
        line = f"Found {len(findings)} {'finding' if len(findings) == 1 else 'findings'}"
    else:
        line = "All checks passed"
    line += f" in {files} file{'s' if files != 1 else ''}"
    if notes:  # what narrowed the report: a baseline, --new-from-rev
        line += f" ({'; '.join(notes)})"
    if errors:
        line += f"; {errors} file{'s' if errors != 1 else ''} could not be linted"
    return line + "."


def statistics(findings: list[Finding], rule_set: RuleSet) -> str:
    counts = Counter(f.code for f in findings)
    return "".join(
        f"{count:>5}  {code}  {rule_set.rules[code].name}\n" for code, count in sorted(counts.items())
    )
