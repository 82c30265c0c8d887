"""Literal tables a Go file is parsed without.

Setup files carry long tables of data that no analysis reads: a ConfigMap's `"key": "value",`
entries, an environment's `{Name: "X", Value: "y"},` elements. A line of such a table holds
literals and field keys only: no call, no image field, no manifest, no string that could be an
image reference, no name an analysis looks up; no finding can stand there and no fix edits it.
Runs of those lines are left out of the parse (`parser.parse_skipping`), of the files a run
lints as of the siblings it reads to answer what their package does: the table parses with fewer
elements, and every other node is where it was. That saves a third of the parse and of the
trees' memory on a dense E2E package.

A field key (`Name`) is an identifier node, which a lookup by name would find; a run keeps its
keys out of the tree only when no file of the package uses that word as anything but a key or
a selector's field (`x.Name`), so no variable, parameter, function or constant has that name.
The tree is checked after the parse: each skipped run must stand inside a composite literal of
a function body, and the tree must have no syntax error; otherwise the file is parsed whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from imagetag_lint.golang.lexing import import_header
from imagetag_lint.golang.parser import Node, Tree

# one literal: a string without escapes or control characters (a NUL ends tree-sitter's input),
# or a decimal number without leading zeros (`08` is no Go number; never `true`, `false` or
# `nil`, which are names a declaration may take)
_LITERAL = rb'(?:"[^"\\\n\x00-\x08\x0b-\x1f]*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)'
_FIELD = rb"[A-Za-z_][A-Za-z0-9_]*:[ \t]*" + _LITERAL
_ENTRY = rb'"[^"\\\n]*":[ \t]*' + _LITERAL + rb","  # a map entry with a string key
_ELEMENT = rb"\{[ \t]*" + _FIELD + rb"(?:,[ \t]*" + _FIELD + rb")*,?[ \t]*\},"  # a struct of literals
_RUN = re.compile(rb"\n((?:[ \t]*(?:" + _ENTRY + rb"|" + _ELEMENT + rb")[ \t]*\n)+)")
# the field keys of a run (a string may add a word: it then only has to pass the same test)
_KEY = re.compile(rb"[{,][ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:")
_DOT_IMPORT = re.compile(rb"(?:^|[\s(])\.[ \t]*[\"`]")
_FUNCTIONS = ("function_declaration", "method_declaration")

Run = tuple[int, int, frozenset[bytes]]  # (start, end, field keys) of lines a parse may skip


def data_runs(source: bytes, avoided: tuple[bytes, ...]) -> list[Run]:
    """The runs of table lines in source, without the lines that hold an avoided word (an image
    field's name, `image:` of a manifest, a directive) or a string that could be an image
    reference (one with a `:`, `/` or `@`). None in a file that executes a template: its data
    literal's entries fill manifests (`{"Ref": "shop-api"}` for `image: {{ .Ref }}`)."""
    if source.find(b"Execute") != -1:
        return []
    avoided = _shortest(avoided)

    def held(start: int, end: int) -> bool:
        lines = source[start:end]
        if any(word in lines for word in avoided):
            return True
        strings = b"".join(lines.split(b'"')[1::2])  # the lines' strings have no escapes: quotes pair up
        return b":" in strings or b"/" in strings or b"@" in strings or not (lines.isascii() or _utf8(lines))

    runs: list[Run] = []
    for match in _RUN.finditer(source):
        start, end = match.span(1)
        if not _follows_a_separator(source, start):  # keep the first line: a missing comma shows
            start = source.index(b"\n", start) + 1
            if start == end:
                continue
        if held(start, end):
            runs.extend(_runs_between(source, start, end, held))
        else:
            runs.append((start, end, _keys(source, start, end)))
    return runs


def _shortest(words: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The words without those that hold another (`Image` holds `mage`): a text holds one of
    them exactly when it holds one of all the words."""
    found = _SHORTEST.get(words)
    if found is None:
        found = _SHORTEST[words] = tuple(w for w in words if not any(o in w and o != w for o in words))
    return found


_SHORTEST: dict[tuple[bytes, ...], tuple[bytes, ...]] = {}


def _follows_a_separator(source: bytes, start: int) -> bool:
    """Does the line before start end a literal's element or open it (`,` or `{`, no comment), so
    that the whole parse, too, has no error between it and the run?"""
    line = source[source.rfind(b"\n", 0, start - 1) + 1 : start].rstrip()
    return line.endswith((b",", b"{")) and b"//" not in line and b"/*" not in line


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _runs_between(source: bytes, start: int, end: int, held: Callable[[int, int], bool]) -> list[Run]:
    """The runs of lines from start to end that are not held (`held(line_start, line_end)`)."""
    runs: list[Run] = []
    first = start  # the first line of the run being gathered
    while start < end:
        line_end = source.index(b"\n", start) + 1
        if held(start, line_end):
            if first < start:
                runs.append((first, start, _keys(source, first, start)))
            first = line_end
        start = line_end
    if first < end:
        runs.append((first, end, _keys(source, first, end)))
    return runs


def _keys(source: bytes, start: int, end: int) -> frozenset[bytes]:
    if source.find(b"{", start, end) == -1:
        return frozenset()  # map entries only
    return frozenset(_KEY.findall(source, start, end))


def key_only_words(words: Iterable[bytes], sources: Iterable[bytes]) -> set[bytes]:
    """The words that every source of a package uses only as a composite literal's key (`Name:`),
    a selector's field (`.Name`) or inside a string: never as a name a lookup could look for.
    None at all when a file imports a package with a dot (its names are used bare)."""
    sources = list(sources)
    if any(_DOT_IMPORT.search(import_header(source)) for source in sources):
        return set()
    found = set()
    for word in words:
        used = _name_use(word)
        if not any(used.search(source) for source in sources):
            found.add(word)
    return found


def _name_use(word: bytes) -> re.Pattern[bytes]:
    """The word where it may be a name: not inside a longer word, not after a `.` (a selector's
    field) or a quote (the start of a string), not before a quote (its end) or a `:` (a key)."""
    word = re.escape(word)
    return re.compile(word + rb'(?<![A-Za-z0-9_.\x80-\xff"`]' + word + rb')(?![A-Za-z0-9_\x80-\xff"`])(?![ \t]*:(?!=))')


def skippable(
    sources: dict[str, bytes], key_only: Callable[[set[bytes]], set[bytes]], avoided: tuple[bytes, ...]
) -> dict[str, list[Run]]:
    """The runs each of the sources (path -> bytes, files of one package) may be parsed without;
    key_only answers `key_only_words` over every file of the package, asked only when a run has
    field keys to check."""
    found = {path: runs for path, source in sources.items() if (runs := data_runs(source, avoided))}
    return without_named_keys(found, sources, key_only)


def without_named_keys(
    found: dict[str, list[Run]], sources: dict[str, bytes], key_only: Callable[[set[bytes]], set[bytes]]
) -> dict[str, list[Run]]:
    """The runs again (path -> runs, files of one package), without the lines whose field keys
    some file of the package also uses as a name (key_only: `key_only_words` over the package)."""
    keys = {key for runs in found.values() for _, _, run_keys in runs for key in run_keys}
    if not keys:
        return found
    names = keys - key_only(keys)
    if not names:
        return found
    kept = {}
    for path, runs in found.items():
        source = sources[path]

        def named(start: int, end: int, source: bytes = source) -> bool:
            return not set(_KEY.findall(source, start, end)).isdisjoint(names)

        kept[path] = [
            piece for run in runs for piece in ([run] if not run[2] & names else _runs_between(source, run[0], run[1], named))
        ]
    return {path: runs for path, runs in kept.items() if runs}


def refused_runs(tree: Tree, runs: list[Run], avoided: tuple[bytes, ...]) -> list[Run] | None:
    """The runs (found by `data_runs` with the same avoided words) a parse without them must give
    back: those that did not land inside a composite literal of a function body, or whose
    literal holds an avoided word (an image field, whose fix looks at its neighbours: how gofmt
    aligns them). None when the tree has a syntax error: the file is then parsed whole, to
    report the error where a whole parse does."""
    root = tree.root_node
    if root.has_error:
        return None
    source = root.text or b""
    avoided = _shortest(avoided)
    refused = []
    for run in runs:
        start, end, _ = run
        literal = root.descendant_for_byte_range(start, end)
        if (
            literal is None
            or literal.type != "literal_value"
            or not literal.start_byte < start <= end < literal.end_byte
            or not _in_function(root, start)
            or _holds_any(source, literal.start_byte, start, avoided)
            or _holds_any(source, end, literal.end_byte, avoided)
        ):
            refused.append(run)
    return refused


def _holds_any(source: bytes, start: int, end: int, words: tuple[bytes, ...]) -> bool:
    """Does source[start:end] hold one of the words? Asked of a literal's lines around a run: the
    run holds none (`data_runs`), and no word spans the newline that bounds it."""
    return any(source.find(word, start, end) != -1 for word in words)


def _in_function(root: Node, offset: int) -> bool:
    cursor = root.walk()
    if cursor.goto_first_child_for_byte(offset) is None:
        return False
    declaration = cursor.node
    return declaration is not None and declaration.type in _FUNCTIONS and declaration.start_byte < offset
