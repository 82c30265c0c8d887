"""One entry point per output format, so the command line only picks one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from imagetag_lint.errors import InputError
from imagetag_lint.findings import Finding
from imagetag_lint.report.summary import Summary, summary_lines
from imagetag_lint.rules import RuleSet

if TYPE_CHECKING:
    from imagetag_lint.linted import LintedFile

FORMATS = ("text", "json", "json-lines", "sarif", "github")


def render(
    output_format: str, findings: list[Finding], rule_set: RuleSet, errors: Sequence[InputError], cwd: Path
) -> str | None:
    """The report in a machine format, or None for text (drawn by write_text)."""
    if output_format == "json":
        from imagetag_lint.report.json_report import render_json

        return render_json(findings, rule_set)
    if output_format == "json-lines":
        from imagetag_lint.report.json_report import render_json_lines

        return render_json_lines(findings, rule_set)
    if output_format == "sarif":
        from imagetag_lint.report.sarif import render_sarif

        return render_sarif(findings, rule_set, errors, cwd)
    if output_format == "github":
        from imagetag_lint.report.github import render_github

        return render_github(findings, rule_set)
    return None


def write_text(
    out: IO[str],
    findings: list[Finding],
    rule_set: RuleSet,
    sources: Mapping[str, LintedFile],
    *,
    color: str,
    summary: Summary,
    statistics: bool = False,
    quiet: bool = False,
) -> None:
    """The findings and the summary; with statistics, only the count of findings per rule."""
    from imagetag_lint.report import text

    if statistics:
        out.write(text.statistics(findings, rule_set))
        return
    text.render_text(findings, rule_set, dict(sources), out, color)
    if not quiet:
        out.write("".join(line + "\n" for line in summary_lines(summary)))
