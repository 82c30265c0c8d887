"""Where a Python function drops the image name a producer returned (IMG001's question)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.flow import FIXED, Flow, Sink
from imagetag_lint.python.holders import Held, fixture_entries, repositories_held
from imagetag_lint.python.pairing import (
    builds_for,
    built_right_here,
    fixture_repositories,
    shown_to_build,
)
from imagetag_lint.python.project import Function, Project
from imagetag_lint.python.reaching import definitions_at
from imagetag_lint.python.syntax import Module, fixture_scope, string_value
from imagetag_lint.python.tables import table_rows
from imagetag_lint.python.values import SILENT
from imagetag_lint.python.warming import fixed_text, memoizes, taken_later
from imagetag_lint.record import record


@record(frozen=True, eq=False)
class Discard:
    """A producer call (or a requested fixture) whose image name is lost, and how."""

    function: Function
    node: cst.CSTNode  # the call, the test's parameter, or the fixture's name in `usefixtures`
    producer: str  # the producer's name (the fixture's name for a fixture)
    how: str
    kind: str  # "bare", "blank", "slot", "unread", "fixture", "usefixtures"
    statement: cst.CSTNode | None = None  # the Expr or Assign statement
    target: cst.Name | None = None  # the `_` or the variable that got the name
    results: int = 1
    image_result: int = 0
    held: Held | None = None  # the fixture's entry that holds the image (`image_map["api"]`)
    runs: tuple[cst.Call, ...] = ()  # "handed": the producer's runs a thread or an executor makes


def find_discards(flow: Flow, function: Function) -> list[Discard]:
    found = []
    kept = set()
    for call in function.calls:
        shape = flow.shape_of_call(call, function.module)
        if shape is None:
            factory = factory_call(flow, call, function)  # `image_factory("shop-mail")`
            shape = flow.producers[factory] if factory is not None else None
        if shape is None or flow.project.resolve(call, function.module) is function:
            continue
        lost = _classify(call, function, flow.project, shape.results, shape.image_result)
        if lost is None:
            kept.add(call)
            continue
        how, kind, statement, target = lost
        found.append(Discard(function, call, call_text(function.module, call), how, kind, statement, target,
                             shape.results, shape.image_result))
    # a memoising producer called to warm its cache, and again with the same arguments to take the
    # name; a take whose variable is never read is the one defect to report (its fix deploys it)
    taken = kept | {d.node for d in found if d.kind == "unread" and isinstance(d.node, cst.Call)}
    found = [d for d in found if not _warms(flow, d, taken)]
    if function.is_test:
        found.extend(_unread_fixtures(flow, function))
    return found


def _warms(flow: Flow, discard: Discard, kept: set[cst.Call]) -> bool:
    call, function = discard.node, discard.function
    assert isinstance(call, cst.Call)
    # a requested factory fixture first: the parameter hides the fixture's own def in this module
    producer = factory_call(flow, call, function) or flow.project.resolve(call, function.module)
    return producer is not None and (taken_later(flow, function, call, producer, kept)
                                     or _taken_elsewhere(flow, discard, producer))


def _taken_elsewhere(flow: Flow, discard: Discard, producer: Function) -> bool:
    """Is a memoising helper warmed with fixed arguments (or with each row of a literal loop:
    `for svc in ("shop-mail", "shop-cart"): image_get(svc)` in an autouse fixture) taken with those
    very arguments by other functions, which keep what it returns? The memo hands them the name
    this call built, whichever runs first: the call drops nothing."""
    call, function = discard.node, discard.function
    assert isinstance(call, cst.Call)
    if discard.kind != "bare":
        return False
    if factory_call(flow, call, function) is not None and not _session_factory(flow, call, function):
        return False  # a factory fixture's cache may be one test's own
    return taken_by_others(flow, function, producer, _warmed_with(flow, call, function, producer))


def taken_by_others(flow: Flow, function: Function, producer: Function, wanted: set[tuple[str | None, ...]]) -> bool:
    """Do other functions take from the memoising producer, with each of these arguments, the
    name its runs in this function built (and keep it), while this function deploys no other name?"""
    if not wanted or not memoizes(flow, producer):
        return False
    if any(s.deploys and s.value.kind not in SILENT for s in flow.sinks.get(function, [])):
        return False  # the function deploys another name itself: the drop may be what it lacks
    shape = flow.producers[producer]
    taken = set()
    for other in flow.project.functions:
        for take in other.calls if other is not function else ():
            if (factory_call(flow, take, other) or flow.project.resolve(take, other.module)) is not producer:
                continue
            passed = fixed_arguments(flow, take, other, producer)
            if passed in wanted and _classify(take, other, flow.project, shape.results, shape.image_result) is None:
                taken.add(passed)
    return taken == wanted


def _session_factory(flow: Flow, call: cst.Call, function: Function) -> bool:
    """Is the factory fixture the call runs session-scoped, so that one cache (of the function it
    hands out) serves every test of the session?"""
    fixture = flow.project.fixture_for(call.func.value, function) if isinstance(call.func, cst.Name) else None
    return fixture is not None and fixture_scope(fixture.node) == "session"


def _warmed_with(flow: Flow, call: cst.Call, function: Function, producer: Function) -> set[tuple[str | None, ...]]:
    """The fixed arguments a warm call passes, one tuple for each row a loop hands its variable
    (a literal list's, or a module constant's: `for s in SERVICES: image_of(s)`)."""
    variables = [a.value for a in call.args if isinstance(a.value, cst.Name)]
    rows = _loop_rows(flow, variables[0], function) if len(variables) == 1 else None
    if rows is None:
        found = fixed_arguments(flow, call, function, producer)
        return {found} if found is not None else set()
    by_row = [fixed_arguments(flow, call, function, producer, [(variables[0], row)]) for row in rows]
    return set() if any(r is None for r in by_row) else {r for r in by_row if r is not None}


def _loop_rows(flow: Flow, read: cst.BaseExpression, function: Function) -> list[cst.BaseExpression] | None:
    """The rows a loop's variable takes: a literal list's (`table_rows`), or the string literals
    of the module constant list the loop walks."""
    rows = table_rows(read, function)
    if rows is not None or not isinstance(read, cst.Name):
        return rows
    found = definitions_at(read, function)
    if found is None or len(found) != 1 or isinstance(found[0], int):
        return None
    target, loop = found[0]
    if not isinstance(loop, cst.For) or loop.target is not target or loop.asynchronous is not None:
        return None
    constant = flow.constant_behind(loop.iter, function.module, function)
    if not isinstance(constant, (cst.List, cst.Tuple)) or not all(isinstance(e, cst.Element) for e in constant.elements):
        return None
    values = [e.value for e in constant.elements]
    return values if all(string_value(v) is not None for v in values) else None  # its module's names are not followed


def fixed_arguments(flow: Flow, call: cst.Call, function: Function, producer: Function,
                    replaced: list[tuple[cst.BaseExpression, cst.BaseExpression]] | None = None) -> tuple[str | None, ...] | None:
    """The fixed text the call passes for each parameter of the producer (a literal, or a
    constant's: `image_of(API)` and `image_of("shop-api")` pass the same; None for one it leaves
    to its default), or None when one is not fixed text; `replaced` gives the row that stands for
    a loop's variable."""
    if any(a.star for a in call.args):
        return None
    found: list[str | None] = []
    for param in producer.params:
        argument = flow.project.argument_for(call, producer, param)
        argument = next((row for read, row in replaced or [] if read is argument), argument)
        text = fixed_text(flow, argument, function) if argument is not None else None
        if argument is not None and text is None:
            return None
        found.append(text)
    return tuple(found)


def call_text(module: Module, call: cst.Call) -> str:
    return module.code(call.func)


def _classify(call: cst.Call, function: Function, project: Project, results: int,
              image_result: int) -> tuple[str, str, cst.CSTNode | None, cst.Name | None] | None:
    module = function.module
    node: cst.CSTNode = call
    parent = module.parent(node)
    if isinstance(parent, cst.Await):
        node, parent = parent, module.parent(parent)
    if isinstance(parent, cst.Expr):
        return "the call is a statement of its own", "bare", parent, None
    if (isinstance(parent, cst.NamedExpr) and parent.value is node and isinstance(parent.target, cst.Name)
            and results == 1 and isinstance(module.parent(parent), cst.If)):
        # `if (image := build()):` binds the name whichever branch runs (one inside `and`, a
        # comprehension or a loop's test may not, and is left alone); the test is no read of it
        name = parent.target.value
        if name != "_" and not is_read_after(function, name, parent) and not read_in_closure(project, function, name):
            return _never_read(project, function, name), "unread", parent, parent.target
        return None
    if not isinstance(parent, cst.Assign) or parent.value is not node or len(parent.targets) != 1:
        return None
    target = parent.targets[0].target
    if isinstance(target, cst.Name) and results == 1:
        slot = target
    elif isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == results:
        element = target.elements[image_result].value
        if not isinstance(element, cst.Name):
            return None
        slot = element
    else:
        return None
    if slot.value == "_":
        if slot is target:
            return "assigned to `_`", "blank", parent, slot
        return "its slot of the tuple unpacking is `_`", "slot", parent, slot
    if not is_read_after(function, slot.value, parent) and not read_in_closure(project, function, slot.value):
        overwritten = _overwritten_at(function, slot.value, parent)
        if overwritten is not None and is_read_after(function, slot.value, parent, ignore_overwrite=True):
            line = module.file.span(overwritten, overwritten).start.row
            return f"`{slot.value}` is assigned again at line {line} before it is read", "unread", parent, slot
        return _never_read(project, function, slot.value), "unread", parent, slot
    if not read_in_closure(project, function, slot.value) and not reaches_a_read(function, slot.value, parent):
        return f"`{slot.value}` is assigned again on every way before it is read", "unread", parent, slot
    return None


def _never_read(project: Project, function: Function, name: str) -> str:
    idle = idle_reader(project, function, name)
    return f"`{name}` is read{idle}" if idle else f"`{name}` is never read"


def reaches_a_read(function: Function, name: str, statement: cst.CSTNode) -> bool:
    """Does the value this statement binds reach a read of the variable, on some way through
    the function? (`image = build()`, then `if fast: image = "a"` and `else: image = "b"`
    before every read: no read gets the build's name.)"""
    module = function.module
    for occurrence in function.names:
        if occurrence.value != name or not is_read(module, occurrence):
            continue
        found = definitions_at(occurrence, function)
        if found is None or any(not isinstance(d, int) and d[1] is statement for d in found):
            return True
    return False


def is_read_after(function: Function, name: str, statement: cst.CSTNode, ignore_overwrite: bool = False) -> bool:
    """Is the variable read after this statement (or anywhere in a loop around it), before an
    assignment in the same block replaces it?"""
    module = function.module
    after = module.end(statement)
    loops = [a for a in module.ancestors(statement) if isinstance(a, (cst.For, cst.While))
             and module.inside(a, function.node)]
    overwritten = None if ignore_overwrite else _overwritten_at(function, name, statement)
    for occurrence in function.names:
        if occurrence.value != name or not is_read(module, occurrence):
            continue
        if any(module.inside(occurrence, loop) for loop in loops):
            return True
        if module.start(occurrence) >= after and (overwritten is None or module.start(occurrence) < overwritten):
            return True
    return False


def _overwritten_at(function: Function, name: str, statement: cst.CSTNode) -> int | None:
    """Where a plain assignment in the same block first replaces the variable after this
    statement (`image = build()`, then `image = "localhost/api:latest"`): reads after it read
    the new value. One in a branch or a loop may not run, and does not count."""
    module = function.module
    line = module.parent(statement)
    block = module.parent(line) if line is not None else None
    for bound, target, other in function.bindings:
        if bound != name or other is statement or not isinstance(other, cst.Assign) or other.targets[0].target is not target:
            continue
        other_line = module.parent(other)
        if other_line is not None and module.parent(other_line) is block and module.start(other) > module.start(statement):
            return module.end(other)
    return None


def read_in_closure(project: Project, function: Function, name: str) -> bool:
    """Is the variable read by a `def` nested in the function that may run (a closure the test
    calls, or hands to a retry helper)? One defined and never called, passed, returned or stored
    never runs, and reads nothing."""
    return any(_idle(project, function, inner) is None for inner in _closures_reading(project, function, name))


def idle_reader(project: Project, function: Function, name: str) -> str:
    """How the variable is read only by a nested `def` that never runs, for a drop's message
    (" only in `deploy_it`, ..."), or ""."""
    for inner in _closures_reading(project, function, name):
        idle = _idle(project, function, inner)
        where = f"`{inner.name}`" if idle is inner or idle is None else f"`{inner.name}`, inside `{idle.name}`"
        return f" only in {where}, a nested `def` that nothing calls, passes, returns or stores"
    return ""


def _closures_reading(project: Project, function: Function, name: str) -> Iterator[Function]:
    module = function.module
    for inner in project.functions_of(module):
        if inner is function or not module.inside(inner.node, function.node) or name in inner.params:
            continue
        if any(o.value == name and is_read(module, o) for o in inner.names):
            yield inner


def _idle(project: Project, function: Function, inner: Function) -> Function | None:
    """The nested `def` on the way from `function` to `inner` that the code around it does not
    use (call, pass, return, store or decorate: the decorator gets it), or None: `inner` may run.
    A def in a class counts as used (the class may be handed anywhere); its own recursive calls
    do not."""
    module = function.module
    while inner is not function:
        enclosing = module.function_of(inner.node)
        owner = project.owner.get(enclosing) if enclosing is not None else None
        if enclosing is None or owner is None:
            return None
        in_class = any(isinstance(a, cst.ClassDef) for a in _between(module, inner.node, enclosing))
        if not inner.node.decorators and not in_class and not _used(project, module, inner, enclosing):
            return inner
        inner = owner
    return None


def _between(module: Module, node: cst.CSTNode, outer: cst.CSTNode) -> list[cst.CSTNode]:
    found = []
    for ancestor in module.ancestors(node):
        if ancestor is outer:
            break
        found.append(ancestor)
    return found


def _used(project: Project, module: Module, inner: Function, enclosing: cst.FunctionDef) -> bool:
    """Is the nested def's name read in the function that holds it (or a def nested there),
    outside the def itself?"""
    for other in project.functions_of(module):
        if other is inner or not module.inside(other.node, enclosing) or module.inside(other.node, inner.node):
            continue
        if any(n.value == inner.name and is_read(module, n) for n in other.names):
            return True
    return False


def is_read(module: Module, name: cst.Name) -> bool:
    """A load of the name: not a store target, a parameter, a def's name or an attribute's name;
    `_ = name` (the usual silencer) does not count either."""
    parent = module.parent(name)
    if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.AssignTarget, cst.ImportAlias)):
        return False
    if isinstance(parent, cst.Attribute) and parent.attr is name:
        return False
    if isinstance(parent, cst.Arg) and parent.keyword is name:
        return False
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.For)) and parent.target is name:
        return isinstance(parent, cst.AugAssign)
    if isinstance(parent, cst.Assign):
        return not all(isinstance(t.target, cst.Name) and t.target.value == "_" for t in parent.targets)
    while isinstance(parent, (cst.Element, cst.Tuple, cst.List, cst.StarredElement)):
        parent = module.parent(parent)
    return not isinstance(parent, cst.AssignTarget)


def _unread_fixtures(flow: Flow, function: Function) -> list[Discard]:
    """A test requests a fixture that builds the image, never reads it, and deploys something
    else (itself or through a helper that hardcodes the image)."""
    references = other_references(flow, function)
    if not references:
        return []
    found = []
    params = function.node.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        fixture = flow.project.fixture_for(param.name.value, function)
        if fixture is None or fixture in flow.deploying:
            continue  # a fixture that also deploys is requested for what it does, not its value
        held = None if fixture in flow.producers else _held_entry(flow, fixture, references)
        if fixture not in flow.producers and held is None:
            continue
        if held is None and not _stands_in(flow, fixture_repositories(flow, fixture, function, param.name.value), references):
            continue  # it builds another service than the test deploys: requested for that
        if any(o.value == param.name.value and is_read(function.module, o) for o in function.names):
            continue
        if read_in_closure(flow.project, function, param.name.value):
            continue
        idle = idle_reader(flow.project, function, param.name.value)
        how = f"the test requests the fixture `{param.name.value}` and {f'reads it{idle}' if idle else 'never reads it'}"
        shape = flow.producers.get(fixture)
        results, image_result = (shape.results, shape.image_result) if shape is not None else (1, 0)
        found.append(Discard(function, param, param.name.value, how, "fixture", None, param.name,
                             results, image_result, held))
    for name, node in function.usefixtures:
        fixture = flow.project.fixture_for(name, function)
        if name in function.params or fixture is None or fixture not in flow.producers or fixture in flow.deploying:
            continue
        if not _stands_in(flow, fixture_repositories(flow, fixture, function, name), references):
            continue
        how = f"the test requests the fixture `{name}` through `usefixtures`, which gives it no value"
        shape = flow.producers[fixture]
        found.append(Discard(function, node, name, how, "usefixtures", None, None, shape.results, shape.image_result))
    return found


def _held_entry(flow: Flow, fixture: Function, references: list[Sink]) -> Held | None:
    """The one entry of a fixture's dict or dataclass of built names whose build is shown to
    make a repository the test deploys another reference of."""
    found = {}
    for held in fixture_entries(flow, fixture):
        built = repositories_held(flow, held)
        if any(shown_to_build(flow, built, sink) for sink in references):
            found[held.access] = held
    return next(iter(found.values())) if len(found) == 1 else None


def _stands_in(flow: Flow, built: frozenset[str], references: list[Sink]) -> bool:
    return any(builds_for(flow, built, sink) for sink in references)


def other_references(flow: Flow, function: Function) -> list[Sink]:
    """The deployments of a function that get something other than a built name: its own sinks,
    and fixed references in the helpers it calls (two calls deep)."""
    wrong = [s for s in flow.sinks.get(function, []) if s.value.kind not in SILENT and not built_right_here(flow, function, s)]
    seen = {function}
    frontier = [function]
    for _ in range(2):
        reached = []
        for caller in frontier:
            for call in caller.calls:
                target = flow.project.resolve(call, caller.module)
                if target is None or target in seen:
                    continue
                seen.add(target)
                reached.append(target)
                wrong.extend(s for s in flow.sinks.get(target, []) if s.deploys and s.value.kind == FIXED)
        frontier = reached
    return wrong
