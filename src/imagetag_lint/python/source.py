"""A Python file's bytes with positions: what findings and edits point into (no libcst here)."""

from __future__ import annotations

import re
from bisect import bisect_right

from imagetag_lint.findings import Edit, Position, Span

_DEF = re.compile(rb"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)


def split_lines(text: str) -> list[str]:
    """The lines of a text, each with its end: split at "\n" only (`str.splitlines` also splits
    at form feeds, vertical tabs and other separators, which are no line ends to Python, to
    positions or to a diff)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


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

    def enclosing_function(self, offset: int) -> str:
        """The name of the `def` around a byte (by indentation; "" at module level): what a
        fingerprint keeps so that it survives code moving above the function."""
        line = bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        indent = len(self.source[start:offset]) - len(self.source[start:offset].lstrip(b" \t"))
        stack: list[tuple[int, str]] = []
        for match in _DEF.finditer(self.source, 0, start):
            depth = len(match.group(1))
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, match.group(2).decode()))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        return stack[-1][1] if stack else ""

    def top_level_starts(self) -> list[int]:
        """Byte offsets of the module's top-level statements (the regions fixes may not share)."""
        import ast  # only --fix asks

        try:
            body = ast.parse(self.source).body
        except (SyntaxError, ValueError):
            return []
        starts = []
        for node in body:
            first: ast.stmt | ast.expr = node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
                first = node.decorator_list[0]
            starts.append(self.line_starts[first.lineno - 1] + first.col_offset)
        return starts

