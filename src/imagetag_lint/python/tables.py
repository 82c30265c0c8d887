"""Tables of images: the rows a variable takes its value from, one at a time. A `for` loop over a
literal list or tuple (`for image in ["localhost/api:e2e"]`, `for name, image in [("api", ...)]`)
and a test's `@pytest.mark.parametrize("image", [...])` (also with several names and
`pytest.param(...)` rows) hand the variable each row in turn, as Go's `range` over a literal
list and a `DescribeTable`'s `Entry` arguments do: a deployment of the variable deploys each.
A call handed such a variable (`build(svc)` in `for svc in ["shop-a", "shop-b"]`, or the element
of a comprehension with one `for` and no `if`), or plain text around it (`build(f"{svc}-svc")`),
is made once per row (`calls_per_row`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from imagetag_lint.python.project import Function
from imagetag_lint.python.reaching import definitions_at
from imagetag_lint.python.syntax import callee_name, keyword, positional, string_value
from imagetag_lint.python.values import text_pieces
from imagetag_lint.record import record, replace

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
    found = _parametrized_values(function, name)
    return found[1] if found is not None else None


def _parametrized_values(function: Function, name: str) -> tuple[cst.BaseExpression, Rows] | None:
    """The list a test's `parametrize` mark gives for the parameter `name`, and its value in each row."""
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
            return values, [row for row in unwrapped if row is not None]
        slots = _slots(unwrapped, names.index(name), len(names))
        return (values, slots) if slots is not None else None
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


@record(frozen=True, eq=False)
class Walk:
    """A loop or a comprehension around a call that hands an argument of it its variable, once
    per row: what it walks (`services`, `["shop-a", "shop-b"]`), and the rows, when read."""

    walked: cst.BaseExpression
    rows: Rows | None
    read: cst.Name  # the variable, as the argument reads it
    argument: cst.BaseExpression  # the argument that reads it: the variable, or text made around it


def calls_per_row(function: Function, where: cst.Call, call: cst.Call) -> tuple[cst.Call, ...] | None:
    """The call made once per row of the literal list a loop or a comprehension around `where`
    hands the argument it walks (`build(svc)` in `for svc in ["shop-a", "shop-b"]`), that row in
    its place, or the text an argument makes of the row (`build(f"{svc}-svc")` builds `shop-a-svc`);
    None when no argument reads such a variable, or one makes of it what the analysis cannot
    work out. `where` is the call in the module (`call` may be a run made up from it)."""
    walk = row_walk(function, where, call)
    if walk is None or walk.rows is None:
        return None
    values = [_row_value(walk, row) for row in walk.rows]
    if any(value is None for value in values):
        return None  # what each run builds is unknown: never the row itself
    return tuple(call.with_changes(args=[a.with_changes(value=value) if a.value is walk.argument else a
                                         for a in call.args])
                 for value in values if value is not None)


def row_walk(function: Function, where: cst.Call, call: cst.Call) -> Walk | None:
    """The loop or comprehension around `where` whose variable an argument of the call reads,
    itself or inside it (`f"{svc}-svc"`, `svc.upper()`)."""
    for arg in call.args:
        for read in _names_read(arg.value):
            walk = _walk_around(function, where, read)
            if walk is not None:
                return replace(walk, argument=arg.value)
    return None


def unknown_rows(function: Function, where: cst.Call, call: cst.Call) -> Walk | None:
    """The loop or comprehension around `where` that runs the call once per row, when what each
    run is handed is unknown: the rows are not read (a parameter, a filtered comprehension, a
    list changed after its literal), or the argument makes of a row what the analysis cannot
    work out (`svc.upper()`)."""
    walk = row_walk(function, where, call)
    if walk is None or (walk.rows is not None and all(_row_value(walk, row) is not None for row in walk.rows)):
        return None
    return walk


def _row_value(walk: Walk, row: cst.BaseExpression) -> cst.BaseExpression | None:
    """The argument in the pass that gives the variable `row`: the row itself, the text that
    plain text around it makes (`f"{svc}-svc"`, `"localhost/" + svc`, `"%s-svc" % svc`,
    `"{}-svc".format(svc)`), or a dict row's entry (`row["name"]`); None when it is made
    otherwise, or the row is no literal."""
    if walk.argument is walk.read:
        return row
    if isinstance(row, cst.Dict):  # `row["name"]` of `{"name": "shop-a", ...}`
        return _entry(row, walk.argument, walk.read)
    pieces = text_pieces(walk.argument, plain=True)
    text = string_value(row)
    if pieces is None or text is None:
        return None
    if any(not isinstance(p, str) and not (isinstance(p, cst.Name) and p.value == walk.read.value) for p in pieces):
        return None  # another value beside the row's: not followed
    return cst.SimpleString(repr("".join(p if isinstance(p, str) else text for p in pieces)))


def _entry(row: cst.Dict, argument: cst.BaseExpression, read: cst.Name) -> cst.BaseExpression | None:
    """The value a dict row holds under the literal key the argument reads it by (`row["name"]`)."""
    index = argument.slice[0].slice if isinstance(argument, cst.Subscript) and len(argument.slice) == 1 else None
    key = string_value(index.value) if isinstance(index, cst.Index) else None
    if key is None or not (isinstance(argument, cst.Subscript) and argument.value is read):
        return None
    entries = [e for e in row.elements if isinstance(e, cst.DictElement) and string_value(e.key) is not None]
    if len(entries) != len(row.elements):
        return None  # `**defaults`, or a key that is no literal: another entry may hold it
    return next((e.value for e in entries if string_value(e.key) == key), None)


def _names_read(node: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an expression reads (not an attribute's name, nor a keyword's, nor those of a
    lambda or a comprehension, which bind their own)."""
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name):
            yield current
        elif isinstance(current, (cst.Attribute, cst.Arg)):
            todo.append(current.value)
        elif not isinstance(current, (cst.Lambda, cst.BaseComp)):
            todo.extend(reversed(current.children))


def _walk_around(function: Function, call: cst.Call, read: cst.Name) -> Walk | None:
    """The loop that holds the call and walks the variable, or the comprehension of which the
    call is the element, with the rows it takes in turn when they are read: those of a literal
    list, or of a local assigned one (a comprehension with one `for` and no `if`: each row runs)."""
    if read.value in function.params:  # a test's `parametrize` rows: one test, and one run, per row
        marked = _parametrized_values(function, read.value)
        return Walk(marked[0], marked[1], read, read) if marked is not None else None
    module = function.module
    for ancestor in module.ancestors(call):
        if ancestor is function.node:
            break
        if isinstance(ancestor, cst.BaseComp):
            walk = ancestor.for_in
            if not (isinstance(walk.target, cst.Name) and walk.target.value == read.value):
                return None
            plain = walk.inner_for_in is None and not walk.ifs and walk.asynchronous is None
            return Walk(walk.iter, _walked_rows(function, walk.iter) if plain else None, read, read)
    found = definitions_at(read, function)
    if found is None or len(found) != 1 or isinstance(found[0], int) or not isinstance(found[0][1], cst.For):
        return None
    loop = found[0][1]
    if not module.inside(call, loop.body) or not (isinstance(loop.target, cst.Name) and loop.target.value == read.value):
        return None
    return Walk(loop.iter, _walked_rows(function, loop.iter) if loop.asynchronous is None else None, read, read)


def _walked_rows(function: Function, walked: cst.BaseExpression) -> Rows | None:
    """The rows a loop walks: a literal list's, or one a local assigned once before
    (`services = ["shop-a", "shop-b"]`, then `for svc in services`)."""
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
