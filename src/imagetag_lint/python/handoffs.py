"""Functions handed to a thread or an executor to run, not called: `threading.Thread(target=build,
args=("shop-x",))` (also `multiprocessing.Process`), `pool.submit(build, "shop-x")` and
`pool.map(build, ["shop-x", "shop-y"])` (also the builtin `map` consumed by `list(...)`, and a
pool's `imap`, `imap_unordered` and `starmap`) and asyncio's `loop.run_in_executor(None, build,
"shop-x")`. Each runs the function with those arguments, so a producer handed over builds what a call of it would, and
its name is lost where the hand-off drops it: a thread keeps nothing its target returns, a
future dropped (or read only by a `result()` that is a statement of its own, also among the
futures a comprehension or a loop collects) and a map whose names nobody keeps lose it as a
bare call does. A `submit` (or a thread) in a loop over a literal list runs once per row, as a
map does (`tables.calls_per_row`)."""

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
from imagetag_lint.python.tables import calls_per_row
from imagetag_lint.record import record, replace

THREADS = {"Thread", "Process"}  # threading, multiprocessing: the return value goes nowhere
CONSUMERS = {"list", "tuple", "set"}  # what runs a lazy `map` to its end, keeping the names it gives
FUTURE_READS = {"result", "exception", "done", "cancel"}  # a future's methods: as a statement, they keep nothing
MAPS = {"map", "imap", "imap_unordered"}  # `pool.map(build, rows)`: one run per row
STARMAPS = {"starmap"}  # `pool.starmap(build, [("shop-x", "v1")])`: one run per row of arguments
WAITS = {"as_completed", "wait"}  # hand back the futures they are given, or sets of them


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
            found.append(_per_row(function, handoff))
    return found


def _per_row(function: Function, handoff: Handoff) -> Handoff:
    """`pool.submit(build, svc)` (or a thread's target, or an executor's) in a loop or a
    comprehension over a literal list (`for svc in ["shop-a", "shop-b"]`) runs the function
    once per row, as a map over that list does."""
    if handoff.form == "map" or len(handoff.runs) != 1:
        return handoff
    runs = calls_per_row(function, handoff.call, handoff.runs[0])
    return replace(handoff, runs=runs) if runs is not None else handoff


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
        return _map_dropped(project, function, handoff.call)
    return _future_dropped(project, function, handoff.call)


def _map_dropped(project: Project, function: Function, call: cst.Call) -> str | None:
    """`pool.map(build, rows)` as a statement, also inside `list(...)`, or walked by a loop that
    never reads its variable; the builtin `map` runs nothing until something consumes it."""
    module = function.module
    node: cst.CSTNode = call
    parent = module.parent(node)
    consumer = module.parent(parent) if isinstance(parent, cst.Arg) else None
    if isinstance(consumer, cst.Call) and isinstance(consumer.func, cst.Name) and consumer.func.value in CONSUMERS \
            and len(consumer.args) == 1:
        node, parent = consumer, module.parent(consumer)
    shown = module.code(call.func)
    if isinstance(parent, cst.For) and parent.iter is node:
        return _loop_drops(project, function, parent, f"the names `{shown}` returns")
    if isinstance(call.func, cst.Name) and node is call:
        return None  # a lazy `map` nothing consumes runs no build
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
    collected = _collection_of(function, call)
    if collected is not None:
        return _collection_dropped(project, function, *collected)
    if not isinstance(parent, cst.Assign) or len(parent.targets) != 1:
        return None
    target = parent.targets[0].target
    if _blank(target):
        return f"the future `{shown}` returns is assigned to `_`"
    if not isinstance(target, cst.Name) or read_in_closure(project, function, target.value):
        return None
    if not _bound_once(function, target.value):
        return None  # bound again: which future a read gets is not followed
    reads = _reads(function, target.value)
    if any(not _keeps_nothing(module, module.parent(n)) for n in reads):
        return None
    if not reads:
        return f"the future `{target.value}` is never read"
    methods = ", ".join(sorted({f"`{target.value}.{_method(module, n)}()`" for n in reads}))
    return f"the future `{target.value}` is read only by {methods}, as a statement of its own"


def _loop_drops(project: Project, function: Function, loop: cst.For, what: str) -> str | None:
    """A loop over the names a map returns that keeps none: its variable is `_`, or never read."""
    target = loop.target
    if not isinstance(target, cst.Name):
        return None
    if target.value == "_":
        return f"{what} are assigned to `_` by the loop over them"
    if _bound_once(function, target.value) and not _reads(function, target.value) \
            and not read_in_closure(project, function, target.value):
        return f"{what} are never read: the loop over them does not read `{target.value}`"
    return None


def _collection_of(function: Function, call: cst.Call) -> tuple[cst.Name, cst.CSTNode] | None:
    """The variable a `pool.submit(...)` future is collected in, with what collects it: the
    comprehension assigned to it (`futures = [pool.submit(build, s) for s in services]`, or the
    key of `{pool.submit(build, s): s for s in services}`; a generator submits nothing until
    something walks it, and is left alone), or `futures.append(...)` as a statement, into a list
    assigned empty."""
    module = function.module
    parent = module.parent(call)
    if isinstance(parent, (cst.ListComp, cst.SetComp)) and parent.elt is call \
            or isinstance(parent, cst.DictComp) and parent.key is call:
        statement = module.parent(parent)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and statement.value is parent \
                and isinstance(statement.targets[0].target, cst.Name):
            return statement.targets[0].target, parent
        return None
    append = module.parent(parent) if isinstance(parent, cst.Arg) else None
    if not isinstance(append, cst.Call) or len(append.args) != 1 or not isinstance(module.parent(append), cst.Expr):
        return None
    func = append.func
    if isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name):
        return func.value, append
    return None


def submitted_per_pass(function: Function, call: cst.Call) -> bool:
    """Does the `pool.submit(...)` run once per pass of a loop or a comprehension?"""
    for ancestor in function.module.ancestors(call):
        if ancestor is function.node:
            return False
        if isinstance(ancestor, (cst.For, cst.While, cst.BaseComp)):
            return True
    return False


def _collection_dropped(project: Project, function: Function, name: cst.Name, collector: cst.CSTNode) -> str | None:
    """Are the futures collected in the variable read only by loops whose variable keeps
    nothing (`for f in as_completed(futures): f.result()`)? The variable is bound once (to the
    comprehension, or to `[]` that the appends fill), and read only by the appends, by the
    `for` loops over it (or over `as_completed(...)` of it), by `wait(...)` as a statement,
    and, for a dict keyed by the futures, by `futures[f]`, which gives the row."""
    module = function.module
    variable = name.value
    if not _bound_once(function, variable) or read_in_closure(project, function, variable):
        return None
    binding = next(statement for bound, _, statement in function.bindings if bound == variable)
    appended = isinstance(collector, cst.Call)
    if appended and not (isinstance(binding, cst.Assign) and isinstance(binding.value, cst.List)
                         and not binding.value.elements):
        return None
    keyed = isinstance(collector, cst.DictComp)
    methods: set[str] = set()
    for read in _reads(function, variable):
        parent = module.parent(read)
        if appended and isinstance(parent, cst.Attribute) and parent.value is read and module.parent(parent) is collector:
            continue
        if keyed and isinstance(parent, cst.Subscript) and parent.value is read:
            continue
        node: cst.CSTNode = read
        if isinstance(parent, cst.Arg) and parent.keyword is None and _waits(module, parent):
            node = module.parent(parent)  # type: ignore[assignment]
            if isinstance(module.parent(node), cst.Expr):
                continue  # `wait(futures)`: the sets it returns are dropped
        loop = module.parent(node)
        found = _future_reads(project, function, loop, name, keyed) if isinstance(loop, cst.For) and loop.iter is node else None
        if found is None:
            return None
        methods |= found
    if not methods:
        return f"no future collected in `{variable}` is asked for the name"
    shown = ", ".join(sorted(methods))
    return f"the futures collected in `{variable}` are read only by {shown}, as a statement of its own"


def _waits(module: Module, arg: cst.Arg) -> bool:
    """`as_completed(futures)` or `wait(futures, ...)`: the futures handed back, or their sets."""
    call = module.parent(arg)
    return isinstance(call, cst.Call) and callee_name(call) in WAITS and call.args[0] is arg


def _future_reads(project: Project, function: Function, loop: cst.For, collection: cst.Name,
                  keyed: bool) -> set[str] | None:
    """The methods the loop's variable calls as statements of their own (`f.result()`), when
    that is all it does (besides `futures[f]` for a dict keyed by the futures); else None."""
    module = function.module
    target = loop.target
    if not isinstance(target, cst.Name) or not _bound_once(function, target.value) \
            or read_in_closure(project, function, target.value):
        return None
    found = set()
    for read in _reads(function, target.value):
        parent = module.parent(read)
        if _keeps_nothing(module, parent):
            found.add(f"`{target.value}.{_method(module, read)}()`")
            continue
        element = module.parent(parent) if isinstance(parent, cst.Index) else None
        subscript = module.parent(element) if element is not None else None
        if keyed and isinstance(subscript, cst.Subscript) and isinstance(subscript.value, cst.Name) \
                and subscript.value.value == collection.value:
            continue
        return None
    return found


def _bound_once(function: Function, name: str) -> bool:
    return sum(1 for bound, _, _ in function.bindings if bound == name) == 1


def _reads(function: Function, name: str) -> list[cst.Name]:
    return [n for n in function.names if n.value == name and is_read(function.module, n)]


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
