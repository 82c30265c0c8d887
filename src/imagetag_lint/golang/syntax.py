"""Small questions about Go syntax nodes, answered without recursion."""

from __future__ import annotations

from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.parser import Node, text

FUNCTION_TYPES = ("function_declaration", "method_declaration", "func_literal")
STRING_TYPES = ("interpreted_string_literal", "raw_string_literal")


# Per-run caches keyed by (node id, byte range): a node id is unique among live trees, and
# `reset_caches()` runs at the start of every lint so no entry outlives its tree.
_CALLEES: dict[tuple[int, int, int], tuple[str | None, str]] = {}
_IDENTIFIERS: dict[tuple[int, int, int, str], list[Node]] = {}


def reset_caches() -> None:
    _CALLEES.clear()
    _IDENTIFIERS.clear()


def callee(call: Node) -> tuple[str | None, str]:
    """(qualifier, name) of a call: `pkg.F(...)` -> ("pkg", "F"), `F(...)` -> (None, "F")."""
    key = (call.id, call.start_byte, call.end_byte)
    found = _CALLEES.get(key)
    if found is None:
        found = _CALLEES[key] = _callee(call)
    return found


def _callee(call: Node) -> tuple[str | None, str]:
    function = call.child_by_field_name("function")
    if function is None:
        return None, ""
    if function.type == "identifier":
        return None, text(function)
    if function.type == "selector_expression":
        operand = function.child_by_field_name("operand")
        field = function.child_by_field_name("field")
        qualifier = text(operand) if operand is not None and operand.type == "identifier" else "?"
        return qualifier, text(field) if field is not None else ""
    return None, ""


def arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [child for child in args.named_children if child.type != "comment"]


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        inner = node.named_children[0]
        node = inner
    return node


def enclosing(node: Node, types: tuple[str, ...]) -> Node | None:
    current = node.parent
    while current is not None:
        if current.type in types:
            return current
        current = current.parent
    return None


def is_inside(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def identifiers(node: Node, name: str) -> list[Node]:
    """Every identifier node called `name` under node, in source order.

    The name is found in the node's bytes (a C-speed scan) and each whole-word hit is checked
    against the tree, so only the few matching nodes are ever created.
    """
    key = (node.id, node.start_byte, node.end_byte, name)
    found = _IDENTIFIERS.get(key)
    if found is None:
        found = _IDENTIFIERS[key] = _find_identifiers(node, name.encode())
    return found


def _find_identifiers(node: Node, name: bytes) -> list[Node]:
    base = node.start_byte
    found = []
    for start, end in word_offsets(node.text or b"", (name,)):
        hit = node.descendant_for_byte_range(base + start, base + end)
        if hit is not None and hit.type == "identifier" and hit.start_byte == base + start and hit.end_byte == base + end:
            found.append(hit)
    return found


def string_value(node: Node) -> str | None:
    """The value of a Go string literal node (escapes decoded), or None for other nodes."""
    if node.type == "raw_string_literal":
        return text(node)[1:-1]
    if node.type != "interpreted_string_literal":
        return None
    parts = []
    for child in node.named_children:
        piece = text(child)
        if child.type == "escape_sequence":
            piece = _ESCAPES.get(piece, piece[1:])
        parts.append(piece)
    return "".join(parts)


_ESCAPES = {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\\\": "\\", "\\r": "\r", "\\'": "'"}


def assignment_of(expr: Node) -> tuple[Node, int] | None:
    """For an expression on the right of `:=`, `=` or `var`, the statement and its index."""
    parent = expr.parent
    if parent is None or parent.type != "expression_list":
        return None
    statement = parent.parent
    if statement is None:
        return None
    if statement.type in ("short_var_declaration", "assignment_statement"):
        if statement.child_by_field_name("right") != parent:
            return None
    elif statement.type != "var_spec":
        return None
    index = [c.id for c in parent.named_children].index(expr.id)
    return statement, index


def assigned_names(statement: Node) -> list[Node]:
    """Left-hand side expressions of `:=`, `=`, or the names of a var spec."""
    if statement.type == "var_spec":
        return statement.children_by_field_name("name")
    left = statement.child_by_field_name("left")
    return list(left.named_children) if left is not None else []


def declaration_specs(declaration: Node, spec_type: str) -> list[Node]:
    """The specs of a declaration, alone or grouped: `import "x"` and `import ( ... )` alike."""
    specs = [c for c in declaration.named_children if c.type == spec_type]
    for spec_list in declaration.named_children:
        if spec_list.type == spec_type + "_list":
            specs.extend(c for c in spec_list.named_children if c.type == spec_type)
    return specs


def right_values(statement: Node) -> list[Node]:
    """Right-hand side expressions of `:=`, `=`, or the values of a var or const spec."""
    right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
    return right.named_children if right is not None else []


def assigned_value(statement: Node, index: int) -> Node | None:
    """The expression a definition gives its index-th name (`a, b := f()`: f() for a, None for b)."""
    values = right_values(statement)
    return unparen(values[index]) if index < len(values) else None


def is_write(ident: Node) -> bool:
    """True when this identifier occurrence is the target of `=`, `:=` or `var` (not a read)."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type == "var_spec":
        return any(n.id == ident.id for n in parent.children_by_field_name("name"))
    if parent.type != "expression_list":
        return False
    statement = parent.parent
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return False
    if statement.child_by_field_name("left") != parent:
        return False
    operator = statement.child_by_field_name("operator")
    return operator is None or text(operator) in ("=", ":=")


def is_blank_read(ident: Node) -> bool:
    """`_ = name`: the compiler counts it as a use, we do not."""
    parent = ident.parent
    if parent is None or parent.type != "expression_list" or parent.named_child_count != 1:
        return False
    statement = parent.parent
    if statement is None or statement.type != "assignment_statement":
        return False
    left = statement.child_by_field_name("left")
    return (
        statement.child_by_field_name("right") == parent
        and left is not None
        and text(left) == "_"
    )
