"""Helpers that functools memoizes: `@functools.cache`, `@functools.lru_cache(...)`, or `@cache`
and `@lru_cache` imported from functools. A call after the first returns the first call's value,
so such a helper gives the same name every time, whatever its body computes."""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from imagetag_lint.python.imports import Binding
from imagetag_lint.python.syntax import dotted, keyword, positional

_MEMOIZERS = frozenset({"cache", "lru_cache"})


def memoized(function: cst.FunctionDef, imports: Mapping[str, Binding]) -> bool:
    """Is the function decorated with a functools cache that keeps what it returns?"""
    return any(_memoizer(d.decorator, imports) for d in function.decorators)


def _memoizer(decorator: cst.BaseExpression, imports: Mapping[str, Binding]) -> bool:
    called = decorator if isinstance(decorator, cst.Call) else None
    head, _, last = dotted(called.func if called is not None else decorator).rpartition(".")
    if head:  # `functools.cache`, `ft.lru_cache` after `import functools as ft`
        named = imports.get(head) == Binding("functools") and last in _MEMOIZERS
    else:  # `cache` or `lru_cache` (perhaps renamed) from `from functools import ...`
        binding = imports.get(last)
        named = binding is not None and binding.module == "functools" and not binding.level and binding.name in _MEMOIZERS
    return named and (called is None or not _keeps_nothing(called))


def _keeps_nothing(call: cst.Call) -> bool:
    # `lru_cache(maxsize=0)` (or `lru_cache(0)`) caches no call: each one runs the body again
    args = positional(call)
    size = keyword(call, "maxsize") or (args[0] if args else None)
    return isinstance(size, cst.Integer) and size.evaluated_value == 0
