"""What one lint found, as the reports and the fixer read it. Light on purpose: a run answered
from the cache builds one without importing the parser or the analyses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from imagetag_lint.errors import InputError
from imagetag_lint.findings import Finding
from imagetag_lint.record import field, record

if TYPE_CHECKING:
    from imagetag_lint.linted import LintedFile


# how a warning about a file that could not be parsed at all ends: the summary counts those files
NOT_ANALYSED = "; not analysed"


@record
class LintResult:
    """What one lint found: findings, input errors and warnings, and the parsed files."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_checked: int = 0
    # parsed files by display name: the reported ones, and those parsed only for their suppressions
    sources: dict[str, LintedFile] = field(default_factory=dict)
    # files not parsed that hold a suppression comment: display name -> (path, source)
    directive_sources: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    paths: Mapping[str, str] = field(default_factory=dict)  # every file linted: display name -> absolute path
    notes: list[str] = field(default_factory=list)  # for the summary: what the baseline or a diff left out
    clean_consulted: bool = False  # see Linter.clean_consulted

    def not_analysed(self) -> int:
        """Files that were read but not analysed (a Python file that does not parse): counted
        from the warnings, which the cache keeps."""
        return sum(1 for warning in self.warnings if warning.endswith(NOT_ANALYSED))
