"""What the analysis hands to reporters and fixers: plain, frozen records."""

from __future__ import annotations

from imagetag_lint.enums import Applicability, Severity
from imagetag_lint.record import field, record

__all__ = ["Applicability", "Edit", "Finding", "Fix", "Position", "Related", "Span"]


@record(frozen=True, order=True)
class Position:
    """A place in a file: 1-based row and column (in characters)."""

    row: int  # 1-based
    column: int  # 1-based, in characters


@record(frozen=True)
class Span:
    """A byte range of a file with its start and end positions."""

    filename: str
    start_byte: int
    end_byte: int
    start: Position
    end: Position


@record(frozen=True)
class Related:
    """A secondary location of a finding, with what it shows."""

    span: Span
    message: str


@record(frozen=True)
class Edit:
    """Replace a byte range of a file with new text."""

    filename: str
    start_byte: int
    end_byte: int
    content: str
    start: Position
    end: Position


@record(frozen=True)
class Fix:
    """The edits that fix one finding, and how safe they are to apply."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...] = ()


@record(frozen=True)
class Finding:
    """One reported problem: rule code, message, where, the steps to fix it, and its fix."""

    code: str
    message: str
    span: Span
    steps: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    flow: tuple[Related, ...] = field(default=(), compare=False)
    fingerprint: str = field(default="", compare=False)  # set by fingerprint.with_fingerprints
    severity: Severity | None = field(default=None, compare=False)  # None: the rule's severity

    @property
    def filename(self) -> str:
        return self.span.filename

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.filename, self.span.start.row, self.span.start.column, self.code)
