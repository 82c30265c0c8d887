"""Parsed Go files and the declarations the rules ask about."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from functools import cached_property

from imagetag_lint.findings import Position, Span
from imagetag_lint.golang.parser import Node, Tree, parse, parse_input, text
from imagetag_lint.golang.syntax import declaration_specs, string_value
from imagetag_lint.record import record


@record(frozen=True)
class TopLevel:
    """A top-level child of a file: its bytes, whether it is a named node, and for a function
    or method its `Name` or `(receiver) Name`."""

    start_byte: int
    end_byte: int
    named: bool
    function: str | None


@record(eq=False)
class SourceFile:
    """A parsed Go file."""

    filename: str  # as reported (relative to the working directory when possible)
    directory: str  # absolute directory, the package key with the package name
    source: bytes
    parsed: Tree | None  # None once released
    package: str
    imports: dict[str, str]  # local name -> import path
    reported: bool = True  # False for siblings read only to resolve names

    @property
    def tree(self) -> Tree:
        """The file's syntax tree; after `release`, the whole file parsed again."""
        tree = self.parsed
        if tree is None:
            tree = self.parsed = parse(parse_input(self.source))
        return tree

    def release(self) -> None:
        """Let the tree go, keeping its outline: a lint of several modules keeps the trees of
        one module at a time, and what asks for a tree afterwards (a suppression comment) is rare."""
        _ = self.outline
        self.parsed = None

    @cached_property
    def outline(self) -> list[TopLevel]:
        """The file's top-level children, in order: what fingerprints and fix regions read."""
        found = []
        for child in self.tree.root_node.children:
            function = None
            if child.type in ("function_declaration", "method_declaration"):
                name = child.child_by_field_name("name")
                receiver = child.child_by_field_name("receiver")
                prefix = " ".join(text(receiver).split()) + " " if receiver is not None else ""
                function = prefix + (text(name) if name is not None else "")
            found.append(TopLevel(child.start_byte, child.end_byte, child.is_named, function))
        return found

    @cached_property
    def line_starts(self) -> Sequence[int]:
        """The offset each line starts at (an array: a tenth of a list's memory on a long file)."""
        starts = array("q", [0])
        find = self.source.find
        index = find(b"\n")
        while index != -1:
            starts.append(index + 1)
            index = find(b"\n", index + 1)
        return starts

    @cached_property
    def crlf(self) -> bool:
        """Does the file end its lines with \\r\\n? (Edits keep its line endings.)"""
        return self.source.find(b"\r\n") != -1

    def position(self, offset: int) -> Position:
        line = bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        prefix = self.source[start:offset]
        return Position(line + 1, len(prefix.decode("utf-8", "replace")) + 1)

    def span(self, node: Node) -> Span:
        return self.span_bytes(node.start_byte, node.end_byte)

    def span_bytes(self, start: int, end: int) -> Span:
        return Span(self.filename, start, end, self.position(start), self.position(end))


@record(frozen=True)
class Param:
    """A parameter of a function."""

    name: str
    index: int
    type_text: str
    node: Node


@record(eq=False)
class Function:
    """A function, method or Ginkgo spec closure: what the analyses look into, one at a time."""

    name: str
    file: SourceFile
    node: Node
    params: list[Param]
    result_count: int
    receiver: str | None = None
    declaration_body: Node | None = None  # for a package-level `var _ = Describe(..., func() {...})`

    @property
    def body(self) -> Node | None:
        if self.declaration_body is not None:
            return self.declaration_body
        return self.node.child_by_field_name("body")

    @property
    def exported(self) -> bool:
        return self.name[:1].isupper()

    def param(self, name: str) -> Param | None:
        for param in self.params:
            if param.name == name:
                return param
        return None


def read_function(file: SourceFile, node: Node) -> Function:
    name_node = node.child_by_field_name("name")
    receiver = None
    if node.type == "method_declaration":
        receiver_list = node.child_by_field_name("receiver")
        receiver = text(receiver_list) if receiver_list is not None else None
    params = read_params(node.child_by_field_name("parameters"))
    result = node.child_by_field_name("result")
    if result is None:
        result_count = 0
    elif result.type == "parameter_list":
        result_count = sum(
            max(1, len(p.children_by_field_name("name"))) for p in result.named_children
            if p.type == "parameter_declaration"
        )
    else:
        result_count = 1
    return Function(
        name=text(name_node) if name_node is not None else "",
        file=file,
        node=node,
        params=params,
        result_count=result_count,
        receiver=receiver,
    )


# Ginkgo nodes whose closure is one function of its own (containers such as Describe only group them).
SPEC_NODES = {
    "It", "FIt", "PIt", "Specify", "BeforeEach", "AfterEach", "JustBeforeEach", "JustAfterEach",
    "BeforeAll", "AfterAll", "BeforeSuite", "AfterSuite", "SynchronizedBeforeSuite",
    "SynchronizedAfterSuite", "DescribeTable", "Entry", "DeferCleanup",
}


def read_spec_closures(file: SourceFile, declaration: Node) -> list[Function]:
    """The functions of a package-level var: each Ginkgo spec closure, or the closure it holds."""
    found: list[Function] = []
    source, start = file.source, declaration.start_byte
    end = declaration.end_byte
    spec_end = -1  # closures inside a spec closure belong to it
    position = source.find(b"func", start, end)
    while position != -1:  # the `func` keywords: far fewer than the nodes of a spec tree
        keyword = declaration.descendant_for_byte_range(position, position + 4)
        literal = keyword.parent if keyword is not None and keyword.type == "func" else None
        if literal is not None and literal.type == "func_literal" and position >= spec_end and _is_spec_closure(literal):
            found.append(_closure_function(file, literal))
            spec_end = literal.end_byte
        position = source.find(b"func", position + 4, end)
    return found


def _is_spec_closure(literal: Node) -> bool:
    parent = literal.parent
    if parent is not None and parent.type == "expression_list":
        return True  # var setup = func() { ... }
    call = parent.parent if parent is not None and parent.type == "argument_list" else None
    function = call.child_by_field_name("function") if call is not None else None
    if function is None:
        return False
    name = function.child_by_field_name("field") if function.type == "selector_expression" else function
    return name is not None and text(name) in SPEC_NODES


def _closure_function(file: SourceFile, literal: Node) -> Function:
    call = literal.parent.parent if literal.parent is not None else None
    label = "closure"
    if call is not None and call.type == "call_expression":
        function = call.child_by_field_name("function")
        label = text(function) if function is not None else label
    return Function(
        name=f"{label} at line {literal.start_point.row + 1}",
        file=file,
        node=literal,
        params=read_params(literal.child_by_field_name("parameters")),
        result_count=0,
        declaration_body=literal.child_by_field_name("body"),
    )


def read_params(parameter_list: Node | None) -> list[Param]:
    params: list[Param] = []
    if parameter_list is None:
        return params
    for declaration in parameter_list.named_children:
        if declaration.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_node = declaration.child_by_field_name("type")
        type_text = text(type_node) if type_node is not None else ""
        if declaration.type == "variadic_parameter_declaration":
            type_text = "..." + type_text
        names = declaration.children_by_field_name("name")
        if not names:
            params.append(Param("", len(params), type_text, declaration))
        for name in names:
            params.append(Param(text(name), len(params), type_text, name))
    return params


def read_imports(root: Node) -> dict[str, str]:
    imports: dict[str, str] = {}
    for declaration in root.named_children:
        if declaration.type != "import_declaration":
            continue
        for spec in declaration_specs(declaration, "import_spec"):
            path_node = spec.child_by_field_name("path")
            path = string_value(path_node) if path_node is not None else None
            if not path:
                continue
            alias = spec.child_by_field_name("name")
            local = text(alias) if alias is not None else path.rsplit("/", 1)[-1]
            imports[local] = path
    return imports


def package_name(root: Node) -> str:
    for child in root.named_children:
        if child.type == "package_clause":
            for name in child.named_children:
                return text(name)
    return ""
