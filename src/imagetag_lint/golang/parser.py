"""The one module that imports tree_sitter: parsing, compiled queries, node helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from tree_sitter import (
    Language,
    Node,
    Parser,
    Point,
    Query,
    QueryCursor,
    Range,
    Tree,
    TreeCursor,
)

__all__ = [
    "Node", "Tree", "captures", "excerpt", "first_error", "keep", "matches", "parse", "parse_input", "parse_skipping",
    "text",
]


def _go_language() -> object:
    """The Go grammar from tree_sitter_go's extension module, loaded without running the package's
    `__init__`: that imports `importlib.resources` (and `tempfile`) for its query files, a few
    milliseconds on every start, and the grammar is all we use."""
    import importlib.machinery
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("tree_sitter_go")
        for directory in (spec.submodule_search_locations or []) if spec is not None else []:
            for name in sorted(os.listdir(directory)):
                if name.startswith("_binding.") and name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
                    path = os.path.join(directory, name)
                    loader = importlib.machinery.ExtensionFileLoader("tree_sitter_go._binding", path)
                    binding = importlib.util.spec_from_file_location("tree_sitter_go._binding", path, loader=loader)
                    if binding is not None:
                        module = importlib.util.module_from_spec(binding)
                        loader.exec_module(module)
                        return module.language()
    except (ImportError, OSError, AttributeError):
        pass
    import tree_sitter_go  # the ordinary way, if the package's layout ever changes

    return tree_sitter_go.language()


GO = Language(_go_language())
_PARSER = Parser(GO)


# the roots of the trees parsed since the last `forget_trees()`: `syntax` finds a deeply nested
# node's tree among them (a node does not know its tree)
ROOTS: list[Node] = []


def parse(source: bytes) -> Tree:
    tree = _PARSER.parse(source)
    hidden = _call_type_arguments(tree, source)
    return keep(parse_skipping(source, hidden) if hidden else tree)


def parse_input(source: bytes) -> bytes:
    """The bytes to hand tree-sitter for a file's bytes: it does not expect a BOM, and blanks
    keep every byte offset where it was."""
    return b"   " + source[3:] if source.startswith(b"\xef\xbb\xbf") else source


def parse_for_check(source: bytes) -> Tree:
    """A tree only a check reads (a fix's text before it is kept): not registered, so it goes
    when the check is done."""
    return _PARSER.parse(source)


def keep(tree: Tree) -> Tree:
    """Register a tree the run analyses (`ROOTS`); a partial parse that is refused is never kept."""
    ROOTS.append(tree.root_node)
    return tree


_WHOLE = [Range(Point(0, 0), Point(0xFFFFFFFF, 0xFFFFFFFF), 0, 0xFFFFFFFF)]


def parse_skipping(source: bytes, skipped: list[tuple[int, int]]) -> Tree:
    """Parse source without the byte ranges skipped (sorted and apart): tree-sitter reads only
    the rest, and every node keeps its real offset. The type arguments of one-argument generic
    calls are skipped too (`_call_type_arguments`). The caller checks the tree and `keep`s it, or
    parses otherwise."""
    tree = _parse_within(source, skipped)
    hidden = _call_type_arguments(tree, source)
    return _parse_within(source, sorted(skipped + hidden)) if hidden else tree


def _parse_within(source: bytes, skipped: list[tuple[int, int]]) -> Tree:
    ranges = []
    position, point = 0, Point(0, 0)  # the start of the next included range
    points = _Points(source)
    for start, end in skipped:
        if start > position:
            ranges.append(Range(point, points.at(start), position, start))
        position, point = end, points.at(end)
    ranges.append(Range(point, _WHOLE[0].end_point, position, _WHOLE[0].end_byte))
    _PARSER.included_ranges = ranges
    try:
        tree = _PARSER.parse(source)
    finally:
        _PARSER.included_ranges = _WHOLE
    return tree


class _Points:
    """The (row, column) of offsets asked for in increasing order: each line is counted once."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.row = self.counted = 0  # the lines before offset `counted`

    def at(self, offset: int) -> Point:
        self.row += self.source.count(b"\n", self.counted, offset)
        self.counted = offset
        return Point(self.row, offset - self.source.rfind(b"\n", 0, offset) - 1)


_GENERIC_CONVERSION = "(type_conversion_expression type: (generic_type type_arguments: (type_arguments) @arguments))"


def _call_type_arguments(tree: Tree, source: bytes) -> list[tuple[int, int]]:
    """The type arguments of what the grammar reads as a conversion to a generic type and may be
    a call of a generic function with one argument (`deploy[T](img)`, `pkg.Build[T](cfg)`): left
    out of the parse, the rest is a call (`deploy(img)`) whose nodes keep their offsets and text.
    A real conversion (`List[int](xs)`) reads as a call of the type's name, which no function of
    its package has (types and functions share the namespace), so it resolves to nothing."""
    if b"](" not in source and b"] (" not in source:
        return []  # the cheap test: most files have no such expression
    found = captures(_GENERIC_CONVERSION, tree.root_node).get("arguments", [])
    return sorted({(node.start_byte, node.end_byte) for node in found})


def forget_trees() -> None:
    ROOTS.clear()


@cache
def _query(source: str) -> Query:
    return Query(GO, source)


def captures(query_source: str, node: Node) -> dict[str, list[Node]]:
    """Run a (cached, compiled once) query and return its captures by name."""
    return QueryCursor(_query(query_source)).captures(node)


def matches(query_source: str, node: Node) -> list[dict[str, list[Node]]]:
    """Run a cached query; each match keeps its captures together."""
    return [found for _, found in QueryCursor(_query(query_source)).matches(node)]


def text(node: Node) -> str:
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


EXCERPT_WIDTH = 60


def excerpt(node: Node, width: int = EXCERPT_WIDTH) -> str:
    """Node's code as a message quotes it: on one line, and cut with `…` past width characters
    (as a code frame cuts a long line), however deep or long the expression."""
    raw = node.text or b""
    head = raw[: 8 * width]  # enough for the line: a 10,000-character expression is not copied
    line = re.sub(r"[ \t]*\r?\n\s*", " ", head.decode("utf-8", "replace"))
    if len(line) <= width and len(head) == len(raw):
        return line
    return line[: width - 1] + "…"


def syntax_errors(tree: Tree) -> Iterator[Node]:
    """The ERROR and MISSING nodes of a tree, in order: the one walk that looks for them."""
    if tree.root_node.has_error:
        yield from (node for node in _walk_all(tree.root_node) if node.is_error or node.is_missing)


def first_error(tree: Tree) -> Node | None:
    if not tree.root_node.has_error:
        return None
    return next(syntax_errors(tree), tree.root_node)


def named_descendants(node: Node) -> Iterator[Node]:
    """node, then every named node below it in source order: what recursing through
    `named_children` reaches."""
    yield node
    cursor = node.walk()
    if cursor.goto_first_child():
        yield from _walk_from(cursor, lambda current: current.is_named)


def _walk_all(node: Node) -> Iterator[Node]:
    return _walk_from(node.walk(), lambda current: current.has_error or current.is_missing)


def _walk_from(cursor: TreeCursor, enter: Callable[[Node], bool]) -> Iterator[Node]:
    """The nodes from the cursor's on that `enter` accepts, in source order, entering only those,
    up to the end of the node the cursor was made on. A cursor walks the tree, so the nodes made
    on the way are not memoized on their parents (as `children` are) and go once the caller lets
    them go."""
    while True:
        current = cursor.node
        assert current is not None
        if enter(current):
            yield current
            if cursor.goto_first_child():
                continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
