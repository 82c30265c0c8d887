"""Built names a test reaches through something that holds them: an attribute its class's setup
stores (`cls.image = build_image("shop-audit")` in `setup_class`, read as `self.image`), and an
entry of a fixture that returns a dict or a dataclass of built names (`image_map["api"]`,
`images.cart`). Only these literal forms are followed: a holder filled in a loop, or a class
that is not a dataclass, holds nothing known."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.flow import Flow
from imagetag_lint.python.pairing import assigned_value, repositories_built
from imagetag_lint.python.project import Function
from imagetag_lint.python.syntax import callee_name, dotted
from imagetag_lint.python.values import BUILT
from imagetag_lint.record import record

SETUPS = frozenset({"setup_class", "setup_method", "setUpClass", "setUp", "setup"})
_DATACLASS = frozenset({"dataclass", "dataclasses.dataclass", "attrs.define", "attr.s", "define"})


@record(frozen=True, eq=False)
class Held:
    """One built name a holder keeps: how a reader reaches it (`self.image`, `["api"]`, `.cart`),
    and the expression that computed it, in the function that did."""

    access: str
    expression: cst.BaseExpression
    owner: Function


def repositories_held(flow: Flow, held: Held) -> frozenset[str]:
    """The repositories the build behind a held name makes."""
    node: cst.BaseExpression | None = held.expression
    if isinstance(node, cst.Name):
        node = assigned_value(held.owner, node)
    if isinstance(node, cst.Await):
        node = node.expression
    if not isinstance(node, cst.Call):
        return frozenset()
    producer = factory_call(flow, node, held.owner) or flow.project.resolve(node, held.owner.module)
    return repositories_built(flow, producer, node, held.owner) if producer in flow.producers else frozenset()


def class_attributes(flow: Flow, test: Function) -> list[Held]:
    """The built names a test method's class keeps in attributes its setup methods store
    (`cls.image = ...` in `setup_class`, `self.image = ...` in `setup_method`)."""
    if not test.is_method:
        return []
    module = test.module
    owner = next((a for a in module.ancestors(test.node) if isinstance(a, (cst.ClassDef, cst.FunctionDef))), None)
    if not isinstance(owner, cst.ClassDef):
        return []
    found = []
    for setup in flow.project.functions_of(module):
        if setup.name not in SETUPS or not setup.is_method or not _method_of(setup, owner):
            continue
        for target, value in _attribute_stores(setup.node, setup.params[0]):
            if flow.value(value, module, setup).kind == BUILT:
                found.append(Held(f"{test.params[0]}.{target}", value, setup))
    return found


def class_tests(flow: Flow, setup: Function) -> list[Function]:
    """The test methods of the class whose setup method (`setup_method`, `setup_class`) this is."""
    module = setup.module
    owner = module.parent(module.parent(setup.node) or setup.node)
    if setup.name not in SETUPS or not setup.is_method or not isinstance(owner, cst.ClassDef):
        return []
    return [f for f in flow.project.functions_of(module) if f.is_test and f.is_method and _method_of(f, owner)]


def _method_of(function: Function, owner: cst.ClassDef) -> bool:
    parent = function.module.parent(function.node)
    grand = function.module.parent(parent) if parent is not None else None
    return grand is owner


def _attribute_stores(function: cst.FunctionDef, receiver: str) -> Iterator[tuple[str, cst.BaseExpression]]:
    """`receiver.name = value` statements in a function's own body (not in nested defs)."""
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == receiver:
                yield target.attr.value, node.value
        stack.extend(reversed(node.children))


def fixture_entries(flow: Flow, fixture: Function) -> list[Held]:
    """The built names a fixture returns in a dict literal (`{"api": build_image("shop-api")}`,
    read as `image_map["api"]`) or in a dataclass it constructs with keywords
    (`Images(api=..., cart=...)`, read as `images.api`)."""
    if len(fixture.results) != 1:
        return []
    result: cst.BaseExpression | None = fixture.results[0]
    if isinstance(result, cst.Name):
        result = assigned_value(fixture, result)
    module = fixture.module
    entries: list[tuple[str, cst.BaseExpression]] = []
    if isinstance(result, cst.Dict):
        for element in result.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                entries.append((f"[{module.code(element.key)}]", element.value))
    elif isinstance(result, cst.Call) and _dataclass(flow, fixture, callee_name(result)):
        entries = [(f".{a.keyword.value}", a.value) for a in result.args if a.keyword is not None]
    return [Held(access, value, fixture) for access, value in entries
            if flow.value(value, module, fixture).kind == BUILT]


def _dataclass(flow: Flow, fixture: Function, name: str) -> bool:
    """Is `name` a dataclass (or a NamedTuple) that the fixture's module defines? Its keyword
    arguments are then its attributes."""
    for statement in fixture.module.tree.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            marked = any(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) in _DATACLASS
                         for d in statement.decorators)
            named_tuple = any(dotted(b.value) in ("NamedTuple", "typing.NamedTuple") for b in statement.bases)
            return marked or named_tuple
    return False
