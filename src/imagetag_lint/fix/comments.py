"""Trailing comments after a fix, aligned as gofmt aligns them.

gofmt lines up the trailing comments of consecutive lines at one column: one space after the
longest code of the block, where a block is a run of lines of one indentation that each end in a
comment (a line without one, a blank line or another indentation ends it). An edit that makes a
line of such a block longer or shorter (`_, err := Build()` becoming `img, err := Build()`)
leaves the comments where gofmt would not; the block is aligned again, so the fixed file stays
gofmt-clean. Only blocks that hold a changed line are touched.
"""

from __future__ import annotations

import difflib

from imagetag_lint.golang.parser import Node


def realign_trailing_comments(before: bytes, after: bytes, root: Node) -> bytes:
    """after with the comment blocks that hold a line the edits changed aligned again."""
    old_lines = before.split(b"\n")
    lines = after.split(b"\n")
    changed: set[int] = set()
    for op, _, _, start, end in difflib.SequenceMatcher(None, old_lines, lines, autojunk=False).get_opcodes():
        if op != "equal":
            changed.update(range(start, end) if end > start else (start,))  # a deletion: the line after it
    if not changed:
        return after
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    # a changed line without a comment may split a block or join two: the blocks beside it too
    nearby = _around(changed, len(lines))
    comments = {row: _trailing_comment(lines[row], offsets[row], root) for row in nearby}
    done: set[int] = set()
    for row in sorted(nearby):
        if row in done or comments.get(row) is None:
            continue
        block = _block(row, lines, comments, offsets, root)
        done.update(block)
        _align(block, lines, comments)
    return b"\n".join(lines)


def _around(rows: set[int], count: int) -> set[int]:
    return {r for row in rows for r in (row - 1, row, row + 1) if 0 <= r < count}


def _block(row: int, lines: list[bytes], comments: dict[int, int | None], offsets: list[int], root: Node) -> list[int]:
    """The rows of the comment block around row: same indentation, each with a trailing comment.
    gofmt does not line up the comments of a parameter list: each stands alone."""
    indent = _indent(lines[row])
    block = [row]
    if _in_parameter_list(row, comments, offsets, root):
        return block
    for step in (-1, 1):
        current = row + step
        while 0 <= current < len(lines):
            if current not in comments:
                comments[current] = _trailing_comment(lines[current], offsets[current], root)
            if comments[current] is None or _indent(lines[current]) != indent or _in_parameter_list(current, comments, offsets, root):
                break
            block.append(current)
            current += step
    return sorted(block)


def _in_parameter_list(row: int, comments: dict[int, int | None], offsets: list[int], root: Node) -> bool:
    at = comments[row]
    assert at is not None
    node = root.descendant_for_byte_range(offsets[row] + at, offsets[row] + at + 2)
    return node is not None and node.parent is not None and node.parent.type == "parameter_list"


def _align(block: list[int], lines: list[bytes], comments: dict[int, int | None]) -> None:
    codes = {}
    for row in block:
        at = comments[row]
        assert at is not None
        codes[row] = lines[row][:at].rstrip(b" \t")
    indent = len(_indent(lines[block[0]]))
    width = max(len(codes[row][indent:].decode("utf-8", "replace")) for row in block)
    for row in block:
        at = comments[row]
        assert at is not None
        code = codes[row]
        pad = width - len(code[indent:].decode("utf-8", "replace")) + 1
        lines[row] = code + b" " * pad + lines[row][at:]


def _indent(line: bytes) -> bytes:
    return line[: len(line) - len(line.lstrip(b"\t"))]


def _trailing_comment(line: bytes, offset: int, root: Node) -> int | None:
    """Where the line's trailing comment starts (in the line), if it ends in one after code."""
    position = line.find(b"/")
    while position != -1:
        if line[position + 1 : position + 2] in (b"/", b"*"):
            node = root.descendant_for_byte_range(offset + position, offset + position + 2)
            if node is not None and node.type == "comment" and node.start_byte == offset + position:
                if node.end_byte != offset + len(line) or not line[:position].strip():
                    return None  # a comment alone on its line, or code after it
                return position
        position = line.find(b"/", position + 1)
    return None
