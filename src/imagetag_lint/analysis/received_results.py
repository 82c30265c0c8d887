"""A built name a goroutine hands out in the result it sends: the launching function's receive
holds it (`results <- buildResult{image: img}`, then `r := <-results`: the name is `r.image`)."""

from __future__ import annotations

from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    unparen,
)
from imagetag_lint.record import record


@record(frozen=True)
class ReceivedResult:
    """The field of a received result that carries the built name, and where it travels."""

    receiver: str  # the local the launching function receives the result into (`r`)
    field: str  # the field the goroutine sets from the built variable (`image`)
    channel: str
    send: Node
    receive: Node  # the `r := <-results` statement

    @property
    def name(self) -> str:
        return f"{self.receiver}.{self.field}"


def received_result(function: Function, built: Node, deployed: Node) -> ReceivedResult | None:
    """The result field that carries the built variable out of its goroutine to the deployment:
    the goroutine (started once, not in a loop) sends one composite literal whose field is the
    variable on a channel, and the launching function receives from that channel once, into a
    local it never writes again, before the deployment."""
    closure = enclosing(built, FUNCTION_TYPES)
    go = closure.parent.parent if closure is not None and closure.parent is not None else None
    body = function.body
    if closure is None or go is None or go.type != "go_statement" or body is None or not is_inside(go, body):
        return None
    loop = enclosing(go, ("for_statement",))
    if loop is not None and is_inside(loop, body):
        return None  # one goroutine per element: one receive holds one service's result
    sends = [s for s in _own(closure.child_by_field_name("body")) if s.type == "send_statement"]
    carried = [(send, field) for send in sends if (field := _field_of(send, built, closure)) is not None]
    if len(carried) != 1 or len(sends) != 1:
        return None
    send, field = carried[0]
    channel = send.child_by_field_name("channel")
    if channel is None or channel.type != "identifier" or not _only_sender(body, send, text(channel)):
        return None
    receives = [r for r in _own(body) if _received_from(r, text(channel)) and go.end_byte <= r.start_byte < deployed.start_byte]
    if len(receives) != 1:
        return None
    statement = receives[0].parent.parent if receives[0].parent is not None else None
    receiver = _receiver(statement)
    if statement is None or receiver is None or not is_inside(deployed, statement.parent or statement):
        return None
    if sum(is_write(use) for use in identifiers(body, receiver)) != 1:
        return None
    return ReceivedResult(receiver, field, text(channel), send, statement)


def _only_sender(body: Node, send: Node, channel: str) -> bool:
    """Is the send the only one on the channel in the function, closures included, and the channel
    used for nothing but receives, its declaration and `close` (handed elsewhere, another function
    could send on it)? A receive takes whichever send comes first."""
    for use in identifiers(body, channel):
        holder = use.parent
        if holder is None or is_write(use) or _received_from(holder, channel):
            continue
        if holder.type == "send_statement" and holder.child_by_field_name("channel") == use:
            if holder.id != send.id:
                return False
            continue
        if holder.type == "range_clause" and holder.child_by_field_name("right") == use:
            continue
        call = holder.parent if holder.type == "argument_list" else None
        function = call.child_by_field_name("function") if call is not None else None
        if function is None or text(function) != "close":
            return False
    return True


def _own(block: Node | None) -> list[Node]:
    """The nodes of a function's body, not of the closures inside it."""
    found = []
    stack = [block] if block is not None else []
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES:
            continue
        found.append(node)
        stack.extend(node.named_children)
    return found


def _field_of(send: Node, built: Node, closure: Node) -> str | None:
    """The key of the sent composite literal's field whose value is the built variable, when the
    goroutine writes that variable only once (where the build sets it)."""
    value = send.child_by_field_name("value")
    literal = unparen(value) if value is not None else None
    body = literal.child_by_field_name("body") if literal is not None and literal.type == "composite_literal" else None
    if body is None or send.start_byte < built.end_byte:
        return None
    name = text(built)
    if sum(is_write(use) for use in identifiers(closure, name)) != 1:
        return None
    for element in body.named_children:
        key, item = element.child_by_field_name("key"), element.child_by_field_name("value")
        held = item.named_children[0] if item is not None and item.type == "literal_element" and item.named_children else item
        if element.type == "keyed_element" and key is not None and held is not None and held.type == "identifier" and text(held) == name:
            return text(key)
    return None


def _received_from(node: Node, channel: str) -> bool:
    if node.type != "unary_expression" or not text(node).startswith("<-"):
        return False
    operand = node.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier" and text(operand) == channel


def _receiver(statement: Node | None) -> str | None:
    """`r` of `r := <-results` (one name, declared there)."""
    if statement is None or statement.type != "short_var_declaration":
        return None
    left = statement.child_by_field_name("left")
    names = left.named_children if left is not None else []
    return text(names[0]) if len(names) == 1 and names[0].type == "identifier" and text(names[0]) != "_" else None

