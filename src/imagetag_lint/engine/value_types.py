"""The type a value visibly has: which methods a call on it (`c.Deploy(...)`) may run.

The type is read from what declares the value: a parameter or a receiver, `var c T`, `c :=
&T{...}`, `new(T)`, the declared result of a function of the module (`c := cluster.New(...)`),
a copy of a value whose type is known, a field of a struct whose type is known (`s.cluster`), or a
package-level variable declared so. Each answer comes with the file whose imports qualify the type
(a constructor's or a field's type is read where it is declared). Blocks are not read: a name the
functions around a use bind more than once has no known type.
"""

from __future__ import annotations

from imagetag_lint.engine.containers import (
    declaration_of,
    declaration_type,
    variable_type,
)
from imagetag_lint.engine.run import FlowRun
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.project import PREDECLARED_TYPES
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    enclosing,
    identifiers,
    is_write,
    parent,
    unparen,
)

Typed = tuple[SourceFile, Node]  # a type node, and the file whose imports qualify it
_DEPTH = 8  # copies, fields and constructors followed from one value
# Go's predeclared functions, and its types (a conversion): no function of the module to look for
_PREDECLARED_CALLS = PREDECLARED_TYPES | {
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new",
    "panic", "print", "println", "real", "recover",
}


def expression_type(run: FlowRun, expr: Node, file: SourceFile, depth: int = 0) -> Typed | None:
    """The type an expression of file visibly has, if known."""
    expr = unparen(expr)
    if depth > _DEPTH:
        return None
    if expr.type == "identifier":
        return visible_type(run, expr, file, depth)
    if expr.type == "selector_expression":
        return _field_of(run, expr, file, depth)
    if expr.type == "unary_expression":  # `&c`, `*c`: the pointer's type names the same methods
        operator, operand = expr.child_by_field_name("operator"), expr.child_by_field_name("operand")
        if operator is None or operand is None or operator.text not in (b"&", b"*"):
            return None
        return expression_type(run, operand, file, depth + 1)
    if expr.type == "composite_literal":
        literal_type = expr.child_by_field_name("type")
        return (file, literal_type) if literal_type is not None else None
    if expr.type == "call_expression":
        return _result_type(run, expr, file, 0, depth + 1)
    return None


def visible_type(run: FlowRun, ident: Node, file: SourceFile, depth: int = 0) -> Typed | None:
    """The type an identifier of file visibly has: its declaration in the functions around it
    (`variable_type`, else the value of the one `:=` or `var` that binds it, or the receiver it
    names), or, when no function around it binds the name, that of the package-level variable it
    names (`var shared = &cluster.Cluster{...}`, `var shared *cluster.Cluster`, in any file of the
    package). None when the functions around it bind the name more than once: the nearest
    declaration before it need not be the one in scope (`k := &journal{}` then `if live { k :=
    &kube{} }`), and blocks are not read."""
    outermost = None
    current = ident.parent
    while current is not None:
        if current.type in FUNCTION_TYPES:
            outermost = current
        current = current.parent
    bindings = [i for i in identifiers(outermost, text(ident)) if _binds(i)] if outermost is not None else []
    if len(bindings) > 1:
        return None
    declared = variable_type(run, ident)
    if declared is not None:
        return (file, declared)
    if bindings:
        return _bound_type(run, bindings[0], ident, file, depth)
    spec = run.project.package_variable(file, text(ident))
    if spec is None:
        return None
    declared = declaration_type(spec[1], ident.text)
    return (spec[0], declared) if declared is not None else _assigned_type(run, spec[1], ident.text, spec[0], depth)


def _bound_type(run: FlowRun, binding: Node, use: Node, file: SourceFile, depth: int) -> Typed | None:
    """The type of the value the one binding of a name gives it, when the use is in its scope:
    a receiver's declared type, or the value of its `:=` or `var` (a `range`, `select` or
    type-switch variable has none here)."""
    holder = parent(binding)
    receivers = parent(holder) if holder is not None and holder.type == "parameter_declaration" else None
    method = receivers.parent if receivers is not None else None
    if method is not None and method.type == "method_declaration" and method.child_by_field_name("receiver") == receivers:
        receiver_type = holder.child_by_field_name("type") if holder is not None else None
        return (file, receiver_type) if receiver_type is not None else None
    declaration = declaration_of(binding)
    scope = enclosing(declaration, FUNCTION_TYPES) if declaration is not None else None
    if declaration is None or scope is None or not declaration.end_byte <= use.start_byte < scope.end_byte:
        return None
    return _assigned_type(run, declaration, use.text, file, depth)


def _assigned_type(run: FlowRun, declaration: Node, name: bytes | None, file: SourceFile, depth: int) -> Typed | None:
    """The type of the value a `:=` or `var` declaration gives name: of its own expression, or of
    the matching result of the one call it assigns (`c, err := cluster.New(...)`)."""
    if declaration.type == "var_spec":
        names = [n.text for n in declaration.children_by_field_name("name")]
        value = declaration.child_by_field_name("value")
    else:
        left = declaration.child_by_field_name("left")
        names = [n.text for n in left.named_children] if left is not None else []
        value = declaration.child_by_field_name("right")
    if value is None or name not in names:
        return None
    values = [v for v in value.named_children if v.type != "comment"]
    index = names.index(name)
    if len(values) == len(names):
        return expression_type(run, values[index], file, depth + 1)
    if len(values) == 1 and unparen(values[0]).type == "call_expression":
        return _result_type(run, unparen(values[0]), file, index, depth + 1)
    return None


def _result_type(run: FlowRun, call: Node, file: SourceFile, index: int, depth: int) -> Typed | None:
    """The declared type of a call's result at index: `new(T)`'s `T`, or the result of the
    function of the module it calls, read in the file that declares it (every definition of the
    name, as build variants, must declare the same one). A method's result is not followed."""
    qualifier, name = callee(call)
    if not name or depth > _DEPTH or (qualifier is not None and qualifier not in file.imports):
        return None
    project = run.project
    functions = [f for f in project.resolve_call(call, file) if f.receiver is None]
    if not functions and (qualifier is not None or name not in _PREDECLARED_CALLS):
        directory = project.import_directory(file, qualifier) if qualifier is not None else file.directory
        if directory is not None:
            project.load_mentioning(directory, name)
            functions = [f for f in project.resolve_call(call, file) if f.receiver is None]
    if not functions and qualifier is None and name == "new":
        found = arguments(call)
        return (file, found[0]) if index == 0 and len(found) == 1 else None
    results = [(f.file, _result_at(f, index)) for f in functions]
    first_file, first = results[0] if results else (file, None)
    if first is None or any(r is None or text(r) != text(first) or f.directory != first_file.directory for f, r in results):
        return None
    return (first_file, first)


def _result_at(function: Function, index: int) -> Node | None:
    result = function.node.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return result if index == 0 else None
    types: list[Node] = []
    for declaration in result.named_children:
        result_type = declaration.child_by_field_name("type") if declaration.type == "parameter_declaration" else None
        if result_type is not None:
            types.extend([result_type] * max(1, len(declaration.children_by_field_name("name"))))
    return types[index] if index < len(types) else None


def _field_of(run: FlowRun, selector: Node, file: SourceFile, depth: int) -> Typed | None:
    """The declared type of a field of a struct whose type is known (`s.cluster`, `env.kube`), read
    in the file that declares the struct; an embedded field is named by its type."""
    operand = selector.child_by_field_name("operand")
    field_node = selector.child_by_field_name("field")
    if operand is None or field_node is None or (operand.type == "identifier" and text(operand) in file.imports):
        return None  # a package's variable: not followed
    holder = expression_type(run, operand, file, depth + 1)
    named = run.project.named_type(holder) if holder is not None else None
    if named is None:
        return None
    packages, type_name = named
    wanted = text(field_node)
    for package in packages:
        spec = run.project.type_spec(package, type_name)
        struct = spec[1].child_by_field_name("type") if spec is not None else None
        if spec is None or struct is None or struct.type != "struct_type":
            continue
        for fields in struct.named_children:
            for declaration in fields.named_children if fields.type == "field_declaration_list" else ():
                field_type = declaration.child_by_field_name("type") if declaration.type == "field_declaration" else None
                names = [text(n) for n in declaration.children_by_field_name("name")] if field_type is not None else []
                if field_type is not None and (wanted in names or not names and _embedded_name(field_type) == wanted):
                    return (spec[0], field_type)
    return None


def _embedded_name(type_node: Node) -> str:
    """The field name of an embedded type: `*cluster.Cluster` -> `Cluster`."""
    return text(type_node).lstrip("*").rpartition(".")[2].partition("[")[0]


def _binds(ident: Node) -> bool:
    """Does ident bind its name: as a receiver or a parameter, with `var` or `:=`, in a `range`
    clause, a `select` case or a type switch? An `=` declares nothing: it cannot change the static
    type of the variable it sets (a package-level `var c *cluster.Cluster` that TestMain sets)."""
    holder = parent(ident)
    if holder is None:
        return False
    if is_write(ident):
        statement = parent(holder) if holder.type == "expression_list" else None
        return statement is None or statement.type != "assignment_statement"
    if holder.type in ("parameter_declaration", "variadic_parameter_declaration"):
        return any(n.id == ident.id for n in holder.children_by_field_name("name"))
    statement = parent(holder) if holder.type == "expression_list" else None
    if statement is None:
        return False
    if statement.type == "type_switch_statement":
        return statement.child_by_field_name("alias") == holder
    return statement.type in ("range_clause", "receive_statement") and statement.child_by_field_name("left") == holder
