"""Human output with rich: location, code, message, a code frame, related places, the steps.

rich is imported only here, and only when there is something to draw.
"""

from __future__ import annotations

from collections import Counter
from typing import IO, TYPE_CHECKING

from imagetag_lint.findings import Finding
from imagetag_lint.report.summary import marker
from imagetag_lint.rules import RuleSet

if TYPE_CHECKING:
    from rich.console import Console

    from imagetag_lint.linted import LintedFile


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
    sources: dict[str, LintedFile],
    stream: IO[str],
    color: str,
    show_steps: bool = True,
) -> None:
    if not findings:
        return
    from rich.markup import escape

    console = make_console(stream, color)
    width = frame_width(stream, console.width)
    for finding in findings:
        rule = rule_set.rules[finding.code]
        where = f"{finding.filename}:{finding.span.start.row}:{finding.span.start.column}"
        severity = finding.severity or rule.severity
        label = "" if severity == "error" else f"[yellow]{severity}:[/] "  # errors are the default
        console.print(
            f"[bold]{escape(where)}[/]: [bold red]{finding.code}[/] [bold]{escape(marker(finding))}[/] "
            f"[dim]\\[{rule.name}][/] {label}{escape(finding.message)}"
        )
        frame = _frame(finding, sources.get(finding.filename), width)
        if frame:
            console.print(escape(frame), style="none")
        for related in finding.related:
            start = related.span.start
            console.print(
                f"  [cyan]related[/] {escape(related.span.filename)}:{start.row}:{start.column}: "
                f"{escape(related.message)}"
            )
        if finding.fix is not None and finding.fix.message:  # why a fix is by hand or unsafe, as ruff's help line
            console.print(f"  [magenta]help[/]: {escape(help_line(finding.message, finding.fix.message))}")
        if show_steps and finding.steps:
            console.print("  [green]fix[/] in four steps:")
            for number, step in enumerate(finding.steps, 1):
                console.print(f"    {number}. {escape(step)}")
        console.print()


def help_line(message: str, fix_message: str) -> str:
    """The fix's message without a leading reason the finding's message already gives (a
    by-hand fix often says why it is by hand in the words of the message above it)."""
    reason, separator, rest = fix_message.partition("; ")
    return rest if separator and rest and reason in message else fix_message


# A pipe or a file keeps lines of code whole up to this width; a longer line (minified or
# generated code) is cut around the caret, so the output stays linear in the input however
# many findings share the line.
PIPE_WIDTH = 1000


def frame_width(stream: IO[str], console_width: int) -> int:
    """How wide a code frame may be: the terminal's width, COLUMNS when it is set, or PIPE_WIDTH."""
    import os

    if stream.isatty():
        return console_width
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        return PIPE_WIDTH


def _frame(finding: Finding, file: LintedFile | None, width: int | None = None) -> str:
    if file is None:
        return ""
    span, row = finding.span, finding.span.start.row
    starts = file.line_starts  # found once per file: splitting the file per finding was quadratic
    if not 0 < row <= len(starts) or not starts[row - 1] <= span.start_byte <= len(file.source):
        return ""
    begin, end = starts[row - 1], starts[row] - 1 if row < len(starts) else len(file.source)
    stop = min(span.end_byte, end)
    if width is not None:  # only bytes near the span can be shown: a long line costs no more
        begin = max(begin, span.start_byte - 4 * width)
        end = min(end, max(stop, span.start_byte + 4 * width) + 4 * width)
        stop = min(stop, end)
    raw = file.source[begin:end].rstrip(b"\r").decode("utf-8", "replace")
    line = raw.expandtabs(4)
    first = len(file.source[begin : span.start_byte].decode("utf-8", "replace"))
    last = len(file.source[begin:stop].decode("utf-8", "replace")) if span.end.row == row else len(raw)
    start = len(raw[:first].expandtabs(4))
    carets = max(1, len(raw[:last].expandtabs(4)) - start)
    gutter = f"{row:>5} | "
    if width is not None:
        line, start, carets = cut_around(line, start, carets, max(width - len(gutter), 20))
        if begin > starts[row - 1] and not line.startswith("…"):
            line = "…" + line[1:]
    return f"{gutter}{line}\n{' ' * (len(gutter) - 2)}| {' ' * start}{'^' * carets}"


def cut_around(line: str, start: int, carets: int, room: int) -> tuple[str, int, int]:
    """A window of line at most room characters wide that shows the caret span (from its start
    when the span is wider), with `…` where the line was cut; and the span moved into it."""
    if len(line) <= room:
        return line, start, carets
    # the span in the middle of the window; a span wider than it starts a little way in
    left = max(0, start - max((room - carets) // 2, min(10, room // 4)))
    left = min(left, len(line) - room)
    window = line[left : left + room]
    if left > 0:
        window = "…" + window[1:]
    if left + room < len(line):
        window = window[:-1] + "…"
    start -= left
    return window, start, max(1, min(carets, room - start))


def statistics(findings: list[Finding], rule_set: RuleSet) -> str:
    counts = Counter(f.code for f in findings)
    return "".join(
        f"{count:>5}  {code}  {rule_set.rules[code].name}\n" for code, count in sorted(counts.items())
    )
