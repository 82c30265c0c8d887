"""Which `Image` fields deploy: the type of the struct that holds them.

An `Image:` key or an `x.Image = ...` assignment deploys only when its struct is a container
type: one of the configured `container-types` (Kubernetes' `corev1.Container` and its kin through
any import alias, or a stand-in of a configured name), or a struct of the linted code whose image
field the code hands on to one of those, to an applied manifest or to a loader (an options
struct that builds a `podman run` argument list, a log or a report row deploys nothing).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from imagetag_lint.engine import producers
from imagetag_lint.engine.run import FlowRun, calls_in, facts
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.project import Package
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    enclosing,
    identifiers,
    node_key,
    parent,
    unparen,
)
from imagetag_lint.record import field, record

# (import path or "" for a type of the linted file's own package, type name)
TypeName = tuple[str, str]
_ELEMENT_TYPES = ("slice_type", "array_type", "implicit_length_array_type")
_CONTAINER_INDEXES = (b"Containers", b"InitContainers", b"EphemeralContainers")


def literal_deploys(run: FlowRun, key: Node, file: SourceFile) -> bool:
    """Does the `Image:` key of a composite literal deploy (is the literal a container)?"""
    element = key.parent
    keyed = element.parent if element is not None else None
    literal = keyed.parent if keyed is not None else None
    if literal is None or literal.type != "literal_value":
        return False
    return _is_container(run, literal_type(literal), file)


def assignment_deploys(run: FlowRun, selector: Node, file: SourceFile) -> bool:
    """Does `x.Image = ...` deploy? Through `.Containers[i]` yes; else by x's visible type."""
    operand = selector.child_by_field_name("operand")
    if operand is None:
        return False
    operand = unparen(operand)
    if operand.type == "index_expression":
        indexed = operand.child_by_field_name("operand")
        if indexed is not None and indexed.type == "selector_expression":
            field_node = indexed.child_by_field_name("field")
            if field_node is not None and field_node.text in _CONTAINER_INDEXES:
                return True
    if operand.type != "identifier":
        return True  # the type is not visible: keep the field a deployment
    declared = variable_type(run, operand)
    if declared is None:
        return True
    return _is_container(run, declared, file)


def _configured(run: FlowRun) -> list[TypeName]:
    if run.container_entries is None:
        run.container_entries = [_split_entry(entry) for entry in run.flow.container_types]
    return run.container_entries


def _is_container(run: FlowRun, type_node: Node | None, file: SourceFile) -> bool:
    named = type_name(type_node, file)
    if named is None:
        return False  # no visible named type (an anonymous struct, an elided unknown type)
    path, name = named
    for configured_path, configured_name in _configured(run):
        if configured_name != name:
            continue
        if not configured_path or path == configured_path or path.endswith("/" + configured_path):
            return True
    return _feeds_a_container(run, path, name, file)


def _feeds_a_container(run: FlowRun, path: str, name: str, file: SourceFile) -> bool:
    """A struct of the linted code whose image field its package puts into a container, an
    applied manifest or a loader (`Image: svc.Image` in a `corev1.Container`)."""
    for package in _packages(run, path, file):
        key = (package.directory, name)
        found = run.container_structs.get(key)
        if found is None:
            run.container_structs[key] = False  # a cycle through the same type proves nothing
            found = run.container_structs[key] = _embeds_a_container(run, package, name) or any(
                _reads_into_sink(run, package, name)
            )
        if found:
            return True
    return False


def _embeds_a_container(run: FlowRun, package: Package, name: str) -> bool:
    """A struct that embeds a container type (`struct{ corev1.EphemeralContainerCommon }`): its
    promoted `Image` field is that container's image."""
    return any(_is_container(run, embedded, file) for file, embedded in _embedded_types(run, package).get(name, ()))


def _embedded_types(run: FlowRun, package: Package) -> dict[str, list[tuple[SourceFile, Node]]]:
    """The package's struct types by name -> the types they embed; files loaded since the last
    question are added, so each file's declarations are read once."""
    indexed, table = run.embedded_types.get(package.key, (0, {}))
    files = list(package.files)
    for file in files[indexed:]:
        for declaration in file.tree.root_node.named_children:
            if declaration.type != "type_declaration":
                continue
            for spec in declaration.named_children:
                struct = spec.child_by_field_name("type") if spec.type == "type_spec" else None
                spec_name = spec.child_by_field_name("name")
                if struct is not None and struct.type == "struct_type" and spec_name is not None:
                    embedded = [(file, node) for node in _embedded_fields(struct)]
                    if embedded:
                        table.setdefault(text(spec_name), []).extend(embedded)
    run.embedded_types[package.key] = (len(files), table)
    return table


def _embedded_fields(struct: Node) -> Iterator[Node]:
    for fields in struct.named_children:
        if fields.type != "field_declaration_list":
            continue
        for declaration in fields.named_children:
            if declaration.type == "field_declaration" and declaration.child_by_field_name("name") is None:
                embedded = declaration.child_by_field_name("type")
                if embedded is not None:
                    yield embedded


def _packages(run: FlowRun, path: str, file: SourceFile) -> list[Package]:
    project = run.project
    if not path:
        return [project.package_of(file)]
    qualifier = next((local for local, imported in file.imports.items() if imported == path), None)
    return project.imported_packages(file, qualifier) if qualifier is not None else []


def _reads_into_sink(run: FlowRun, package: Package, name: str) -> Iterator[bool]:
    """Reads of the struct's image field that stand where an image deploys. Only the raw facts
    are read (no cached sink lists), so that a question asked while those lists are being built
    cannot leave a partial answer behind."""
    # sinks asks this module first: imported here, not at the top
    from imagetag_lint.engine.sinks import format_image_args

    for file in list(package.files):
        reads = field_reads(run, file).get(name)
        if reads is None:
            continue  # the file reads no image field of a value of this type
        for key in reads.keys:
            yield literal_deploys(run, key, file)
        for function, call, positions in reads.calls:
            consumer = producers.consumer(run, call)
            if consumer is not None and consumer.kind == "load" and consumer.image_arg < len(arguments(call)):
                yield consumer.image_arg in positions
            for position in format_image_args(run, call, file, function):
                yield position in positions


@record(eq=False)
class FieldReads:
    """Where a file reads the image field of a value of one visible type (`svc.Image`, with
    `svc := Service{...}` or a parameter `svc Service`), in source order."""

    keys: list[Node] = field(default_factory=list)  # `Image:` keys whose value reads it
    calls: list[tuple[Function, Node, frozenset[int]]] = field(default_factory=list)  # (function, call, argument indices)


def field_reads(run: FlowRun, file: SourceFile) -> dict[str, FieldReads]:
    """The file's reads of image fields by the name of the type read (read once per file: every
    struct asked about is then a lookup, not a walk over the package's calls)."""
    file_facts = facts(run, file)
    found = file_facts.field_reads
    if found is None:
        found = file_facts.field_reads = {}
        fields = {f.encode() for f in run.flow.image_fields}
        for key, value in file_facts.keyed:
            if key.text in fields and value.named_child_count == 1:
                base = _field_read_type(run, value.named_children[0], fields)
                if base is not None:
                    found.setdefault(base, FieldReads()).keys.append(key)
        # a read is `x.Image`: only the functions and calls whose text has such a word have one
        read_at = [start for start, _ in word_offsets(file.source, fields)]
        for function in file_facts.functions:
            if not _holds_offset(read_at, function.node):
                continue
            for call in calls_in(run, function):
                if not _holds_offset(read_at, call):
                    continue
                bases: dict[str, set[int]] = {}
                for index, arg in enumerate(arguments(call)):
                    base = _field_read_type(run, arg, fields)
                    if base is not None:
                        bases.setdefault(base, set()).add(index)
                for base, positions in bases.items():
                    found.setdefault(base, FieldReads()).calls.append((function, call, frozenset(positions)))
    return found


def _holds_offset(offsets: list[int], node: Node) -> bool:
    """Does one of the sorted offsets fall in the node?"""
    first = bisect_left(offsets, node.start_byte)
    return first < len(offsets) and offsets[first] < node.end_byte


def _field_read_type(run: FlowRun, expr: Node, fields: set[bytes]) -> str | None:
    """If expr is `x.Image`, the name of x's visible type."""
    expr = unparen(expr)
    if expr.type != "selector_expression":
        return None
    field_node = expr.child_by_field_name("field")
    operand = expr.child_by_field_name("operand")
    if field_node is None or operand is None or field_node.text not in fields or operand.type != "identifier":
        return None
    declared = variable_type(run, operand)
    return _base_name(declared) if declared is not None else None


def literal_type(literal: Node) -> Node | None:
    """The type node of a `literal_value`, taking the element type for an elided one
    (`[]corev1.Container{{Image: x}}`, a map's values)."""
    steps: list[str] = []  # from the inner literal outwards: "element", "key" or "value"
    current = literal
    while True:
        parent = current.parent
        if parent is None:
            return None
        if parent.type == "composite_literal":
            type_node = parent.child_by_field_name("type")
            break
        holder = parent.parent if parent.type == "literal_element" else None
        if holder is None:
            return None
        if holder.type == "keyed_element":
            steps.append("key" if holder.child_by_field_name("key") == parent else "value")
            outer = holder.parent
            if outer is None:
                return None
            current = outer
        elif holder.type == "literal_value":
            steps.append("element")
            current = holder
        else:
            return None
    for step in reversed(steps):
        type_node = _strip_pointer(type_node)
        if type_node is None:
            return None
        if type_node.type in _ELEMENT_TYPES and step != "key":
            type_node = type_node.child_by_field_name("element")
        elif type_node.type == "map_type" and step != "element":
            type_node = type_node.child_by_field_name(step)
        else:
            return None  # an element of a named slice or map type: not followed
    return type_node


def _strip_pointer(type_node: Node | None) -> Node | None:
    while type_node is not None and type_node.type in ("pointer_type", "parenthesized_type"):
        type_node = type_node.named_children[0] if type_node.named_children else None
    if type_node is not None and type_node.type == "generic_type":
        type_node = type_node.child_by_field_name("type")
    return type_node


def type_name(type_node: Node | None, file: SourceFile) -> TypeName | None:
    """(import path, name) of a named type; the path is "" for the file's own package."""
    type_node = _strip_pointer(type_node)
    if type_node is None:
        return None
    if type_node.type == "type_identifier":
        return ("", text(type_node))
    if type_node.type == "qualified_type":
        package = type_node.child_by_field_name("package")
        name = type_node.child_by_field_name("name")
        if package is None or name is None:
            return None
        path = file.imports.get(text(package))
        return (path, text(name)) if path is not None else None
    return None


def _base_name(type_node: Node) -> str | None:
    stripped = _strip_pointer(type_node)
    if stripped is None:
        return None
    if stripped.type == "qualified_type":
        name = stripped.child_by_field_name("name")
        return text(name) if name is not None else None
    return text(stripped) if stripped.type == "type_identifier" else None


def variable_type(run: FlowRun, ident: Node) -> Node | None:
    """The type an identifier visibly has: a parameter's declared type, `var x T`, or
    `x := T{...}` / `x := &T{...}` (the nearest declaration before it in an enclosing function)."""
    name = ident.text
    current = ident.parent
    while current is not None:
        if current.type in ("function_declaration", "method_declaration", "func_literal"):
            found = _declared_in(run, current, name, ident.start_byte)
            if found is not None:
                return found
        current = current.parent
    return None


def _declared_in(run: FlowRun, function: Node, name: bytes | None, before: int) -> Node | None:
    parameters = function.child_by_field_name("parameters")
    for declaration in parameters.named_children if parameters is not None else []:
        if any(n.text == name for n in declaration.children_by_field_name("name")):
            return declaration.child_by_field_name("type")
    if name is None:
        return None
    starts, types = _declarations(run, function, name)
    index = bisect_left(starts, before) - 1  # the last declaration that starts before `before`
    return types[index] if index >= 0 else None


def _declarations(run: FlowRun, function: Node, name: bytes) -> tuple[list[int], list[Node]]:
    """The starts and visible types of the name's typed declarations in the function's body (not
    in its closures), in source order: found once per function and name from the name's
    occurrences, so each identifier asked about costs a bisection, not a walk of the body."""
    key = (node_key(function), name)
    found = run.declared_types.get(key)
    if found is None:
        found = run.declared_types[key] = ([], [])
        body = function.child_by_field_name("body")
        for ident in identifiers(body, name.decode()) if body is not None else []:
            declaration = declaration_of(ident)
            owner = enclosing(declaration, FUNCTION_TYPES) if declaration is not None else None
            if declaration is None or owner is None or owner.id != function.id:
                continue  # not a declaration, or one of a closure inside the function
            declared = declaration_type(declaration, name)
            if declared is not None:
                found[0].append(declaration.start_byte)
                found[1].append(declared)
    return found


def declaration_of(ident: Node) -> Node | None:
    """The `var` spec or `:=` statement whose name ident is."""
    holder = parent(ident)
    if holder is not None and holder.type == "var_spec":
        return holder
    statement = parent(holder) if holder is not None and holder.type == "expression_list" else None
    if statement is not None and statement.type == "short_var_declaration" and statement.child_by_field_name("left") == holder:
        return statement
    return None


def declaration_type(node: Node, name: bytes | None) -> Node | None:
    if node.type == "var_spec" and any(n.text == name for n in node.children_by_field_name("name")):
        return node.child_by_field_name("type") or _literal_type_of(node.child_by_field_name("value"))
    if node.type == "short_var_declaration":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return None
        names = [n.text for n in left.named_children]
        if name in names and len(names) == right.named_child_count:
            return _literal_type_of(right.named_children[names.index(name)])
    return None


def _literal_type_of(value: Node | None) -> Node | None:
    if value is not None and value.type == "expression_list" and value.named_child_count == 1:
        value = value.named_children[0]
    if value is not None and value.type == "unary_expression":
        value = value.child_by_field_name("operand")
    if value is not None and value.type == "composite_literal":
        return value.child_by_field_name("type")
    return None


def _split_entry(entry: str) -> TypeName:
    """`k8s.io/api/core/v1.Container` -> (`k8s.io/api/core/v1`, `Container`); `Container` -> ("", ...)."""
    path, _, name = entry.rpartition(".")
    return (path, name)
