"""Tables of images: the rows a variable takes its value from, one at a time. A `for` loop over a
literal list or tuple (`for image in ["localhost/api:e2e"]`, `for name, image in [("api", ...)]`)
and a test's `@pytest.mark.parametrize("image", [...])` (also with several names and
`pytest.param(...)` rows) hand the variable each row in turn, as Go's `range` over a literal
list and a `DescribeTable`'s `Entry` arguments do: a deployment of the variable deploys each.
A call handed such a variable (`build(svc)` in `for svc in ["shop-a", "shop-b"]`, or the element
of a comprehension with one `for` and no `if`) is made once per row (`calls_per_row`)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from imagetag_lint.python.project import Function
from imagetag_lint.python.reaching import definitions_at
from imagetag_lint.python.syntax import callee_name, keyword, positional, string_value

Rows = list[cst.BaseExpression]


def table_rows(read: cst.BaseExpression, function: Function) -> Rows | None:
    """The expressions a read of a variable takes in turn: the elements of the literal list a
    `for` loop binds it from, or the values a test's direct `parametrize` mark lists for it;
    None when it is no such variable (or a row is not written out)."""
    if not isinstance(read, cst.Name):
        return None
    found = definitions_at(read, function)
    if found is None:
        return _parametrized(function, read.value) if read.value in function.params else None
    if len(found) != 1 or isinstance(found[0], int):
        return None
    target, statement = found[0]
    return _loop_rows(target, statement) if isinstance(statement, cst.For) else None


def _loop_rows(target: cst.CSTNode, loop: cst.For) -> Rows | None:
    """`for image in [a, b]`: a and b; `for name, image in [("api", a), ("worker", b)]`: a, b."""
    if not isinstance(loop.iter, (cst.List, cst.Tuple)) or loop.asynchronous is not None:
        return None
    rows = _elements(loop.iter)
    if rows is None:
        return None
    if loop.target is target:
        return rows
    slots = _elements(loop.target) if isinstance(loop.target, (cst.Tuple, cst.List)) else None
    if slots is None or target not in slots:
        return None
    return _slots(rows, slots.index(target), len(slots))  # type: ignore[arg-type]


def _parametrized(function: Function, name: str) -> Rows | None:
    """The values a test's `@pytest.mark.parametrize` lists for the parameter `name` (not
    `indirect`: then a fixture gets them), one per row."""
    if not function.is_test:
        return None
    for decorator in function.node.decorators:
        mark = decorator.decorator
        if not isinstance(mark, cst.Call) or callee_name(mark) != "parametrize":
            continue
        args = positional(mark)
        names = _names(args[0] if args else keyword(mark, "argnames"))
        if names is None or name not in names:
            continue
        values = args[1] if len(args) > 1 else keyword(mark, "argvalues")
        if keyword(mark, "indirect") is not None or not isinstance(values, (cst.List, cst.Tuple)):
            return None
        rows = _elements(values)
        unwrapped = [_unwrapped(row, len(names)) for row in rows or []]
        if rows is None or None in unwrapped:
            return None
        if len(names) == 1:
            return [row for row in unwrapped if row is not None]
        return _slots(unwrapped, names.index(name), len(names))
    return None


def _names(node: cst.BaseExpression | None) -> list[str] | None:
    """The parameters a mark names: `"name, image"` or `("name", "image")`."""
    if node is None:
        return None
    text = string_value(node)
    if text is not None:
        return [n.strip() for n in text.split(",") if n.strip()]
    if isinstance(node, (cst.List, cst.Tuple)):
        elements = _elements(node)
        texts = [string_value(e) for e in elements or []]
        return [t for t in texts if t is not None] if elements and None not in texts else None
    return None


def _unwrapped(row: cst.BaseExpression, count: int) -> cst.BaseExpression | None:
    """A row's values: `pytest.param("worker", "localhost/...", id="worker")` holds them as its
    positional arguments (a tuple of them, for several names)."""
    if not (isinstance(row, cst.Call) and callee_name(row) == "param"):
        return row
    if any(arg.star for arg in row.args):
        return None
    values = positional(row)
    if count == 1:
        return values[0] if len(values) == 1 else None
    return cst.Tuple([cst.Element(v) for v in values]) if len(values) == count else None


def _slots(rows: Sequence[cst.BaseExpression | None], index: int, count: int) -> Rows | None:
    """The `index`th value of every row, each a tuple or list of `count` values."""
    found: Rows = []
    for row in rows:
        values = _elements(row) if isinstance(row, (cst.Tuple, cst.List)) else None
        if values is None or len(values) != count:
            return None
        found.append(values[index])
    return found


def _elements(node: cst.Tuple | cst.List) -> Rows | None:
    """The elements of a list or tuple display, None when one is starred."""
    if not all(isinstance(e, cst.Element) for e in node.elements):
        return None
    return [e.value for e in node.elements]


def calls_per_row(function: Function, where: cst.Call, call: cst.Call) -> tuple[cst.Call, ...] | None:
    """The call made once per row of the literal list a loop or a comprehension around `where`
    hands the argument it walks (`build(svc)` in `for svc in ["shop-a", "shop-b"]`), that row in
    its place; None when no argument is such a variable. `where` is the call in the module
    (`call` may be a run made up from it)."""
    for arg in call.args:
        rows = _rows_around(function, where, arg.value)
        if rows is not None:
            return tuple(call.with_changes(args=[a.with_changes(value=row) if a is arg else a for a in call.args])
                         for row in rows)
    return None


def _rows_around(function: Function, call: cst.Call, read: cst.BaseExpression) -> Rows | None:
    """The rows a variable takes in turn around the call: those of the list a `for` loop that
    holds the call walks, or a comprehension of which the call is the element."""
    if not isinstance(read, cst.Name) or read.value in function.params:
        return None
    module = function.module
    for ancestor in module.ancestors(call):
        if ancestor is function.node:
            break
        if isinstance(ancestor, cst.BaseComp):
            walk = ancestor.for_in  # one `for`, no `if`: each row runs
            plain = walk.inner_for_in is None and not walk.ifs and walk.asynchronous is None
            return _walked_rows(function, walk.target, walk.iter, read) if plain else None
    found = definitions_at(read, function)
    if found is None or len(found) != 1 or isinstance(found[0], int) or not isinstance(found[0][1], cst.For):
        return None
    loop = found[0][1]
    inside = module.inside(call, loop.body) and loop.asynchronous is None
    return _walked_rows(function, loop.target, loop.iter, read) if inside else None


def _walked_rows(function: Function, target: cst.BaseAssignTargetExpression, walked: cst.BaseExpression,
                 read: cst.Name) -> Rows | None:
    """The rows of a loop's variable: a literal list's, or one a local assigned once before
    (`services = ["shop-a", "shop-b"]`, then `for svc in services`)."""
    if not isinstance(target, cst.Name) or target.value != read.value:
        return None
    if isinstance(walked, cst.Name):
        found = definitions_at(walked, function)
        if found is None or len(found) != 1 or isinstance(found[0], int):
            return None
        bound, statement = found[0]
        if not isinstance(statement, cst.Assign) or len(statement.targets) != 1 or statement.targets[0].target is not bound:
            return None
        if not _rows_kept(function, walked, bound):
            return None  # `services.remove(...)`, `services[0] = ...`, handed to a call: other rows
        walked = statement.value
    return _elements(walked) if isinstance(walked, (cst.List, cst.Tuple)) else None


def _rows_kept(function: Function, walked: cst.Name, bound: cst.CSTNode) -> bool:
    """Are the rows of the local's literal each still walked: is the local read only as what a
    `for` loop or a comprehension walks, or to add rows (`append`, `extend`, `insert`, `+=`)?
    The rows then name builds that run, though they need not be all the loop walks."""
    module = function.module
    for name in function.names:
        if name.value != walked.value or name is bound:
            continue
        holder = module.parent(name)
        if isinstance(holder, (cst.For, cst.CompFor)) and holder.iter is name:
            continue
        if isinstance(holder, cst.AugAssign) and holder.target is name and isinstance(holder.operator, cst.AddAssign):
            continue
        if (isinstance(holder, cst.Attribute) and holder.value is name and holder.attr.value in _ADDING
                and isinstance(call := module.parent(holder), cst.Call) and call.func is holder):
            continue
        return False
    return True


_ADDING = frozenset({"append", "extend", "insert"})
