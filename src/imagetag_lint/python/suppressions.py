"""Suppression comments in Python, read from real comments (the tokenizer's, not raw text):

    # imagetaglint: ignore[IMG001] reason              on the finding's line, or alone above it
    # imagetaglint: file-ignore[IMG002] reason         before the first statement: the whole file
"""

from __future__ import annotations

import io
import re
import tokenize

from imagetag_lint.python.source import PythonFile

PREFIX = b"imagetaglint:"
_DIRECTIVE = re.compile(r"#\s*imagetaglint:\s*(?P<kind>[\w-]*)(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)", re.DOTALL)
_CODE = re.compile(r"[^\s,]+")


class Comment:
    """One `# imagetaglint:` comment: where it is, what it says, and what it covers."""

    def __init__(self, start: int, end: int, text: str, row: int, standalone: bool, before_code: bool) -> None:
        self.start, self.end, self.text = start, end, text
        self.row = row
        self.standalone = standalone  # alone on its line: it covers the next line
        self.before_code = before_code  # above the first statement (where file-ignore belongs)


def directive_comments(file: PythonFile) -> list[Comment]:
    if PREFIX not in file.source:
        return []
    found = []
    seen_code = False
    code_rows: set[int] = set()
    try:
        for token in tokenize.tokenize(io.BytesIO(file.source).readline):
            if token.type == tokenize.COMMENT and _DIRECTIVE.match(token.string):
                row, column = token.start
                line_start = file.line_starts[row - 1]
                start = line_start + len(token.line[:column].encode())
                standalone = not token.line[:column].strip()
                text = token.string.rstrip("\r")
                found.append(Comment(start, start + len(text.encode()), text, row, standalone, not seen_code))
            elif token.type not in _NOT_CODE:
                seen_code = True
                code_rows.add(token.start[0])
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        pass  # the lint reports the file as not valid Python; what was read still counts
    return found


_NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.INDENT,
             tokenize.DEDENT, tokenize.ENDMARKER}


def parse_directive(text: str) -> tuple[str, list[tuple[str, int, int]], str | None] | None:
    """(kind, [(code, start, end) in characters of the text], reason or None)."""
    match = _DIRECTIVE.match(text)
    if match is None:
        return None
    codes = []
    if match.group("codes") is not None:
        base = match.start("codes")
        codes = [(m.group(), base + m.start(), base + m.end()) for m in _CODE.finditer(match.group("codes"))]
    reason = match.group("reason").strip()
    return match.group("kind"), codes, reason or None


def render(kind: str, codes: list[str]) -> str:
    return f"# imagetaglint: {kind}[{', '.join(codes)}]" if codes else f"# imagetaglint: {kind}"
