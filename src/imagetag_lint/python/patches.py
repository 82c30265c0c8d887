"""A manifest a function patches before it applies it: the fixed reference of its `image:` line
is not what it deploys when the function puts another value in its place, by `.replace` of that
very reference (`MANIFEST.replace("localhost/app:latest", image)`, as Go's `strings.ReplaceAll`)
or by storing it into the object loaded from the manifest (`doc[...]["containers"][0]["image"] =
image`, a loop over the containers, `.update(image=image)`, a helper that stores its parameter
there). The value put in is the deployment then, and is judged in the line's place."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from imagetag_lint.python.flow import CONTAINER_KEYS, FIXED, Flow
from imagetag_lint.python.project import Function
from imagetag_lint.python.syntax import Module, keyword, positional, string_value

Patch = tuple[cst.BaseExpression, bool]  # (the value put in, whether the store is a sink already)


def replaced_by(flow: Flow, module: Module, function: Function, use: cst.CSTNode,
                image: str) -> tuple[cst.BaseExpression, cst.Call] | None:
    """The argument that takes the reference's place in `use.replace(image, value)`, also one
    of a chain of `.replace` calls (`M.replace("NAME", name).replace(image, value)`)."""
    node = use
    while True:
        attribute = module.parent(node)
        call = module.parent(attribute) if isinstance(attribute, cst.Attribute) else None
        if not isinstance(attribute, cst.Attribute) or attribute.attr.value != "replace" or not isinstance(call, cst.Call):
            return None
        args = positional(call)
        old = flow.value(args[0], module, function, plain=True) if len(args) >= 2 else None
        if old is not None and old.kind == FIXED and old.text == image:
            return args[1], call
        node = call


def patched_values(flow: Flow, function: Function, use: cst.CSTNode) -> list[Patch]:
    """The values the function stores into the container images of the object it loads from
    the manifest `use` reads (`doc = yaml.safe_load(MANIFEST)`, then a store into `doc`)."""
    module = function.module
    found: list[Patch] = []
    roots: dict[str, bool] = {}  # the locals that hold the object or a part of it: in a container?
    for ancestor in module.ancestors(use):
        if isinstance(ancestor, cst.Call):
            found += [(value, False) for value in _helper_stores(flow, function, ancestor, use)]
        elif isinstance(ancestor, cst.Assign):
            target = ancestor.targets[0].target
            if len(ancestor.targets) == 1 and isinstance(target, cst.Name):
                roots[target.value] = False
            break
        elif isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            break
    if not roots:
        return found
    _add_aliases(function, roots)
    for store in function.stores:
        path = _path(store.targets[0].target)
        if path is not None and path[1] and path[1][-1] == "image" and path[0] in roots:
            contained = roots[path[0]] or any(k in CONTAINER_KEYS for k in path[1])
            if contained:
                # the flow's own store sink: a path through a containers key written in the store
                found.append((store.value, any(k in CONTAINER_KEYS for k in path[1][:-1])))
    for call in function.calls:
        found += [(value, False) for value in _updates(call, roots)]
        for name in roots:
            found += [(value, False) for value in _helper_stores(flow, function, call, name)]
    return found


def _updates(call: cst.Call, roots: dict[str, bool]) -> Iterator[cst.BaseExpression]:
    """`container.update(image=value)`, `containers[0].update({"image": value})`."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "update":
        return
    path = _path(func.value)
    if path is None or path[0] not in roots or not (roots[path[0]] or any(k in CONTAINER_KEYS for k in path[1])):
        return
    value = keyword(call, "image")
    args = positional(call)
    if value is None and args and isinstance(args[0], cst.Dict):
        value = next((e.value for e in args[0].elements
                      if isinstance(e, cst.DictElement) and string_value(e.key) == "image"), None)
    if value is not None:
        yield value


def _helper_stores(flow: Flow, function: Function, call: cst.Call, held: cst.CSTNode | str) -> list[cst.BaseExpression]:
    """The arguments a call of a linted helper stores into the container images of the object
    it gets (`set_image(doc, image)`, the helper doing `doc[...]["containers"][0]["image"] =
    image`), when the object is `held` (a local's name, or a node inside the argument)."""
    helper = flow.project.resolve(call, function.module)
    if helper is None or helper is function:
        return []
    found = []
    for param, value_param in _param_stores(helper):
        argument = flow.project.argument_for(call, helper, param)
        if argument is None or not _holds(function.module, argument, held):
            continue
        value = flow.project.argument_for(call, helper, value_param)
        if value is not None:
            found.append(value)
    return found


def _holds(module: Module, argument: cst.BaseExpression, held: cst.CSTNode | str) -> bool:
    if isinstance(held, str):
        return isinstance(argument, cst.Name) and argument.value == held
    return held is argument or module.inside(held, argument)


def _param_stores(helper: Function) -> list[tuple[str, str]]:
    """(object parameter, value parameter) of each store of a helper's parameter into the
    container images of the object another parameter holds."""
    found = []
    for param in helper.params:
        roots = {param: False}
        _add_aliases(helper, roots)
        for store in helper.stores:
            path = _path(store.targets[0].target)
            value = store.value
            if (path is not None and path[1] and path[1][-1] == "image" and path[0] in roots
                    and (roots[path[0]] or any(k in CONTAINER_KEYS for k in path[1]))
                    and isinstance(value, cst.Name) and value.value in helper.params):
                found.append((param, value.value))
    return found


def _add_aliases(function: Function, roots: dict[str, bool]) -> None:
    """The locals bound to a part of a root (`spec = doc["spec"]`) or that a loop walks it
    with (`for container in doc[...]["containers"]`), each marked when the part is inside a
    container list, until no more are found."""
    grown = True
    while grown:
        grown = False
        for name, target, statement in function.bindings:
            if name in roots or not isinstance(target, cst.Name):
                continue
            source: cst.BaseExpression | None = None
            if isinstance(statement, cst.Assign) and statement.targets[0].target is target:
                source = statement.value
            elif isinstance(statement, cst.For) and statement.target is target:
                source = statement.iter
            path = _path(source) if source is not None else None
            if path is not None and path[0] in roots:
                roots[name] = roots[path[0]] or any(k in CONTAINER_KEYS for k in path[1])
                grown = True


def _path(node: cst.BaseExpression) -> tuple[str, list[str]] | None:
    """The local a subscript chain starts from and its keys in order (`doc["spec"]["containers"][0]`
    is `doc`, `["spec", "containers", ""]`); None for anything else."""
    keys: list[str] = []
    while isinstance(node, cst.Subscript):
        element = node.slice[0].slice if len(node.slice) == 1 else None
        keys.append((string_value(element.value) or "") if isinstance(element, cst.Index) else "")
        node = node.value
    return (node.value, keys[::-1]) if isinstance(node, cst.Name) else None
