"""Whose pull policy a YAML `imagePullPolicy:` line is: the container's (the mapping) that holds it.

`imagePullPolicy: Never` says that one container's image is loaded into the cluster; another
container of the manifest (an init container, a sidecar, one that says `IfNotPresent`, a Job in
the next document) is pulled as usual. Both front-ends read manifests this way, as text whose
lines end with real line breaks: Go's interpreted strings have their `\\n` escapes turned into
them first (`engine/manifests.py`), and a raw string's or a decoded Python string's two
characters `\\n` are text (`args: ["hello\\nworld"]`).
"""

from __future__ import annotations

import re

from imagetag_lint.record import record

# a line ends with a newline, or with the two characters \n of an interpreted Go string
_LINE_END = re.compile(rb"\r?\n")
_DOCUMENT_BREAK = re.compile(rb"(?:---|\.\.\.)(?:[ \t].*)?")
_PULL_NEVER = re.compile(rb"""imagePullPolicy:[ \t]*(["']?)Never\1[ \t]*(?:#.*)?""")


@record(frozen=True)
class _Line:
    start: int  # byte range of the line in the text
    end: int
    indent: int  # the column of its first character
    key: int  # the column of its mapping key: after a list item's `- `
    item: bool  # the line opens a list item (`- name: api`)
    blank: bool  # empty or a comment: no part of any mapping's shape


def yaml_pull_never(text: bytes, key: int) -> bool:
    """Does the mapping that holds the `image:` key at offset `key` of the manifest text say
    `imagePullPolicy: Never` beside it? Only the keys of that mapping (the container, the list
    item) count, never those of another container or another document."""
    lines = _lines(text)
    at = next((i for i, line in enumerate(lines) if line.start <= key < max(line.end, line.start + 1)), None)
    if at is None:
        return False
    return any(_PULL_NEVER.fullmatch(text, line.start + line.key, line.end) for line in _siblings(text, lines, at))


def _siblings(text: bytes, lines: list[_Line], at: int) -> list[_Line]:
    """The lines of the keys of the mapping that holds line `at` (itself included)."""
    image = lines[at]
    column = image.key
    found = [image]
    if not (image.item and image.indent < column):  # the item opens above: walk up to it
        for line in reversed(lines[:at]):
            if line.blank or _nested(line, column):
                continue
            if _DOCUMENT_BREAK.fullmatch(text, line.start, line.end) is not None or line.key != column:
                break
            found.append(line)
            if line.item:
                break
    for line in lines[at + 1 :]:
        if line.blank or _nested(line, column):
            continue
        if line.item or line.key != column or _DOCUMENT_BREAK.fullmatch(text, line.start, line.end) is not None:
            break
        found.append(line)
    return found


def _nested(line: _Line, column: int) -> bool:
    """Is the line inside the value of one of the mapping's keys (deeper, or a list at the key's
    own column, as `ports:` followed by `- containerPort: 80` may be written)?"""
    return line.key > column or (line.item and line.indent >= column)


def _lines(text: bytes) -> list[_Line]:
    lines = []
    start = 0
    for end in [m.start() for m in _LINE_END.finditer(text)] + [len(text)]:
        lines.append(_line(text, start, end))
        match = _LINE_END.match(text, end)
        start = match.end() if match is not None else end
    return lines


def _line(text: bytes, start: int, end: int) -> _Line:
    position = start
    while position < end and text[position] in b" \t":
        position += 1
    indent = position - start
    item = False
    while position < end and text[position] == 0x2D and (position + 1 == end or text[position + 1] in b" \t"):
        item = True  # `- ` (also `- - `): the key starts after it
        position += 1
        while position < end and text[position] in b" \t":
            position += 1
    blank = (position == end and not item) or text[position : position + 1] == b"#"
    return _Line(start, end, indent, position - start, item, blank)
