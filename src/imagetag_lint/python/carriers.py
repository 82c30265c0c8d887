"""Records that carry an image into a deploy helper: a dataclass or `NamedTuple` that a test
builds and hands to a function deploying one of its fields (`deploy(core, Service(name="mail",
image=...))`, the helper deploying `svc.image`). The helper's image parameter is then the field
of its parameter (`svc.image`), and what a call deploys is the argument its constructor call
passes for that field, by keyword or by place."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.python.project import Function, Project
from imagetag_lint.python.reaching import definitions_at
from imagetag_lint.python.syntax import Module, callee_name, dotted

_DATACLASS = frozenset({"dataclass", "dataclasses.dataclass", "attrs.define", "attr.s", "define", "frozen"})
_NAMED_TUPLE = frozenset({"NamedTuple", "typing.NamedTuple"})
_RECEIVERS = frozenset({"self", "cls"})  # a method's own attributes are no caller's argument


def field_parameter(node: cst.Attribute, function: Function) -> str | None:
    """`svc.image` read in a plain function (not a test or fixture: pytest fills those) whose
    parameter `svc` it never rebinds: the dotted name the image parameter goes by."""
    base = node.value
    if not isinstance(base, cst.Name) or base.value not in function.params or base.value in _RECEIVERS:
        return None
    if function.is_test or function.fixture or definitions_at(base, function) is not None:
        return None
    return f"{base.value}.{node.attr.value}"


def field_argument(project: Project, argument: cst.BaseExpression, caller: Function,
                   field: str) -> cst.BaseExpression | None:
    """The expression a caller's record passes for `field`: in the constructor call it hands
    over (`Service(name="mail", image=IMAGE)`), or in the one its variable was assigned once."""
    if isinstance(argument, cst.Name):
        found = definitions_at(argument, caller)
        if found is None or len(found) != 1 or isinstance(found[0], int):
            return None
        target, statement = found[0]
        if not isinstance(statement, cst.Assign) or statement.targets[0].target is not target:
            return None
        argument = statement.value
    if not isinstance(argument, cst.Call) or any(a.star for a in argument.args):
        return None
    fields = record_fields(project, caller.module, callee_name(argument))
    if fields is None or field not in fields:
        return None  # another class: what its constructor keeps under the field is not known
    for arg in argument.args:
        if arg.keyword is not None and arg.keyword.value == field:
            return arg.value
    positional = [a.value for a in argument.args if a.keyword is None]
    return positional[fields.index(field)] if fields.index(field) < len(positional) else None


def record_fields(project: Project, module: Module, name: str) -> list[str] | None:
    """The fields, in order, of the dataclass or `NamedTuple` `name` that the module defines or
    imports by name from a linted module; None for any other class (its constructor's
    parameters are not known from its fields)."""
    found = _class(module, name)
    if found is None:
        binding = project.imports[module].get(name)
        path = project.module_file(module.file.filename, binding.module, binding.level) if binding and binding.name else None
        target = project.by_file.get(path) if path is not None else None
        found = _class(target, binding.name) if target is not None and binding is not None else None
    if found is None:
        return None
    named_tuple = any(dotted(b.value) in _NAMED_TUPLE for b in found.bases)
    marked = any(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) in _DATACLASS
                 for d in found.decorators)
    if not (named_tuple or (marked and not found.bases)):
        return None  # a dataclass with bases takes their fields first
    return [s.target.value for line in found.body.body if isinstance(line, cst.SimpleStatementLine)
            for s in line.body if isinstance(s, cst.AnnAssign) and isinstance(s.target, cst.Name)
            and "ClassVar" not in (dotted(s.annotation.annotation) or _subscripted(s.annotation.annotation))]


def _subscripted(annotation: cst.BaseExpression) -> str:
    """`ClassVar` of `ClassVar[str]`: a class attribute, no field."""
    return (dotted(annotation.value) or "") if isinstance(annotation, cst.Subscript) else ""


def _class(module: Module, name: str) -> cst.ClassDef | None:
    for statement in module.tree.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            return statement
    return None
