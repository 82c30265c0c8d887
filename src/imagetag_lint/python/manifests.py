"""The `image:` lines of a manifest held in a Python string: plain, f-string, `.format` or
`string.Template`, each a deployment sink of the function that holds it."""

from __future__ import annotations

import re

import libcst as cst

# imported by flow.py's sink collection only once flow.py is loaded, so this import is no cycle
from imagetag_lint.pullpolicy import yaml_pull_never
from imagetag_lint.python.flow import Flow, Sink
from imagetag_lint.python.patches import patched_values, replaced_by
from imagetag_lint.python.project import Function
from imagetag_lint.python.syntax import (
    Module,
    callee_name,
    keyword,
    positional,
    string_value,
)
from imagetag_lint.python.values import FIXED, Value

YAML_IMAGE = re.compile(r"^([ \t]*(?:-[ \t]+)?image:[ \t]*)([\"']?)([^\s\"'#]*)", re.MULTILINE)

def yaml_sinks(flow: Flow, string: cst.BaseExpression, module: Module, function: Function,
                used_as: cst.BaseExpression | None = None, holder: Module | None = None) -> list[Sink]:
    """The `image:` lines of a manifest string: a fixed reference, an f-string expression, or
    a `.format` / `string.Template` placeholder filled in by this function. `used_as` is the
    function's read of the module constant that holds the string, and `holder` the module that
    assigns it when another linted module does (`from manifests import POD`)."""
    holder = holder or module
    if isinstance(string, cst.FormattedString):
        return _fstring_sinks(flow, string, module, function) if holder is module else []
    text = string_value(string)
    if text is None or "image:" not in text:
        return []
    use: cst.CSTNode = used_as if used_as is not None else string
    sinks = []
    code = holder.code(string)
    encoded = text.encode()
    matches = list(YAML_IMAGE.finditer(text))
    # stores into the loaded object put their value in the place of the one `image:` line
    patched = patched_values(flow, function, use) if len(matches) == 1 else []
    for match in matches:
        image = match.group(3)
        filled = _placeholder(flow, image, use, module) or replaced_by(flow, module, function, use, image)
        if filled is not None:
            value = flow.value(filled[0], module, function)
            sinks.append(Sink("yaml", function, module, filled[0], value, module.start(filled[0]),
                              module.end(filled[0]), call=filled[1]))
        elif patched:
            sinks += [Sink("store", function, module, node, flow.value(node, module, function), module.start(node),
                           module.end(node)) for node, already in patched if not already]
        elif image and "{" not in image and "$" not in image:
            offset = code.find(image)
            if offset == -1:
                continue
            key = len(text[: match.end(1)].rstrip(" \t\"'").encode()) - len("image:")
            pull_never = yaml_pull_never(encoded, key)
            if used_as is not None and holder is not module:
                # the line is another file's: the deployment is this function's read of it
                how = f"a YAML `image:` line in the constant `{module.code(used_as)}` of {holder.file.filename}"
                sinks.append(Sink("yaml", function, module, used_as, Value(FIXED, image, how), module.start(used_as),
                                  module.end(used_as), pull_never=pull_never))
                continue
            start = module.start(string) + len(code[:offset].encode())
            end = start + len(image.encode())
            how = "a YAML `image:` line in a string"
            if isinstance(used_as, cst.Name):
                how = f"a YAML `image:` line in the module constant `{used_as.value}`"
            sinks.append(Sink("yaml", function, module, string, Value(FIXED, image, how), start, end,
                              pull_never=pull_never))
    return sinks

def _placeholder(flow: Flow, image: str, use: cst.CSTNode, module: Module) -> tuple[cst.BaseExpression, cst.Call] | None:
    """The argument that fills `{image}` (`.format`) or `$image` (`Template.substitute`)."""
    brace = re.fullmatch(r"\{(\w*)\}", image)
    dollar = re.fullmatch(r"\$\{?(\w+)\}?", image)
    if brace is None and dollar is None:
        return None
    parent = module.parent(use)
    if dollar is not None and isinstance(parent, cst.Arg):
        template = module.parent(parent)
        if isinstance(template, cst.Call) and callee_name(template) == "Template":
            parent = module.parent(template)
    call = module.parent(parent) if isinstance(parent, cst.Attribute) else None
    if not isinstance(call, cst.Call) or not isinstance(parent, cst.Attribute):
        return None
    method = parent.attr.value
    if brace is not None and method == "format":
        field = brace.group(1)
        if field.isdigit() or not field:
            args = positional(call)
            index = int(field or 0)
            return (args[index], call) if index < len(args) else None
        found = keyword(call, field)
        return (found, call) if found is not None else None
    if dollar is not None and method in ("substitute", "safe_substitute"):
        found = keyword(call, dollar.group(1)) or _mapping_entry(call, dollar.group(1))
        return (found, call) if found is not None else None
    return None


def _mapping_entry(call: cst.Call, key: str) -> cst.BaseExpression | None:
    """The value a `substitute({"image": image})` mapping gives the placeholder."""
    args = positional(call)
    if not args or not isinstance(args[0], cst.Dict):
        return None
    for element in args[0].elements:
        if isinstance(element, cst.DictElement) and string_value(element.key) == key:
            return element.value
    return None

def _fstring_sinks(flow: Flow, string: cst.FormattedString, module: Module, function: Function) -> list[Sink]:
    sinks = []
    line = ""
    for part in string.parts:
        if isinstance(part, cst.FormattedStringText):
            line = (line + part.value).rsplit("\n", 1)[-1]
        elif isinstance(part, cst.FormattedStringExpression):
            if re.fullmatch(r"[ \t]*(?:-[ \t]+)?image:[ \t]*[\"']?", line):
                expression = part.expression
                value = flow.value(expression, module, function)
                sinks.append(Sink("yaml", function, module, expression, value, module.start(expression),
                                  module.end(expression)))
            line += "{}"
    return sinks

# -- local images ---------------------------------------------------------------------
