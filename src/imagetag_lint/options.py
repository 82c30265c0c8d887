"""What one lint is asked to do. Light on purpose: the command line builds it, and starts
reading files, before the parser and the analyses are imported."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from imagetag_lint.config import Config
from imagetag_lint.errors import InputError
from imagetag_lint.files import (
    MAX_FILE_BYTES,
    Discovered,
    Scan,
    any_python,
    start_scan,
)
from imagetag_lint.parallel import Pending
from imagetag_lint.record import field, record
from imagetag_lint.registry import ANALYSIS_CODES
from imagetag_lint.rules import RuleSet

if TYPE_CHECKING:
    from imagetag_lint.lint_result import LintResult


@record(frozen=True)
class LintOptions:
    """The rules and limits of one lint."""

    rule_set: RuleSet
    select: frozenset[str] = frozenset(ANALYSIS_CODES)
    max_file_bytes: int = MAX_FILE_BYTES


@record(frozen=True)
class Inputs:
    """What a run lints: the files found (and what could not be walked), or one stdin buffer."""

    discovered: Sequence[Discovered] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # from the walk, reported first
    stdin: bytes | None = None
    stdin_name: str = "-"  # siblings of a named file resolve names from disk


@record(frozen=True)
class Gate:
    """What the analyses' findings pass through: suppressions, per-file ignores, a baseline and
    --new-from-rev."""

    config: Config
    selected: frozenset[str]  # every selected code, the suppression codes too
    baseline: Path | None = None
    new_from_rev: str | None = None
    narrow: bool = True  # False when writing a baseline: it records every finding


@record(frozen=True)
class LintRun:
    """One run's request: `lint(overlay)` lints the inputs through an overlay of fixed texts
    (absolute path -> bytes); the fix rounds call it again after each round of edits."""

    options: LintOptions
    inputs: Inputs
    gate: Gate
    cwd: Path

    def lint(self, overlay: dict[str, bytes], pending: Pending[Scan] | None = None) -> LintResult:
        """pending: the prefilter's verdicts on the Go inputs, when the caller has them already."""
        if pending is None and self.inputs.stdin is None:  # read in forked processes while the parser loads
            discovered = self.inputs.discovered
            go = [d for d in discovered if not d.path.endswith(".py")] if any_python(discovered) else discovered  # python/ reads its own
            pending = start_scan(go, self.options.rule_set.flow, self.options.max_file_bytes, overlay)
        try:
            from imagetag_lint.lint import lint_run

            return lint_run(self, overlay, pending)
        finally:
            if pending is not None:
                pending.close()  # stops the readers if anything went wrong before they were heard

