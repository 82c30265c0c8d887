"""Factory fixtures: a fixture that returns (or yields) a function of its own body which builds
and returns the image (`image_factory` handing out `_make(service)`). A test that requests it
and calls it (`image_factory("shop-mail")`) runs that producer: the call returns the built name,
and dropping it is a drop like any other producer call's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from imagetag_lint.python.flow import Flow
    from imagetag_lint.python.project import Function


def factory_call(flow: Flow, call: cst.Call, function: Function | None) -> Function | None:
    """The producer a call of a requested factory fixture runs, or None."""
    inner = factory_function(flow, call, function)
    return inner if inner is not None and inner in flow.producers else None


def factory_function(flow: Flow, call: cst.Call, function: Function | None) -> Function | None:
    """The function a call of a requested factory fixture runs, whatever it returns (a
    `pod_factory` whose `_make` builds and deploys, and returns the pod's name), or None. The
    fixture must be a parameter of the test (or fixture) that the function never binds again."""
    func = call.func
    if function is None or not isinstance(func, cst.Name) or func.value not in function.params:
        return None
    if not (function.is_test or function.fixture) or any(b[0] == func.value for b in function.bindings):
        return None
    fixture = flow.project.fixture_for(func.value, function)
    return handed_out(flow, fixture) if fixture is not None else None


def handed_out(flow: Flow, fixture: Function) -> Function | None:
    """The nested function a fixture's every result names (`yield _make`), or None."""
    names = {r.value if isinstance(r, cst.Name) else "" for r in fixture.results}
    if len(names) != 1 or "" in names:
        return None
    name = names.pop()
    if any(b[0] == name for b in fixture.bindings):
        return None  # the name is rebound in the fixture's body: not only the def
    module = fixture.module
    inner = [f for f in flow.project.functions_of(module)
             if f.name == name and f is not fixture and module.function_of(f.node) is fixture.node]
    return inner[0] if len(inner) == 1 else None


def factory_callers(flow: Flow, inner: Function) -> Iterator[tuple[Function, cst.Call]]:
    """The calls of the tests and fixtures that run `inner` through the factory fixture that
    hands it out (`image_factory("shop-mail")` runs `_make`, and so does `pod_factory("shop-mail")`
    whose `_make` returns no image: what it builds is still built with that argument)."""
    for function in flow.project.functions:
        if not (function.is_test or function.fixture):
            continue
        for call in function.calls:
            func = call.func
            if isinstance(func, cst.Name) and func.value in function.params and factory_function(flow, call, function) is inner:
                yield function, call
