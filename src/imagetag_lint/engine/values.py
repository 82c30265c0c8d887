"""Values: what an expression may hold, where a name was last defined, and constant folding.

An expression's `Origin` is fixed text (a literal, a constant, `+` and `Sprintf` of those), a
fresh generator call, a producer's result, a parameter, or unknown; a name's origin is that of
its reaching definition.
"""

from __future__ import annotations

from bisect import bisect_left

from imagetag_lint.engine import producers
from imagetag_lint.engine.formats import format_go
from imagetag_lint.engine.model import UNKNOWN, Origin, OriginKind
from imagetag_lint.engine.run import FlowRun
from imagetag_lint.golang.model import Function, SourceFile, read_params
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    STRING_TYPES,
    arguments,
    assigned_names,
    assignment_of,
    callee,
    deferred_after,
    enclosing,
    holds_bytes,
    identifiers,
    is_inside,
    right_values,
    string_value,
    unparen,
    written_identifiers,
)

_KEPT = (OriginKind.GENERATED, OriginKind.BUILT, OriginKind.LITERAL)  # a name keeps its value's description


def origin(run: FlowRun, expr: Node, file: SourceFile, function: Function | None, depth: int = 0) -> Origin:
    """Where the value of expr comes from. Several rules ask of the same sinks: the answer is kept
    for the project generation it was found at, unless found inside an inference (partial tables)
    or across a load."""
    if depth or run.inferring:
        return _origin(run, expr, file, function, depth)
    key = (expr, id(function))
    generation = run.project.generation
    cached = run.origins.get(key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    found = _origin(run, expr, file, function, depth)
    if run.project.generation == generation:  # (an inference it started has ended: `settle` resets the flag)
        run.origins[key] = (generation, found)
    return found


def _origin(run: FlowRun, expr: Node, file: SourceFile, function: Function | None, depth: int) -> Origin:
    expr = unparen(expr)
    fixed = fixed_text(run, expr, file, function)
    if fixed is not None:
        return Origin(OriginKind.LITERAL, ("literal", fixed), f"the fixed text `{fixed}`", fixed, expr)
    if depth > 8:
        return UNKNOWN
    if _put_together(run, expr, file, function):
        return Origin(OriginKind.COMPUTED, ("computed", expr.id), "a reference put together from its parts", node=expr)
    if expr.type == "call_expression":
        if producers.is_generator(run, expr):
            name = callee(expr)[1]
            return Origin(OriginKind.GENERATED, ("generated", expr.id), f"a fresh call of `{name}`", node=expr)
        producer = producers.producer(run, expr, file)
        if producer is not None and producer.results == 1:
            return Origin(OriginKind.BUILT, ("built", expr.id), f"the result of `{producer.name}`", node=expr)
        return UNKNOWN
    if expr.type == "index_expression" and function is not None:
        entry = _entry_value(expr, function)
        return origin(run, entry, file, function, depth + 1) if entry is not None else UNKNOWN
    if expr.type != "identifier" or function is None:
        return UNKNOWN
    return _identifier_origin(run, expr, file, function, depth)


def _entry_value(read: Node, function: Function) -> Node | None:
    """The value last stored in a map entry with a fixed key (`images["audit"] = X` before
    `images["audit"]`), when nothing between them can change the map: another write to it with a
    key that is not fixed text, or the map handed to anything (a call, a closure). The write stands
    in a block that holds the read, so it ran before it on every path."""
    operand, key = read.child_by_field_name("operand"), read.child_by_field_name("index")
    if operand is None or key is None or operand.type != "identifier" or string_value(key) is None or function.body is None:
        return None
    found: Node | None = None
    for use in identifiers(function.body, text(operand)):
        if use.start_byte >= read.start_byte:
            break
        entry = use.parent
        if entry is None or entry.type != "index_expression" or entry.child_by_field_name("operand") != use:
            found = None  # the map itself is read, passed or replaced: its entries are not known after that
            continue
        index = entry.child_by_field_name("index")
        written = _written_entry(entry)
        if written is None:
            continue  # a read of an entry changes nothing
        if index is None or string_value(index) is None:
            found = None
        elif string_value(index) == string_value(key):
            statement, value = written
            block = statement.parent
            found = value if block is not None and is_inside(read, block) else None
    return found


def _written_entry(entry: Node) -> tuple[Node, Node] | None:
    """(statement, value) when the entry is the whole left side of a plain `m[k] = value`."""
    holder = entry.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type != "assignment_statement":
        return None
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    if left is None or right is None or left != holder or holder.named_child_count != 1 or right.named_child_count != 1:
        return None
    operator = statement.child_by_field_name("operator")
    if operator is None or text(operator) != "=":
        return None
    return statement, right.named_children[0]


def _put_together(run: FlowRun, expr: Node, file: SourceFile, function: Function | None) -> bool:
    """Is expr a `+` or `fmt.Sprintf` whose fixed pieces are the shape of an image reference (a
    registry prefix, a `:tag`)? Such a value is computed on its own, not received: whatever its
    other parts hold, it is not the name a builder returned."""
    if expr.type == "binary_expression":
        operator = expr.child_by_field_name("operator")
        if operator is None or text(operator) != "+":
            return False
        pieces = sum_pieces(expr)
    elif expr.type == "call_expression" and callee(expr) == ("fmt", "Sprintf"):
        pieces = arguments(expr)[:1]
    else:
        return False
    fixed = [fixed_text(run, piece, file, function) for piece in pieces]
    return any(piece is not None and ("/" in piece or piece.startswith(":") or "%s:" in piece) for piece in fixed)


def sum_pieces(expr: Node) -> list[Node]:
    """The operands of a chain of `+` (`a + b + c` is `(a + b) + c`)."""
    pieces: list[Node] = []
    stack = [expr]
    while stack:
        node = unparen(stack.pop())
        operator = node.child_by_field_name("operator") if node.type == "binary_expression" else None
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is not None and text(operator) == "+" and left is not None and right is not None:
            stack.extend((right, left))
        else:
            pieces.append(node)
    return pieces


def _identifier_origin(run: FlowRun, ident: Node, file: SourceFile, function: Function, depth: int) -> Origin:
    name = text(ident)
    definition = reaching_definition(ident, function)
    if definition is None:
        owner = declaring_function(ident, function)
        loop = ranging_loop(ident, function) if owner is not None else None
        if owner is not None and (loop is None or not is_inside(loop, owner)):  # a loop inside hides the parameter
            return Origin(OriginKind.PARAM, ("param", owner.id, name), f"the parameter `{name}`", node=ident)
        return Origin(OriginKind.UNKNOWN, ("var", name), f"`{name}`")
    statement, index = definition
    values = right_values(statement)
    if len(values) == len(assigned_names(statement)) and index < len(values):
        inner = origin(run, values[index], file, function, depth + 1)
        if inner.kind in _KEPT:
            return Origin(inner.kind, inner.key, f"`{name}` ({inner.description})", inner.text, inner.node)
        key = inner.key if inner.key is not None else ("def", statement.id, index)
        return Origin(inner.kind, key, f"`{name}`", node=inner.node)
    if len(values) == 1 and unparen(values[0]).type == "call_expression":
        call = unparen(values[0])
        producer = producers.producer(run, call, file)
        if producer is not None and producer.image_result == index:
            return Origin(OriginKind.BUILT, ("built", call.id), f"`{name}`, the result of `{producer.name}`", node=call)
    return Origin(OriginKind.UNKNOWN, ("def", statement.id, index), f"`{name}`")


def reaching_definition(ident: Node, function: Function) -> tuple[Node, int] | None:
    """The last write of ident's name before it, in a scope that contains it: (statement, index)."""
    name = text(ident)
    body = function.body
    if body is None:
        return None
    writes, starts = written_identifiers(body, name)
    shadowed_before = -1  # where a `range` loop that declares the name again starts, asked once
    for position in range(bisect_left(starts, ident.start_byte) - 1, -1, -1):  # the nearest first
        occurrence = writes[position]
        if shadowed_before == -1:
            ranges = function.file.source.find(b"range", body.start_byte, ident.start_byte) != -1
            loop = ranging_loop(ident, function) if ranges else None
            shadowed_before = loop.start_byte if loop is not None else 0
        if occurrence.start_byte < shadowed_before:
            return None  # `for _, img := range ...` declares a new `img`: the outer one is hidden
        if deferred_after(occurrence, ident):
            continue  # `defer func() { img = "" }()` writes when the function returns, after this read
        statement = occurrence.parent
        if statement is not None and statement.type == "expression_list":
            statement = statement.parent
        if statement is None:
            continue
        if statement.type == "short_var_declaration" or statement.type == "var_spec":
            scope = _declaration_scope(statement)
            if scope is not None and not is_inside(ident, scope):
                continue
        names = assigned_names(statement)
        return statement, next(i for i, n in enumerate(names) if n.id == occurrence.id)
    return None


def loop_variable(expr: Node, function: Function) -> Node | None:
    """The `for ... := range` loop whose value (or index) variable expr is, or whose field it reads
    (`img`, `r.Image`), or None."""
    expr = unparen(expr)
    operand = expr.child_by_field_name("operand") if expr.type == "selector_expression" else expr
    operand = unparen(operand) if operand is not None else None
    return ranging_loop(operand, function) if operand is not None and operand.type == "identifier" else None


def ranging_loop(ident: Node, function: Function) -> Node | None:
    """The innermost `for _, x := range ...` whose body holds ident and whose clause declares
    ident's name (a variable of the loop's own scope), or None."""
    name = text(ident)
    current = ident.parent
    while current is not None and current.id != function.node.id:
        if current.type == "for_statement":
            clause = next((c for c in current.named_children if c.type == "range_clause"), None)
            left = clause.child_by_field_name("left") if clause is not None else None
            body = current.child_by_field_name("body")
            declares = clause is not None and clause.text is not None and b":=" in clause.text
            names = left.named_children if declares and left is not None else []
            if body is not None and is_inside(ident, body) and any(text(n) == name for n in names):
                return current
        current = current.parent
    return None


def declaring_function(ident: Node, function: Function) -> Node | None:
    """The function (declaration or literal around ident) that has ident's name as parameter."""
    name = text(ident)
    current: Node | None = ident
    while current is not None:
        if current.type in FUNCTION_TYPES:
            parameters = current.child_by_field_name("parameters")
            if parameters is not None and any(
                text(n) == name
                for p in parameters.named_children
                for n in p.children_by_field_name("name")
            ):
                return current
            if current.id == function.node.id:
                return None
        current = current.parent
    return None


def closure_arguments(ident: Node, function: Function) -> list[Node] | None:
    """What the calls of a local closure give the closure parameter ident reads
    (`build := func(svc string) error {...}`, then `build("shop-refunds")`), one argument per
    call, when the closure never changes the parameter (see `closure_calls`)."""
    literal = declaring_function(ident, function)
    if literal is None or literal.type != "func_literal" or reaching_definition(ident, function) is not None:
        return None  # not a closure's parameter, or it (or a name it hides) is written before the read
    position = next((p.index for p in read_params(literal.child_by_field_name("parameters")) if p.name == text(ident)), None)
    calls = closure_calls(literal, function)
    if position is None or calls is None or any(position >= len(arguments(call)) for call in calls):
        return None
    return [arguments(call)[position] for call in calls]


def closure_calls(literal: Node, function: Function) -> list[Node] | None:
    """The calls of a local closure (`build := func(svc string) error {...}`), when the function
    holds it in a variable it never changes and only calls: None when it is handed on or set
    again (its other calls are not seen here), or is no closure held in a variable."""
    held = assignment_of(literal) if literal.id != function.node.id else None
    names = assigned_names(held[0]) if held is not None else []
    if function.body is None or held is None or held[0].type != "short_var_declaration" or held[1] >= len(names):
        return None
    variable = names[held[1]]
    calls = []
    for use in identifiers(function.body, text(variable)):
        if use.id == variable.id or use.end_byte <= variable.start_byte:
            continue
        call = use.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != use:
            return None
        if reaching_definition(use, function) != held:
            return None
        calls.append(call)
    return calls


def _declaration_scope(statement: Node) -> Node | None:
    parent = statement.parent
    if statement.type == "var_spec":
        parent = enclosing(statement, ("var_declaration",))
        parent = parent.parent if parent is not None else None
    if parent is None:
        return None
    if parent.type in ("if_statement", "expression_switch_statement", "type_switch_statement", "for_clause"):
        return parent.parent if parent.type == "for_clause" else parent
    return enclosing(statement, ("block", "func_literal", "communication_case", "expression_case", "default_case", "type_case")) or parent


# -- constant folding ----------------------------------------------------------------------


def fixed_text(run: FlowRun, expr: Node, file: SourceFile, function: Function | None, depth: int = 0) -> str | None:
    """The string an expression always has (literals, constants, package variables nothing
    changes, + and Sprintf of those)."""
    expr = unparen(expr)
    if depth > 16:
        return None
    kind = expr.type
    if kind in STRING_TYPES:
        return string_value(expr)
    if kind == "binary_expression":
        operator = expr.child_by_field_name("operator")
        if operator is None or text(operator) != "+":
            return None
        left = expr.child_by_field_name("left")
        right = expr.child_by_field_name("right")
        if left is None or right is None:
            return None
        first = fixed_text(run, left, file, function, depth + 1)
        second = fixed_text(run, right, file, function, depth + 1) if first is not None else None
        return first + second if first is not None and second is not None else None
    if kind == "identifier":
        return _const_text(run, file, text(expr), None, function, depth)
    if kind == "selector_expression":
        operand = expr.child_by_field_name("operand")
        field_node = expr.child_by_field_name("field")
        if operand is not None and field_node is not None and operand.type == "identifier":
            qualifier = text(operand)
            if qualifier in file.imports:
                return _const_text(run, file, text(field_node), qualifier, None, depth)
        return None
    if kind == "call_expression":
        function_qualifier, function_name = callee(expr)
        args = arguments(expr)
        if function_qualifier is None and function_name == "string" and len(args) == 1:
            return fixed_text(run, args[0], file, function, depth + 1)
        return _sprintf_text(run, expr, file, function, depth)
    return None


def _const_text(
    run: FlowRun, file: SourceFile, name: str, qualifier: str | None, function: Function | None, depth: int
) -> str | None:
    if function is not None and function.body is not None:
        local = local_const(function.body, name)
        if local is not None:
            return fixed_text(run, local, file, function, depth + 1)
        if qualifier is None and shadowed(name, function):
            return None
    resolved = run.project.resolve_const(file, name, qualifier)
    if resolved is None:
        from imagetag_lint.engine import (
            variables,  # it folds the variables' values with fixed_text
        )

        return variables.variable_text(run, file, name, qualifier, depth)
    const_file, value = resolved
    return fixed_text(run, value, const_file, None, depth + 1)


def shadowed(name: str, function: Function) -> bool:
    if function.param(name) is not None:
        return True
    body = function.body
    return body is not None and bool(written_identifiers(body, name)[0])


def _sprintf_text(run: FlowRun, call: Node, file: SourceFile, function: Function | None, depth: int) -> str | None:
    qualifier, name = callee(call)
    if qualifier != "fmt" or name != "Sprintf":
        return None
    texts = [fixed_text(run, a, file, function, depth + 1) for a in arguments(call)]
    if not texts or any(t is None for t in texts):
        return None
    return format_go(texts[0] or "", [t or "" for t in texts[1:]])


def local_const(body: Node, name: str) -> Node | None:
    if not holds_bytes(body, b"const"):
        return None
    for occurrence in identifiers(body, name):
        spec = occurrence.parent
        if spec is None or spec.type != "const_spec":
            continue
        names = spec.children_by_field_name("name")
        value = spec.child_by_field_name("value")
        if value is None:
            continue
        for index, candidate in enumerate(names):
            if candidate.id == occurrence.id and index < value.named_child_count:
                return value.named_children[index]
    return None
