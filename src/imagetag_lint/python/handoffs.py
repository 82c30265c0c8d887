"""Functions handed to a thread or an executor to run, not called: `threading.Thread(target=build,
args=("shop-x",))` (also `multiprocessing.Process`), `pool.submit(build, "shop-x")` and
`pool.map(build, ["shop-x", "shop-y"])` (also the builtin `map` consumed by `list(...)`). Each runs
the function with those arguments, so a producer handed over builds what a call of it would, and
its name is lost where the hand-off drops it: a thread keeps nothing its target returns, a
future dropped (or read only by a `result()` that is a statement of its own) and a map whose
names nobody keeps lose it as a bare call does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from imagetag_lint.python.project import Function
from imagetag_lint.python.syntax import callee_name, keyword, positional
from imagetag_lint.record import record

if TYPE_CHECKING:  # the flow builds its hand-offs with this module
    from imagetag_lint.python.flow import Flow

THREADS = {"Thread", "Process"}  # threading, multiprocessing: the return value goes nowhere


@record(frozen=True, eq=False)
class Handoff:
    """A function handed to a thread or an executor: the call that hands it over, and the calls
    of the function it makes (made up here from the arguments handed along; they are in no
    module, and are read only for their arguments)."""

    call: cst.Call  # `threading.Thread(...)`, `pool.submit(...)` or `pool.map(...)`
    form: str  # "thread", "submit" or "map"
    runs: tuple[cst.Call, ...]


def handoffs(function: Function) -> list[Handoff]:
    """The functions this function hands to a thread or an executor, in the order of its calls."""
    found = []
    for call in function.calls:
        handoff = _handoff(call)
        if handoff is not None:
            found.append(handoff)
    return found


def _handoff(call: cst.Call) -> Handoff | None:
    name = callee_name(call)
    args = positional(call)
    if name in THREADS:
        target = keyword(call, "target")
        handed = keyword(call, "args")
        if target is None or (handed is not None and not isinstance(handed, (cst.Tuple, cst.List))):
            return None
        values = [e.value for e in handed.elements] if handed is not None else []
        if keyword(call, "kwargs") is not None or any(isinstance(e, cst.StarredElement) for e in values):
            return None
        return Handoff(call, "thread", (_run(target, values),))
    if name == "submit" and isinstance(call.func, cst.Attribute) and args and not any(a.star for a in call.args):
        keywords = [a for a in call.args if a.keyword is not None]
        return Handoff(call, "submit", (_run(args[0], args[1:], keywords),))
    if name == "map" and len(args) == 2 and len(call.args) == 2:
        rows = args[1]
        if isinstance(rows, (cst.List, cst.Tuple)) and not any(isinstance(e, cst.StarredElement) for e in rows.elements):
            return Handoff(call, "map", tuple(_run(args[0], [e.value]) for e in rows.elements))
        return Handoff(call, "map", (_run(args[0], []),))  # one row we cannot read: no argument known
    return None


def _run(target: cst.BaseExpression, values: list[cst.BaseExpression], keywords: list[cst.Arg] | None = None) -> cst.Call:
    return cst.Call(func=target, args=[*(cst.Arg(v) for v in values), *(keywords or [])])


def handed_to(flow: Flow, target: Function) -> Iterator[tuple[Function, cst.Call]]:
    """The runs of `target` that threads and executors make: (the function that hands it over,
    the made-up call of it), as `Project.callers` gives the direct calls."""
    for function, found in flow.handoffs.items():
        for handoff in found:
            for run in handoff.runs:
                if flow.project.resolve(run, function.module) is target:
                    yield function, run
