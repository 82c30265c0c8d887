"""What one lint is asked to do. Light on purpose: the command line builds it, and starts
reading files, before the parser and the analyses are imported."""

from __future__ import annotations

from imagetag_lint.files import MAX_FILE_BYTES
from imagetag_lint.record import record
from imagetag_lint.registry import ANALYSIS_CODES
from imagetag_lint.rules import RuleSet


@record(frozen=True)
class LintOptions:
    """The rules and limits of one lint."""

    rule_set: RuleSet
    select: frozenset[str] = frozenset(ANALYSIS_CODES)
    max_file_bytes: int = MAX_FILE_BYTES
