"""Where the findings of the text as read stand after a round of fixes.

The rounds of `--fix` re-lint the fixed text, and a fix may lead to a finding of its own (a
helper's other caller handed the fixed text it deployed before). Counting the fixes applied in
later rounds as fixes of what the run found would overstate it, so the start of each finding
of the text as read is carried through every round's edits: a later finding that starts where
one of them now stands, with its code, is that finding; any other is one the fixes led to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from imagetag_lint.python.source import split_lines

Key = tuple[str, int, int, str]  # (filename, row, column, code); row and column 1-based, in characters


def carried(keys: Iterable[Key], changes: dict[str, tuple[bytes, bytes]]) -> set[Key]:
    """The keys moved from the texts before a round to the texts after it (changes: by filename,
    both texts); a key whose start the round rewrote is dropped."""
    by_file: dict[str, list[Key]] = {}
    kept: set[Key] = set()
    for key in keys:
        if key[0] in changes:
            by_file.setdefault(key[0], []).append(key)
        else:
            kept.add(key)
    for filename, moving in by_file.items():
        before, after = (split_lines(text.decode("utf-8", "replace")) for text in changes[filename])
        lines = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
        for name, row, column, code in moving:
            moved = _moved(before, after, lines, row - 1, column - 1)
            if moved is not None:
                kept.add((name, moved[0] + 1, moved[1] + 1, code))
    return kept


def _moved(
    before: list[str], after: list[str], lines: Sequence[tuple[str, int, int, int, int]], row: int, column: int
) -> tuple[int, int] | None:
    """(row, column), 0-based, of a place before the round in the text after it."""
    for tag, i1, i2, j1, j2 in lines:
        if not i1 <= row < i2:
            continue
        if tag == "equal":
            return j1 + row - i1, column
        if tag != "replace":
            return None  # its line was deleted
        old, new = "".join(before[i1:i2]), "".join(after[j1:j2])
        offset = sum(len(line) for line in before[i1:row]) + column
        for a, b, size in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
            if a <= offset < a + size:
                return _row_column(after[j1:j2], b + offset - a, j1)
        return None
    return None


def _row_column(lines: list[str], offset: int, first: int) -> tuple[int, int]:
    for number, line in enumerate(lines):
        if offset < len(line):
            return first + number, offset
        offset -= len(line)
    return first + len(lines) - 1, len(lines[-1]) + offset
