"""Values: what an expression may hold, where a name was last defined, and constant folding.

An expression's `Origin` is fixed text (a literal, a constant, `+` and `Sprintf` of those), a
fresh generator call, a producer's result, a parameter, or unknown; a name's origin is that of
its reaching definition.
"""

from __future__ import annotations

from bisect import bisect_left

from imagetag_lint.engine import producers
from imagetag_lint.engine.formats import format_go
from imagetag_lint.engine.model import UNKNOWN, Origin, OriginKind
from imagetag_lint.engine.run import FlowRun
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.project import Package
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    STRING_TYPES,
    arguments,
    assigned_names,
    callee,
    declaration_specs,
    enclosing,
    identifiers,
    is_inside,
    right_values,
    string_value,
    unparen,
    written_identifiers,
)

_KEPT = (OriginKind.GENERATED, OriginKind.BUILT, OriginKind.LITERAL)  # a name keeps its value's description


def origin(run: FlowRun, expr: Node, file: SourceFile, function: Function | None, depth: int = 0) -> Origin:
    expr = unparen(expr)
    fixed = fixed_text(run, expr, file, function)
    if fixed is not None:
        return Origin(OriginKind.LITERAL, ("literal", fixed), f"the fixed text `{fixed}`", fixed, expr)
    if depth > 8:
        return UNKNOWN
    if _put_together(run, expr, file, function):
        return Origin(OriginKind.COMPUTED, ("computed", expr.id), "a reference put together from its parts", node=expr)
    if expr.type == "call_expression":
        if producers.is_generator(run, expr):
            name = callee(expr)[1]
            return Origin(OriginKind.GENERATED, ("generated", expr.id), f"a fresh call of `{name}`", node=expr)
        producer = producers.producer(run, expr, file)
        if producer is not None and producer.results == 1:
            return Origin(OriginKind.BUILT, ("built", expr.id), f"the result of `{producer.name}`", node=expr)
        return UNKNOWN
    if expr.type == "index_expression" and function is not None:
        entry = _entry_value(expr, function)
        return origin(run, entry, file, function, depth + 1) if entry is not None else UNKNOWN
    if expr.type != "identifier" or function is None:
        return UNKNOWN
    return _identifier_origin(run, expr, file, function, depth)


def _entry_value(read: Node, function: Function) -> Node | None:
    """The value last stored in a map entry with a fixed key (`images["audit"] = X` before
    `images["audit"]`), when nothing between them can change the map: another write to it with a
    key that is not fixed text, or the map handed to anything (a call, a closure). The write stands
    in a block that holds the read, so it ran before it on every path."""
    operand, key = read.child_by_field_name("operand"), read.child_by_field_name("index")
    if operand is None or key is None or operand.type != "identifier" or string_value(key) is None or function.body is None:
        return None
    found: Node | None = None
    for use in identifiers(function.body, text(operand)):
        if use.start_byte >= read.start_byte:
            break
        entry = use.parent
        if entry is None or entry.type != "index_expression" or entry.child_by_field_name("operand") != use:
            found = None  # the map itself is read, passed or replaced: its entries are not known after that
            continue
        index = entry.child_by_field_name("index")
        written = _written_entry(entry)
        if written is None:
            continue  # a read of an entry changes nothing
        if index is None or string_value(index) is None:
            found = None
        elif string_value(index) == string_value(key):
            statement, value = written
            block = statement.parent
            found = value if block is not None and is_inside(read, block) else None
    return found


def _written_entry(entry: Node) -> tuple[Node, Node] | None:
    """(statement, value) when the entry is the whole left side of a plain `m[k] = value`."""
    holder = entry.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type != "assignment_statement":
        return None
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    if left is None or right is None or left != holder or holder.named_child_count != 1 or right.named_child_count != 1:
        return None
    operator = statement.child_by_field_name("operator")
    if operator is None or text(operator) != "=":
        return None
    return statement, right.named_children[0]


def _put_together(run: FlowRun, expr: Node, file: SourceFile, function: Function | None) -> bool:
    """Is expr a `+` or `fmt.Sprintf` whose fixed pieces are the shape of an image reference (a
    registry prefix, a `:tag`)? Such a value is computed on its own, not received: whatever its
    other parts hold, it is not the name a builder returned."""
    if expr.type == "binary_expression":
        operator = expr.child_by_field_name("operator")
        if operator is None or text(operator) != "+":
            return False
        pieces = _sum_pieces(expr)
    elif expr.type == "call_expression" and callee(expr) == ("fmt", "Sprintf"):
        pieces = arguments(expr)[:1]
    else:
        return False
    fixed = [fixed_text(run, piece, file, function) for piece in pieces]
    return any(piece is not None and ("/" in piece or piece.startswith(":") or "%s:" in piece) for piece in fixed)


def _sum_pieces(expr: Node) -> list[Node]:
    """The operands of a chain of `+` (`a + b + c` is `(a + b) + c`)."""
    pieces: list[Node] = []
    stack = [expr]
    while stack:
        node = unparen(stack.pop())
        operator = node.child_by_field_name("operator") if node.type == "binary_expression" else None
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is not None and text(operator) == "+" and left is not None and right is not None:
            stack.extend((right, left))
        else:
            pieces.append(node)
    return pieces


def _identifier_origin(run: FlowRun, ident: Node, file: SourceFile, function: Function, depth: int) -> Origin:
    name = text(ident)
    definition = reaching_definition(ident, function)
    if definition is None:
        owner = declaring_function(ident, function)
        if owner is not None:
            return Origin(OriginKind.PARAM, ("param", owner.id, name), f"the parameter `{name}`", node=ident)
        return Origin(OriginKind.UNKNOWN, ("var", name), f"`{name}`")
    statement, index = definition
    values = right_values(statement)
    if len(values) == len(assigned_names(statement)) and index < len(values):
        inner = origin(run, values[index], file, function, depth + 1)
        if inner.kind in _KEPT:
            return Origin(inner.kind, inner.key, f"`{name}` ({inner.description})", inner.text, inner.node)
        key = inner.key if inner.key is not None else ("def", statement.id, index)
        return Origin(inner.kind, key, f"`{name}`", node=inner.node)
    if len(values) == 1 and unparen(values[0]).type == "call_expression":
        call = unparen(values[0])
        producer = producers.producer(run, call, file)
        if producer is not None and producer.image_result == index:
            return Origin(OriginKind.BUILT, ("built", call.id), f"`{name}`, the result of `{producer.name}`", node=call)
    return Origin(OriginKind.UNKNOWN, ("def", statement.id, index), f"`{name}`")


def reaching_definition(ident: Node, function: Function) -> tuple[Node, int] | None:
    """The last write of ident's name before it, in a scope that contains it: (statement, index)."""
    name = text(ident)
    body = function.body
    if body is None:
        return None
    writes, starts = written_identifiers(body, name)
    for position in range(bisect_left(starts, ident.start_byte) - 1, -1, -1):  # the nearest first
        occurrence = writes[position]
        statement = occurrence.parent
        if statement is not None and statement.type == "expression_list":
            statement = statement.parent
        if statement is None:
            continue
        if statement.type == "short_var_declaration" or statement.type == "var_spec":
            scope = _declaration_scope(statement)
            if scope is not None and not is_inside(ident, scope):
                continue
        names = assigned_names(statement)
        return statement, next(i for i, n in enumerate(names) if n.id == occurrence.id)
    return None


def declaring_function(ident: Node, function: Function) -> Node | None:
    """The function (declaration or literal around ident) that has ident's name as parameter."""
    name = text(ident)
    current: Node | None = ident
    while current is not None:
        if current.type in FUNCTION_TYPES:
            parameters = current.child_by_field_name("parameters")
            if parameters is not None and any(
                text(n) == name
                for p in parameters.named_children
                for n in p.children_by_field_name("name")
            ):
                return current
            if current.id == function.node.id:
                return None
        current = current.parent
    return None


def _declaration_scope(statement: Node) -> Node | None:
    parent = statement.parent
    if statement.type == "var_spec":
        parent = enclosing(statement, ("var_declaration",))
        parent = parent.parent if parent is not None else None
    if parent is None:
        return None
    if parent.type in ("if_statement", "expression_switch_statement", "type_switch_statement", "for_clause"):
        return parent.parent if parent.type == "for_clause" else parent
    return enclosing(statement, ("block", "func_literal", "communication_case", "expression_case", "default_case", "type_case")) or parent


# -- constant folding ----------------------------------------------------------------------


def fixed_text(run: FlowRun, expr: Node, file: SourceFile, function: Function | None, depth: int = 0) -> str | None:
    """The string an expression always has (literals, constants, + and Sprintf of those)."""
    expr = unparen(expr)
    if depth > 16:
        return None
    kind = expr.type
    if kind in STRING_TYPES:
        return string_value(expr)
    if kind == "binary_expression":
        operator = expr.child_by_field_name("operator")
        if operator is None or text(operator) != "+":
            return None
        left = expr.child_by_field_name("left")
        right = expr.child_by_field_name("right")
        if left is None or right is None:
            return None
        first = fixed_text(run, left, file, function, depth + 1)
        second = fixed_text(run, right, file, function, depth + 1) if first is not None else None
        return first + second if first is not None and second is not None else None
    if kind == "identifier":
        return _const_text(run, file, text(expr), None, function, depth)
    if kind == "selector_expression":
        operand = expr.child_by_field_name("operand")
        field_node = expr.child_by_field_name("field")
        if operand is not None and field_node is not None and operand.type == "identifier":
            qualifier = text(operand)
            if qualifier in file.imports:
                return _const_text(run, file, text(field_node), qualifier, None, depth)
        return None
    if kind == "call_expression":
        function_qualifier, function_name = callee(expr)
        args = arguments(expr)
        if function_qualifier is None and function_name == "string" and len(args) == 1:
            return fixed_text(run, args[0], file, function, depth + 1)
        return _sprintf_text(run, expr, file, function, depth)
    return None


def _const_text(
    run: FlowRun, file: SourceFile, name: str, qualifier: str | None, function: Function | None, depth: int
) -> str | None:
    if function is not None and function.body is not None:
        local = _local_const(function.body, name)
        if local is not None:
            return fixed_text(run, local, file, function, depth + 1)
        if qualifier is None and _shadowed(name, function):
            return None
    resolved = run.project.resolve_const(file, name, qualifier)
    if resolved is None:
        return _variable_text(run, file, name, qualifier, depth)
    const_file, value = resolved
    return fixed_text(run, value, const_file, None, depth + 1)


def _shadowed(name: str, function: Function) -> bool:
    if function.param(name) is not None:
        return True
    body = function.body
    return body is not None and bool(written_identifiers(body, name)[0])


def _sprintf_text(run: FlowRun, call: Node, file: SourceFile, function: Function | None, depth: int) -> str | None:
    qualifier, name = callee(call)
    if qualifier != "fmt" or name != "Sprintf":
        return None
    texts = [fixed_text(run, a, file, function, depth + 1) for a in arguments(call)]
    if not texts or any(t is None for t in texts):
        return None
    return format_go(texts[0] or "", [t or "" for t in texts[1:]])


def _local_const(body: Node, name: str) -> Node | None:
    if b"const" not in (body.text or b""):
        return None
    for occurrence in identifiers(body, name):
        spec = occurrence.parent
        if spec is None or spec.type != "const_spec":
            continue
        names = spec.children_by_field_name("name")
        value = spec.child_by_field_name("value")
        if value is None:
            continue
        for index, candidate in enumerate(names):
            if candidate.id == occurrence.id and index < value.named_child_count:
                return value.named_children[index]
    return None


# -- package variables that are never changed -------------------------------------------------


def _variable_text(run: FlowRun, file: SourceFile, name: str, qualifier: str | None, depth: int) -> str | None:
    settled = _variable(run, file, name, qualifier, depth)
    return settled[0] if settled is not None else None


def setter_of(run: FlowRun, expr: Node, file: SourceFile, function: Function | None) -> str | None:
    """`init` or `TestMain` when expr reads a package variable whose fixed text that function
    sets (None for a constant, or a variable that holds its first value)."""
    expr = unparen(expr)
    qualifier: str | None = None
    if expr.type == "selector_expression":
        operand, field_node = expr.child_by_field_name("operand"), expr.child_by_field_name("field")
        if operand is None or field_node is None or operand.type != "identifier" or text(operand) not in file.imports:
            return None
        qualifier, name = text(operand), text(field_node)
    elif expr.type == "identifier":
        name = text(expr)
        if function is not None and function.body is not None and (_local_const(function.body, name) is not None or _shadowed(name, function)):
            return None
    else:
        return None
    if run.project.resolve_const(file, name, qualifier) is not None:
        return None
    settled = _variable(run, file, name, qualifier, 0)
    return settled[1] if settled is not None else None


def _variable(run: FlowRun, file: SourceFile, name: str, qualifier: str | None, depth: int) -> tuple[str, str | None] | None:
    """The text of a package-level `var` that holds fixed text wherever it is read, and the
    function that sets it: its value (`var image = "localhost/app:e2e"`) when nothing in the
    package, or in a package that imports it, writes it, or the one value a `func init()` or
    `TestMain` sets it to at the top of its body when that is its one write. Any other write
    (`image = build(...)`, `&image` handed to `flag.StringVar`, `+=`) leaves it unknown."""
    if qualifier is None:
        packages = [run.project.package_of(file)]
    else:
        packages = [p for p in run.project.imported_packages(file, qualifier) if not p.key[1].endswith("_test")]
    declared = next((found for package in packages if (found := _declared_variable(package, name)) is not None), None)
    if declared is None:
        return None
    package = declared[0]
    key = (f"package-variable\0{package.directory}\0{name}", 0)
    cached = run.rule_cache.get(key)
    if isinstance(cached, tuple) and cached[0] == run.project.generation:
        return cached[1]  # type: ignore[no-any-return]
    # the files that may write it are loaded first: those of its package that name it, and for an
    # exported one the linted files of its importers
    run.project.load_mentioning(package.directory, name, importers=name[:1].isupper())
    settled = _settled_text(run, declared, name, depth)
    run.rule_cache[key] = (run.project.generation, settled)
    return settled


Declared = tuple[Package, SourceFile, Node, int]  # (package, file, var_spec, position of the name in it)


def _declared_variable(package: Package, name: str) -> Declared | None:
    """Where the package-level `var name` is declared."""
    for file in package.files:
        if name.encode() not in file.source:
            continue
        for declaration in file.tree.root_node.named_children:
            if declaration.type != "var_declaration":
                continue
            for spec in declaration_specs(declaration, "var_spec"):
                for position, declared in enumerate(spec.children_by_field_name("name")):
                    if text(declared) == name:
                        return package, file, spec, position
    return None


def _settled_text(run: FlowRun, declared: Declared, name: str, depth: int) -> tuple[str, str | None] | None:
    package, file, spec, position = declared
    writes = _variable_writes(run, package, name)
    if len(writes) > 1:
        return None
    if writes:
        settled = _set_once_at_start(run, *writes[0], name)
        if settled is None:
            return None
        value, setter = settled
        found = fixed_text(run, value, setter.file, setter, depth + 1)
        return (found, setter.name) if found is not None else None
    values = right_values(spec)
    if len(values) != len(spec.children_by_field_name("name")):
        return None  # no value (the zero string), or the results of one call
    found = fixed_text(run, values[position], file, None, depth + 1)
    return (found, None) if found is not None else None


def _variable_writes(run: FlowRun, package: Package, name: str) -> list[tuple[SourceFile, Node]]:
    """The statements that may change the package variable, with their files: an assignment (any
    operator), `++`, a `for ... = range`, or `&name` (whoever gets the pointer may write it). A
    write to a local of the same name counts too: telling the two apart is not worth a false
    finding."""
    writes: list[tuple[SourceFile, Node]] = []
    for file in package.files:
        writes.extend((file, w) for i in identifiers(file.tree.root_node, name) if (w := _write_of(i)) is not None)
    if not name[:1].isupper():
        return writes
    for file in list(run.project.files()):  # `pkg.Name = ...` in an importer
        if file.directory == package.directory:
            continue
        for qualifier in file.imports:
            if run.project.import_directory(file, qualifier) != package.directory:
                continue
            for operand in identifiers(file.tree.root_node, qualifier):
                selector = operand.parent
                field_node = selector.child_by_field_name("field") if selector is not None else None
                if selector is None or selector.type != "selector_expression" or field_node is None or text(field_node) != name:
                    continue
                write = _write_of(selector)
                if write is not None:
                    writes.append((file, write))
    return writes


def _write_of(target: Node) -> Node | None:
    """The statement that writes target (an identifier or `pkg.Name`), or None for a read or a
    declaration (a `var` or `:=` inside a function declares a local)."""
    holder = target.parent
    if holder is None:
        return None
    if holder.type == "inc_dec_statement":
        return holder
    if holder.type == "unary_expression":
        operator = holder.child_by_field_name("operator")
        return holder if operator is not None and text(operator) == "&" else None
    if holder.type != "expression_list":
        return None
    statement = holder.parent
    if statement is None or statement.child_by_field_name("left") != holder:
        return None
    if statement.type == "assignment_statement":
        return statement
    if statement.type == "range_clause":
        operator = statement.child_by_field_name("operator")
        return statement if operator is None or text(operator) == "=" else None
    return None


def _set_once_at_start(run: FlowRun, file: SourceFile, statement: Node, name: str) -> tuple[Node, Function] | None:
    """(value, setter) when statement is `name = value` at the top of a `func init()` or of
    `TestMain` before it runs the tests: it runs before anything reads the variable."""
    if statement.type != "assignment_statement":
        return None
    operator = statement.child_by_field_name("operator")
    body = statement.parent
    if body is not None and body.type == "statement_list":
        body = body.parent
    declaration = body.parent if body is not None else None
    if operator is None or text(operator) != "=" or body is None or body.type != "block" or declaration is None:
        return None
    called = declaration.child_by_field_name("name")
    setter_name = text(called) if called is not None and declaration.type == "function_declaration" else ""
    if setter_name not in ("init", "TestMain"):
        return None
    if setter_name == "TestMain" and any(
        b".Run(" in (earlier.text or b"") for earlier in (statement.parent or body).named_children if earlier.start_byte < statement.start_byte
    ):
        return None  # set after the tests ran
    names, values = assigned_names(statement), right_values(statement)
    position = next((i for i, n in enumerate(names) if _names_variable(n, name)), None)
    setter = run.project.by_node.get((id(file), declaration.id))
    if len(names) != len(values) or position is None or setter is None:
        return None
    return values[position], setter


def _names_variable(target: Node, name: str) -> bool:
    if target.type == "selector_expression":
        field_node = target.child_by_field_name("field")
        return field_node is not None and text(field_node) == name
    return target.type == "identifier" and text(target) == name
