"""Builds a test expects to fail: a drop whose only use is to check the failure drops nothing.

A unit test of a build helper asserts its error path:

    if _, err := BuildService("", w); err == nil {
        t.Fatal("want an error for an empty name")
    }

The name exists only when the build succeeds, and on that path the test stops: there is no name
to keep and nothing to deploy. So it is with `if !errors.Is(err, ErrX) { t.Fatal(...) }`,
`require.Error(t, err)`, `Expect(err).To(HaveOccurred())` as the next read of the error, and
with a build that must panic (a deferred `recover()`, `assert.Panics`, `Expect(f).To(Panic())`).
The success path (`err != nil` -> `t.Fatal`) is no such check and keeps its finding.
"""

from __future__ import annotations

from imagetag_lint.engine.model import ProducerRef
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    assigned_names,
    callee,
    identifiers,
    unparen,
)
from imagetag_lint.repair.ordering import statements

# What a test calls to fail (`t.Fatal`, `t.Errorf`, `log.Fatal`, `os.Exit`, Ginkgo's `Fail`).
_FAILS = frozenset({"Fatal", "Fatalf", "Fatalln", "FailNow", "Fail", "Error", "Errorf", "Panic", "Panicf", "Exit"})
_NOT_FAILS = frozenset({"fmt", "errors"})  # `fmt.Errorf(...)` makes an error, it fails nothing
# testify assertions that the error is not nil (any receiver: `require.`, `assert.`, `s.`)
_ASSERTS_ERROR = frozenset({"ErrorIs", "ErrorAs", "ErrorContains", "EqualError"})
_TESTIFY = frozenset({"assert", "require"})  # `t.Error(err)` logs; `require.Error(t, err)` asserts
_EXPECTS = frozenset({"Expect", "Ω", "ExpectWithOffset"})
_PANICS = frozenset({"Panics", "PanicsWithValue", "PanicsWithError"})
_BLOCKS = ("statement_list", "block")


def expects_failure(call: Node, statement: Node | None, producer: ProducerRef) -> bool:
    """Is the dropped build's only use a check that it fails (an error, or a panic)?"""
    error = _error_variable(statement, producer) if statement is not None else None
    if error is not None:
        holder = statement.parent if statement is not None else None
        if holder is not None and holder.type == "if_statement" and holder.child_by_field_name("initializer") == statement:
            return _fails_on_success(holder, error)
        return statement is not None and _next_read_checks_failure(statement, error)
    return _expects_panic(_statement_of(statement if statement is not None else call))


def _error_variable(statement: Node, producer: ProducerRef) -> str | None:
    """The variable the build's error goes to (its last result), when there is one."""
    position = producer.results - 1
    targets = assigned_names(statement)
    if position == producer.image_result or len(targets) != producer.results:
        return None
    target = targets[position]
    return text(target) if target.type == "identifier" and text(target) != "_" else None


def _fails_on_success(statement: Node, error: str) -> bool:
    """`if err == nil { t.Fatal(...) }`: the condition holds when the build succeeded, and the
    branch fails the test."""
    condition = statement.child_by_field_name("condition")
    consequence = statement.child_by_field_name("consequence")
    return (
        condition is not None and consequence is not None
        and _true_on_success(condition, error) and any(_fails(s) for s in statements(consequence))
    )


def _true_on_success(condition: Node, error: str) -> bool:
    """Is the condition true when the error is nil: `err == nil`, `err != ErrX`,
    `!errors.Is(err, ErrX)`, `!errors.As(err, &x)`, or an `||` with one of them?"""
    condition = unparen(condition)
    if condition.type == "unary_expression":
        operator, operand = condition.child_by_field_name("operator"), condition.child_by_field_name("operand")
        inner = unparen(operand) if operand is not None else None
        if operator is None or text(operator) != "!" or inner is None or inner.type != "call_expression":
            return False
        name, args = callee(inner)[1], arguments(inner)
        # `errors.Is(nil, want)` holds when a table's `want` is nil: only a sentinel proves a failure
        return _names(args[:1], error) and (name == "As" or (name == "Is" and len(args) == 2 and _sentinel(args[1])))
    if condition.type != "binary_expression":
        return False
    operator = condition.child_by_field_name("operator")
    left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
    if operator is None or left is None or right is None:
        return False
    sides = (unparen(left), unparen(right))
    if text(operator) == "||":
        return any(_true_on_success(side, error) for side in sides)
    for mine, other in (sides, sides[::-1]):
        if mine.type == "identifier" and text(mine) == error:
            # `err == nil`, or `err != ErrX` against a sentinel (not `tc.wantErr`, which may be nil)
            return (text(operator) == "==" and other.type == "nil") or (text(operator) == "!=" and _sentinel(other))
    return False


def _sentinel(node: Node) -> bool:
    """`ErrEmptyImageName`, `infrastructure.ErrEmptyImageName`, `io.EOF`: an error variable
    named as Go names its sentinels, which is never nil."""
    node = unparen(node)
    name = node.child_by_field_name("field") if node.type == "selector_expression" else node
    return name is not None and name.type in ("identifier", "field_identifier") and (
        text(name).startswith("Err") or text(name) == "EOF"
    )


def _next_read_checks_failure(statement: Node, error: str) -> bool:
    """Is the first statement after the build that reads the error a check that it is set?"""
    current: Node | None = _statement_of(statement).next_named_sibling
    while current is not None:
        if current.type != "comment" and identifiers(current, error):
            if current.type == "if_statement" and current.child_by_field_name("initializer") is None:
                return _fails_on_success(current, error)
            return _asserts_error(current, error)
        current = current.next_named_sibling
    return False


def _asserts_error(statement: Node, error: str) -> bool:
    """`require.Error(t, err)`, `s.ErrorIs(err, ErrX)`, `Expect(err).To(HaveOccurred())`,
    `Expect(err).To(MatchError(...))`, `Expect(err).NotTo(BeNil())`."""
    call = _statement_call(statement)
    if call is None:
        return False
    qualifier, name = callee(call)
    if name in _ASSERTS_ERROR or (name == "Error" and (qualifier in _TESTIFY or _requires(call))):
        return _names(arguments(call), error)
    function = call.child_by_field_name("function")
    expected = unparen(function.child_by_field_name("operand") or function) if function is not None and function.type == "selector_expression" else None
    matcher = arguments(call)[0] if len(arguments(call)) == 1 else None
    if expected is None or expected.type != "call_expression" or callee(expected)[1] not in _EXPECTS:
        return False
    if matcher is None or matcher.type != "call_expression" or not _names(arguments(expected), error):
        return False
    matched = callee(matcher)[1]
    if name in ("To", "Should"):
        return matched in ("HaveOccurred", "MatchError")
    return name in ("NotTo", "ToNot", "ShouldNot") and matched in ("Succeed", "BeNil")


def _requires(call: Node) -> bool:
    """`s.Require().Error(err)`: testify's suite assertion, not `t.Error`'s log line."""
    function = call.child_by_field_name("function")
    operand = function.child_by_field_name("operand") if function is not None and function.type == "selector_expression" else None
    return operand is not None and operand.type == "call_expression" and callee(operand)[1] == "Require"


def _expects_panic(statement: Node) -> bool:
    """A build that must panic: nothing but failing follows it, and the function recovers in a
    `defer` before it or is handed to `assert.Panics` or `Expect(...).To(Panic())`."""
    following = statement.next_named_sibling
    while following is not None:
        if following.type != "comment" and not _fails(following):
            return False  # the code goes on after the call: it is run as a build that succeeds
        following = following.next_named_sibling
    body = statement.parent
    while body is not None and body.type in _BLOCKS:
        body = body.parent
    if body is None or body.type not in ("function_declaration", "method_declaration", "func_literal"):
        return False
    return (body.type == "func_literal" and _checked_panic(body)) or _recovers_before(statement)


def _recovers_before(statement: Node) -> bool:
    """Does a `defer func() { if recover() == nil { t.Fatal(...) } }()` stand before the statement
    in its block? The deferred function must fail when nothing panicked: one that only recovers
    (a goroutine's guard that logs what it caught) expects no panic, and the build may succeed."""
    current = statement.prev_named_sibling
    while current is not None:
        call = current.named_children[0] if current.type == "defer_statement" and current.named_children else None
        deferred = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if deferred is not None and deferred.type == "func_literal" and _fails_without_panic(deferred):
            return True
        current = current.prev_named_sibling
    return False


def _fails_without_panic(deferred: Node) -> bool:
    """An `if` of the deferred function that fails when `recover()` (or the variable it was
    put in, `if r := recover(); r == nil`) is nil."""
    recovered = {"recover()"}
    for use in identifiers(deferred, "recover"):
        call = use.parent
        holder = call.parent.parent if call is not None and call.parent is not None else None
        if call is not None and call.type == "call_expression" and holder is not None and holder.type == "short_var_declaration":
            recovered.update(text(name) for name in assigned_names(holder))
    stack = [deferred]
    while stack:
        node = stack.pop()
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            consequence = node.child_by_field_name("consequence")
            checked = condition is not None and condition.type == "binary_expression" and text(condition).replace(" ", "") in {
                f"{name}==nil" for name in recovered
            }
            if checked and consequence is not None and any(_fails(s) for s in statements(consequence)):
                return True
        stack.extend(node.named_children)
    return False


def _checked_panic(literal: Node) -> bool:
    """`assert.Panics(t, func() {...})` or `Expect(func() {...}).To(Panic())`."""
    holder = literal.parent
    call = holder.parent if holder is not None and holder.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    name = callee(call)[1]
    if name in _PANICS:
        return True
    selector = call.parent
    asserted = selector.parent if selector is not None and selector.type == "selector_expression" else None
    if name not in _EXPECTS or asserted is None or asserted.type != "call_expression":
        return False
    matcher = arguments(asserted)[0] if len(arguments(asserted)) == 1 else None
    return (
        callee(asserted)[1] in ("To", "Should") and matcher is not None and matcher.type == "call_expression"
        and callee(matcher)[1] in ("Panic", "PanicWith")
    )


def _fails(statement: Node) -> bool:
    """`t.Fatal(...)`, `t.Errorf(...)`, `require.Fail(t, ...)`, `panic(...)`, `os.Exit(1)`, `Fail(...)`."""
    call = _statement_call(statement)
    if call is None:
        return False
    qualifier, name = callee(call)
    if qualifier is None:
        return name in ("panic", "Fail")
    return name in _FAILS and qualifier not in _NOT_FAILS


def _statement_call(statement: Node) -> Node | None:
    if statement.type != "expression_statement" or not statement.named_children:
        return None
    call = unparen(statement.named_children[0])
    return call if call.type == "call_expression" else None


def _statement_of(node: Node) -> Node:
    """The statement of a block that holds node (the `var` declaration of a `var_spec`)."""
    while node.parent is not None and node.parent.type not in _BLOCKS:
        node = node.parent
    return node


def _names(nodes: list[Node], error: str) -> bool:
    return any(unparen(n).type == "identifier" and text(unparen(n)) == error for n in nodes)
