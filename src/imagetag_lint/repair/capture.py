"""Step 1, capture: the dropped image name gets a variable, and where that name can be read."""

from __future__ import annotations

import re

from imagetag_lint.analysis.discards import Discard, value_wrapper
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    callee,
    identifiers,
    is_inside,
    right_values,
    unparen,
)
from imagetag_lint.repair.names import fresh_name
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


def capture(index: ImageFlowIndex, discard: Discard, variable: str, plan: Plan, outer: Node | None = None) -> Scope:
    """Give the result a name; returns where that name can be read. `outer` is the statement (a
    retry loop) before which an assignment's (`=`) name is declared, for a deployment after it."""
    file, statement, call = discard.file, discard.statement, discard.call
    parent = call.parent
    if parent is not None and parent.type in ("go_statement", "defer_statement"):
        raise CannotFix(
            f"the result of a `{parent.type[:-10]}` call cannot be read; call the builder "
            "directly, capture the name and pass it to the deployment"
        )
    wrapper = value_wrapper(call)
    if statement is None and wrapper is not None and wrapper.parent is not None and wrapper.parent.type == "expression_statement":
        types = _call_result_types(index, wrapper, file)
        if types is not None and len(types) != 1:
            raise CannotFix(f"`{excerpt(wrapper.child_by_field_name('function') or wrapper)}` does not return the name alone; capture it by hand")
        plan.edits.append(E.insert(file, wrapper.start_byte, f"{variable} := "))  # `must(...)` returns the name alone
        return BlockScope(wrapper.parent)
    if parent is not None and parent.type == "expression_statement":
        targets = ["_"] * discard.producer.results
        targets[discard.producer.image_result] = variable
        plan.edits.append(E.insert(file, call.start_byte, ", ".join(targets) + " := "))
        return BlockScope(parent)
    if statement is None or discard.target is None:
        raise CannotFix("capture the image name by hand")
    if text(discard.target) != "_":
        if "overwritten" in discard.how:
            from imagetag_lint.analysis.steps import overwrite_of

            write = overwrite_of(index, discard)
            if write is not None:
                raise CannotFix(f"`{excerpt(discard.target)}` already holds the built name: delete `{excerpt(write)}`, which overwrites it")
            raise CannotFix(
                f"`{excerpt(discard.target)}` is overwritten before it is read; keep the built "
                "name in its own variable and pass it to the deployment"
            )
        return ExistingName(statement, text(discard.target))
    context = statement.parent
    if context is not None and context.type == "if_statement" and statement.type == "short_var_declaration":
        return _hoist_if_init(index, discard, context, variable, plan)
    if context is not None and context.type in ("for_clause", "expression_switch_statement", "type_switch_statement"):
        raise CannotFix("move the build out of the init statement, capture the name and pass it on")
    if statement.type == "assignment_statement":
        # before the statement, or before the `if` whose init it is (its `=` and condition stay)
        before = outer or _statement_of(statement)
        indent = E.line_indent(file, before.start_byte)
        plan.edits.append(E.insert(file, before.start_byte, f"var {variable} {_result_type(discard)}\n{indent}"))
        plan.edits.append(E.replace(file, discard.target, variable))
        return BlockScope(before)
    plan.edits.append(E.replace(file, discard.target, variable))
    return BlockScope(_statement_of(statement))


def _hoist_if_init(index: ImageFlowIndex, discard: Discard, if_statement: Node, variable: str, plan: Plan) -> Scope:
    """`if _, err := F(); err != nil {` -> `name, err := F()` and `if err != nil {`; or, when `err`
    in the rest of the block must stay another variable, `name, buildErr := F()` and
    `if err := buildErr; err != nil {` (the `if` keeps its own `err`)."""
    file = discard.file
    statement = discard.statement
    assert statement is not None and discard.target is not None
    condition = if_statement.child_by_field_name("condition")
    block = if_statement.parent
    if condition is None or block is None or block.type not in ("statement_list", "block"):
        raise CannotFix("move the build out of the `if` statement by hand")
    others = [n for n in left_names(statement) if text(n) != "_"]
    redeclarations = Hoisted(index, discard, if_statement, block).redeclarations()
    indent = E.line_indent(file, if_statement.start_byte)
    plan.edits.append(E.edit(file, if_statement.start_byte, statement.start_byte, ""))
    plan.edits.append(E.replace(file, discard.target, variable))
    if any(r is UNSAFE for r in redeclarations):
        # the hoisted call gets fresh names, and the `if` declares its own from them, as before
        function = discard.function
        assert function is not None  # a build outside a function is refused before the capture
        fresh: list[str] = []
        for name in others:
            fresh.append(fresh_name(index, "build" + text(name)[:1].upper() + text(name)[1:], function, {variable, *fresh}))
            plan.edits.append(E.replace(file, name, fresh[-1]))
        kept = ", ".join(text(n) for n in others)
        plan.edits.append(E.edit(file, statement.end_byte, condition.start_byte, f"\n{indent}if {kept} := {', '.join(fresh)}; "))
        return BlockScope(if_statement)
    plan.edits.append(E.edit(file, statement.end_byte, condition.start_byte, f"\n{indent}if "))
    names = {text(n) for n in others}
    for later in redeclarations:
        if isinstance(later, Node) and later.type == "var_declaration":
            start = E.line_start(file, later.start_byte)
            end = file.source.find(b"\n", later.end_byte)
            plan.edits.append(E.edit(file, start, end + 1 if end != -1 else later.end_byte, ""))
        elif later is not None and not isinstance(later, _Unsafe):
            left = {text(n) for n in left_names(later)} - {"_"}
            operator = next((c for c in later.children if c.type == ":="), None)
            if left <= names and operator is not None:  # it would declare no new name: `:=` -> `=`
                plan.edits.append(E.replace(file, operator, "="))
    return BlockScope(if_statement)


class _Unsafe:
    """A later statement in the block that would read or declare a hoisted name differently."""


UNSAFE = _Unsafe()


class Hoisted:
    """The block around an `if` whose init statement is hoisted into it: may a name that init
    declares be declared in the block instead?"""

    def __init__(self, index: ImageFlowIndex, discard: Discard, if_statement: Node, block: Node) -> None:
        self.index, self.discard, self.if_statement, self.block = index, discard, if_statement, block

    def redeclarations(self) -> list[Node | _Unsafe | None]:
        """For each name the init statement declares (`_` aside), what `redeclaration` says."""
        statement = self.discard.statement
        assert statement is not None
        return [self.redeclaration(text(n), i) for i, n in enumerate(left_names(statement)) if text(n) != "_"]

    def redeclaration(self, name: str, position: int) -> Node | _Unsafe | None:
        """UNSAFE when hoisting `name` could change what the code does; otherwise the later `:=`
        of the block that declares it again with the same type (it then assigns), or None."""
        if _declared_in_block(self.block, name, self.if_statement) or self._is_parameter(name):
            return UNSAFE  # the hoisted statement would assign that variable, not declare its own
        hoisted_type = self._build_result_type(position)
        for statement in self.block.named_children:
            if statement.start_byte <= self.if_statement.start_byte:
                continue
            if statement.type == "short_var_declaration" and any(text(n) == name for n in left_names(statement)):
                # from here on the block's `name` is this statement's; before the hoist it declared
                # it, after it assigns the hoisted one: the same only if the type is the same
                same = hoisted_type is not None and self._declared_type(statement, name) == hoisted_type
                reads_it = any(identifiers(v, name) for v in right_values(statement))
                return statement if same and not reads_it else UNSAFE
            if statement.type == "var_declaration" and identifiers(statement, name):
                # `var err error` starts from nil: so does the hoisted err when the `if` returns
                # whenever it is not nil; the declaration then goes
                plain = re.fullmatch(rf"var\s+{re.escape(name)}\s+error", text(statement).strip()) is not None
                return statement if plain and hoisted_type == "error" and self._leaves_nil(name) else UNSAFE
            if _shadows_in_init(statement, name):
                continue  # its own `name`, declared in its init statement, is the only one it reads
            if identifiers(statement, name):
                return UNSAFE  # it reads (or writes) the variable the hoisted one would shadow
        return None

    def _leaves_nil(self, name: str) -> bool:
        """`if err != nil { ...; return ... }` with no `else`: after it, err is nil."""
        condition = self.if_statement.child_by_field_name("condition")
        body = self.if_statement.child_by_field_name("consequence")
        if condition is None or body is None or self.if_statement.child_by_field_name("alternative") is not None:
            return False
        statements = [s for s in body.named_children if s.type != "comment"]
        if statements and statements[-1].type == "statement_list":
            statements = [s for s in statements[-1].named_children if s.type != "comment"]
        return re.fullmatch(rf"{re.escape(name)}\s*!=\s*nil", text(condition)) is not None and bool(statements) and statements[-1].type == "return_statement"

    def _is_parameter(self, name: str) -> bool:
        body = self.block.parent if self.block.type == "statement_list" else self.block
        function = body.parent if body is not None else None
        if function is None or function.type not in FUNCTION_TYPES:
            return False
        lists = [function.child_by_field_name("parameters"), function.child_by_field_name("result"), function.child_by_field_name("receiver")]
        return any(identifiers(node, name) for node in lists if node is not None)

    def _build_result_type(self, position: int) -> str | None:
        discard = self.discard
        types = _call_result_types(self.index, discard.call, discard.file)
        if types is not None:
            return types[position] if position < len(types) else None
        if discard.producer.results == 2 and position == 1 and discard.producer.image_result == 0:
            return "error"  # a configured builder: (name string, err error)
        return None

    def _declared_type(self, statement: Node, name: str) -> str | None:
        """The type `name` gets from a later `:=`, when the code says it."""
        names = [text(n) for n in left_names(statement)]
        values = right_values(statement)
        position = names.index(name)
        if len(values) == len(names):
            value = unparen(values[position])
            if value.type != "call_expression":
                return None
            if callee(value) in _ERROR_MAKERS:
                return "error"
            types = _call_result_types(self.index, value, self.discard.file)
            return types[0] if types is not None and len(types) == 1 else None
        if len(values) == 1 and unparen(values[0]).type == "call_expression":
            types = _call_result_types(self.index, unparen(values[0]), self.discard.file)
            return types[position] if types is not None and len(types) == len(names) else None
        return None


_ERROR_MAKERS = frozenset({("errors", "New"), ("errors", "Join"), ("fmt", "Errorf")})


def _call_result_types(index: ImageFlowIndex, call: Node, file: SourceFile) -> list[str] | None:
    """The result types of the one function a call runs, as written; None when not known."""
    functions = index.project.resolve_call(call, file)
    if len(functions) != 1:
        return None
    result = functions[0].node.child_by_field_name("result")
    if result is None:
        return []
    if result.type != "parameter_list":
        return [text(result)]
    types: list[str] = []
    for declaration in result.named_children:
        type_node = declaration.child_by_field_name("type")
        if type_node is None:
            return None
        types += [text(type_node)] * max(1, len(declaration.children_by_field_name("name")))
    return types


def _shadows_in_init(statement: Node, name: str) -> bool:
    """`if err := f(); ...`, `for err := ...; ...`, `switch err := ...; ...`: the statement reads
    only the `name` its init declares (its value does not read the outer one)."""
    holder = statement.child_by_field_name("initializer")
    if holder is None and statement.type == "for_statement":
        clause = next((c for c in statement.named_children if c.type == "for_clause"), None)
        holder = clause.child_by_field_name("initializer") if clause is not None else None
    if holder is None or holder.type != "short_var_declaration":
        return False
    if not any(text(n) == name for n in left_names(holder)):
        return False
    return not any(identifiers(v, name) for v in right_values(holder))


def keeps_if_scope(index: ImageFlowIndex, discard: Discard) -> bool:
    """Does the capture of a build in an `if` init statement keep the `if`'s own names
    (`name, buildErr := F()`, then `if err := buildErr; err != nil {`)?"""
    statement = discard.statement
    if_statement = statement.parent if statement is not None else None
    if statement is None or if_statement is None or if_statement.type != "if_statement" or statement.type != "short_var_declaration":
        return False
    block = if_statement.parent
    if block is None or block.type not in ("statement_list", "block"):
        return False
    return any(r is UNSAFE for r in Hoisted(index, discard, if_statement, block).redeclarations())


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
