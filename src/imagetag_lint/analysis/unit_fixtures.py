"""Container values a Go unit test only inspects: a fixture, never a deployment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, captures, text
from imagetag_lint.golang.syntax import (
    callee,
    identifiers,
    is_inside,
    is_write,
    parent,
    unparen,
)

if TYPE_CHECKING:
    from imagetag_lint.analysis.image_flow import ImageFlowIndex

_VALUE_PARTS = ("literal_value", "keyed_element", "literal_element", "composite_literal", "parenthesized_expression")
_ESCAPES = ("literal_value", "keyed_element", "literal_element", "return_statement", "send_statement",
            "go_statement", "defer_statement", "func_literal")
_STATEMENTS = ("expression_statement", "if_statement", "block", "for_statement", "expression_switch_statement",
               "inc_statement", "dec_statement")
_ASSIGNMENTS = ("short_var_declaration", "assignment_statement", "var_spec")
_INSPECTING_BUILTINS = frozenset({"len", "cap", "print", "println"})
# inside a function that only wraps: conversions and the builtins that make values (`int32(1)`,
# `make(map[string]string)`); what they make leaves only through a return, which the caller follows
_MAKING_BUILTINS = frozenset({
    "append", "make", "new", "copy", "min", "max", "bool", "byte", "rune", "string", "int", "int8", "int16",
    "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64",
})
# packages whose functions only read, format or compare what they are given (by import path: a
# module without a dot in its path would look like the standard library)
_INSPECTING_PACKAGES = frozenset({
    "bytes", "cmp", "encoding/json", "errors", "fmt", "log", "maps", "reflect", "regexp", "slices",
    "sort", "strconv", "strings", "testing", "unicode",
    "github.com/google/go-cmp/cmp", "github.com/stretchr/testify/assert", "github.com/stretchr/testify/require",
})
# what may hand a value out of a function: a send, a goroutine (an assignment is judged apart)
_LEAKS = "[(send_statement) (go_statement)] @leak"
_ASSIGNMENT = "(assignment_statement) @assignment"
# what a write target is reached through: `pod.Spec.Containers[i].Image`, `*p`, `(x)`
_SCALARS = _MAKING_BUILTINS - {"append", "make", "new", "copy", "min", "max"}
_PATHS = ("selector_expression", "index_expression", "parenthesized_expression", "unary_expression")
_DEPTH = 3  # a chain of wrapping helpers is short; a cycle is not
# a function named for what it does to a cluster acts on it, whatever a stand-in's body shows
_ACTIONS = re.compile(r"^(?:[Aa]pply|[Cc]reate|[Dd]eploy|[Ii]nstall|[Uu]pdate|[Pp]atch|[Rr]un|[Ss]tart|[Ll]oad|[Pp]ush|[Ss]ubmit|[Uu]pgrade)")


def testing_parameters(function: Function) -> frozenset[str]:
    """The names of the function's `*testing.T` (`B`, `F`) parameters."""
    parameters = function.node.child_by_field_name("parameters")
    names: set[str] = set()
    for declaration in parameters.named_children if parameters is not None else []:
        kind = declaration.child_by_field_name("type")
        if kind is not None and text(kind).startswith("*testing."):
            names.update(text(name) for name in declaration.children_by_field_name("name"))
    return frozenset(names)


def testable_example(function: Function) -> bool:
    """Is the function a testable example (`func ExampleX()` in a `_test.go` file)? `go test` runs
    it and compares what it prints with its `// Output:` comment: a unit test with no `t`."""
    if function.receiver is not None or function.node.type != "function_declaration":
        return False
    if not function.file.filename.endswith("_test.go") or not function.name.startswith("Example"):
        return False
    parameters = function.node.child_by_field_name("parameters")
    return parameters is not None and not parameters.named_children and function.node.child_by_field_name("result") is None


def unit_test_entry(function: Function) -> bool:
    """Is the function one `go test` calls as a unit test: it takes `*testing.T` (`B`, `F`), or it
    is a testable example?"""
    return bool(testing_parameters(function)) or testable_example(function)


class _Test:
    """The unit test a value is followed in, and the run that resolves the calls it makes."""

    def __init__(self, function: Function, index: ImageFlowIndex | None) -> None:
        self.function = function
        self.index = index
        self.followed: set[str] = set()  # the locals already followed (a value may flow back)


def only_inspected(value: Node, function: Function, index: ImageFlowIndex | None = None) -> bool:
    """Does the container value holding `value` (an `Image` field's value) stay in the test: kept
    in a local that is only read, compared and handed to the test's own `t`, a package that only
    reads it (`t.Fatal(c)`, `reflect.DeepEqual`) or a function of the linted code that only reads
    or wraps it (`Validate(d)`, `dep := NewDeployment("edge", c)`, whose result must stay too)?
    Any other call, a return, a send or a bigger value it goes into may reach a cluster, so it
    counts as deployed."""
    return _value_stays(_outermost(value), _Test(function, index))


def _value_stays(holder: Node, test: _Test) -> bool:
    above = parent(holder)
    if above is not None and above.type == "argument_list":
        call = parent(above)
        return call is not None and _call_keeps(call, test)
    return _local_stays(_assigned_local(holder), test)


def _local_stays(local: str | None, test: _Test) -> bool:
    body = test.function.body
    if local is None or body is None:
        return False
    if local in test.followed:
        return True
    test.followed.add(local)
    return all(is_write(use) or _stays(use, test) for use in identifiers(body, local))


def _call_keeps(call: Node, test: _Test) -> bool:
    """Does a call the value is handed to keep it in the test? A read-only call does; a function
    of the linted code that only reads or wraps it does when its result stays in the test too."""
    if _inspecting(call, test.function):
        return True
    if test.index is None or not _harmless(test.index, call, test.function.file, 0):
        return False
    above = parent(call)
    if above is None or above.type in _STATEMENTS:
        return True
    return _stays(call, test)


def _outermost(value: Node) -> Node:
    """The whole value an `Image` field belongs to (`corev1.Container{...}`, `&Pod{...}`)."""
    node = value
    while True:
        above = parent(node)
        if above is None:
            return node
        if above.type in _VALUE_PARTS or (above.type == "unary_expression" and text(above).startswith("&")):
            node = above
            continue
        return node


def _assigned_local(holder: Node) -> str | None:
    """`c := corev1.Container{...}` -> "c"; `c.Image = "..."` -> "c"."""
    statement = parent(holder)
    if statement is not None and statement.type == "expression_list":
        statement = parent(statement)
    if statement is None or statement.type not in _ASSIGNMENTS:
        return None
    right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
    if right is None or not is_inside(holder, right):
        return None
    values = list(right.named_children)
    targets = statement.children_by_field_name("name") if statement.type == "var_spec" else (
        list(left.named_children) if (left := statement.child_by_field_name("left")) is not None else [])
    position = next((i for i, child in enumerate(values) if is_inside(holder, child)), None)
    if position is None or len(targets) != len(values):
        return None
    target = unparen(targets[position])
    while target.type == "selector_expression" and (operand := target.child_by_field_name("operand")) is not None:
        target = unparen(operand)
    return text(target) if target.type == "identifier" else None


def _stays(use: Node, test: _Test) -> bool:
    node = use
    while True:
        above = parent(node)
        if above is None or above.type in _STATEMENTS:
            return True
        if above.type == "argument_list":
            call = parent(above)
            return call is not None and _call_keeps(call, test)
        if above.type in _ESCAPES:
            return False
        if above.type in _ASSIGNMENTS:
            right = above.child_by_field_name("right") or above.child_by_field_name("value")
            if right is None or not is_inside(use, right):
                return True
            value = next((c for c in right.named_children if is_inside(use, c)), None)
            # a value a local is given must stay in that local too
            return test.index is not None and value is not None and _local_stays(_assigned_local(value), test)
        node = above


def _harmless(index: ImageFlowIndex, call: Node, file: SourceFile, depth: int) -> bool:
    """Does the call run only functions of the linted code that read, wrap or rewrite in place
    what they are given (`NewDeployment` returning `&Deployment{...}`, `Validate`, a webhook's
    `Rewrite(pod)`): no call but read-only ones and such functions, no send or goroutine, no
    assignment through which the value could leave (`_writes_in_place`)?"""
    if depth >= _DEPTH:
        return False
    targets = _targets(index, call, file)
    if not targets:
        return False
    for target in targets:
        body = target.body
        if body is None or _acts(target) or captures(_LEAKS, body) or not _writes_in_place(target):
            return False
        for inner in index.calls_in(target):
            qualifier, name = callee(inner)
            if qualifier is None and name in _MAKING_BUILTINS:
                continue
            if not _inspecting(inner, target) and not _harmless(index, inner, target.file, depth + 1):
                return False
    return True


def _writes_in_place(target: Function) -> bool:
    """Does every assignment of the function write into its own locals or into what a parameter
    points at (a mutating webhook rewriting `pod.Spec.Containers[i].Image`), storing no other
    parameter there (`h.Pod = pod`), and nothing into a pointer receiver or a package variable?
    Such writes change only values the caller holds, which the test goes on following."""
    body = target.body
    if body is None:
        return True
    parameters = _parameter_names(target)
    for assignment in captures(_ASSIGNMENT, body).get("assignment", []):
        left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
        if left is None or right is None:
            return False
        for written in left.named_children:
            root = _root(written)
            if root is None:
                return False  # a write through a call's result: where it lands is not seen
            name = text(root)
            if name == "_":
                continue
            if name in _pointer_receivers(target) or not (name in parameters or _declared_in(body, name)):
                return False
            if any(text(ident) != name for ident in _whole_values(right, parameters)):
                return False
    return True


def _root(target: Node) -> Node | None:
    """`pod.Spec.Containers[i].Image` -> `pod`; None for a target that is no such path."""
    node = unparen(target)
    while node.type in _PATHS:
        inner = node.child_by_field_name("operand")
        if inner is None:
            return None
        node = unparen(inner)
    return node if node.type == "identifier" else None


def _whole_values(right: Node, parameters: frozenset[str]) -> Iterator[Node]:
    """The parameters the right side hands over whole (`pod`, not `pod.Name` or `m.rewrite(...)`)."""
    for name in parameters:
        for ident in identifiers(right, name):
            above = parent(ident)
            if above is None or above.type != "selector_expression" or above.child_by_field_name("operand") != ident:
                yield ident


def _parameter_names(function: Function) -> frozenset[str]:
    """The receiver and parameters, but those of a scalar type (`proxyVersion string`): a scalar
    is copied, it can hand no container on."""
    names: set[str] = set()
    for field in ("receiver", "parameters"):
        declared = function.node.child_by_field_name(field)
        for declaration in declared.named_children if declared is not None else []:
            kind = declaration.child_by_field_name("type")
            if kind is None or text(kind) not in _SCALARS:
                names.update(text(name) for name in declaration.children_by_field_name("name"))
    return frozenset(names)


def _pointer_receivers(function: Function) -> frozenset[str]:
    """The receiver's name when it is a pointer: what is written through it outlives the call."""
    receiver = function.node.child_by_field_name("receiver")
    return frozenset(
        text(name)
        for declaration in (receiver.named_children if receiver is not None else [])
        for name in declaration.children_by_field_name("name")
        if (kind := declaration.child_by_field_name("type")) is not None and kind.type == "pointer_type"
    )


def _declared_in(body: Node, name: str) -> bool:
    """Is the name a local the body declares (`:=`, `var`, a `range` clause)?"""
    for ident in identifiers(body, name):
        holder = parent(ident)
        if holder is not None and holder.type == "var_spec":
            return True
        statement = parent(holder) if holder is not None else None
        if statement is not None and statement.type in ("short_var_declaration", "range_clause") and statement.child_by_field_name("left") == holder:
            return True
    return False


def _inspecting(call: Node, function: Function) -> bool:
    """A call that cannot deploy: a method of the test's `t`, a package that only reads, formats
    or compares (`fmt`, `reflect`, testify's `assert`), a builtin."""
    qualifier, name = callee(call)
    if qualifier is None:
        return name in _INSPECTING_BUILTINS
    if qualifier in testing_parameters(function):
        return True
    return function.file.imports.get(qualifier) in _INSPECTING_PACKAGES


def _targets(index: ImageFlowIndex, call: Node, file: SourceFile) -> tuple[Function, ...]:
    """The functions a call runs, their files loaded when the run skipped them (a file that names
    no image, such as a validator, is not read unless a call needs it)."""
    project = index.project
    targets = project.resolve_call(call, file)
    qualifier, name = callee(call)
    if targets or not name:
        return targets
    directory = file.directory if qualifier is None else project.import_directory(file, qualifier)
    if directory is None:
        return ()
    project.load_mentioning(directory, name)
    return project.resolve_call(call, file)


def _acts(target: Function) -> bool:
    """Does the function act on a cluster by Go's conventions: a name that says so (`Apply`,
    `CreateDeployment`), or a `context.Context` parameter, which only a call that does I/O takes?"""
    parameters = target.node.child_by_field_name("parameters")
    declared = parameters.text if parameters is not None and parameters.text is not None else b""
    return bool(_ACTIONS.match(target.name)) or b"context.Context" in declared
