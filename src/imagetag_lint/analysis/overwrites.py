"""A built name written again before the deployment reads it (`img, err := Build(...)`, then
`img = GenerateImageName("audit")`, then `deploy(ctx, img)`): the variable held the built name,
and that one assignment is what loses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    STRING_TYPES,
    assigned_names,
    callee,
    enclosing,
    right_values,
    unparen,
)

if TYPE_CHECKING:
    from imagetag_lint.analysis.image_flow import ImageFlowIndex


def overwrite_before(index: ImageFlowIndex, function: Function, built: Node, read: Node) -> Node | None:
    """The assignment `name = value` that a read of a built variable gets its value from, when it
    comes after the build and the build's own write reaches it."""
    read = unparen(read)
    if read.type != "identifier" or text(read) != text(built):
        return None
    reaching = index.reaching_definition(read, function)
    write = reaching[0] if reaching is not None else None
    if write is None or write.type != "assignment_statement" or write.start_byte < built.end_byte:
        return None
    if enclosing(write, FUNCTION_TYPES) != enclosing(read, FUNCTION_TYPES):
        return None  # a closure's write runs when the closure does, not in this order
    targets, values = assigned_names(write), right_values(write)
    operator = write.child_by_field_name("operator")
    if len(targets) != 1 or len(values) != 1 or operator is None or text(operator) != "=":
        return None
    before = index.reaching_definition(targets[0], function)
    statement = built.parent.parent if built.parent is not None else None
    return write if before is not None and statement is not None and before[0].id == statement.id else None


def overwriting_value(write: Node) -> Node:
    """The value an overwrite gives the variable (`GenerateImageName("audit")`)."""
    return unparen(right_values(write)[0])


def overwrite_words(index: ImageFlowIndex, write: Node) -> str | None:
    """What the overwrite puts in the variable, for the steps: fixed text or a generated name
    (None for anything else: another build's name needs a variable of its own)."""
    value = overwriting_value(write)
    if value.type in STRING_TYPES:
        return "fixed text"
    if value.type == "call_expression" and index.is_generator(value):
        qualifier, name = callee(value)
        return f"a new name from `{qualifier + '.' if qualifier else ''}{name}`"
    return None
