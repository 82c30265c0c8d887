"""Golden manifests: YAML text a Go unit test only compares with what a renderer returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from imagetag_lint.analysis.unit_fixtures import testing_parameters
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import callee, identifiers, is_inside, is_write, parent

# calls that compare or print their arguments and hand nothing on, by import path
_COMPARING: dict[str, frozenset[str] | None] = {
    "strings": frozenset({"Compare", "Contains", "EqualFold", "HasPrefix", "HasSuffix", "Index"}),
    "bytes": frozenset({"Compare", "Contains", "Equal", "EqualFold", "HasPrefix", "HasSuffix", "Index"}),
    "reflect": frozenset({"DeepEqual"}),
    "github.com/google/go-cmp/cmp": frozenset({"Diff", "Equal"}),
    "github.com/stretchr/testify/assert": None,  # every assertion only compares and reports
    "github.com/stretchr/testify/require": None,
}
# what a value may pass through on its way to the comparison: `[]byte(want)`, `(want)`
_TRANSPARENT = ("parenthesized_expression", "type_conversion_expression")
_SPECS = ("const_spec", "var_spec")


def only_compared(
    literal: Node, file: SourceFile, files: list[SourceFile], functions: list[Function], is_test: Callable[[Function], bool]
) -> bool:
    """Is the string literal (a manifest's text) only compared, never handed on: written right in
    a comparison (`got != "..."`, `strings.HasSuffix(got, "...")`, `reflect.DeepEqual`,
    `cmp.Diff`, testify's `assert`), or held by a local or package-level constant or variable
    that every function reading it only compares or hands to its `t`? Each function that reads
    it must pass `is_test` (a unit test that sets up no image)."""
    declared, scope = _holder(literal)
    own = [function for function in functions if function.file is file]
    if declared is None:
        function = _function_around(literal, own)
        return function is not None and is_test(function) and _compared(literal, function)
    if scope is not None and scope.type == "block":
        owner = _function_around(scope, own)
        places = [(scope, [owner] if owner is not None else [])]
    else:
        places = [(each.tree.root_node, [f for f in functions if f.file is each]) for each in files]
    readers = list(_readers(declared, places))
    return bool(readers) and all(
        function is not None and is_test(function) and _compared(use, function) for use, function in readers
    )


def _holder(literal: Node) -> tuple[Node | None, Node | None]:
    """The name of the constant or variable the literal is the whole value of (`want := "..."`,
    `const golden = "..."`), and the block (or file) it is declared in."""
    above = parent(literal)
    if above is None or above.type != "expression_list":
        return None, None
    statement = parent(above)
    if statement is None:
        return None, None
    if statement.type in _SPECS:
        names = statement.children_by_field_name("name")
    elif statement.type == "short_var_declaration" and (left := statement.child_by_field_name("left")) is not None:
        names = list(left.named_children)
    else:
        return None, None
    values = above.named_children
    if len(names) != len(values):
        return None, None
    position = next(i for i, value in enumerate(values) if value.id == literal.id)
    scope = parent(statement)
    while scope is not None and scope.type not in ("block", "source_file"):
        scope = parent(scope)
    return names[position], scope


def _readers(declared: Node, places: list[tuple[Node, list[Function]]]) -> Iterator[tuple[Node, Function | None]]:
    """Every other use of the declared name in its places (its block, or each file of the package
    with its functions), with the function around it (None outside every function: another
    declaration reads it, or it is assigned again)."""
    name = text(declared)
    for root, functions in places:
        for use in identifiers(root, name):
            if use.id == declared.id and use.start_byte == declared.start_byte:
                continue
            yield use, None if is_write(use) else _function_around(use, functions)


def _function_around(node: Node, functions: list[Function]) -> Function | None:
    """The function declaration (of the node's file) holding the node."""
    for function in functions:
        if function.node.type != "func_literal" and is_inside(node, function.node):
            return function
    return None


def _compared(value: Node, function: Function) -> bool:
    """Does the value go straight into a comparison or the test's report (`t.Fatalf`)?"""
    node = value
    above = parent(node)
    while above is not None and above.type in _TRANSPARENT:
        node, above = above, parent(above)
    if above is None:
        return False
    if above.type == "binary_expression":
        operator = above.child_by_field_name("operator")
        return operator is not None and text(operator) in ("==", "!=")
    if above.type != "argument_list":
        return False
    call = parent(above)
    return call is not None and _comparing_call(call, function)


def _comparing_call(call: Node, function: Function) -> bool:
    qualifier, name = callee(call)
    if qualifier is None:
        return False
    if qualifier in testing_parameters(function):
        return True  # the test's `t.Fatalf("got %s, want %s", got, want)` reports it
    path = function.file.imports.get(qualifier)
    if path not in _COMPARING:
        return False
    names = _COMPARING[path]
    return names is None or name in names

