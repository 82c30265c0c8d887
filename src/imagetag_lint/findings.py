"""What the analysis hands to reporters and fixers: plain, frozen records."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    row: int  # 1-based
    column: int  # 1-based, in characters


@dataclass(frozen=True)
class Span:
    filename: str
    start_byte: int
    end_byte: int
    start: Position
    end: Position


@dataclass(frozen=True)
class Related:
    span: Span
    message: str


@dataclass(frozen=True)
class Edit:
    filename: str
    start_byte: int
    end_byte: int
    content: str
    start: Position
    end: Position


@dataclass(frozen=True)
class Fix:
    applicability: str  # "safe", "unsafe" or "display-only"
    message: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: Span
    steps: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    flow: tuple[Related, ...] = field(default=(), compare=False)
    fingerprint: str = field(default="", compare=False)  # set by fingerprint.with_fingerprints

    @property
    def filename(self) -> str:
        return self.span.filename

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.filename, self.span.start.row, self.span.start.column, self.code)
