"""`range` over a list written in the loop: the value variable holds each element in turn.

`for _, img := range []string{"localhost/a:e2e", "localhost/b:e2e"} { deploy(img) }` deploys
each element, and `for _, r := range []row{{Image: "localhost/a:e2e"}} { ... Image: r.Image }`
each row's field: a deployment of the variable (or of its field) is a deployment of every
element, so fixed text there is found where it is written. A map literal's values are its
elements (`for name, img := range map[string]string{"web": "localhost/web:e2e"}`), and so are
the entries of a local map literal that a loop over its keys looks up (`images[svc]` in
`for _, svc := range []string{"web", "cache"}`): each entry looked up is a deployment, as is
the one entry a lookup with a fixed key reads (`images["web"]`, or `images[webKey]` with `const
webKey = "web"`, a constant of the function or of the package).
"""

from __future__ import annotations

from imagetag_lint.engine.run import FlowRun
from imagetag_lint.engine.values import fixed_text, ranging_loop, reaching_definition
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    assigned_names,
    assigned_value,
    identifiers,
    is_inside,
    is_write,
    parent,
    string_value,
    unparen,
)

_LIST_TYPES = ("slice_type", "array_type", "implicit_length_array_type")


def ranged_elements(run: FlowRun, expr: Node, function: Function) -> list[Node]:
    """The element expressions a `range` over a literal list gives `expr` (a value variable,
    or a field of one: `r.Image`), in order; [] when expr is no such variable."""
    expr = unparen(expr)
    field = None
    if expr.type == "index_expression":
        return looked_up_entries(run, expr, function)
    if expr.type == "selector_expression":
        field_node = expr.child_by_field_name("field")
        operand = expr.child_by_field_name("operand")
        if field_node is None or operand is None:
            return []
        field, expr = text(field_node), unparen(operand)
    if expr.type != "identifier":
        return []
    listed = _ranged_list(expr, function)
    body = listed.child_by_field_name("body") if listed is not None else None
    if body is None:
        return []
    kind = listed.child_by_field_name("type") if listed is not None else None
    mapped = kind is not None and kind.type == "map_type"
    found = []
    for element in body.named_children:
        if element.type == "comment":
            continue
        if mapped and element.type == "keyed_element" and element.named_child_count == 2:
            element = element.named_children[1]  # the value; the key is the other loop variable
        if element.type != "literal_element" or element.named_child_count != 1:
            return []  # an indexed element (`[...]string{2: "x"}`): not followed
        value = unparen(element.named_children[0])
        if field is None:
            found.append(value)
            continue
        row = value.child_by_field_name("body") if value.type == "composite_literal" else value
        if row is None or row.type != "literal_value":
            return []
        found.extend(_field_value(row, field))
    return found


def looked_up_entries(run: FlowRun, lookup: Node, function: Function) -> list[Node]:
    """The values of a local map literal (`images := map[string]string{...}`) that `images[svc]`
    reads while `svc` walks a literal list of fixed keys, in the order of the keys, or the one
    value `images["web"]` (or `images[webKey]`, a constant key) reads; [] when the map may change
    (an entry written, the map handed on or replaced) or a key is not fixed text."""
    operand, key = lookup.child_by_field_name("operand"), lookup.child_by_field_name("index")
    if operand is None or key is None or operand.type != "identifier":
        return []
    key = unparen(key)
    fixed = fixed_key(run, key, function)
    if fixed is not None:
        keys: list[str | None] = [fixed]
    elif key.type == "identifier":
        keys = [fixed_key(run, element, function) for element in ranged_elements(run, key, function)]
    else:
        return []
    entries = _map_entries(run, operand, function)
    if not keys or None in keys or entries is None:
        return []
    return [entries[k] for k in keys if k is not None and k in entries]


def fixed_key(run: FlowRun, key: Node, function: Function) -> str | None:
    """The text of a map key that is fixed where it is written: a string literal or a constant
    (`"web"`, `webKey` with `const webKey = "web"`, `keys.Web`); None for a `range` loop's
    variable, which walks several keys, and for any other expression."""
    key = unparen(key)
    if key.type == "identifier" and ranging_loop(key, function) is not None:
        return None
    if key.type not in ("identifier", "selector_expression"):
        return string_value(key)
    return fixed_text(run, key, function.file, function)


def _map_entries(run: FlowRun, ident: Node, function: Function) -> dict[str, Node] | None:
    """The values by fixed key of the map literal a local is declared with, when the function
    only ever reads entries of it."""
    definition = reaching_definition(ident, function)
    if definition is None or function.body is None:
        return None
    statement, position = definition
    literal = assigned_value(statement, position)
    kind = literal.child_by_field_name("type") if literal is not None and literal.type == "composite_literal" else None
    body = literal.child_by_field_name("body") if literal is not None else None
    if kind is None or kind.type != "map_type" or body is None:
        return None
    declared = assigned_names(statement)[position]
    if any(use.id != declared.id and not _entry_read(use) for use in identifiers(function.body, text(ident))):
        return None
    entries = {}
    for element in body.named_children:
        if element.type == "comment":
            continue
        written = element.named_children[0] if element.named_child_count == 2 and element.named_children[0].named_child_count == 1 else None
        fixed = fixed_key(run, written.named_children[0], function) if written is not None else None
        value = element.named_children[1] if element.type == "keyed_element" and element.named_child_count == 2 else None
        if fixed is None or value is None or value.named_child_count != 1:
            return None
        entries[fixed] = unparen(value.named_children[0])
    return entries


def _entry_read(use: Node) -> bool:
    """Is the identifier the map of an entry read (`images[svc]`), not written or handed on?"""
    entry = parent(use)
    if entry is None or entry.type != "index_expression" or entry.child_by_field_name("operand") != use:
        return False
    holder = parent(entry)
    statement = parent(holder) if holder is not None and holder.type == "expression_list" else None
    return statement is None or statement.type != "assignment_statement" or statement.child_by_field_name("left") != holder


def _ranged_list(ident: Node, function: Function) -> Node | None:
    """The list literal of the `for _, x := range [...]T{...}` whose value variable ident reads,
    when nothing in the loop writes the variable again."""
    name = text(ident)
    current = parent(ident)
    while current is not None and current.id != function.node.id:
        if current.type == "for_statement":
            clause = next((c for c in current.named_children if c.type == "range_clause"), None)
            left = clause.child_by_field_name("left") if clause is not None else None
            names = left.named_children if left is not None else []
            if clause is not None and len(names) == 2 and text(names[1]) == name:
                return _list_of(clause, current, name, ident, function)
            if any(text(n) == name for n in names):
                return None  # the index, or a variable of another loop
        current = parent(current)
    return None


def _list_of(clause: Node, loop: Node, name: str, ident: Node, function: Function) -> Node | None:
    if clause.text is None or b":=" not in clause.text:
        return None  # `for _, x = range`: an outer variable, written elsewhere too
    body = loop.child_by_field_name("body")
    if body is None or any(is_write(use) for use in identifiers(body, name)):
        return None
    definition = reaching_definition(ident, function)
    if definition is not None and is_inside(definition[0], loop):
        return None  # declared again inside the loop
    listed = clause.child_by_field_name("right")
    listed = unparen(listed) if listed is not None else None
    kind = listed.child_by_field_name("type") if listed is not None and listed.type == "composite_literal" else None
    return listed if kind is not None and kind.type in (*_LIST_TYPES, "map_type") else None


def _field_value(row: Node, field: str) -> list[Node]:
    """The value of a keyed row's field (`{Name: "api", Image: "..."}`), if it sets it."""
    for element in row.named_children:
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = element.named_children
        if text(key) == field and value.named_child_count == 1:
            return [unparen(value.named_children[0])]
    return []
