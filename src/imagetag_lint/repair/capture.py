"""Step 1, capture: the dropped image name gets a variable, and where that name can be read."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.analysis.discards import Discard
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import is_inside
from imagetag_lint.repair.plan import CannotFix, Plan


class Scope:
    """Where a captured name can be read."""

    def reaches(self, node: Node) -> bool:
        raise NotImplementedError

    def statement_end(self) -> int:
        raise NotImplementedError


class BlockScope(Scope):
    """A name declared by a statement is readable after it, inside the statement's block."""

    def __init__(self, statement: Node) -> None:
        self.statement = statement
        self.block = statement.parent

    def reaches(self, node: Node) -> bool:
        return self.block is not None and is_inside(node, self.block) and node.start_byte >= self.statement.end_byte

    def statement_end(self) -> int:
        if self.statement.type == "if_statement":
            initializer = self.statement.child_by_field_name("initializer")
            return initializer.end_byte if initializer is not None else self.statement.end_byte
        return self.statement.end_byte


class ExistingName(BlockScope):
    """The name already exists (only `_ = name` read it)."""

    def __init__(self, statement: Node, name: str) -> None:
        super().__init__(statement)
        self.name = name


class OuterScope(Scope):
    def __init__(self, block: Node | None) -> None:
        self.block = block

    def reaches(self, node: Node) -> bool:
        return self.block is not None and is_inside(node, self.block)

    def statement_end(self) -> int:
        return self.block.end_byte if self.block is not None else 0


def capture(discard: Discard, variable: str, plan: Plan) -> Scope:
    """Give the result a name; returns where that name can be read."""
    file, statement, call = discard.file, discard.statement, discard.call
    parent = call.parent
    if parent is not None and parent.type in ("go_statement", "defer_statement"):
        raise CannotFix(
            f"the result of a `{parent.type[:-10]}` call cannot be read; call the builder "
            "directly, capture the name and pass it to the deployment"
        )
    if parent is not None and parent.type == "expression_statement":
        targets = ["_"] * discard.producer.results
        targets[discard.producer.image_result] = variable
        plan.edits.append(E.insert(file, call.start_byte, ", ".join(targets) + " := "))
        return BlockScope(parent)
    if statement is None or discard.target is None:
        raise CannotFix("capture the image name by hand")
    if text(discard.target) != "_":
        if "overwritten" in discard.how:
            from imagetag_lint.analysis.steps import fixed_overwrite

            write = fixed_overwrite(discard)
            if write is not None:
                raise CannotFix(f"`{text(discard.target)}` already holds the built name: delete `{text(write)}`, which overwrites it")
            raise CannotFix(
                f"`{text(discard.target)}` is overwritten before it is read; keep the built "
                "name in its own variable and pass it to the deployment"
            )
        return ExistingName(statement, text(discard.target))
    context = statement.parent
    if context is not None and context.type == "if_statement" and statement.type == "short_var_declaration":
        return _hoist_if_init(discard, context, variable, plan)
    if context is not None and context.type in ("for_clause", "expression_switch_statement", "type_switch_statement"):
        raise CannotFix("move the build out of the init statement, capture the name and pass it on")
    if statement.type == "assignment_statement":
        indent = E.line_indent(file, statement.start_byte)
        plan.edits.append(E.insert(file, statement.start_byte, f"var {variable} {_result_type(discard)}\n{indent}"))
    plan.edits.append(E.replace(file, discard.target, variable))
    return BlockScope(_statement_of(statement))


def _hoist_if_init(discard: Discard, if_statement: Node, variable: str, plan: Plan) -> Scope:
    """`if _, err := F(); err != nil {` -> `name, err := F()` and `if err != nil {`."""
    file = discard.file
    statement = discard.statement
    assert statement is not None and discard.target is not None
    condition = if_statement.child_by_field_name("condition")
    block = if_statement.parent
    if condition is None or block is None or block.type not in ("statement_list", "block"):
        raise CannotFix("move the build out of the `if` statement by hand")
    others = [text(n) for n in left_names(statement) if text(n) not in ("_",)]
    for name in others:
        if _declared_in_block(block, name, if_statement):
            raise CannotFix(
                f"hoisting the call out of the `if` would reuse the `{name}` declared before it; "
                "capture the name in a variable of its own by hand"
            )
    indent = E.line_indent(file, if_statement.start_byte)
    plan.edits.append(E.edit(file, if_statement.start_byte, statement.start_byte, ""))
    plan.edits.append(E.replace(file, discard.target, variable))
    plan.edits.append(E.edit(file, statement.end_byte, condition.start_byte, f"\n{indent}if "))
    for later in _later_redeclarations(block, if_statement, set(others)):
        operator = next((c for c in later.children if c.type == ":="), None)
        if operator is not None:
            plan.edits.append(E.replace(file, operator, "="))
    for later in _later_var_declarations(block, if_statement, set(others)):
        # `var err error` after the hoisted `name, err :=` would declare err twice: the hoisted
        # one already is an error, so the declaration goes (its line with it)
        if re.fullmatch(r"var\s+(\w+)\s+error", text(later).strip()) is None:
            raise CannotFix(f"`{text(later)}` later in the block would redeclare a hoisted name; hoist the call by hand")
        start = E.line_start(file, later.start_byte)
        end = file.source.find(b"\n", later.end_byte)
        plan.edits.append(E.edit(file, start, end + 1 if end != -1 else later.end_byte, ""))
    return BlockScope(if_statement)


def _result_type(discard: Discard) -> str:
    wrapper = discard.producer.wrapper
    if wrapper is None:
        return "string"
    result = wrapper.node.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return "string"
    types = []
    for declaration in result.named_children:
        type_node = declaration.child_by_field_name("type")
        count = max(1, len(declaration.children_by_field_name("name")))
        types += [text(type_node) if type_node is not None else "string"] * count
    index = discard.producer.image_result
    return types[index] if index < len(types) else "string"


def _statement_of(node: Node) -> Node:
    """The statement (a child of a statement list) that holds node."""
    while node.parent is not None and node.parent.type not in ("statement_list", "block", "source_file"):
        node = node.parent
    return node


def left_names(statement: Node) -> list[Node]:
    left = statement.child_by_field_name("left")
    return list(left.named_children) if left is not None else []


def _declared_in_block(block: Node, name: str, before: Node) -> bool:
    for statement in block.named_children:
        if statement.start_byte >= before.start_byte:
            return False
        if statement.type == "short_var_declaration" and any(text(n) == name for n in left_names(statement)):
            return True
        if statement.type == "var_declaration" and re.search(rf"\b{re.escape(name)}\b", text(statement).split("=")[0]):
            return True
    return False


def _later_redeclarations(block: Node, after: Node, names: set[str]) -> Iterator[Node]:
    """`err := x()` later in the block would declare no new name once `err` is hoisted."""
    for statement in block.named_children:
        if statement.start_byte <= after.start_byte or statement.type != "short_var_declaration":
            continue
        left = {text(n) for n in left_names(statement)} - {"_"}
        if left and left <= names:
            yield statement


def _later_var_declarations(block: Node, after: Node, names: set[str]) -> Iterator[Node]:
    """`var err error` later in the block, declaring a name the hoisted call now declares."""
    for statement in block.named_children:
        if statement.start_byte <= after.start_byte or statement.type != "var_declaration":
            continue
        declared = {text(n) for spec in statement.named_children for n in spec.children_by_field_name("name")}
        if declared & names:
            yield statement
