"""Kubernetes manifests held in Go strings: their `image:` lines, and whether a text is one."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.engine.deletions import never_deployed
from imagetag_lint.engine.model import YamlImage
from imagetag_lint.golang.lexing import yaml_image_keys
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import STRING_TYPES
from imagetag_lint.pullpolicy import yaml_pull_never

# the value of a YAML `image:` key found by lexing.yaml_image_keys (in raw strings lines end with
# real newlines, in interpreted strings often with the two characters \n; there a quoted value's
# quotes may be written `\"`)
_YAML_VALUE = re.compile(rb"""image:[ \t]*(\\"|["'])?([^\s"'\\`]+)""")
_MANIFEST_KEYS = re.compile(rb"(?:^|\n|\\n|[`\"])[ \t]*(?:-[ \t]+)?(?:apiVersion|kind|containers|initContainers|spec|metadata|name):")


def yaml_images(file: SourceFile) -> Iterator[YamlImage]:
    source = file.source
    if source.find(b"image:") == -1:
        return
    root = file.tree.root_node
    for key in yaml_image_keys(source):
        match = _YAML_VALUE.match(source, key)
        if match is None:
            continue
        start, end = match.span(2)
        string = _string_at(root, start)
        if string is None or not _multiline(string) or never_deployed(string, source):
            continue
        if match.group(1) == b'\\"' and string.type != "interpreted_string_literal":
            continue  # in a raw string the backslash is the YAML's own
        value = match.group(2).decode("utf-8", "replace")
        yield YamlImage(file, string, start, end, value, _pull_never(string, key))


def _pull_never(string: Node, key: int) -> bool:
    """Does the container of the `image:` key at file offset `key` say `imagePullPolicy: Never`?
    A `+`-concatenated manifest is read whole, its pieces of text in order without their quotes
    (a line may be a piece of its own); another expression between them is one unknown byte."""
    whole = string
    while whole.parent is not None and whole.parent.type in ("binary_expression", "parenthesized_expression"):
        whole = whole.parent
    text = bytearray()
    at = -1
    for piece in _pieces(whole):
        if piece.type not in STRING_TYPES:
            text += b"\0"
            continue
        body = (piece.text or b"")[1:-1]
        before = key - piece.start_byte - 1  # the key's offset in the piece's text
        if piece.type == "interpreted_string_literal":  # a `\n` escape ends a line; the two bytes keep their offsets
            body = body.replace(b"\\n", b" \n")
            escaped = body.count(b'\\"', 0, max(before, 0))
            body = body.replace(b'\\"', b'"')  # `imagePullPolicy: \"Never\"`: a quote of the YAML
            before -= escaped
        if piece.start_byte == string.start_byte:
            at = len(text) + before
        text += body
    return at >= 0 and yaml_pull_never(bytes(text), at)


def _pieces(whole: Node) -> list[Node]:
    """The operands of a `+` chain (through parentheses), in source order."""
    found = []
    pending = [whole]
    while pending:
        node = pending.pop()
        operator = node.child_by_field_name("operator") if node.type == "binary_expression" else None
        if operator is not None and text(operator) == "+":
            pending += [n for n in (node.child_by_field_name("right"), node.child_by_field_name("left")) if n is not None]
        elif node.type == "parenthesized_expression" and node.named_child_count == 1:
            pending.append(node.named_children[0])
        else:
            found.append(node)
    return found


def _string_at(root: Node, offset: int) -> Node | None:
    node = root.descendant_for_byte_range(offset, offset)
    while node is not None and node.type not in STRING_TYPES:
        node = node.parent
    return node


def piece_of_manifest(call: Node) -> bool:
    """`manifest += fmt.Sprintf("  image: %s\n", ...)` or one `+` piece of a manifest."""
    whole = call
    while whole.parent is not None and whole.parent.type in ("binary_expression", "parenthesized_expression"):
        whole = whole.parent
    if whole is not call and looks_like_manifest(whole.text or b""):
        return True
    holder = whole.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type != "assignment_statement":
        return False
    operator = statement.child_by_field_name("operator")
    return operator is not None and text(operator) == "+="


def looks_like_manifest(raw: bytes) -> bool:
    return (b"\n" in raw or b"\\n" in raw) and _MANIFEST_KEYS.search(raw) is not None


def _multiline(string: Node) -> bool:
    """A manifest has several lines and keys besides `image:` (a log line with `image:` is not one)."""
    whole = string
    while whole.parent is not None and whole.parent.type in ("binary_expression", "parenthesized_expression"):
        whole = whole.parent  # one piece of a concatenated manifest
    return looks_like_manifest(whole.text or b"")
