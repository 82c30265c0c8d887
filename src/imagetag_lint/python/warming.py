"""A memoising producer called to warm its cache: `image_for("shop-mail")` as a statement, then
`image = image_for("shop-mail")`. The producer keeps the name it built under the call's key
(`cache[service] = build_image(service)`, `return cache[service]`, or a functools cache), so a
later call with the same arguments returns the very name the first one built: the function
takes it then, and the first call drops nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.memoized import memoized
from imagetag_lint.python.reaching import definitions_at

if TYPE_CHECKING:
    from imagetag_lint.python.flow import Flow
    from imagetag_lint.python.project import Function

# what may run an expression or a block on some ways only, or many times
_CONDITIONAL = (cst.BaseSuite, cst.IfExp, cst.BooleanOperation, cst.CompFor, cst.Lambda)
_LOOPS = (cst.For, cst.While, cst.CompFor)


def memoizes(flow: Flow, producer: Function) -> bool:
    """Does the producer give the name it built the first time for every later call with the same
    arguments? Functools caches it, or its every image result reads the entry of a cache it keeps
    across calls (a dict it does not bind itself) under a key of its parameters, and stores a
    build's name under that very entry."""
    if memoized(producer.node, flow.project.imports[producer.module]):
        return True
    shape = flow.producers.get(producer)
    if shape is None or not producer.results:
        return False
    results = [_image_slot(r, shape.image_result, shape.results) for r in producer.results]
    return all(r is not None and _cache_entry(flow, r, producer) for r in results)


def _image_slot(result: cst.BaseExpression, index: int, size: int) -> cst.BaseExpression | None:
    if size == 1:
        return result
    if isinstance(result, cst.Tuple) and len(result.elements) == size:
        return result.elements[index].value
    return None


def _cache_entry(flow: Flow, result: cst.BaseExpression, producer: Function) -> bool:
    if not isinstance(result, cst.Subscript) or not isinstance(result.value, cst.Name):
        return False
    cache = result.value.value
    if any(bound == cache for bound, _, _ in producer.bindings):
        return False  # a dict of this call's own: nothing is kept for the next one
    module = producer.module
    key = [n for n in producer.names if any(module.inside(n, e) for e in result.slice)]
    if any(n.value not in producer.params or any(b == n.value for b, _, _ in producer.bindings) for n in key):
        return False  # the key is not the call's arguments alone
    return bool(flow.stores_under(result, producer))  # a producer: one of them stores a build's name


def taken_later(flow: Flow, function: Function, call: cst.Call, producer: Function,
                kept: set[cst.Call]) -> bool:
    """Does the function call the memoising producer again with the same arguments after this
    call, and keep what that call returns (one of `kept`), whenever this call runs?"""
    if not memoizes(flow, producer):
        return False
    module = function.module
    text = [module.code(a) for a in call.args]
    for later in kept:
        if module.start(later) < module.end(call) or [module.code(a) for a in later.args] != text:
            continue
        if flow.project.resolve(later, module) is not producer and factory_call(flow, later, function) is not producer:
            continue
        if _runs_after(function, call, later) and _same_arguments(function, call, later):
            return True
    return False


def _runs_after(function: Function, first: cst.Call, later: cst.Call) -> bool:
    """Does `later` run every time `first` has run, once for each run of it? Every block or
    conditional expression around `later` holds `first` too, and both are in the same loops."""
    module = function.module
    around_first = set(_within(function, first))
    for node in _within(function, later):
        parent = module.parent(node)
        if isinstance(node, _CONDITIONAL) and not isinstance(parent, (cst.With, cst.Try)) and node not in around_first:
            return False
    return [n for n in _within(function, first) if isinstance(n, _LOOPS)] == \
        [n for n in _within(function, later) if isinstance(n, _LOOPS)]


def _within(function: Function, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for ancestor in function.module.ancestors(node):
        if ancestor is function.node:
            return
        yield ancestor


def _same_arguments(function: Function, first: cst.Call, later: cst.Call) -> bool:
    """Do the variables the two calls pass hold the same value at both? The same one assignment
    (or none: a parameter, a module's name) reaches both reads."""
    module = function.module
    first_names = [n for n in function.names if module.inside(n, first)]
    later_names = [n for n in function.names if module.inside(n, later) and n is not later.func]
    for a, b in zip([n for n in first_names if n is not first.func], later_names):
        if definitions_at(a, function) != definitions_at(b, function):
            return False
        found = definitions_at(a, function)
        if found is not None and len(found) != 1:
            return False
    return True
