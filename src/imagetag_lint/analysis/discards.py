"""Dropped builds: producer calls whose image-name result is lost, and how (the IMG001 facts).

IMG002 and IMG003 read them too (a dropped build is one end of their mismatch), and the repair
of each one is planned in `repair/discard.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.deploying_builders import deploys_its_name
from imagetag_lint.analysis.failed_builds import expects_failure
from imagetag_lint.analysis.image_flow import ImageFlowIndex, ProducerRef
from imagetag_lint.engine.returned_builds import holds_name, returned_parameter
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    assigned_names,
    assignment_of,
    callee,
    deferred_after,
    enclosing,
    identifiers,
    is_blank_read,
    is_inside,
    is_write,
    right_values,
)
from imagetag_lint.record import record

_INIT_CONTEXT = {
    "if_statement": "in an `if` init statement",
    "expression_switch_statement": "in a `switch` init statement",
    "type_switch_statement": "in a `switch` init statement",
    "for_clause": "in a `for` init statement",
}


@record(frozen=True)
class Discard:
    """A producer call whose image-name result is lost, and how."""

    call: Node
    file: SourceFile
    function: Function | None
    producer: ProducerRef
    how: str
    statement: Node | None = None  # the :=, = or var statement, when there is one
    target: Node | None = None  # the `_` or the variable that receives the image name


def find_discards(index: ImageFlowIndex, file: SourceFile) -> list[Discard]:
    """Every dropped producer result in the file."""
    return index.per_file("discards", file, lambda: _find_discards(index, file))


def _find_discards(index: ImageFlowIndex, file: SourceFile) -> Iterator[Discard]:
    facts = index.facts(file)
    for call in facts.calls:
        producer = index.producer(call, file)
        if producer is None:
            continue
        function = facts.function_of(call)
        if function is not None and producer.wrapper is function:
            continue  # a recursive wrapper
        if _caller_holds_name(index, call, producer):
            continue  # `build(img)` returns `img`: the caller has the name already
        if producer.wrapper is not None and deploys_its_name(index, producer):
            continue  # the helper deployed the name it returns before the caller got it
        found = classify(call, producer)
        if found is not None:
            how, statement, target = found
            if expects_failure(call, statement, producer):
                continue  # a test that the build fails: on success it stops, with no name to keep
            yield Discard(call, file, function, producer, how, statement, target)


def _caller_holds_name(index: ImageFlowIndex, call: Node, producer: ProducerRef) -> bool:
    """Does the producer return the very argument the call passes it, one the caller holds (a
    variable, fixed text)? Then nothing is lost when the result is dropped."""
    position = returned_parameter(index, producer) if producer.wrapper is not None else None
    args = arguments(call)
    return position is not None and position < len(args) and holds_name(args[position])


def classify(call: Node, producer: ProducerRef) -> tuple[str, Node | None, Node | None] | None:
    """How the image result of this call is dropped, or None when it is kept."""
    node = call
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "argument_list" and parent.named_child_count == 1 and parent.parent is not None:
        return _forwarded(parent.parent, producer)
    if parent.type == "expression_statement":
        return "the call is a statement of its own", None, None
    if parent.type == "go_statement":
        return "the call runs in a `go` statement", None, None
    if parent.type == "defer_statement":
        return "the call runs in a `defer` statement", None, None
    assignment = assignment_of(node)
    if assignment is None:
        return _returned(call, node, producer)
    statement, position = assignment
    targets = assigned_names(statement)
    if len(right_values(statement)) != 1 or len(targets) != producer.results:
        return None
    if position != 0:
        return None
    target = targets[producer.image_result]
    if target.type != "identifier":
        return None  # a field or index expression keeps the value
    if text(target) == "_":
        context = _context(statement)
        return f"assigned to `_`{' ' + context if context else ''}", statement, target
    lost = _unread(target, statement)
    if lost is not None:
        return lost, statement, target
    return None


def _returned(call: Node, node: Node, producer: ProducerRef) -> tuple[str, Node | None, Node | None] | None:
    """`return Build(...)` in a function with named results: lost when a deferred closure sets the
    image's result on every return (`defer func() { img = "" }()`), after `return` has set it."""
    holder = node.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type != "return_statement" or holder is None or holder.named_child_count != 1:
        return None
    function = enclosing(statement, FUNCTION_TYPES)
    result = function.child_by_field_name("result") if function is not None else None
    if result is None or result.type != "parameter_list":
        return None
    names = [n for p in result.named_children for n in p.children_by_field_name("name")]
    if len(names) != producer.results or deferred_clear(names[producer.image_result], statement) is None:
        return None
    return DEFERRED_CLEAR.format(name=text(names[producer.image_result])), statement, names[producer.image_result]


# How a named result that a deferred closure sets on every return loses the built name.
DEFERRED_CLEAR = "`{name}`, the function's result, is overwritten by a deferred closure after `return` sets it"


def deferred_clear(target: Node, statement: Node) -> Node | None:
    """The assignment of a deferred closure that sets target, a named result of the statement's
    function, on every return (`defer func() { img = "" }()`, not inside an `if`, and from a value
    that does not read it), wherever the `defer` stands: it runs after `return` has set the result,
    so the caller gets what it writes."""
    function = enclosing(statement, FUNCTION_TYPES)
    body = function.child_by_field_name("body") if function is not None else None
    if body is None or not _named_result(target, statement):
        return None
    for occurrence in identifiers(body, text(target)):
        if not is_write(occurrence) or not deferred_after(occurrence, statement):
            continue
        holder = occurrence.parent
        write = holder.parent if holder is not None and holder.type == "expression_list" else None
        right = write.child_by_field_name("right") if write is not None else None
        if write is None or write.type != "assignment_statement" or write.child_by_field_name("left") != holder or right is None:
            continue
        if identifiers(right, text(target)):
            continue  # `img = strings.TrimSpace(img)` keeps the name it is given
        closure = enclosing(occurrence, FUNCTION_TYPES)
        block = write.parent.parent if write.parent is not None and write.parent.type == "statement_list" else write.parent
        if closure is not None and block is not None and block == closure.child_by_field_name("body"):
            return write
    return None


# Assertion helpers that take both results and keep only the error (Gomega, testify-style).
_CHECKS_ERROR_ONLY = {"Expect", "Ω", "ExpectWithOffset", "Eventually", "NoError", "Check", "check"}
# Helpers that return the first result when the error is nil (generic Must[T]): the name lives on.
_RETURNS_VALUE = {"Must", "must", "MustGet", "OrDie"}


def _forwarded(outer: Node, producer: ProducerRef) -> tuple[str, Node | None, Node | None] | None:
    """`Expect(Build(...)).To(...)`, `check(Build(...))`: both results handed to another call."""
    _, name = callee(outer)
    if name in _RETURNS_VALUE:
        return classify(outer, ProducerRef(name, 0, 1))
    if name in _CHECKS_ERROR_ONLY:
        return f"passed to `{name}`, which only checks the error", None, None
    return None


def value_wrapper(call: Node) -> Node | None:
    """`must(Build(...))`: the call of a helper that returns the build's name when its error is
    nil, when the build is handed to it whole; the name is captured from that call."""
    node = call
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    holder = node.parent
    outer = holder.parent if holder is not None and holder.type == "argument_list" and holder.named_child_count == 1 else None
    if outer is None or outer.type != "call_expression" or callee(outer)[1] not in _RETURNS_VALUE or returns_nothing(outer):
        return None
    return outer


def checking_wrapper(call: Node) -> Node | None:
    """`check(Build(...))`, or a `must(...)` that returns nothing: a statement calling a helper
    with the build whole, which checks its error and drops the name."""
    node = call
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    holder = node.parent
    outer = holder.parent if holder is not None and holder.type == "argument_list" and holder.named_child_count == 1 else None
    if outer is None or outer.type != "call_expression" or outer.parent is None or outer.parent.type != "expression_statement":
        return None
    return outer if callee(outer)[1] in _CHECKS_ERROR_ONLY or callee(outer)[1] in _RETURNS_VALUE else None


def returns_nothing(wrapper: Node) -> bool:
    """Is the wrapper a function of the same file declared without a result (`func must(v ...any)`)?
    (One of another file or package is taken at its word: `Must` returns the value.)"""
    _, name = callee(wrapper)
    root = wrapper
    while root.parent is not None:
        root = root.parent
    for declaration in root.named_children:
        declared = declaration.child_by_field_name("name") if declaration.type == "function_declaration" else None
        if declared is not None and text(declared) == name:
            return declaration.child_by_field_name("result") is None
    return False


def wrapper_name(wrapper: Node) -> str:
    """`must`, `util.Must`, `must[string]`: how the code names the wrapper (the call's text before
    its arguments: the parse leaves a one-argument call's type arguments out of its nodes)."""
    function, args = wrapper.child_by_field_name("function"), wrapper.child_by_field_name("arguments")
    if function is None or args is None:
        return ""
    return (wrapper.text or b"")[: args.start_byte - wrapper.start_byte].decode("utf-8", "replace").rstrip()


def _context(statement: Node) -> str:
    parent = statement.parent
    if statement.type == "var_spec":
        return "in a `var` declaration"
    if parent is not None and parent.type in _INIT_CONTEXT:
        return _INIT_CONTEXT[parent.type]
    return ""


def _unread(target: Node, statement: Node) -> str | None:
    """Why the variable that got the image name is never really read, or None if it is."""
    name = text(target)
    scope = _search_scope(statement)
    if scope is None:
        return None
    if deferred_clear(target, statement) is not None and not _used_first(target, statement):
        return DEFERRED_CLEAR.format(name=name)
    if statement.type == "assignment_statement" and not _declared_locally(scope, name):
        return None  # a package-level variable: read anywhere in the package
    loop = enclosing(statement, ("for_statement",))
    if loop is not None and is_inside(loop, scope):
        for occurrence in identifiers(loop, name):
            if occurrence.start_byte >= statement.start_byte:
                break
            if not is_write(occurrence) and not is_blank_read(occurrence):
                return None  # read on the next iteration
    for occurrence in identifiers(scope, name):
        if occurrence.start_byte < statement.end_byte:
            continue
        if is_blank_read(occurrence):
            continue
        if is_write(occurrence) and not overwrites(occurrence, target, statement):
            continue
        if is_write(occurrence):
            return f"`{name}` is overwritten before it is read"
        return None
    if _named_result_returned(target, statement):
        return None
    if any(is_blank_read(o) for o in identifiers(scope, name) if o.start_byte > statement.end_byte):
        return f"`{name}` is only read by `_ = {name}`"
    return f"`{name}` is never read"


def overwrites(write: Node, target: Node, statement: Node) -> bool:
    """Does a write after the statement lose the name it gave target? Not one in a deferred
    closure (`defer func() { img = "" }()`): that runs when the function returns, after its
    reads; what one does to a named result, which the caller reads after it, `deferred_clear` says."""
    return not deferred_after(write, statement)


def _used_first(target: Node, statement: Node) -> bool:
    """Is target, after the statement, first written again or read other than by a `return` (a
    deployment in the function itself)? Then that, not a deferred closure, decides what the name
    becomes."""
    scope = _search_scope(statement)
    for occurrence in identifiers(scope, text(target)) if scope is not None else []:
        if occurrence.start_byte < statement.end_byte or is_blank_read(occurrence) or deferred_after(occurrence, statement):
            continue
        return is_write(occurrence) or enclosing(occurrence, ("return_statement",)) is None
    return False


def _declared_locally(function: Node, name: str) -> bool:
    """Is name a parameter, result or local variable of the function (or a closure in it)?"""
    for occurrence in identifiers(function, name):
        parent = occurrence.parent
        if parent is None:
            continue
        if parent.type in ("parameter_declaration", "variadic_parameter_declaration", "var_spec", "range_clause"):
            return True
        statement = parent.parent
        if statement is not None and statement.type == "short_var_declaration" and statement.child_by_field_name("left") == parent:
            return True
    return False


def _search_scope(statement: Node) -> Node | None:
    if statement.type == "short_var_declaration":
        parent = statement.parent
        if parent is not None and parent.type in _INIT_CONTEXT:
            return parent.parent if parent.type == "for_clause" else parent
        return enclosing(statement, ("block",)) or parent
    # `=` and `var` may write a variable declared further out: search the whole function
    outer = statement
    function = enclosing(statement, ("function_declaration", "method_declaration", "func_literal"))
    while function is not None:
        outer = function
        function = enclosing(function, ("function_declaration", "method_declaration", "func_literal"))
    return outer if outer is not statement else statement.parent


def _named_result(target: Node, statement: Node) -> bool:
    """Is the variable a named result of the function the statement is in?"""
    function = enclosing(statement, ("function_declaration", "method_declaration", "func_literal"))
    result = function.child_by_field_name("result") if function is not None else None
    if result is None or result.type != "parameter_list":
        return False
    return any(text(n) == text(target) for p in result.named_children for n in p.children_by_field_name("name"))


def _named_result_returned(target: Node, statement: Node) -> bool:
    """A named result is read by every bare `return` after the assignment."""
    function = enclosing(statement, ("function_declaration", "method_declaration", "func_literal"))
    if function is None or not _named_result(target, statement):
        return False
    body = function.child_by_field_name("body")
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "return_statement" and node.named_child_count == 0 and node.start_byte > statement.end_byte:
            return True
        if node.type != "func_literal":
            stack.extend(node.named_children)
    return False

