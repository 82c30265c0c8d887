"""Which deploy call goes with which build, when a function builds and deploys several images."""

from __future__ import annotations

import re

from imagetag_lint.analysis.deployments import DeployCall
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import FUNCTION_TYPES, arguments, enclosing, unparen


def build_name_of(index: ImageFlowIndex, call: Node, file: SourceFile, unit: Function | None) -> str | None:
    """The image name a builder call's config names (`ImageName: "acme/datastorage"`)."""
    fields = set(index.flow.build_name_fields)
    for arg in arguments(call):
        literal = _composite(index, unparen(arg), unit)
        if literal is None:
            continue
        body = literal.child_by_field_name("body")
        for element in body.named_children if body is not None else []:
            key = element.child_by_field_name("key")
            value = element.child_by_field_name("value")
            if element.type == "keyed_element" and key is not None and value is not None and text(key) in fields:
                return index.fixed_text(value.named_children[0], file, unit) if value.named_child_count else None
    return None


def _composite(index: ImageFlowIndex, node: Node, unit: Function | None) -> Node | None:
    for _ in range(4):
        if node.type == "composite_literal":
            return node
        if node.type == "unary_expression":
            operand = node.child_by_field_name("operand")
            if operand is None:
                return None
            node = unparen(operand)
        elif node.type == "identifier" and unit is not None:
            definition = index.reaching_definition(node, unit)
            if definition is None:
                return None
            statement, position = definition
            right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
            if right is None or position >= right.named_child_count:
                return None
            node = unparen(right.named_children[position])
        else:
            return None
    return None


def _norm(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def pair(build_name: str | None, position: int, deploys: list[DeployCall]) -> DeployCall | None:
    """The deploy call for the build at `position` among the function's dropped builds."""
    if not deploys:
        return None
    if len(deploys) == 1:
        return deploys[0]
    if build_name:
        wanted = _norm(build_name.rsplit("/", 1)[-1])
        for deploy in deploys:
            images = [_norm(site.image) for site in deploy.fixed]
            if wanted and (wanted in _norm(deploy.target.name) or any(wanted in i for i in images)):
                return deploy
    return deploys[position] if position < len(deploys) else None


def in_goroutine(call: Node) -> bool:
    """Does the call run in another goroutine (`go F()` or inside `go func() { ... }()`)?"""
    parent = call.parent
    if parent is not None and parent.type == "go_statement":
        return True
    function = enclosing(call, FUNCTION_TYPES)
    while function is not None and function.type == "func_literal":
        invocation = function.parent
        if invocation is not None and invocation.type == "call_expression":
            statement = invocation.parent
            if statement is not None and statement.type == "go_statement":
                return True
        function = enclosing(function, FUNCTION_TYPES)
    return False
