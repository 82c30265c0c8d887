"""Manifests made from a template: the values a call puts into a manifest's `image:` line.

`strings.ReplaceAll(tmpl, "{{IMAGE}}", image)` (and `strings.Replace`), a `strings.NewReplacer(
"{{IMAGE}}", image)` whose `Replace(tmpl)` the function calls, and a `text/template` (or
`html/template`) template executed with data whose field fills the line (`image: {{ .Image }}`
and `tmpl.Execute(&buf, map[string]string{"Image": image})`, or a struct literal). The template's
text must be fixed: a literal, a constant or a package variable that nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.engine import values, variables
from imagetag_lint.engine.manifests import looks_like_manifest
from imagetag_lint.engine.model import OriginKind
from imagetag_lint.engine.run import FlowRun
from imagetag_lint.engine.run import facts as file_facts
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    is_inside,
    right_values,
    string_value,
    unparen,
)
from imagetag_lint.record import record

# the calls that may fill a template: what `call_sinks` asks about, and the words that make a
# function worth asking whether it deploys its parameter this way
TEMPLATE_CALLS = frozenset({"ReplaceAll", "Replace", "Execute", "ExecuteTemplate"})
SEED_WORDS = (b"Replace", b"Execute")

_IMAGE_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?image:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_ACTION = re.compile(r"""^["']?\{\{-?\s*\.(\w+)\s*-?\}\}["']?$""")  # `{{ .Image }}`, the whole value
_ANY_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_FIELD_READ = re.compile(r"(?<![\w)\]])\.(\w+)")  # `.Image`; not `$x.Image`, nor the `.Image` of `.Spec.Image`
_TEMPLATE_PACKAGES = ("text/template", "html/template")
_DEPTH = 8


@record(frozen=True)
class TemplateFill:
    """A value a call puts into a manifest template's `image:` line, and whether it is the image.

    It is the image (a sink, a place a fix may fill with the built name) only when its placeholder
    is the whole value of every line it stands on and appears nowhere else in the template; in
    `image: localhost/{{SVC}}:e2e`, or beside `name: {{SVC}}`, it is a part and only a person can
    say how the built name fits there."""

    expr: Node
    placeholder: str  # `{{IMAGE}}`, or `{{ .Image }}` for a template's data field
    line: str  # the first `image:` line it stands on
    part: bool  # it is only part of an `image:` line (`localhost/{{SVC}}:e2e`)
    shared: bool  # it also stands outside the `image:` lines

    @property
    def whole(self) -> bool:
        return not self.part and not self.shared


def template_image_args(run: FlowRun, call: Node, file: SourceFile, function: Function) -> list[Node]:
    """The expressions the call puts into the `image:` line of a manifest template as its whole value."""
    return [fill.expr for fill in template_fills(run, call, file, function) if fill.whole]


def template_fills(run: FlowRun, call: Node, file: SourceFile, function: Function) -> list[TemplateFill]:
    """What the call puts into the `image:` lines of a manifest template, whole or in part."""
    qualifier, name = callee(call)
    args = arguments(call)
    if qualifier == "strings" and name in ("ReplaceAll", "Replace") and len(args) >= 3:
        template = _template_text(run, args[0], file, function, 0)
        old = values.fixed_text(run, args[1], file, function)
        fill = _placeholder_fill(template, old, args[2]) if template is not None and old else None
        return [fill] if fill is not None else []
    if name == "Replace" and len(args) == 1:
        replacer = _replacer(call, function)
        template = _template_text(run, args[0], file, function, 0) if replacer is not None else None
        if replacer is None or template is None:
            return []
        pairs = arguments(replacer)
        found = (
            _placeholder_fill(template, values.fixed_text(run, pairs[i], file, function), pairs[i + 1])
            for i in range(0, len(pairs) - 1, 2)
        )
        return [fill for fill in found if fill is not None]
    if name in ("Execute", "ExecuteTemplate") and len(args) == (2 if name == "Execute" else 3):
        template = _executed_template(run, call, file, function)
        fields = _image_fields(template) if template is not None else {}
        data = _data_literal(args[-1], function) if fields else None
        entries = _entries(run, data, file) if data is not None else []
        return [fields[key].filled_by(value) for key, value in entries if key in fields]
    return []


def replaced_texts(run: FlowRun, file: SourceFile) -> frozenset[str]:
    """The placeholders the calls of the file's package replace (`strings.ReplaceAll(m, "__IMAGE__",
    ...)`, the pairs of a `strings.NewReplacer`): a manifest's `image:` line holding one is a
    placeholder the code fills, not the image it deploys, whatever its spelling. A replaced text
    that is an image reference itself (a `/` or a `:` tag) is no placeholder: another function may
    apply the same manifest as written, and deploy it."""
    package = run.project.package_of(file)
    key = ("replaced-texts", id(package))
    cached = run.rule_cache.get(key)
    if isinstance(cached, tuple) and cached[0] == run.project.generation:
        return cached[1]  # type: ignore[no-any-return]
    found = frozenset(_replaced(run, list(package.files)))
    run.rule_cache[key] = (run.project.generation, found)  # a package's files are loaded as runs reach them
    return found


def _replaced(run: FlowRun, files: list[SourceFile]) -> Iterator[str]:
    for file in files:
        facts = file_facts(run, file)
        for call, (qualifier, name) in zip(facts.calls, facts.callees):
            if qualifier != "strings":
                continue
            args = arguments(call)
            olds = args[1:2] if name in ("ReplaceAll", "Replace") else args[0::2] if name == "NewReplacer" else []
            function = facts.function_of(call)
            for old in olds:
                replaced = values.fixed_text(run, old, file, function)
                if replaced and "/" not in replaced and ":" not in replaced:
                    yield replaced


def _image_lines(template: str) -> list[str]:
    """The values of the `image:` lines of a manifest template (none when it is no manifest)."""
    if not looks_like_manifest(template.encode()):
        return []
    return [match.group(1) for match in _IMAGE_LINE.finditer(template)]


def _unquoted(line: str) -> str:
    return line[1:-1] if len(line) >= 2 and line[0] == line[-1] and line[0] in "\"'" else line


def _placeholder_fill(template: str, placeholder: str | None, expr: Node) -> TemplateFill | None:
    """The fill of a replaced placeholder that stands on an `image:` line of the template."""
    lines = [line for line in _image_lines(template) if placeholder in line] if placeholder else []
    if not placeholder or not lines:
        return None
    shared = template.count(placeholder) > sum(line.count(placeholder) for line in lines)
    part = any(_unquoted(line) != placeholder for line in lines)
    return TemplateFill(expr, placeholder, lines[0], part, shared)


@record(frozen=True)
class _Field:
    """A data field an `image:` line of a text/template reads."""

    name: str
    line: str
    part: bool
    shared: bool

    def filled_by(self, expr: Node) -> TemplateFill:
        return TemplateFill(expr, f"{{{{ .{self.name} }}}}", self.line, self.part, self.shared)


def _field_reads(text_: str) -> list[str]:
    """The data fields the actions of a piece of template read (`{{ .Image }}`, `{{ .Tag | quote }}`)."""
    return [field for action in _ANY_ACTION.findall(text_) for field in _FIELD_READ.findall(action)]


def _image_fields(template: str) -> dict[str, _Field]:
    """The data fields the `image:` lines read: a part when its action is not the whole value of
    every line that reads it (`image: {{ .Registry }}/app:{{ .Tag }}`), shared when something else
    in the template reads it too."""
    lines = _image_lines(template)
    everywhere = _field_reads(template)
    fields: dict[str, _Field] = {}
    for line in lines:
        for name in _field_reads(line):
            if name in fields:
                continue
            reading = [other for other in lines if name in _field_reads(other)]
            on_lines = sum(_field_reads(other).count(name) for other in reading)
            part = any((match := _ACTION.match(other)) is None or match.group(1) != name for other in reading)
            fields[name] = _Field(name, line, part, everywhere.count(name) > on_lines)
    return fields


def _template_text(run: FlowRun, expr: Node, file: SourceFile, function: Function, depth: int) -> str | None:
    """The text of a template: fixed text, or fixed text with other placeholders replaced first
    (`strings.ReplaceAll(strings.ReplaceAll(tmpl, "{{NAME}}", name), "{{IMAGE}}", image)`, also
    through a local: `m := strings.ReplaceAll(tmpl, ...); m = strings.ReplaceAll(m, ...)`)."""
    expr = unparen(expr)
    origin = values.origin(run, expr, file, function)
    if origin.kind == OriginKind.LITERAL:
        return origin.text
    if depth > _DEPTH:
        return None
    if expr.type == "call_expression":
        qualifier, name = callee(expr)
        args = arguments(expr)
        if qualifier == "strings" and name in ("ReplaceAll", "Replace") and args:
            return _template_text(run, args[0], file, function, depth + 1)
        if name == "Replace" and len(args) == 1 and _replacer(expr, function) is not None:
            return _template_text(run, args[0], file, function, depth + 1)
        return None
    value = _local_value(expr, function)
    return _template_text(run, value, file, function, depth + 1) if value is not None else None


def _local_value(expr: Node, function: Function) -> Node | None:
    """The value the local definition that reaches expr gives it (`x := v`, `x = v`; the call of
    `x, err := call()`). In `m = f(m)` the `m` read is the one defined before the statement."""
    if expr.type != "identifier":
        return None
    definition = values.reaching_definition(expr, function)
    if definition is not None and is_inside(expr, definition[0]):
        written = _names(definition[0])[definition[1]]
        definition = values.reaching_definition(written, function)
    if definition is None:
        return None
    statement, index = definition
    found = right_values(statement)
    if len(found) == len(_names(statement)) and index < len(found):
        return found[index]
    return found[0] if index == 0 and len(found) == 1 and unparen(found[0]).type == "call_expression" else None


def _names(statement: Node) -> list[Node]:
    left = statement.child_by_field_name("left")
    if left is not None:
        return list(left.named_children)
    return statement.children_by_field_name("name")


def _replacer(call: Node, function: Function) -> Node | None:
    """The `strings.NewReplacer(...)` call whose `Replace` this is, made in the same function."""
    called = call.child_by_field_name("function")
    operand = called.child_by_field_name("operand") if called is not None and called.type == "selector_expression" else None
    if operand is None:
        return None
    operand = unparen(operand)
    made = operand if operand.type == "call_expression" else _local_value(operand, function)
    made = unparen(made) if made is not None else None
    return made if made is not None and made.type == "call_expression" and callee(made) == ("strings", "NewReplacer") else None


def _executed_template(run: FlowRun, call: Node, file: SourceFile, function: Function) -> str | None:
    """The text a template executed by this call was parsed from: the receiver is made here
    (`template.Must(template.New("m").Parse(text))`), or held in a local or a package variable."""
    called = call.child_by_field_name("function")
    receiver = called.child_by_field_name("operand") if called is not None and called.type == "selector_expression" else None
    if receiver is None:
        return None
    receiver = unparen(receiver)
    made: Node | None = receiver
    made_file: SourceFile = file
    made_in: Function | None = function
    if receiver.type == "identifier":
        made = _local_value(receiver, function)
        if made is None and values.reaching_definition(receiver, function) is None and function.param(text(receiver)) is None:
            held = run.project.package_of(file).vars.get(text(receiver))
            if held is None or not variables.never_written(run, file, text(receiver)):
                return None
            made_file, made = held
            made_in = None
    if made is None:
        return None
    parsed = _parse_call(unparen(made), made_file)
    if parsed is None:
        return None
    return values.fixed_text(run, arguments(parsed)[0], made_file, made_in)


def _parse_call(made: Node, file: SourceFile) -> Node | None:
    """`template.New("m").Parse(text)`, alone or inside `template.Must(...)`."""
    if made.type == "call_expression" and callee(made)[1] == "Must" and len(arguments(made)) == 1:
        made = unparen(arguments(made)[0])
    if made.type != "call_expression" or callee(made)[1] != "Parse" or len(arguments(made)) != 1:
        return None
    root: Node | None = made
    while root is not None and root.type in ("call_expression", "selector_expression"):
        root = root.child_by_field_name("function") if root.type == "call_expression" else root.child_by_field_name("operand")
    if root is None or root.type != "identifier" or file.imports.get(text(root)) not in _TEMPLATE_PACKAGES:
        return None
    return made


def _data_literal(data: Node, function: Function) -> Node | None:
    """The composite literal the template is executed with, written here or in a local."""
    for _ in range(_DEPTH):
        data = unparen(data)
        if data.type == "unary_expression" and (operand := data.child_by_field_name("operand")) is not None:
            data = operand
        elif data.type == "composite_literal":
            return data
        else:
            value = _local_value(data, function)
            if value is None:
                return None
            data = value
    return None


def _entries(run: FlowRun, literal: Node, file: SourceFile) -> list[tuple[str, Node]]:
    """(key, value) of a composite literal's elements: a map's fixed keys, a struct's fields; an
    unkeyed struct literal (`struct{ Name, Image string }{name, image}`, `podData{name, image}`)
    gives its fields in declaration order, as Go does, when the struct type is visible (written
    in the literal, or a struct type of the package)."""
    body = literal.child_by_field_name("body")
    elements = [e for e in body.named_children if e.type in ("keyed_element", "literal_element")] if body is not None else []
    if elements and all(e.type == "literal_element" for e in elements):
        names = _struct_fields(run, literal.child_by_field_name("type"), file)
        if names is None or len(names) != len(elements):
            return []
        return [(name, unparen(e.named_children[0])) for name, e in zip(names, elements) if e.named_child_count == 1]
    found = []
    for element in elements:
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = (unparen(c.named_children[0]) if c.named_child_count == 1 else c for c in element.named_children)
        name = string_value(key) if key.type in ("interpreted_string_literal", "raw_string_literal") else text(key)
        if name is not None:
            found.append((name, value))
    return found


def _struct_fields(run: FlowRun, type_node: Node | None, file: SourceFile) -> list[str] | None:
    """The field names, in order, of a struct type written out or declared in the file's package."""
    if type_node is not None and type_node.type == "type_identifier":
        type_node = _declared_struct(run, text(type_node), file)
    if type_node is None or type_node.type != "struct_type":
        return None
    names: list[str] = []
    for fields in type_node.named_children:
        for declaration in fields.named_children if fields.type == "field_declaration_list" else ():
            if declaration.type != "field_declaration":
                continue
            declared = declaration.children_by_field_name("name")
            embedded = declaration.child_by_field_name("type")
            if declared:
                names.extend(text(name) for name in declared)
            elif embedded is not None:  # an embedded field is named by its type
                names.append(text(embedded).lstrip("*").rsplit(".", 1)[-1])
    return names


def _declared_struct(run: FlowRun, name: str, file: SourceFile) -> Node | None:
    for sibling in list(run.project.package_of(file).files):
        for declaration in sibling.tree.root_node.named_children:
            if declaration.type != "type_declaration":
                continue
            for spec in declaration.named_children:
                spec_name = spec.child_by_field_name("name") if spec.type == "type_spec" else None
                if spec_name is not None and text(spec_name) == name:
                    return spec.child_by_field_name("type")
    return None
