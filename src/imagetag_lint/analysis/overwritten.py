"""A default image that the code replaces before anything reads it (`cart := Component{Image:
"localhost/shop-cart:dev"}`, then `cart.Image = img`, then the deploy): the fixed text never
reaches a deployment, so it is no finding."""

from __future__ import annotations

from imagetag_lint.analysis.deployments import FixedSite
from imagetag_lint.enums import SiteKind
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import identifiers, literal_field, parent


def replaced_before_read(site: FixedSite) -> bool:
    """Is the site a field of a struct literal that declares a local, whose field the function's
    own statements (the declaration's block, no branch) set again before any read of the local?"""
    function = site.function
    if site.kind is not SiteKind.FIELD or function is None or function.body is None:
        return False
    found = _declared_local(site.node)
    if found is None:
        return False
    declaration, local, field = found
    block = parent(declaration)
    for use in identifiers(function.body, local):
        if use.start_byte < declaration.end_byte:
            continue
        if _reads_another_field(use, field):
            continue  # `cart.Dockerfile`: the default image is not read
        target = _assigned_field(use)
        if target is None:
            return False  # the local is read (or handed on) before the field is set again
        if target[0] == field:
            return parent(target[1]) == block
    return False


def _declared_local(value: Node) -> tuple[Node, str, str] | None:
    """(declaration, local, field) for a value in `local := T{Field: value}` (or `var local = ...`)."""
    found = literal_field(value)
    if found is None or found[1] != 1:
        return None  # no field, or a literal nested in another's field
    key, _, current = found
    if current is None or current.type != "composite_literal":
        return None
    values = parent(current)
    if values is None or values.type != "expression_list" or values.named_child_count != 1:
        return None
    declaration = parent(values)
    if declaration is None or declaration.type not in ("short_var_declaration", "var_spec"):
        return None
    left = declaration.child_by_field_name("left") if declaration.type == "short_var_declaration" else None
    names = left.named_children if left is not None else declaration.children_by_field_name("name")
    if len(names) != 1 or names[0].type != "identifier":
        return None
    if declaration.type == "var_spec":
        declaration = parent(declaration)  # the `var` statement
        if declaration is None or declaration.type != "var_declaration":
            return None
    return declaration, text(names[0]), key


def _reads_another_field(use: Node, field: str) -> bool:
    """Is the use `local.Other` read as a value (not a method call, which may read the whole
    struct)?"""
    selector = parent(use)
    if selector is None or selector.type != "selector_expression" or selector.child_by_field_name("operand") != use:
        return False
    name = selector.child_by_field_name("field")
    if name is None or text(name) == field:
        return False
    holder = parent(selector)
    return not (holder is not None and holder.type == "call_expression" and holder.child_by_field_name("function") == selector)


def _assigned_field(use: Node) -> tuple[str, Node] | None:
    """(field, statement) when the use is `local.field = ...`, the whole left side of a plain
    assignment; None for any other use, which reads the local."""
    selector = parent(use)
    if selector is None or selector.type != "selector_expression" or selector.child_by_field_name("operand") != use:
        return None
    field = selector.child_by_field_name("field")
    left = parent(selector)
    statement = parent(left) if left is not None else None
    if field is None or left is None or left.type != "expression_list" or left.named_child_count != 1:
        return None
    if statement is None or statement.type != "assignment_statement" or statement.child_by_field_name("left") != left:
        return None
    operator = statement.child_by_field_name("operator")
    if operator is None or text(operator) != "=":
        return None
    return text(field), statement
