"""Build commands a command runner runs from a table, one row per command."""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.engine.commands import Command, command_words, slice_literal
from imagetag_lint.engine.ranges import ranged_elements
from imagetag_lint.engine.returned_builds import command_runner, runner_names
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import arguments, callee, enclosing, unparen


def runner_table_commands(index: ImageFlowIndex, call: Node, function: Function) -> list[Command]:
    """The commands a command runner runs from a table written in the loop around it (`for _, s
    := range [][]string{{"podman", "build", "-t", img, "."}, ...} { sh(ctx, s[0], s[1:]...) }`):
    each row is one command, its tool first."""
    if callee(call)[1] not in runner_names(index):
        return []
    targets = index.project.resolve_call(call, function.file)
    position = next((p for target in targets if (p := command_runner(index, target)) is not None), None)
    args = arguments(call)
    if position is None or len(args) != position + 2 or args[-1].type != "variadic_argument" or not args[-1].named_children:
        return []
    tool, rest = unparen(args[position]), unparen(args[-1].named_children[0])
    row = tool.child_by_field_name("operand") if tool.type == "index_expression" else None
    if row is None or row.type != "identifier" or text(tool.child_by_field_name("index") or row) != "0":
        return []
    if rest.type != "slice_expression" or text(rest.child_by_field_name("operand") or tool) != text(row):
        return []
    if text(rest.child_by_field_name("start") or tool) != "1" or rest.child_by_field_name("end") is not None:
        return []  # not `s[1:]`: the words after the tool
    commands = []
    for listed in _table_rows(index, row, function):
        body = listed.child_by_field_name("body") if listed.type == "composite_literal" else listed
        if body is None or body.type != "literal_value":
            continue
        words = [e.named_children[0] for e in body.named_children if e.type == "literal_element" and e.named_children]
        command = command_words(words) if words else None
        if command is not None:
            commands.append(command)
    return commands


def _table_rows(index: ImageFlowIndex, row: Node, function: Function) -> list[Node]:
    """The rows a `range` gives the variable: of the literal written in the loop, or of the one
    a local ranged over is declared with (`steps := [][]string{...}`; `for _, s := range steps`)."""
    written = ranged_elements(index, row, function)
    if written:
        return written
    loop = enclosing(row, ("for_statement",))
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None) if loop is not None else None
    left = clause.child_by_field_name("left") if clause is not None else None
    right = clause.child_by_field_name("right") if clause is not None else None
    names = left.named_children if left is not None else []
    if right is None or right.type != "identifier" or len(names) != 2 or text(names[1]) != text(row):
        return []
    table = slice_literal(function, text(right))
    body = table.child_by_field_name("body") if table is not None else None
    return [e.named_children[0] for e in body.named_children if e.type == "literal_element" and e.named_children] if body is not None else []
