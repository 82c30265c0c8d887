"""A memoising producer called to warm its cache: `image_for("shop-mail")` as a statement, then
`image = image_for("shop-mail")`. The producer keeps the name it built under the call's key
(`cache[service] = build_image(service)`, `return cache[service]`, or a functools cache), so a
later call with the same arguments returns the very name the first one built: the function
takes it then, and the first call drops nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.memoized import memoized
from imagetag_lint.python.reaching import definitions_at
from imagetag_lint.python.values import BUILT, FIXED

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
    return all(r is not None and (_cache_entry(flow, r, producer) or _kept_name(flow, r, producer)) for r in results)


def _image_slot(result: cst.BaseExpression, index: int, size: int) -> cst.BaseExpression | None:
    if size == 1:
        return result
    if isinstance(result, cst.Tuple) and len(result.elements) == size:
        return result.elements[index].value
    return None


def _cache_entry(flow: Flow, result: cst.BaseExpression, producer: Function) -> bool:
    return (isinstance(result, cst.Subscript) and _kept_entry(result.value, result.slice, producer)
            and bool(flow.stores_under(result, producer)))  # a producer: one of them stores a build's name


def _kept_entry(cache: cst.BaseExpression, key: Sequence[cst.CSTNode], producer: Function) -> bool:
    """Is `cache[key]` an entry of a cache the producer keeps across calls (a dict it does not
    bind itself) under a key of its parameters alone?"""
    if not isinstance(cache, cst.Name) or any(bound == cache.value for bound, _, _ in producer.bindings):
        return False  # a dict of this call's own: nothing is kept for the next one
    module = producer.module
    names = [n for n in producer.names if any(module.inside(n, e) for e in key)]
    return not any(n.value not in producer.params or any(b == n.value for b, _, _ in producer.bindings) for n in names)


def _stored_entry(node: cst.BaseExpression, producer: Function) -> bool:
    return isinstance(node, cst.Subscript) and _kept_entry(node.value, node.slice, producer)


def _kept_name(flow: Flow, result: cst.BaseExpression, producer: Function) -> bool:
    """Is the returned variable, on every way it is set, the cache's entry (`image = cache.get(service)`)
    or a name the producer stores into that entry as it sets it (`image = cache[service] = build(service)`,
    or `tag = build(service)` then `cache[service] = tag`)? A build's name is stored on one of them."""
    found = definitions_at(result, producer) if isinstance(result, cst.Name) else None
    if not found:
        return False
    built = False
    for definition in found:
        if isinstance(definition, int) or not isinstance(definition[1], cst.Assign):
            return False
        statement = definition[1]
        if _stored_with(producer, definition[0], statement):
            built = built or flow.value(statement.value, producer.module, producer).kind == BUILT
        elif not _cache_read(statement.value, producer):
            return False
    return built


def _stored_with(producer: Function, target: cst.CSTNode, statement: cst.Assign) -> bool:
    """Does the assignment put its value in a kept cache entry together with the variable: as
    another target of it, or by a store of the variable right after it in the same block?"""
    if any(_stored_entry(t.target, producer) for t in statement.targets):
        return True
    module = producer.module
    line = module.parent(statement)
    body = list(getattr(module.parent(line), "body", ())) if line is not None else []
    index = body.index(line) + 1 if line in body else len(body)
    following = body[index] if index < len(body) else None
    store = following.body[0] if isinstance(following, cst.SimpleStatementLine) and following.body else None
    return (isinstance(store, cst.Assign) and isinstance(store.value, cst.Name) and isinstance(target, cst.Name)
            and store.value.value == target.value and all(_stored_entry(t.target, producer) for t in store.targets))


def _cache_read(value: cst.BaseExpression, producer: Function) -> bool:
    """`cache[service]` or `cache.get(service)` of a kept cache."""
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get"
            and len(value.args) == 1 and value.args[0].keyword is None):
        return _kept_entry(value.func.value, value.args, producer)
    return _stored_entry(value, producer)


def taken_later(flow: Flow, function: Function, call: cst.Call, producer: Function,
                kept: set[cst.Call]) -> bool:
    """Does the function call the memoising producer again with the same arguments after this
    call, and keep what that call returns (one of `kept`), whenever this call runs?"""
    if not memoizes(flow, producer):
        return False
    module = function.module
    text = _argument_texts(flow, call, producer, function)
    for later in kept:
        if module.start(later) < module.end(call) or _argument_texts(flow, later, producer, function) != text:
            continue
        if flow.project.resolve(later, module) is not producer and factory_call(flow, later, function) is not producer:
            continue
        if _runs_after(function, call, later) and _same_arguments(function, call, later):
            return True
    return False


def fixed_text(flow: Flow, node: cst.BaseExpression, function: Function) -> str | None:
    """The text of an expression that is fixed text (a literal, a constant, an f-string of
    them), or None."""
    value = flow.value(node, function.module, function, plain=True)
    return value.text if value.kind == FIXED else None


def _argument_texts(flow: Flow, call: cst.Call, producer: Function, function: Function) -> list[tuple[str, str] | None]:
    """What the call passes for each parameter of the producer: its fixed text (`image_get(API)`,
    `image_get("shop-mail")` and `image_get(service="shop-mail")` pass the same), else the
    argument as written; the arguments as written when a starred one hides their places."""
    module = function.module
    if any(a.star for a in call.args):
        return [("code", module.code(a)) for a in call.args]
    found = [flow.project.argument_for(call, producer, p) for p in producer.params]
    return [None if a is None else _argument_text(flow, a, function) for a in found]


def _argument_text(flow: Flow, node: cst.BaseExpression, function: Function) -> tuple[str, str]:
    text = fixed_text(flow, node, function)
    return ("fixed", text) if text is not None else ("code", function.module.code(node))


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
