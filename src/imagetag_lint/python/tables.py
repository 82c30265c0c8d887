"""Tables of images: the rows a variable takes its value from, one at a time. A `for` loop over a
literal list or tuple (`for image in ["localhost/api:e2e"]`, `for name, image in [("api", ...)]`)
and a test's `@pytest.mark.parametrize("image", [...])` (also with several names and
`pytest.param(...)` rows) hand the variable each row in turn, as Go's `range` over a literal
list and a `DescribeTable`'s `Entry` arguments do: a deployment of the variable deploys each."""

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
