"""The goroutine hand-off: a name captured inside a goroutine reaches the launching function
through an outer variable that is read only after a receive (or Wait) orders it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.analysis.deployments import DeployCall
from imagetag_lint.analysis.discards import Discard
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Edit
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    enclosing,
    is_inside,
)
from imagetag_lint.record import record
from imagetag_lint.repair.capture import BlockScope, Scope
from imagetag_lint.repair.names import fresh_name
from imagetag_lint.repair.ordering import drained_at
from imagetag_lint.repair.plan import CannotFix, Plan

UNSYNCHRONISED = "read the name only after a receive (or Wait) that orders it after the goroutine's send"
UNORDERED = "the name now crosses goroutines through a variable whose order the analysis cannot prove"


@record
class HandOff:
    """The outer variable that carries the name, its own edits, and where the launching function may
    read it: after `drained` (a byte offset), or nowhere proven when it is None."""

    name: str
    edits: list[Edit]
    drained: int | None


def go_statement(call: Node) -> Node | None:
    return enclosing(call, ("go_statement",))


def carry_out_of_goroutine(
    index: ImageFlowIndex,
    discard: Discard,
    capture: Scope,
    variable: str,
    deploy: DeployCall | None,
    plan: Plan,
    grouped: Node | None = None,
) -> HandOff:
    """Assign an outer variable before the goroutine reports; read it after the receive. The
    caller decides the fix's safety once every read is placed (see `unordered_reads`). `grouped`
    is the `g.Go(func() error {...})` statement of an errgroup's closure: it reports by returning,
    and `g.Wait()` orders the read."""
    file = discard.file
    go = grouped or go_statement(discard.call)
    function = discard.function
    assert function is not None
    loop = enclosing(go, ("for_statement",)) if go is not None else None
    if go is None or (loop is not None and is_inside(loop, function.node)):
        raise CannotFix(
            "the goroutine is started in a loop: carry each name out in the result struct sent on "
            "the channel and read it after the receive"
        )
    closure = enclosing(discard.call, ("func_literal",))
    after = capture.statement_end()
    report = _first_report(closure, after) if closure is not None and grouped is None else None
    if report is None and grouped is None:
        raise CannotFix(_unreported(closure, function, go))
    if deploy is not None and not synchronised_between(function, go, deploy.call):
        raise CannotFix(UNSYNCHRONISED)  # with no deploy call, each deployment the name goes to is checked
    outer = fresh_name(index, variable + "Built", function, {variable})
    indent = E.line_indent(file, go.start_byte)
    declare = E.insert(file, go.start_byte, f"var {outer} string\n{indent}")
    inner_indent = E.line_indent(file, after)
    hoisted = isinstance(capture, BlockScope) and capture.statement.type == "if_statement"
    line_end = file.source.find(b"\n", after)
    if hoisted or line_end == -1:
        write = E.insert(file, after, f"\n{inner_indent}{outer} = {variable}")
    else:  # after the statement's line, so a trailing comment stays where it was
        write = E.insert(file, line_end + 1, f"{inner_indent}{outer} = {variable}\n")
    plan.edits.extend((declare, write))
    drained = None
    if isinstance(capture, BlockScope) and function.body is not None:
        drained = drained_at(function.body, go, capture.statement, after)
    return HandOff(outer, [declare, write], drained)


def _first_report(closure: Node, after: int) -> Node | None:
    """The first send or `Done()` in the goroutine after the capture; a deferred `Done()` runs when
    the goroutine returns, after the capture wherever it is written."""
    found = [n for n in _reports(closure) if n.start_byte >= after or _deferred(n)]
    return min(found, key=lambda n: n.start_byte) if found else None


def _reports(closure: Node) -> list[Node]:
    """The sends and `Done()` calls of the goroutine itself (not of closures inside it)."""
    return [
        node for node in _own_nodes(closure.child_by_field_name("body"))
        if node.type == "send_statement" or (node.type == "call_expression" and callee(node)[1] == "Done")
    ]


def _closed_channels(closure: Node) -> list[Node]:
    """The channels the goroutine itself closes (`close(done)`, deferred or not)."""
    found = []
    for node in _own_nodes(closure.child_by_field_name("body")):
        args = arguments(node) if node.type == "call_expression" and callee(node) == (None, "close") else []
        if len(args) == 1:
            found.append(args[0])
    return sorted(found, key=lambda n: n.start_byte)


def closed_only(call: Node) -> str | None:
    """The channel the goroutine around call closes, when that is how it reports (it neither
    sends nor calls `Done()`)."""
    closure = enclosing(call, ("func_literal",))
    if closure is None or _reports(closure):
        return None
    closed = _closed_channels(closure)
    return text(closed[0]) if closed else None


def _own_nodes(body: Node | None) -> Iterator[Node]:
    """The nodes of a body (a goroutine's, a function's), not of closures inside it."""
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES and node is not body:
            continue
        yield node
        stack.extend(node.named_children)


def _deferred(node: Node) -> bool:
    return node.parent is not None and node.parent.type == "defer_statement"


def _unreported(closure: Node | None, function: Function, go: Node) -> str:
    """Why no hand-off is written when nothing the goroutine does after the build can order a read;
    a channel is named only when the goroutine has one."""
    if closure is not None and any(n.type == "send_statement" for n in _reports(closure)):
        return "carry the name out of the goroutine with the result it reports on the channel"
    closed = _closed_channels(closure) if closure is not None else []
    if closed:
        channel = text(closed[0])
        waits = _select_receiving(function, go, channel)
        where = (
            f", and `{function.name}` waits for it in a `select` (line {waits.start_point.row + 1}), whose order the "
            "analysis does not prove either" if waits is not None else ""
        )
        return (
            f"the goroutine reports by closing `{channel}`, and the analysis orders a read of the name only after "
            f"a send or a `Done()`, not after a close{where}: carry the name out by hand, in a variable the "
            f"goroutine sets before `{channel}` is closed and the launching function reads after it receives from it"
        )
    return (
        "the goroutine reports nothing after the build (no send, no `Done()`), so no read of the "
        "name can be ordered after it: make the launching function wait for the goroutine, then "
        "carry the name out"
    )


def _select_receiving(function: Function, go: Node, channel: str) -> Node | None:
    """The `select` of the launching function, after the `go` statement, one of whose cases
    receives from the channel."""
    for node in _own_nodes(function.body):
        if node.type == "receive_statement" and node.start_byte >= go.end_byte and text(node).replace(" ", "") == f"<-{channel}":
            holder = node.parent.parent if node.parent is not None and node.parent.type == "communication_case" else None
            if holder is not None and holder.type == "select_statement":
                return holder
    return None


def synchronised_between(function: Function, go: Node, deploy_call: Node) -> bool:
    """A receive or a Wait() in the launching function between the go statement and the deploy."""
    for node in _own_nodes(function.body):
        if go.end_byte <= node.start_byte < deploy_call.start_byte:
            if node.type == "unary_expression" and text(node).startswith("<-"):
                return True
            if node.type == "call_expression" and callee(node)[1] == "Wait":
                return True
    return False


def unordered_reads(hand_off: HandOff, function: Function, plan: Plan) -> bool:
    """Does any edit read the carried name in the launching function where no drain orders it?"""
    body = function.body
    if hand_off.drained is None or body is None:
        return True
    word = re.compile(rf"\b{re.escape(hand_off.name)}\b")
    own = {id(e) for e in hand_off.edits}
    filename = hand_off.edits[0].filename
    for edit in plan.edits:
        if id(edit) in own or edit.filename != filename or not word.search(edit.content):
            continue
        if body.start_byte <= edit.start_byte < body.end_byte and edit.start_byte < hand_off.drained:
            return True
    return False
