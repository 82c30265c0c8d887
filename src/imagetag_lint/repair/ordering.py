"""Proof that a goroutine's write to an outer variable happens before the launching function reads it.

The Go memory model orders a send before the receive that completes it, and `wg.Done()` before the
`wg.Wait()` it releases. So the hand-off is race-free when the goroutine writes before it reports
(on every path) and the launching function reads only after draining every report. Only the common
shapes are proven; anything else (a goroutine in a loop, a `select`, a conditional send counted by
a channel, a count that is not a literal, a `goto`) is left unproven, and the fix stays unsafe.
"""

from __future__ import annotations

from imagetag_lint.golang.model import read_imports
from imagetag_lint.golang.parser import Node, named_descendants, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
)

# The group types whose `Wait` returns only after every function their `Go` started has returned
# and every `Done` was called (import path, type name), and the functions that make one; a
# method named `Go` or `Wait` of any other type proves nothing.
_GROUP_TYPES = frozenset({
    ("golang.org/x/sync/errgroup", "Group"),
    ("sync", "WaitGroup"),
    ("github.com/sourcegraph/conc", "WaitGroup"),
})
_GROUP_MAKERS = frozenset({("golang.org/x/sync/errgroup", "WithContext")})
# Statements that leave a function or jump out of the straight line the proof reasons about.
_JUMPS = ("return_statement", "goto_statement", "break_statement", "continue_statement", "labeled_statement")


def statements(block: Node | None) -> list[Node]:
    """The statements directly in a block."""
    if block is None:
        return []
    for child in block.named_children:
        if child.type == "statement_list":
            return list(child.named_children)
    return []


def _top_level(statement: Node, block: Node | None) -> bool:
    """Is the statement one of the block's own (not nested in a branch or loop)?"""
    return any(s.id == statement.id and s.start_byte == statement.start_byte for s in statements(block))


def _closure(node: Node, function_body: Node) -> Node | None:
    """The function literal inside the launching function that holds the node, if any."""
    function = enclosing(node, FUNCTION_TYPES)
    own = function_body.parent
    if function is None or own is None or (function.id == own.id and function.start_byte == own.start_byte):
        return None
    return function


def _closure_of(go: Node) -> Node | None:
    """The `func() { ... }` a `go func() { ... }()` statement runs."""
    call = go.named_children[0] if go.named_children else None
    if call is None or call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    return function if function is not None and function.type == "func_literal" else None


def _is_done(node: Node, group: str | None = None) -> bool:
    if node.type != "call_expression":
        return False
    qualifier, name = callee(node)
    return name == "Done" and qualifier is not None and (group is None or qualifier == group)


def _sent_on(node: Node) -> str | None:
    if node.type != "send_statement":
        return None
    channel = node.child_by_field_name("channel")
    return text(channel) if channel is not None and channel.type == "identifier" else None


def drained_at(function_body: Node, go: Node, write_statement: Node, write_at: int) -> int | None:
    """The byte offset after which the goroutine's write is visible to the launching function, or
    None when the order cannot be proven. The write is placed at `write_at`, in (or hoisted out of)
    `write_statement`, a statement of the goroutine's own body."""
    closure = _closure_of(go)
    if go.type == "expression_statement":  # `g.Go(func() error {...})`: an errgroup's closure
        closure = _grouped_closure(go)
        body = closure.child_by_field_name("body") if closure is not None else None
        if body is None or not _top_level(go, function_body) or _has_goto(function_body):
            return None
        if not _top_level(write_statement, body) or not _nothing_reports_before(body, write_at):
            return None  # a return before the write: the closure may end without it
        return _group_waited(function_body, go)
    if closure is None or not _top_level(go, function_body) or _has_goto(function_body):
        return None
    body = closure.child_by_field_name("body")
    if body is None or not _top_level(write_statement, body) or not _nothing_reports_before(body, write_at):
        return None
    groups = {callee(n)[0] for n in named_descendants(body) if _is_done(n)}
    channels = {c for c in (_sent_on(n) for n in named_descendants(body)) if c is not None}
    for group in sorted(g for g in groups if g is not None and _known_group(function_body, g)):
        end = _waited(function_body, go, group)
        if end is not None:
            return end
    for channel in sorted(channels):
        end = _received(function_body, go, channel)
        if end is not None:
            return end
    return None


def _grouped_closure(launch: Node) -> Node | None:
    """The `func() error { ... }` of a `g.Go(func() error { ... })` statement."""
    call = launch.named_children[0] if launch.named_children else None
    args = arguments(call) if call is not None and call.type == "call_expression" else []
    return args[0] if len(args) == 1 and args[0].type == "func_literal" else None


def _group_waited(function_body: Node, launch: Node) -> int | None:
    """The end of the first `g.Wait()` of the launching function's own statements after the
    launch (an expression, an assignment or an `if` init): it returns only after every closure
    `g.Go` started before it has returned, when `g` is a known group (`_known_group`)."""
    call = launch.named_children[0]
    group = callee(call)[0]
    if group is None or not _known_group(function_body, group):
        return None
    for statement in statements(function_body):
        if statement.start_byte < launch.end_byte:
            continue
        head = statement.child_by_field_name("initializer") if statement.type == "if_statement" else statement
        if head is None or head.type not in ("expression_statement", "short_var_declaration", "assignment_statement"):
            continue
        wait = next((n for n in named_descendants(head) if n.type == "call_expression" and callee(n) == (group, "Wait")), None)
        if wait is not None:
            return wait.end_byte if _no_exit_between(function_body, launch.end_byte, wait.start_byte) else None
    return None


def _known_group(function_body: Node, name: str) -> bool:
    """Is `name` a variable of the launching function, written once (its declaration: a group
    replaced between `Go` and `Wait` is another group), of a known group type (`_GROUP_TYPES`:
    `var g errgroup.Group`, `g, ctx := errgroup.WithContext(ctx)`, `wg := &sync.WaitGroup{}`)?"""
    writes = [use for use in identifiers(function_body, name) if is_write(use)]
    declaration = enclosing(writes[0], ("var_declaration", "short_var_declaration")) if len(writes) == 1 else None
    if declaration is None:
        return False
    root = function_body
    while root.parent is not None:
        root = root.parent
    imports = read_imports(root)
    for node in named_descendants(declaration):
        if node.type == "qualified_type":
            package, type_name = node.child_by_field_name("package"), node.child_by_field_name("name")
            if package is not None and type_name is not None and (imports.get(text(package)), text(type_name)) in _GROUP_TYPES:
                return True
        elif node.type == "call_expression":
            qualifier, called = callee(node)
            if qualifier is not None and (imports.get(qualifier), called) in _GROUP_MAKERS:
                return True
    return False


def _has_goto(body: Node) -> bool:
    return any(n.type in ("goto_statement", "labeled_statement") for n in named_descendants(body))


def _nothing_reports_before(body: Node | None, offset: int) -> bool:
    """No send, no `Done()` that is not deferred, no return before the write (on any path)."""
    if body is None:
        return False
    for node in named_descendants(body):
        if node.start_byte >= offset:
            continue
        if node.type in ("send_statement", "return_statement", "goto_statement"):
            return False
        if _is_done(node) and not (node.parent is not None and node.parent.type == "defer_statement"):
            return False
    return True


def _no_exit_between(function_body: Node, start: int, end: int) -> bool:
    """No return or jump in the launching function (outside closures) between two offsets."""
    for node in named_descendants(function_body):
        if start <= node.start_byte < end and node.type in _JUMPS and _closure(node, function_body) is None:
            return False
    return True


def _int(node: Node | None) -> int | None:
    return int(text(node)) if node is not None and node.type == "int_literal" and text(node).isdigit() else None


# -- wg.Add(n); go func() { defer wg.Done(); ... }(); wg.Wait() ------------------------------------


def _waited(function_body: Node, go: Node, group: str) -> int | None:
    """The end of the `group.Wait()` that every goroutine's single `Done()` releases."""
    launches: list[Node] = []
    declared = False
    added = 0
    adds: list[Node] = []
    wait: Node | None = None
    for use in identifiers(function_body, group):
        holder = use.parent
        call = holder.parent if holder is not None and holder.type == "selector_expression" else None
        closure = _closure(use, function_body)
        if closure is not None:
            launch = closure.parent.parent if closure.parent is not None else None
            if launch is None or launch.type != "go_statement" or call is None or not _is_done(call, group):
                return None
            if not _single_done(closure, group) or not _top_level(launch, function_body):
                return None
            launches.append(launch)
            continue
        if call is None or call.type != "call_expression":
            if not declared and is_write(use) and _top_level(_statement(use), function_body) and not launches and not adds:
                declared = True  # its declaration
                continue
            return None
        name = callee(call)[1]
        statement = call.parent
        if statement is None or not _top_level(statement, function_body):
            return None
        if name == "Add":
            args = arguments(call)
            count = _int(args[0]) if len(args) == 1 else None
            if count is None or launches:
                return None  # counted only when every Add comes before the goroutines
            added += count
            adds.append(call)
        elif name == "Wait" and wait is None and launches:
            wait = statement
        else:
            return None
    # declared here: a group from elsewhere may be counted down by goroutines this function does not see
    if not declared or wait is None or added != len(launches) or any(g.start_byte > wait.start_byte for g in launches):
        return None
    if not any(g.start_byte == go.start_byte for g in launches):
        return None
    return wait.end_byte if _no_exit_between(function_body, go.end_byte, wait.start_byte) else None


def _single_done(closure: Node, group: str) -> bool:
    """Exactly one `group.Done()`, run on every path: deferred or a statement of the body itself."""
    body = closure.child_by_field_name("body")
    dones = [n for n in named_descendants(closure) if _is_done(n, group)]
    if len(dones) != 1 or dones[0].parent is None:
        return False
    statement = dones[0].parent
    if statement.type == "defer_statement":
        return _top_level(statement, body)
    return statement.type == "expression_statement" and _top_level(statement, body) and _nothing_reports_before(body, statement.start_byte)


def _statement(node: Node) -> Node:
    current = node
    while current.parent is not None and current.parent.type != "statement_list":
        current = current.parent
    return current


# -- go func() { ...; results <- r }() once per goroutine; N receives ---------------------------------


def _received(function_body: Node, go: Node, channel: str) -> int | None:
    """The end of the receives that drain every send on the channel, when they are counted."""
    senders: list[Node] = []
    received = 0
    drain_start: int | None = None
    drain_end = 0
    declared = False
    for use in identifiers(function_body, channel):
        holder = use.parent
        closure = _closure(use, function_body)
        if closure is not None:
            launch = closure.parent.parent if closure.parent is not None else None
            if launch is None or launch.type != "go_statement" or holder is None or _sent_on(holder) != channel:
                return None
            if not _single_send(closure, channel) or not _top_level(launch, function_body):
                return None
            senders.append(launch)
            continue
        if not declared and is_write(use) and _top_level(_statement(use), function_body):
            declared = True
            continue
        if holder is not None and holder.type == "unary_expression" and text(holder).startswith("<-"):
            counted = _counted_receive(holder, function_body)
            if counted is None:
                return None
            count, span = counted
            received += count
            drain_start = span.start_byte if drain_start is None else min(drain_start, span.start_byte)
            drain_end = max(drain_end, span.end_byte)
            continue
        call = holder.parent if holder is not None and holder.type == "argument_list" else None
        if call is not None and callee(call) == (None, "close") and drain_start is not None and use.start_byte > drain_end:
            continue  # closed after the drain: nothing sends any more
        return None
    # declared here: a channel from elsewhere may have senders this function does not see
    if not declared or drain_start is None or received != len(senders) or not any(g.start_byte == go.start_byte for g in senders):
        return None
    return drain_end if _no_exit_between(function_body, go.end_byte, drain_start) else None


def _single_send(closure: Node, channel: str) -> bool:
    """Exactly one send on the channel, a statement of the goroutine's body with no return before it."""
    body = closure.child_by_field_name("body")
    sends = [n for n in named_descendants(closure) if _sent_on(n) == channel]
    return len(sends) == 1 and _top_level(sends[0], body) and _no_return_before(body, sends[0].start_byte)


def _no_return_before(body: Node | None, offset: int) -> bool:
    return body is not None and not any(n.type in _JUMPS and n.start_byte < offset for n in named_descendants(body))


def _counted_receive(receive: Node, function_body: Node) -> tuple[int, Node] | None:
    """How many values a receive takes, and the statement that takes them: 1 for a receive in a
    statement of the function's body; N for one in a statement of a `for` loop's body that runs N
    times (`for i := 0; i < N; i++` or `for range N`) and never skips the receive."""
    statement = _statement(receive)
    if _top_level(statement, function_body):
        return (1, statement) if _outside_blocks(receive, statement) else None
    block = statement.parent.parent if statement.parent is not None else None
    loop = block.parent if block is not None else None
    if loop is None or loop.type != "for_statement" or not _top_level(loop, function_body):
        return None
    if block is None or not _outside_blocks(receive, statement) or not _no_skip(block):
        return None
    count = _iterations(loop)
    return (count, loop) if count is not None else None


def _outside_blocks(node: Node, statement: Node) -> bool:
    """The node runs whenever its statement does (it is not in a branch of the statement). A count
    may only be low, never high: a receive that runs more often than counted still drains every
    send, one that may not run does not."""
    current = node.parent
    while current is not None and current.id != statement.id:
        if current.type in ("block", "func_literal", "communication_case"):
            return False
        operator = current.child_by_field_name("operator") if current.type == "binary_expression" else None
        if operator is not None and text(operator) in ("&&", "||"):
            return False  # the right operand may not run
        current = current.parent
    return True


def _no_skip(block: Node) -> bool:
    """No break, continue or goto in the loop's body (a return leaves before the read)."""
    return not any(
        n.type in ("break_statement", "continue_statement", "goto_statement") for n in named_descendants(block)
    )


def _iterations(loop: Node) -> int | None:
    clause = next((c for c in loop.named_children if c.type in ("for_clause", "range_clause")), None)
    if clause is None:
        return None
    if clause.type == "range_clause":
        return _int(clause.child_by_field_name("right")) if clause.child_by_field_name("left") is None else None
    init = clause.child_by_field_name("initializer")
    condition = clause.child_by_field_name("condition")
    update = clause.child_by_field_name("update")
    if init is None or condition is None or update is None or init.type != "short_var_declaration":
        return None
    left = init.child_by_field_name("left")
    right = init.child_by_field_name("right")
    if left is None or right is None or len(left.named_children) != 1 or text(right) != "0":
        return None
    counter = text(left.named_children[0])
    bound = condition.child_by_field_name("right")
    if text(condition.child_by_field_name("left") or condition) != counter or condition.children[1].type != "<":
        return None
    if update.type != "inc_statement" or text(update) != f"{counter}++":
        return None
    body = loop.child_by_field_name("body")
    if body is not None and any(is_write(i) for i in identifiers(body, counter)):
        return None
    return _int(bound)


def read_after(node: Node, function_body: Node, drained: int) -> bool:
    """A read in the launching function itself (not a closure) after the drain."""
    return node.start_byte >= drained and is_inside(node, function_body) and _closure(node, function_body) is None
