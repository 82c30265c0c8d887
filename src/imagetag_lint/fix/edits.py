"""Byte-range edits: building them with positions, and applying them from the end of a file."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from imagetag_lint.findings import Edit, Fix
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node


class OverlapError(ValueError):
    """Two edits of one fix touch the same bytes."""


def edit(file: SourceFile, start: int, end: int, content: str) -> Edit:
    if "\n" in content and file.crlf:
        content = content.replace("\r\n", "\n").replace("\n", "\r\n")
    return Edit(file.filename, start, end, content, file.position(start), file.position(end))


def replace(file: SourceFile, node: Node, content: str) -> Edit:
    return edit(file, node.start_byte, node.end_byte, content)


def insert(file: SourceFile, offset: int, content: str) -> Edit:
    return edit(file, offset, offset, content)


def line_indent(file: SourceFile, offset: int) -> str:
    start = file.source.rfind(b"\n", 0, offset) + 1
    end = start
    while end < len(file.source) and file.source[end] in b" \t":
        end += 1
    return file.source[start:end].decode()


def line_start(file: SourceFile, offset: int) -> int:
    return file.source.rfind(b"\n", 0, offset) + 1


def overlaps(first: Edit, second: Edit) -> bool:
    """Do two edits touch the same bytes (or insert at one place, where order would be a guess)?"""
    if first.filename != second.filename:
        return False
    a, b = (first.start_byte, first.end_byte), (second.start_byte, second.end_byte)
    if a[0] == a[1] and b[0] == b[1]:
        return a[0] == b[0]
    if a[0] == a[1]:
        return b[0] < a[0] < b[1]
    if b[0] == b[1]:
        return a[0] < b[0] < a[1]
    return a[0] < b[1] and b[0] < a[1]


def fixes_overlap(first: Fix, second: Fix) -> bool:
    return any(overlaps(a, b) for a in first.edits for b in second.edits)


def changes_nothing(fix: Fix, sources: Mapping[str, bytes]) -> bool:
    """Does every edit of the fix put back the very bytes it replaces? Such a fix is no fix:
    applying it would count a change that never happens, and the finding would stay."""
    for item in fix.edits:
        source = sources.get(item.filename)
        if source is None or source[item.start_byte : item.end_byte] != item.content.encode():
            return False
    return bool(fix.edits)


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping edits of one file, from the end so earlier offsets stay valid."""
    ordered = sorted(edits, key=lambda e: (e.start_byte, e.end_byte), reverse=True)
    for later, earlier in itertools.pairwise(ordered):
        if overlaps(later, earlier):
            raise OverlapError(f"edits overlap at byte {later.start_byte}")
    pieces = []
    position = len(source)
    for item in ordered:
        pieces.append(source[item.end_byte : position])
        pieces.append(item.content.encode())
        position = item.start_byte
    pieces.append(source[:position])
    return b"".join(reversed(pieces))
