"""Container values a Go unit test only inspects: a fixture, never a deployment."""

from __future__ import annotations

from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    callee,
    identifiers,
    is_inside,
    is_write,
    parent,
    unparen,
)

_VALUE_PARTS = ("literal_value", "keyed_element", "literal_element", "composite_literal", "parenthesized_expression")
_ESCAPES = ("literal_value", "keyed_element", "literal_element", "return_statement", "send_statement",
            "go_statement", "defer_statement", "func_literal")
_STATEMENTS = ("expression_statement", "if_statement", "block", "for_statement", "expression_switch_statement",
               "inc_statement", "dec_statement")
_ASSIGNMENTS = ("short_var_declaration", "assignment_statement", "var_spec")
_INSPECTING_BUILTINS = frozenset({"len", "cap", "print", "println"})
# packages whose functions only read, format or compare what they are given (by import path: a
# module without a dot in its path would look like the standard library)
_INSPECTING_PACKAGES = frozenset({
    "bytes", "cmp", "encoding/json", "errors", "fmt", "log", "maps", "reflect", "regexp", "slices",
    "sort", "strconv", "strings", "testing", "unicode",
    "github.com/google/go-cmp/cmp", "github.com/stretchr/testify/assert", "github.com/stretchr/testify/require",
})


def testing_parameters(function: Function) -> frozenset[str]:
    """The names of the function's `*testing.T` (`B`, `F`) parameters."""
    parameters = function.node.child_by_field_name("parameters")
    names: set[str] = set()
    for declaration in parameters.named_children if parameters is not None else []:
        kind = declaration.child_by_field_name("type")
        if kind is not None and text(kind).startswith("*testing."):
            names.update(text(name) for name in declaration.children_by_field_name("name"))
    return frozenset(names)


def only_inspected(value: Node, function: Function) -> bool:
    """Does the container value holding `value` (an `Image` field's value) stay in the test: kept
    in a local that is only read, compared and handed to the test's own `t` or a package that
    only reads it (`t.Fatal(c)`, `reflect.DeepEqual`)? Any other call, a return, a send or a bigger
    value it goes into may reach a cluster, so it counts as deployed."""
    holder = _outermost(value)
    above = parent(holder)
    if above is not None and above.type == "argument_list":
        call = parent(above)
        return call is not None and _inspecting(call, function)
    local = _assigned_local(holder)
    body = function.body
    if local is None or body is None:
        return False
    return all(is_write(use) or _stays(use, function) for use in identifiers(body, local))


def _outermost(value: Node) -> Node:
    """The whole value an `Image` field belongs to (`corev1.Container{...}`, `&Pod{...}`)."""
    node = value
    while True:
        above = parent(node)
        if above is None:
            return node
        if above.type in _VALUE_PARTS or (above.type == "unary_expression" and text(above).startswith("&")):
            node = above
            continue
        return node


def _assigned_local(holder: Node) -> str | None:
    """`c := corev1.Container{...}` -> "c"; `c.Image = "..."` -> "c"."""
    statement = parent(holder)
    if statement is not None and statement.type == "expression_list":
        statement = parent(statement)
    if statement is None or statement.type not in _ASSIGNMENTS:
        return None
    right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
    if right is None or not is_inside(holder, right):
        return None
    values = list(right.named_children)
    targets = statement.children_by_field_name("name") if statement.type == "var_spec" else (
        list(left.named_children) if (left := statement.child_by_field_name("left")) is not None else [])
    position = next((i for i, child in enumerate(values) if is_inside(holder, child)), None)
    if position is None or len(targets) != len(values):
        return None
    target = unparen(targets[position])
    while target.type == "selector_expression" and (operand := target.child_by_field_name("operand")) is not None:
        target = unparen(operand)
    return text(target) if target.type == "identifier" else None


def _stays(use: Node, function: Function) -> bool:
    node = use
    while True:
        above = parent(node)
        if above is None or above.type in _STATEMENTS:
            return True
        if above.type == "argument_list":
            call = parent(above)
            return call is not None and _inspecting(call, function)
        if above.type in _ESCAPES:
            return False
        if above.type in _ASSIGNMENTS:
            right = above.child_by_field_name("right") or above.child_by_field_name("value")
            return right is None or not is_inside(use, right)
        node = above


def _inspecting(call: Node, function: Function) -> bool:
    """A call that cannot deploy: a method of the test's `t`, a package that only reads, formats
    or compares (`fmt`, `reflect`, testify's `assert`), a builtin."""
    qualifier, name = callee(call)
    if qualifier is None:
        return name in _INSPECTING_BUILTINS
    if qualifier in testing_parameters(function):
        return True
    return function.file.imports.get(qualifier) in _INSPECTING_PACKAGES
