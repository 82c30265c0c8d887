"""The one module that imports tree_sitter: parsing, compiled queries, node helpers."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

__all__ = ["Node", "Tree", "captures", "first_error", "matches", "parse", "text"]

GO = Language(tree_sitter_go.language())
_PARSER = Parser(GO)


def parse(source: bytes) -> Tree:
    return _PARSER.parse(source)


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


def first_error(tree: Tree) -> Node | None:
    if not tree.root_node.has_error:
        return None
    for node in _walk_all(tree.root_node):
        if node.is_error or node.is_missing:
            return node
    return tree.root_node


def _walk_all(node: Node) -> Iterator[Node]:
    cursor = node.walk()
    while True:
        current = cursor.node
        assert current is not None
        if current.has_error or current.is_missing:
            yield current
            if cursor.goto_first_child():
                continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
