"""Shell words, as both front-ends read a build or load command written as one shell line."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

# kubectl verbs that read, compare or delete the objects they are given: a manifest handed to
# one starts no container (both front-ends; Python also knows `logs` and `explain`)
KUBECTL_READING_VERBS = frozenset({"delete", "diff", "get", "describe", "wait"})


def unquoted(pieces: list[T]) -> list[T]:
    """A shell word without the quotes around it (`'localhost/app:e2e'`, `"{tag}"`): the shell
    takes them away. Only a word whose first and last pieces are text that open and close with
    the same quote is changed."""
    first, last = (pieces[0], pieces[-1]) if pieces else (None, None)
    if not isinstance(first, str) or not isinstance(last, str) or not first or first[0] not in "'\"":
        return pieces
    quote = first[0]
    if len(pieces) == 1:
        return [first[1:-1]] if len(first) >= 2 and first.endswith(quote) else pieces  # type: ignore[list-item]
    if not last.endswith(quote):
        return pieces
    middle = list(pieces[1:-1])
    head, tail = first[1:], last[:-1]
    return [*([head] if head else []), *middle, *([tail] if tail else [])]  # type: ignore[list-item]
