"""Functions handed to a thread or an executor to run, not called: `threading.Thread(target=build,
args=("shop-x",))` (also `multiprocessing.Process`), `pool.submit(build, "shop-x")` and
`pool.map(build, ["shop-x", "shop-y"])` (also the builtin `map` consumed by `list(...)`, and a
pool's `imap`, `imap_unordered` and `starmap`) and asyncio's `loop.run_in_executor(None, build,
"shop-x")`. Each runs the function with those arguments, so a producer handed over builds what a call of it would, and
its name is lost where the hand-off drops it: a thread keeps nothing its target returns, a
future dropped (or read only by a `result()` that is a statement of its own) and a map whose
names nobody keeps lose it as a bare call does."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from imagetag_lint.python.discards import (
    Discard,
    fixed_arguments,
    is_read,
    read_in_closure,
    taken_by_others,
)
from imagetag_lint.python.flow import Flow
from imagetag_lint.python.project import Function, Project
from imagetag_lint.python.syntax import Module, callee_name, keyword, positional
from imagetag_lint.record import record

THREADS = {"Thread", "Process"}  # threading, multiprocessing: the return value goes nowhere
CONSUMERS = {"list", "tuple", "set"}  # what runs a lazy `map` to its end, keeping the names it gives
FUTURE_READS = {"result", "exception", "done", "cancel"}  # a future's methods: as a statement, they keep nothing
MAPS = {"map", "imap", "imap_unordered"}  # `pool.map(build, rows)`: one run per row
STARMAPS = {"starmap"}  # `pool.starmap(build, [("shop-x", "v1")])`: one run per row of arguments


@record(frozen=True, eq=False)
class Handoff:
    """A function handed to a thread or an executor: the call that hands it over, and the calls
    of the function it makes (made up here from the arguments handed along; they are in no
    module, and are read only for their arguments)."""

    call: cst.Call  # `threading.Thread(...)`, `pool.submit(...)`, `pool.map(...)` or `loop.run_in_executor(...)`
    form: str  # "thread", "submit" (also `run_in_executor`, whose future an `await` reads) or "map"
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
    if name == "run_in_executor" and isinstance(call.func, cst.Attribute) and len(args) >= 2 \
            and len(call.args) == len(args):  # `loop.run_in_executor(executor, build, *args)`: no keywords
        return Handoff(call, "submit", (_run(args[1], args[2:]),))
    if (name in MAPS or name in STARMAPS and isinstance(call.func, cst.Attribute)) and len(args) == 2 \
            and len(call.args) == 2:
        runs = _map_runs(args[0], args[1], spread=name in STARMAPS)
        return Handoff(call, "map", runs) if runs else None  # no rows: nothing runs
    return None


def _map_runs(target: cst.BaseExpression, rows: cst.BaseExpression, spread: bool) -> tuple[cst.Call, ...]:
    """One run per row of a literal list (a starmap's row spread over the parameters), or one
    run with no argument known when the rows cannot be read."""
    values = _literal_items(rows)
    if values is None:
        return (_run(target, []),)
    if not spread:
        return tuple(_run(target, [v]) for v in values)
    spread_rows = [row for v in values if (row := _literal_items(v)) is not None]
    if len(spread_rows) != len(values):
        return (_run(target, []),)
    return tuple(_run(target, row) for row in spread_rows)


def _literal_items(node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    if isinstance(node, (cst.List, cst.Tuple)) and not any(isinstance(e, cst.StarredElement) for e in node.elements):
        return [e.value for e in node.elements]
    return None


def _run(target: cst.BaseExpression, values: list[cst.BaseExpression], keywords: list[cst.Arg] | None = None) -> cst.Call:
    return cst.Call(func=target, args=[*(cst.Arg(v) for v in values), *(keywords or [])])


def handed_off_drops(flow: Flow, function: Function) -> Iterator[Discard]:
    """Producers a thread or an executor runs for the function, whose names the hand-off drops."""
    module = function.module
    for handoff in flow.handoffs.get(function, ()):
        shape = flow.shape_of_call(handoff.runs[0], module)
        if shape is None or flow.project.resolve(handoff.runs[0], module) is function:
            continue
        how = _handoff_dropped(flow.project, function, handoff)
        if how is not None and not _warms_for_others(flow, function, handoff):
            producer = module.code(handoff.runs[0].func)
            yield Discard(function, handoff.call, producer, how, "handed", results=shape.results,
                          image_result=shape.image_result, runs=handoff.runs)


def _warms_for_others(flow: Flow, function: Function, handoff: Handoff) -> bool:
    """`list(pool.map(image_of, ["shop-api", "shop-cart"]))` in an autouse fixture: each run, one
    per row of a literal list, warms a memoising producer's cache with that row, and other
    functions take those very names from it: the map drops nothing."""
    rows = positional(handoff.call)[1] if handoff.form == "map" else None
    producer = flow.project.resolve(handoff.runs[0], function.module)
    if rows is None or _literal_items(rows) is None or producer is None:
        return False
    wanted = [fixed_arguments(flow, run, function, producer) for run in handoff.runs]
    return None not in wanted and taken_by_others(flow, function, producer, {w for w in wanted if w is not None})


def _handoff_dropped(project: Project, function: Function, handoff: Handoff) -> str | None:
    """How a thread or an executor loses the name the function it runs returns, or None when
    the name may be kept."""
    module = function.module
    if handoff.form == "thread":
        return f"`{module.code(handoff.call.func)}` runs it as its target, and a thread keeps nothing its target returns"
    if handoff.form == "map":
        return _map_dropped(module, handoff.call)
    return _future_dropped(project, function, handoff.call)


def _map_dropped(module: Module, call: cst.Call) -> str | None:
    """`pool.map(build, rows)` as a statement, also inside `list(...)`; the builtin `map` runs
    nothing until something consumes it."""
    node: cst.CSTNode = call
    parent = module.parent(node)
    consumer = module.parent(parent) if isinstance(parent, cst.Arg) else None
    if isinstance(consumer, cst.Call) and isinstance(consumer.func, cst.Name) and consumer.func.value in CONSUMERS \
            and len(consumer.args) == 1:
        node, parent = consumer, module.parent(consumer)
    if isinstance(call.func, cst.Name) and node is call:
        return None  # a lazy `map` nothing consumes runs no build
    shown = module.code(call.func)
    if isinstance(parent, cst.Expr):
        return f"the names `{shown}` returns are dropped by a statement of its own"
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and _blank(parent.targets[0].target):
        return f"the names `{shown}` returns are assigned to `_`"
    return None


def _future_dropped(project: Project, function: Function, call: cst.Call) -> str | None:
    """The future of `pool.submit(...)` dropped, or read only by statements that keep nothing
    (`future.result()` alone on its line), or the name an awaited future gives dropped."""
    module = function.module
    shown = module.code(call.func)
    parent = module.parent(call)
    if isinstance(parent, cst.Await):  # `await loop.run_in_executor(...)`: what it gives is the name itself
        return _awaited_dropped(module, parent, shown)
    if isinstance(parent, cst.Expr):
        return f"the future `{shown}` returns is dropped by a statement of its own"
    if isinstance(parent, cst.Attribute) and parent.value is call and _keeps_nothing(module, parent):
        return f"`{shown}(...).{parent.attr.value}()` is a statement of its own"
    if not isinstance(parent, cst.Assign) or len(parent.targets) != 1:
        return None
    target = parent.targets[0].target
    if _blank(target):
        return f"the future `{shown}` returns is assigned to `_`"
    if not isinstance(target, cst.Name) or read_in_closure(project, function, target.value):
        return None
    if sum(1 for bound, _, _ in function.bindings if bound == target.value) != 1:
        return None  # bound again: which future a read gets is not followed
    reads = [n for n in function.names if n.value == target.value and is_read(module, n)]
    if any(not _keeps_nothing(module, module.parent(n)) for n in reads):
        return None
    if not reads:
        return f"the future `{target.value}` is never read"
    methods = ", ".join(sorted({f"`{target.value}.{_method(module, n)}()`" for n in reads}))
    return f"the future `{target.value}` is read only by {methods}, as a statement of its own"


def _awaited_dropped(module: Module, awaited: cst.Await, shown: str) -> str | None:
    parent = module.parent(awaited)
    if isinstance(parent, cst.Expr):
        return f"the name `await {shown}(...)` gives is dropped by a statement of its own"
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and _blank(parent.targets[0].target):
        return f"the name `await {shown}(...)` gives is assigned to `_`"
    return None


def _keeps_nothing(module: Module, attribute: cst.CSTNode | None) -> bool:
    """Is `future.result()` (or another method of `FUTURE_READS`) a statement of its own?"""
    if not isinstance(attribute, cst.Attribute) or attribute.attr.value not in FUTURE_READS:
        return False
    call = module.parent(attribute)
    return isinstance(call, cst.Call) and call.func is attribute and isinstance(module.parent(call), cst.Expr)


def _method(module: Module, name: cst.Name) -> str:
    attribute = module.parent(name)
    return attribute.attr.value if isinstance(attribute, cst.Attribute) else ""


def _blank(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "_"
