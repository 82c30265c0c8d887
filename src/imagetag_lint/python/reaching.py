"""Which assignments of a local variable may reach a read of it (reaching definitions).

`image = "localhost/app:e2e"`, then `if rebuild: image = build("app")`, then a deploy of `image`:
the deploy gets either value, and the fixed one alone says nothing. The function's statements
are walked in order; a branch (`if`, `match`, a `try` and its handlers, a loop that may run no
time or many) joins the definitions of each way through it, and an assignment on the way
replaces the ones before (in a loop, every assignment of its body may come round to the
head). `return`, `raise`, `break` and `continue` end a way through.

Only the names a function binds more than once (or binds and takes as a parameter) need the
walk; a name bound once, before the read, has that one definition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import libcst as cst

from imagetag_lint.python.syntax import Module

if TYPE_CHECKING:
    from imagetag_lint.python.project import Function

ENTRY = -1  # the value the name has as the function starts: its parameter's (a local is unbound)
OTHER = -2  # a binding the flow does not read (a `match` capture)

State = frozenset[int]
_EMPTY: State = frozenset()


class _Loop:
    """What leaves a loop early (`break`)."""

    def __init__(self) -> None:
        self.breaks: State = _EMPTY


class _Walk:
    """One walk of a function's body for one read of one name. Definitions are the indexes of
    `binders` (the statement or expression that binds the name, as `Function.bindings` holds
    it); what reaches the read is gathered in `found`. The walk visits each statement once: a
    loop's head takes every assignment of its body, which may come round again."""

    def __init__(self, module: Module, name: str, binders: Sequence[cst.CSTNode], read: cst.CSTNode) -> None:
        self.module = module
        self.name = name
        self.binders = binders
        self.spans = [(module.start(b), module.end(b)) for b in binders]
        self.read_at = module.start(read)
        self.found: set[int] = set()
        self.reached = False
        self.loops: list[_Loop] = []

    # -- positions ------------------------------------------------------------------------

    def _holds_read(self, node: cst.CSTNode) -> bool:
        return self.module.start(node) <= self.read_at < self.module.end(node)

    def _defined_in(self, node: cst.CSTNode) -> list[int]:
        """The plain bindings (assignments, `:=`, `with ... as`) inside an expression or small
        statement, in the order they take effect (where each ends)."""
        start, end = self.module.start(node), self.module.end(node)
        inside = [i for i, (s, e) in enumerate(self.spans) if start <= s and e <= end
                  and not isinstance(self.binders[i], (cst.For, cst.ExceptHandler))]
        return sorted(inside, key=lambda i: self.spans[i][1])

    def _expression(self, node: cst.CSTNode | None, state: State) -> State:
        """A statement's header or a small statement: the read, if it is here, gets the state
        with the bindings that end before it (`f(image := build(), image)`)."""
        if node is None:
            return state
        defined = self._defined_in(node)
        if self._holds_read(node):
            seen = state
            for index in defined:
                if self.spans[index][1] <= self.read_at:
                    seen = frozenset({index})
            self.found |= seen
            self.reached = True
        return frozenset({defined[-1]}) if defined else state

    # -- statements -----------------------------------------------------------------------

    def block(self, body: cst.BaseSuite | Sequence[cst.CSTNode] | None, state: State) -> State:
        if body is None:
            return state
        statements: Sequence[cst.CSTNode] = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else body  # type: ignore[assignment]
        for statement in statements:
            if not state and not self._holds_read(statement):
                continue  # no way reaches it (after a `return`); a read there gets nothing either
            state = self.statement(statement, state)
        return state

    def statement(self, node: cst.CSTNode, state: State) -> State:
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node, state)
        return self._expression(node, state)  # a def, a class: a statement whose inside is not ours

    def _line(self, node: cst.SimpleStatementLine, state: State) -> State:
        return self.block(node.body, state)

    def _small(self, node: cst.CSTNode, state: State) -> State:
        self._expression(node, state)
        loop = self.loops[-1] if self.loops else None
        if isinstance(node, cst.Break) and loop is not None:
            loop.breaks |= state
        return _EMPTY  # `continue` goes back to the head, which has every assignment of the body

    def _if(self, node: cst.If, state: State) -> State:
        state = self._expression(node.test, state)
        taken = self.block(node.body, state)
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            return taken | self._if(orelse, state)
        if isinstance(orelse, cst.Else):
            return taken | self.block(orelse.body, state)
        return taken | state

    def _loop(self, node: cst.For | cst.While, state: State) -> State:
        """The loop's head gets what comes before it and every assignment in its body (each may
        come round again; one the body replaces before its end counts too: walking a body again
        for each loop around it would cost twice per level of nesting)."""
        own = None
        if isinstance(node, cst.For):
            state = self._expression(node.iter, state)
            own = self.binders.index(node) if node in self.binders else None
        body_start, body_end = self.module.start(node.body), self.module.end(node.body)
        inside = frozenset(i for i, (s, e) in enumerate(self.spans) if body_start <= s and e <= body_end)
        head = state | inside | (frozenset({own}) if own is not None else _EMPTY)
        if isinstance(node, cst.While):
            head = self._expression(node.test, head)
        if isinstance(node, cst.For) and self._holds_read(node.target):
            self.found |= head
            self.reached = True
        loop = _Loop()
        self.loops.append(loop)
        self.block(node.body, frozenset({own}) if own is not None else head)
        self.loops.pop()
        done = self.block(node.orelse.body, head) if node.orelse is not None else head
        return done | loop.breaks

    def _try(self, node: cst.Try | cst.TryStar, state: State) -> State:
        raised = state  # a handler may start after any statement of the body
        current = state
        for statement in node.body.body:
            current = self.statement(statement, current) if current or self._holds_read(statement) else current
            raised |= current
        ends = self.block(node.orelse.body, current) if node.orelse is not None else current
        for handler in node.handlers:
            start = raised
            if handler in self.binders:
                start = frozenset({self.binders.index(handler)})
            start = self._expression(handler.type, start)
            ends |= self.block(handler.body, start)
        if node.finalbody is not None:
            return self.block(node.finalbody.body, ends | raised)
        return ends

    def _with(self, node: cst.With, state: State) -> State:
        for item in node.items:
            state = self._expression(item, state)
        return self.block(node.body, state)

    def _match(self, node: cst.Match, state: State) -> State:
        state = self._expression(node.subject, state)
        ends = _EMPTY
        exhaustive = False
        for case in node.cases:
            start = frozenset({OTHER}) if _captures(case.pattern, self.name) else state
            start = self._expression(case.guard, start)
            ends |= self.block(case.body, start)
            exhaustive = exhaustive or (case.guard is None and _irrefutable(case.pattern))
        return ends if exhaustive else ends | state


_HANDLERS: dict[type[cst.CSTNode], Callable[[_Walk, Any, State], State]] = {
    cst.SimpleStatementLine: _Walk._line,
    cst.If: _Walk._if,
    cst.For: _Walk._loop,
    cst.While: _Walk._loop,
    cst.Try: _Walk._try,
    cst.TryStar: _Walk._try,
    cst.With: _Walk._with,
    cst.Match: _Walk._match,
    cst.Return: _Walk._small,
    cst.Raise: _Walk._small,
    cst.Break: _Walk._small,
    cst.Continue: _Walk._small,
}


def _captures(pattern: cst.MatchPattern, name: str) -> bool:
    """Does a `case` pattern bind the name (`case {"image": image}:`)?"""
    stack: list[cst.CSTNode] = [pattern]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.MatchAs, cst.MatchStar)) and isinstance(node.name, cst.Name) and node.name.value == name:
            return True
        if isinstance(node, cst.MatchMapping) and isinstance(node.rest, cst.Name) and node.rest.value == name:
            return True
        stack.extend(node.children)
    return False


def _irrefutable(pattern: cst.MatchPattern) -> bool:
    """`case _:` or `case name:`: every subject matches."""
    if isinstance(pattern, cst.MatchAs):
        return pattern.pattern is None or _irrefutable(pattern.pattern)
    if isinstance(pattern, cst.MatchOr):
        return any(_irrefutable(p.pattern) for p in pattern.patterns)
    return False


def reaching(module: Module, function: cst.FunctionDef, name: str, binders: Sequence[cst.CSTNode],
             read: cst.CSTNode) -> frozenset[int] | None:
    """The definitions of `name` (indexes of `binders`, the statements that bind it in the
    function, or ENTRY, or OTHER) that may reach `read`; None when the walk did not find the
    read (it is in no statement of the function's own body)."""
    walk = _Walk(module, name, binders, read)
    walk.block(function.body, frozenset({ENTRY}))
    return frozenset(walk.found) if walk.reached else None


Binding = tuple[cst.CSTNode, cst.CSTNode]  # (the bound name, the statement that binds it)
Definition = Binding | int  # a binding, or ENTRY or OTHER
Definitions = tuple[Definition, ...]


def definitions_at(read: cst.Name, function: Function) -> Definitions | None:
    """The bindings of a local variable that may reach this read of it, in source order (ENTRY
    when a parameter's own value may); None when none does (a parameter never assigned, a
    module constant, a name read where no assignment reaches). Memoized on the function: the
    flow asks it of every read, every round."""
    cache = function.reaching
    if read not in cache:
        cache[read] = _definitions(read, function)
    return cache[read]


def _definitions(read: cst.Name, function: Function) -> Definitions | None:
    name, module = read.value, function.module
    bound = [(target, statement) for bound_name, target, statement in function.bindings if bound_name == name]
    if not bound:
        return None
    at = module.start(read)
    before = [b for b in bound if module.end(b[1]) <= at]
    if len(bound) == 1 and before and name not in function.params:
        return (before[0],)  # the one assignment, before the read: nothing else can reach it
    found = reaching(module, function.node, name, [statement for _, statement in bound], read)
    if found is None:  # not in the function's own statements: the last assignment before it
        return (before[-1],) if before else None
    if name not in function.params:
        found = found - {ENTRY}  # an unbound local: that way raises before the read
    if not found:
        return None
    return tuple(d if d < 0 else bound[d] for d in sorted(found, key=lambda d: module.start(bound[d][1]) if d >= 0 else -1))


def ways(node: cst.BaseExpression, function: Function) -> list[cst.BaseExpression | None]:
    """The expressions a variable may hold where it is read, one per assignment that may reach
    it (None: the parameter's own value); the node alone when one assignment, or none, does.
    (`tag = f"localhost/{service}:..."` when `tag is None`: a build of `tag` builds that name
    or the caller's.)"""
    found = definitions_at(node, function) if isinstance(node, cst.Name) else None
    if found is None or len(found) < 2:
        return [node]
    expressions: list[cst.BaseExpression | None] = []
    for definition in found:
        if definition == ENTRY:
            expressions.append(None)
        elif not isinstance(definition, int):
            target, statement = definition
            if isinstance(statement, cst.Assign) and statement.targets[0].target is target:
                expressions.append(statement.value)
    return expressions or [node]
