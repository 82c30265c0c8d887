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


def insert_item(file: SourceFile, listing: Node, items: list[Node], position: int, content: str) -> Edit:
    """The edit that puts content into a parenthesized list (parameters, arguments) as its item
    number position, in the list's layout: on a line of its own, with a trailing comma, where the
    item before it stands on a line of its own too; else beside that item, after the comments
    that follow it (`ns /* the namespace */` describes ns, not what comes next)."""
    if not items:
        return insert(file, listing.start_byte + 1, content)
    if position == 0:
        opening = listing.children[0]
        if _breaks_after(listing, opening):
            return insert(file, _line_end(listing, opening), f"\n{line_indent(file, items[0].start_byte)}{content},")
        return insert(file, items[0].start_byte, f"{content}, ")
    previous = items[position - 1]
    comma = _comma_after(listing, previous)
    if comma is not None and _breaks_after(listing, comma) and _starts_line(listing, previous):
        anchor = items[position] if position < len(items) else previous
        return insert(file, _line_end(listing, comma), f"\n{line_indent(file, anchor.start_byte)}{content},")
    return insert(file, _end_with_comments(listing, previous), f", {content}")


def _siblings_after(listing: Node, node: Node) -> list[Node]:
    return listing.children[_index(listing, node) + 1 :]


def _starts_line(listing: Node, item: Node) -> bool:
    at = _index(listing, item)
    return at > 0 and listing.children[at - 1].end_point.row < item.start_point.row


def _index(listing: Node, node: Node) -> int:
    return next(i for i, child in enumerate(listing.children) if child.id == node.id)


def _comma_after(listing: Node, item: Node) -> Node | None:
    for sibling in _siblings_after(listing, item):
        if sibling.type != "comment":
            return sibling if sibling.type == "," else None
    return None


def _same_line_comments(listing: Node, node: Node) -> list[Node]:
    """The comments that follow node on its line (the last line of node)."""
    found = []
    for sibling in _siblings_after(listing, node):
        if sibling.type != "comment" or sibling.start_point.row != node.end_point.row:
            break
        found.append(sibling)
    return found


def _line_end(listing: Node, node: Node) -> int:
    """The end of node and of the comments after it on its line."""
    comments = _same_line_comments(listing, node)
    return comments[-1].end_byte if comments else node.end_byte


def _breaks_after(listing: Node, node: Node) -> bool:
    """Does the list go on to another line after node (and the comments beside it)?"""
    comments = _same_line_comments(listing, node)
    last = comments[-1] if comments else node
    rest = _siblings_after(listing, last)
    return bool(rest) and rest[0].start_point.row > last.end_point.row


def _end_with_comments(listing: Node, item: Node) -> int:
    """The end of item and of the block comments between it and its comma (or the list's end)."""
    end = item.end_byte
    for sibling in _siblings_after(listing, item):
        if sibling.type != "comment" or sibling.start_point.row != item.end_point.row or (sibling.text or b"").startswith(b"//"):
            break
        end = sibling.end_byte
    return end
