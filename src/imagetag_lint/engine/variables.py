"""Package-level variables that hold fixed text wherever they are read.

A `var` is fixed text when only its declaration sets it (`var image = "localhost/app:e2e"`), or
one assignment of fixed text at the top of `func init()` or of `TestMain` before it runs the
tests does, and nothing else in its package, or in a package that imports it, writes it.
"""

from __future__ import annotations

from imagetag_lint.engine.run import FlowRun
from imagetag_lint.engine.values import fixed_text, local_const, shadowed
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.project import Package
from imagetag_lint.golang.syntax import (
    assigned_names,
    declaration_specs,
    identifiers,
    right_values,
    unparen,
)


def variable_text(run: FlowRun, file: SourceFile, name: str, qualifier: str | None, depth: int) -> str | None:
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
        if function is not None and function.body is not None and (local_const(function.body, name) is not None or shadowed(name, function)):
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


def never_written(run: FlowRun, file: SourceFile, name: str) -> bool:
    """Does only its declaration set the package variable of file's package called name?"""
    package = run.project.package_of(file)
    if _declared_variable(package, name) is None:
        return False
    run.project.load_mentioning(package.directory, name, importers=name[:1].isupper())
    return not _variable_writes(run, package, name)


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
