"""A Python file's bytes with positions: what findings and edits point into (no libcst here)."""

from __future__ import annotations

from bisect import bisect_right

from imagetag_lint.findings import Edit, Position, Span


class PythonFile:
    """One Python file: display name, bytes, and the byte offset of every line start."""

    def __init__(self, filename: str, source: bytes) -> None:
        self.filename = filename
        self.source = source
        self.line_starts = [0]
        offset = source.find(b"\n")
        while offset != -1:
            self.line_starts.append(offset + 1)
            offset = source.find(b"\n", offset + 1)

    def position(self, offset: int) -> Position:
        line = bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        column = len(self.source[start:offset].decode("utf-8", "replace"))
        return Position(line + 1, column + 1)

    def span(self, start: int, end: int) -> Span:
        return Span(self.filename, start, end, self.position(start), self.position(end))

    def span_bytes(self, start: int, end: int) -> Span:
        return self.span(start, end)

    def edit(self, start: int, end: int, content: str) -> Edit:
        return Edit(self.filename, start, end, content, self.position(start), self.position(end))
