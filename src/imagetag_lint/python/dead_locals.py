"""Locals a Python fix leaves unread: `image = "localhost/app:e2e"`, whose one read the fix
replaced with the built name (`deploy(image)` became `deploy(built_image)`). The assignment goes
when the code read the local before the fix and reads it nowhere after it (nor in a nested `def`
or a comprehension), and every assignment of it (plain or annotated) is a statement of its own
whose value runs nothing: a literal, a name, an f-string or a `+` of those, an attribute of an
imported module. A module-level name stays (another module may import it), and so does a local
any assignment of which is a call. The imports that only the removed values read are left
unused, and go as such."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence

import libcst as cst
from libcst.metadata import (
    Assignment,
    FunctionScope,
    ImportAssignment,
    MetadataWrapper,
    ParentNodeProvider,
    ScopeProvider,
)

Place = tuple[str, ...]  # the names of a function and of the defs and classes around it
Parents = Mapping[cst.CSTNode, cst.CSTNode]
Line = tuple[cst.SimpleStatementLine, cst.IndentedBlock]  # an assignment's line, and the block it is in

_DYNAMIC = {"locals", "vars", "eval", "exec"}  # reads of a local no scope analysis sees


def drop_locals_left_unread(before: str, after: str) -> tuple[str, list[str]]:
    """`after` without the assignments of the locals that code of `before` reads and the same
    function of `after` does not, and the names of those locals; again while a removed value
    was the last read of another (`from settings import TAG` read only by `image = f"...{TAG}"`)."""
    dropped: set[str] = set()
    while True:
        after, names = _drop_once(before, after)
        if not names:
            return after, sorted(dropped)
        dropped.update(names)


def _drop_once(before: str, after: str) -> tuple[str, list[str]]:
    read_before = {place: read for place, read, _ in _functions(cst.parse_module(before))}
    tree = cst.parse_module(after)
    unread = {(place, name): lines for place, read, removable in _functions(tree) for name, lines in removable.items()
              if name in read_before.get(place, set()) and name not in read}
    while True:  # a local whose removal would leave a block with no statement stays
        dead = {line for lines in unread.values() for line, _ in lines}
        emptied = [k for k, lines in unread.items() if any(all(s in dead for s in block.body) for _, block in lines)]
        # an import line goes only with every name it binds: `from s import A, B` keeps B's
        shared = [k for k, lines in unread.items()
                  if any(any((k[0], n) not in unread for n in _line_imports(line)) for line, _ in lines)]
        if not emptied and not shared:
            break
        for key in {*emptied, *shared}:
            del unread[key]
    if not dead:
        return after, []
    return tree.visit(_DropStatements(dead)).code, sorted({name for _, name in unread})


def _functions(tree: cst.Module) -> Iterator[tuple[Place, set[str], dict[str, list[Line]]]]:
    """Each function met once at its place: (the place, the locals it reads, the locals whose
    every assignment may go, with those statements). The tree's own nodes are kept."""
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    scopes = {s for s in wrapper.resolve(ScopeProvider).values() if isinstance(s, FunctionScope)}
    parents = wrapper.resolve(ParentNodeProvider)
    modules = _imported_modules(tree)
    found = [(_place(s.node, parents), s) for s in scopes if isinstance(s.node, cst.FunctionDef)]
    counts: dict[Place, int] = {}
    for place, _ in found:
        counts[place] = counts.get(place, 0) + 1
    for place, scope in found:
        if counts[place] > 1:
            continue  # two defs of one name in one place: which is which is not known
        yield place, _read(scope), _removable(scope, parents, modules)


def _read(scope: FunctionScope) -> set[str]:
    return {a.name for a in scope.assignments if isinstance(a, Assignment) and a.references}


def _removable(scope: FunctionScope, parents: Parents, modules: set[str]) -> dict[str, list[Line]]:
    if any(access.node.value in _DYNAMIC for access in scope.accesses if isinstance(access.node, cst.Name)):
        return {}
    node = scope.node
    declared = {n.name.value for n in _declarations(node)}
    assigned: dict[str, list[Line | None]] = {}
    for assignment in scope.assignments:
        if isinstance(assignment, ImportAssignment):
            line = _import_line(assignment.node, parents)
        elif isinstance(assignment, Assignment):
            line = _statement(assignment.node, parents, modules)
        else:
            continue
        if assignment.name not in declared:
            assigned.setdefault(assignment.name, []).append(line)
    return {name: [line for line in lines if line is not None] for name, lines in assigned.items() if all(lines)}


def _declarations(function: cst.CSTNode) -> Iterator[cst.NameItem]:
    """The names of the function's `global` and `nonlocal` statements (nested ones too: rare,
    and a name declared anywhere is left alone)."""
    stack = [function]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            yield from node.names
        stack.extend(node.children)


def _statement(node: cst.CSTNode, parents: Parents, modules: set[str]) -> Line | None:
    """The line `name = value` that binds the name, alone on its line in a block, or None:
    another kind of binding (a parameter, a loop, a `with`, an unpacking), or a value that may
    run code."""
    target = parents.get(node)
    assign = parents.get(target) if isinstance(target, cst.AssignTarget) else target
    if isinstance(assign, cst.AnnAssign) and assign.target is node and assign.value is not None:
        value = assign.value  # `image: str = ...`: a local's annotation is never evaluated
    elif isinstance(assign, cst.Assign) and len(assign.targets) == 1:
        value = assign.value
    else:
        return None
    line = parents.get(assign)
    block = parents.get(line) if isinstance(line, cst.SimpleStatementLine) else None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(block, cst.IndentedBlock):
        return None
    return (line, block) if _inert(value, modules) else None


def _import_line(node: cst.CSTNode, parents: Parents) -> Line | None:
    """The line of a function's own `from settings import REGISTRY, TAG` (or `import x`), alone
    on its line in a block, or None (a star or a dotted import)."""
    line = parents.get(node)
    block = parents.get(line) if isinstance(line, cst.SimpleStatementLine) else None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(block, cst.IndentedBlock):
        return None
    if not isinstance(node, (cst.Import, cst.ImportFrom)) or not _import_names(node):
        return None
    return line, block


def _import_names(node: cst.Import | cst.ImportFrom) -> list[str]:
    """The names an import binds; none for a star import or a dotted `import a.b`."""
    if isinstance(node.names, cst.ImportStar):
        return []
    found = []
    for alias in node.names:
        bound = alias.asname.name if alias.asname is not None else alias.name
        if not isinstance(bound, cst.Name):
            return []
        found.append(bound.value)
    return found


def _line_imports(line: cst.SimpleStatementLine) -> list[str]:
    small = line.body[0] if line.body else None
    return _import_names(small) if isinstance(small, (cst.Import, cst.ImportFrom)) else []


def _inert(value: cst.BaseExpression, modules: set[str]) -> bool:
    """Does evaluating the value run nothing? A literal, a name, an f-string of such values, a
    `+` of them (`REPO + ":e2e"`), an attribute of a module the file imports."""
    if isinstance(value, (cst.SimpleString, cst.Integer, cst.Float, cst.Name)):
        return True
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return _inert(value.left, modules) and _inert(value.right, modules)
    if isinstance(value, cst.ConcatenatedString):
        return _inert(value.left, modules) and _inert(value.right, modules)
    if isinstance(value, cst.FormattedString):
        return all(_inert_part(part, modules) for part in value.parts)
    if isinstance(value, cst.Attribute):
        base: cst.BaseExpression = value
        while isinstance(base, cst.Attribute):
            base = base.value
        return isinstance(base, cst.Name) and base.value in modules
    return False


def _inert_part(part: cst.BaseFormattedStringContent, modules: set[str]) -> bool:
    if isinstance(part, cst.FormattedStringText):
        return True
    if not isinstance(part, cst.FormattedStringExpression) or not _inert(part.expression, modules):
        return False
    return all(_inert_part(p, modules) for p in part.format_spec or ())


def _imported_modules(tree: cst.Module) -> set[str]:
    """The names the module's own `import x` (or `import x as y`) statements bind."""
    found = set()
    for statement in tree.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Import):
                for alias in small.names:
                    bound: cst.BaseExpression = alias.asname.name if alias.asname is not None else alias.name
                    while isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
                        bound = bound.value
                    if isinstance(bound, cst.Name):
                        found.add(bound.value)
    return found


def _place(node: cst.CSTNode, parents: Parents) -> Place:
    names = []
    current: cst.CSTNode | None = node
    while current is not None:
        if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            names.append(current.name.value)
        current = parents.get(current)
    return tuple(reversed(names))


class _DropStatements(cst.CSTTransformer):
    """Removes the given lines (never every line of a block); the comments above one go to the
    statement after it, and the blank lines around it close up (`joined_lines`)."""

    def __init__(self, dead: set[cst.SimpleStatementLine]) -> None:
        self.dead = dead

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if not any(s in self.dead for s in original_node.body):
            return updated_node
        body: list[cst.BaseStatement] = []
        carried: tuple[cst.EmptyLine, ...] = ()
        for original, statement in zip(original_node.body, updated_node.body):
            if original in self.dead:
                assert isinstance(original, cst.SimpleStatementLine)
                carried += tuple(original.leading_lines)
                continue
            if isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                lines = joined_lines(carried, statement.leading_lines)
                while lines and not body and original is not original_node.body[0] and lines[0].comment is None:
                    lines = lines[1:]  # now the block's first statement: no blank line opens the block
                statement = statement.with_changes(leading_lines=lines)
                carried = ()
            body.append(statement)
        return updated_node.with_changes(body=body, footer=joined_lines(carried, updated_node.footer))


def joined_lines(above: Sequence[cst.EmptyLine], below: Sequence[cst.EmptyLine]) -> tuple[cst.EmptyLine, ...]:
    """The lines above a removed statement, then those above the next one: the blank lines where
    they meet become one run, as long as the longer of the two."""
    ending = _blank_run(reversed(above))
    starting = _blank_run(below)
    gap = above[len(above) - ending :] if ending >= starting else below[:starting]
    return (*above[: len(above) - ending], *gap, *below[starting:])


def _blank_run(lines: Iterable[cst.EmptyLine]) -> int:
    return sum(1 for _ in itertools.takewhile(lambda line: line.comment is None, lines))
