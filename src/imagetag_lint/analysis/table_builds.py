"""A fixed image in a table of services that a loop builds under that very field
(`for _, svc := range services { BuildImageWithTag(svc.Image, w) }`): the entry is the name the
build is tagged with, so a deployment reading it deploys what was built, not a copy of a tag."""

from __future__ import annotations

from imagetag_lint.analysis.deployments import FixedSite
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.enums import ConsumerKind, SiteKind
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import arguments, literal_field, parent


def built_from_its_table(index: ImageFlowIndex, site: FixedSite) -> bool:
    """Is the site an entry's field of a package-level table that a loop of the package ranges
    over and builds, with a build command or a build helper known by its command, under that
    same field of the loop's value?"""
    if site.kind is not SiteKind.FIELD:
        return False
    found = _table_entry(site.node)
    if found is None:
        return False
    table, field = found
    needle = b"range " + table.encode()
    for file in list(index.project.complete_package(site.file).files):
        if needle not in file.source:
            continue
        for function in index.facts(file).functions:
            if function.body is not None and needle in (function.body.text or b"") and _builds_in_loop(index, function, table, field):
                return True
    return False


def _table_entry(value: Node) -> tuple[str, str] | None:
    """(table, field) for a value in `var table = []T{{Field: value}, ...}` at package level."""
    found = literal_field(value, nested=True)
    if found is None:
        return None
    key, _, current = found
    if current is None or current.type != "expression_list":
        return None
    spec = parent(current)
    declaration = parent(spec) if spec is not None else None
    if spec is None or spec.type != "var_spec" or declaration is None:
        return None
    if declaration.type == "var_spec_list":
        declaration = parent(declaration)
    if declaration is None or declaration.type != "var_declaration" or parent(declaration) is None or parent(declaration).type != "source_file":  # type: ignore[union-attr]
        return None
    names = spec.children_by_field_name("name")
    return (text(names[0]), key) if len(names) == 1 else None


def _builds_in_loop(index: ImageFlowIndex, function: Function, table: str, field: str) -> bool:
    """Does a `for _, v := range table` of the function build `v.field`?"""
    for call in index.calls_in(function):
        tag = _build_tag(index, call, function)
        if tag is None or tag.type != "selector_expression":
            continue
        operand, name = tag.child_by_field_name("operand"), tag.child_by_field_name("field")
        if operand is None or name is None or operand.type != "identifier" or text(name) != field:
            continue
        loop = _ranges_over(call, text(operand), table)
        if loop is not None and _every_time(call, loop, function):
            return True
    return False


def _every_time(call: Node, loop: Node, function: Function) -> bool:
    """Does the loop run the build for every entry: the call not inside a branch of the loop's
    body (an `if`'s block, a `switch` case: the init of an `if` is fine), and no `continue`,
    `break`, `return` or `goto` in the body before it?"""
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    current = parent(call)
    while current is not None and current.id != body.id:
        if current.type in ("block", "expression_case", "default_case", "type_case", "communication_case", "func_literal"):
            return False
        current = parent(current)
    before = function.file.source[body.start_byte : call.start_byte]
    return not any(word_offsets(before, (word,)) for word in (b"continue", b"break", b"return", b"goto"))


def _build_tag(index: ImageFlowIndex, call: Node, function: Function) -> Node | None:
    consumer = index.consumer(call)
    if consumer is not None:
        args = arguments(call)
        return args[consumer.image_arg] if consumer.kind == "build" and consumer.image_arg < len(args) else None
    command = index.command_image(call, function)
    if command is None or command.kind is not ConsumerKind.BUILD:
        return None
    return next((tag for tag in command.images if tag.type == "selector_expression"), None)


def _ranges_over(call: Node, value: str, table: str) -> Node | None:
    """The `for _, value := range table` around the call (the nearest loop that declares value)."""
    current = parent(call)
    while current is not None:
        if current.type == "for_statement":
            clause = next((c for c in current.named_children if c.type == "range_clause"), None)
            left = clause.child_by_field_name("left") if clause is not None else None
            right = clause.child_by_field_name("right") if clause is not None else None
            names = [text(n) for n in left.named_children] if left is not None else []
            if len(names) == 2 and names[1] == value:
                return current if right is not None and right.type == "identifier" and text(right) == table else None
            if value in names:
                return None
        current = parent(current)
    return None
