"""A local the repair leaves unread: Go refuses to compile it (`declared and not used`), so its
declaration goes, when deleting it changes nothing else. A local constant left unread compiles,
but it is dead code the fix made: it goes too, when it is declared alone."""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    STRING_TYPES,
    arguments,
    assigned_names,
    callee,
    declaration_specs,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    right_values,
    unparen,
)
from imagetag_lint.repair.capture import left_names
from imagetag_lint.repair.plan import CannotFix, Plan


def drop_orphan(index: ImageFlowIndex, function: Function, replaced: Node, plan: Plan) -> None:
    """A local whose only read was replaced would not compile (`declared and not used`): remove
    its declaration, or refuse when that is not sound (the declaration names others, or its value
    may do something besides computing the name, or the local is written again)."""
    expr = unparen(replaced)
    if expr.type != "identifier" or function.body is None:
        return
    name = text(expr)
    definition = index.reaching_definition(expr, function)
    if definition is None:
        _drop_constant(function, expr, plan)
        return
    statement, _ = definition
    file = function.file
    edited = [e for e in plan.edits if e.filename == file.filename]
    uses = [i for i in identifiers(function.body, name) if i.id != expr.id and not any(e.start_byte <= i.start_byte < e.end_byte for e in edited)]
    scope = _declaration_block(statement)
    if scope is not None:  # only this variable's uses count: not a loop's or an `if`'s own `ref`
        uses = [i for i in uses if _same_variable(i, statement, scope)]
    if any(not is_write(i) for i in uses):
        return
    declaration = _sole_declaration(statement)
    if declaration is None:
        raise CannotFix(
            f"deploying the built name leaves `{name}` unused, and `{excerpt(_whole(statement))}` declares more "
            "than it: deploy the built name and remove it by hand"
        )
    values = right_values(statement)
    others = [i for i in uses if not any(n.id == i.id for n in assigned_names(statement))]
    if others or len(values) != 1 or not side_effect_free(index, values[0]):
        raise CannotFix(
            f"deploying the built name leaves `{name}` unused, and removing `{excerpt(declaration)}` may "
            "change what the code does: deploy the built name and remove it by hand"
        )
    _remove_line(function, declaration, plan)


def _drop_constant(function: Function, expr: Node, plan: Plan) -> None:
    """The local `const` whose only read was replaced goes, when it declares that constant alone
    (in a group, `iota` and the values of constants written without one depend on every line)."""
    declaration = _local_constant(expr)
    block = declaration.parent if declaration is not None else None
    if declaration is None or block is None:
        return
    specs = declaration_specs(declaration, "const_spec")
    if len(specs) != 1 or len(specs[0].children_by_field_name("name")) != 1:
        return
    edited = [e for e in plan.edits if e.filename == function.file.filename]
    for use in identifiers(block, text(expr)):
        if use.id != expr.id and _same_variable(use, declaration, block) and not any(e.start_byte <= use.start_byte < e.end_byte for e in edited):
            return
    _remove_line(function, declaration, plan)


def _local_constant(ident: Node) -> Node | None:
    """The `const` declaration of a function that ident reads, if the nearest declaration of its
    name is one."""
    name = text(ident)
    node = ident
    while node.parent is not None and node.parent.type not in ("function_declaration", "method_declaration", "source_file"):
        parent = node.parent
        if parent.type in ("statement_list", "block"):
            before = [s for s in parent.named_children if s.end_byte <= node.start_byte]
            declaring = next((s for s in reversed(before) if _declares(s, name)), None)
            if declaring is not None:
                return declaring if declaring.type == "const_declaration" else None
        if parent.type in _SCOPE_OPENERS and any(_declares(p, name) for p in _scope_openers(parent) if not is_inside(node, p)):
            return None
        node = parent
    return None


def _remove_line(function: Function, declaration: Node, plan: Plan) -> None:
    """Delete the declaration and its line, unless another step already rewrites it."""
    file = function.file
    start = E.line_start(file, declaration.start_byte)
    end = file.source.find(b"\n", declaration.end_byte)
    removal = E.edit(file, start, end + 1 if end != -1 else declaration.end_byte, "")
    if not any(E.overlaps(removal, e) for e in plan.edits):
        plan.edits.append(removal)


def _whole(statement: Node) -> Node:
    """The statement as written: a var spec with its `var`."""
    declaration = enclosing(statement, ("var_declaration",)) if statement.type == "var_spec" else None
    return declaration if declaration is not None else statement


def _declaration_block(statement: Node) -> Node | None:
    """The statement list a `name := v` or `var name = v` declares its name in, if it is one."""
    if statement.type == "short_var_declaration":
        holder = statement.parent
    elif statement.type == "var_spec":
        declaration = enclosing(statement, ("var_declaration",))
        holder = declaration.parent if declaration is not None else None
    else:
        return None
    return holder if holder is not None and holder.type in ("statement_list", "block") else None


def _same_variable(ident: Node, statement: Node, block: Node) -> bool:
    """Is this occurrence of the name the variable `statement` declares in `block`: after it, in
    the block, and not a variable of the same name declared in between?"""
    if ident.start_byte < statement.end_byte or not is_inside(ident, block):
        return False
    name = text(ident)
    node = ident
    while node.parent is not None and node.parent != block:
        parent = node.parent
        if parent.type in ("statement_list", "block") and any(
            _declares(s, name) for s in parent.named_children if s.end_byte <= node.start_byte
        ):
            return False  # a declaration of its own in an inner block, before this use
        if _declares_another(parent, node, block):
            return False  # it declares another variable (`x, ref :=` in the same block assigns this one)
        if parent.type in _SCOPE_OPENERS and any(_declares(p, name) for p in _scope_openers(parent) if not is_inside(node, p)):
            return False  # the statement's init, range clause or parameters declare its own
        node = parent
    return True


def _declares_another(parent: Node, node: Node, block: Node) -> bool:
    """Is node the left side of a declaration of a new variable (not `x, ref :=` in block)?"""
    if parent.type == "var_spec":
        return any(n == node for n in parent.children_by_field_name("name"))
    if parent.type == "range_clause":
        return node == parent.child_by_field_name("left") and any(c.type == ":=" for c in parent.children)
    return parent.type == "short_var_declaration" and node == parent.child_by_field_name("left") and parent.parent != block


_SCOPE_OPENERS = ("if_statement", "for_statement", "expression_switch_statement", "type_switch_statement", "func_literal")


def _scope_openers(statement: Node) -> list[Node]:
    """The parts of a statement that declare names for the rest of it."""
    parts = [statement.child_by_field_name(field) for field in ("initializer", "parameters")]
    for clause in statement.named_children:
        if clause.type == "for_clause":
            parts.append(clause.child_by_field_name("initializer"))
        if clause.type == "range_clause":
            parts.append(clause)
    return [p for p in parts if p is not None]


def _declares(node: Node, name: str) -> bool:
    if node.type in ("short_var_declaration", "range_clause"):
        left = node.child_by_field_name("left")
        operator = next((c for c in node.children if c.type == ":="), None)
        return left is not None and (node.type == "short_var_declaration" or operator is not None) and any(
            text(n) == name for n in left.named_children
        )
    if node.type in ("var_declaration", "const_declaration"):
        return any(text(n) == name for spec in declaration_specs(node, node.type.replace("declaration", "spec")) for n in spec.children_by_field_name("name"))
    if node.type == "parameter_list":
        return any(text(n) == name for p in node.named_children for n in p.children_by_field_name("name"))
    return False


def _sole_declaration(statement: Node) -> Node | None:
    """The statement to delete when it declares one name alone: `name := v`, `var name = v`."""
    if statement.type == "short_var_declaration" and len(left_names(statement)) == 1:
        return statement
    if statement.type != "var_spec" or len(assigned_names(statement)) != 1:
        return None
    declaration = enclosing(statement, ("var_declaration",))
    if declaration is None or declaration_specs(declaration, "var_spec") != [statement]:
        return None
    return declaration


# calls that only compute a string from their arguments
_PURE_CALLS = frozenset({
    ("fmt", "Sprintf"), ("fmt", "Sprint"), ("path", "Join"), ("filepath", "Join"), ("strconv", "Itoa"),
    ("strings", "Join"), ("strings", "ToLower"), ("strings", "ToUpper"), ("strings", "TrimSpace"),
    ("strings", "TrimPrefix"), ("strings", "TrimSuffix"), ("strings", "ReplaceAll"), ("strings", "Replace"),
    ("time", "Now"),
})
_PURE_METHODS = frozenset({"Format", "String", "Unix", "UnixNano"})  # `time.Now().Format(...)`


def _pure_method(index: ImageFlowIndex, call: Node) -> bool:
    """`value.Format(...)` of a value that is itself side-effect free (`time.Now()`)."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return False
    operand, field = function.child_by_field_name("operand"), function.child_by_field_name("field")
    return (
        operand is not None and field is not None and text(field) in _PURE_METHODS
        and operand.type == "call_expression" and side_effect_free(index, operand)
    )


def side_effect_free(index: ImageFlowIndex, expr: Node) -> bool:
    """Does evaluating expr only compute a value (so deleting it changes nothing else)? A name
    generator counts: the analysis knows it only makes a name."""
    expr = unparen(expr)
    if expr.type in STRING_TYPES or expr.type in ("identifier", "int_literal", "float_literal", "rune_literal", "true", "false", "nil"):
        return True
    if expr.type == "selector_expression":
        operand = expr.child_by_field_name("operand")
        return operand is not None and operand.type == "identifier"
    if expr.type == "binary_expression":
        return all(side_effect_free(index, side) for side in (expr.child_by_field_name("left"), expr.child_by_field_name("right")) if side is not None)
    if expr.type == "call_expression":
        if index.is_generator(expr):
            return True
        pure = callee(expr) in _PURE_CALLS or _pure_method(index, expr)
        return pure and all(side_effect_free(index, a) for a in arguments(expr))
    return False
