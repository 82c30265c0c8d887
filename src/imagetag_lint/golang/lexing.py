"""Go lexing on bytes, without a parse: whole words, import headers, manifest `image:` keys,
constant declarations and comment lines.

The prefilter runs these on every file before any tree exists, and the analyses use them to find
the few places worth asking the tree about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# bytes that continue a Go identifier (every byte of a multi-byte UTF-8 letter counts)
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") | frozenset(range(0x80, 0x100))


def import_header(source: bytes) -> bytes:
    """The import declarations of a Go file, cut out without parsing (b"" when it has none).

    They follow the package clause, before any other declaration; comment lines between them
    are skipped.
    """
    start = source.find(b"\nimport")
    while start != -1 and _in_block_comment(source, start):  # a doc comment that says "import"
        start = source.find(b"\nimport", start + 7)
    if start == -1:
        return b""
    size = len(source)
    position = end = start + 1
    while position < size:
        if source.startswith(b"import", position):
            after = position + 6
            while after < size and source[after] in b" \t":
                after += 1
            if source.startswith(b"(", after):
                close = source.find(b"\n)", after)  # gofmt puts the parenthesis on its own line
                close = source.find(b")", after) if close == -1 else close + 1
                end = size if close == -1 else close + 1
            else:
                line = source.find(b"\n", after)
                end = size if line == -1 else line
            position = end
        elif source.startswith(b"//", position):
            line = source.find(b"\n", position)
            position = size if line == -1 else line
        elif source.startswith(b"/*", position):
            close = source.find(b"*/", position + 2)
            position = size if close == -1 else close + 2
        else:
            break
        while position < size and source[position] in b" \t\r\n":
            position += 1
    return source[start + 1 : end]


_QUOTED_PATH = re.compile(rb'"([^"\s]+)"|`([^`\s]+)`')


def quoted_imports(source: bytes) -> bytes:
    """The quoted strings of a Go file's import header, one after another (`"io" "example.com/m/x"`,
    b"" when it has none): all that a lint asks of a file it does not parse (does it import
    "path"?), without the header's keywords, comments and layout. A raw string (`` `io` ``) is
    given in double quotes, as every reader of the header looks for it."""
    return b" ".join(b'"%s"' % (double or raw) for double, raw in _QUOTED_PATH.findall(import_header(source)))


def imports_path(source: bytes, import_path: str) -> bool:
    """Does the import header of a Go file import import_path, in either kind of quotes?"""
    return b'"%s"' % import_path.encode() in quoted_imports(source)


def on_comment_line(source: bytes, position: int) -> bool:
    line = source.rfind(b"\n", 0, position) + 1
    return source[line:position].lstrip(b" \t").startswith(b"//")


def yaml_image_keys(source: bytes) -> Iterator[int]:
    """Offsets of each `image:` key at the start of a line of a manifest held in a string.

    The line starts the source, or follows a newline, the two characters \\n, a quote or a
    backquote; `- image:` counts too; Go comment lines do not.
    """
    position = source.find(b"image:")
    while position != -1:
        start = position
        while start > 0 and source[start - 1] in b" \t":
            start -= 1
        if start > 0 and source[start - 1] == 0x2D and start < position:  # "- image:"
            start -= 1
            while start > 0 and source[start - 1] in b" \t":
                start -= 1
        line_start = start == 0 or source[start - 1] in b"\n`\"" or source[start - 2 : start] == b"\\n"
        if line_start and not on_comment_line(source, position):
            yield position
        position = source.find(b"image:", position + 6)


def _in_block_comment(source: bytes, position: int) -> bool:
    """Is position inside a /* comment */? (Before the imports there are only comments and the
    package clause, so no string can hold a /*.)"""
    opened = source.rfind(b"/*", 0, position)
    return opened != -1 and source.find(b"*/", opened, position) == -1


def word_offsets(source: bytes, names: Iterable[bytes]) -> list[tuple[int, int]]:
    """(start, end) of every whole-word occurrence of the names in source, in source order."""
    found = []
    size = len(source)
    for name in names:
        position = source.find(name)
        while position != -1:
            end = position + len(name)
            if (position == 0 or source[position - 1] not in WORD_BYTES) and (end == size or source[end] not in WORD_BYTES):
                found.append((position, end))
            position = source.find(name, end)
    return sorted(found)


def declares_const(source: bytes, name: bytes) -> bool:
    """Might source declare a constant called name? (Never False when it does.)

    Looks at the text of each `const` declaration, up to the `)` gofmt puts on a line of its own
    after a group, or to the end of the line for a single one.
    """
    if source.find(name) == -1:
        return False
    for _, end in word_offsets(source, (b"const",)):
        rest = source[end : end + 16].lstrip()
        if rest.startswith(b"("):
            close = source.find(b"\n)", end)
            while close != -1 and source.count(b"`", end, close) % 2:  # a line of a raw string
                close = source.find(b"\n)", close + 2)
            stop = source.find(b")", end) if close == -1 else close
        else:
            stop = source.find(b"\n", end)
        declaration = source[end : len(source) if stop == -1 else stop]
        if re.search(rb"(?<![\w.])%s(?!\w)" % re.escape(name), declaration):
            return True
    return False
