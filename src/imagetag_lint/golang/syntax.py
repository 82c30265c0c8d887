"""Small questions about Go syntax nodes, answered without recursion."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.parser import ROOTS, Node, captures, forget_trees, text

FUNCTION_TYPES = ("function_declaration", "method_declaration", "func_literal")
STRING_TYPES = ("interpreted_string_literal", "raw_string_literal")


# Per-run caches keyed by the node itself: a node hashes by its id and equals only the same node
# of the same tree, so a lookup costs a fifth of making a `node_key`; the keys are the nodes the
# analyses hold anyway (a file's calls, function bodies), and `reset_caches()` runs at the start
# of every lint so no entry outlives its tree.
_CALLEES: dict[Node, tuple[str | None, str]] = {}
_IDENTIFIERS: dict[tuple[Node, str], list[Node]] = {}  # by (node, name)
_WRITES: dict[tuple[Node, str], tuple[list[Node], list[int]]] = {}
_WORDS: dict[tuple[Node, bytes], bool] = {}  # by (node, bytes)
_RETURNS: dict[Node, list[Node]] = {}  # by function body


def reset_caches() -> None:
    _CALLEES.clear()
    _IDENTIFIERS.clear()
    _WRITES.clear()
    _WORDS.clear()
    _RETURNS.clear()
    _DEEP.clear()
    forget_trees()


def node_key(node: Node) -> int:
    """A node's id and byte range in one int: a memo key that costs a tenth of a tuple's bytes
    (files are far below 4 GiB)."""
    return node.id | node.start_byte << 64 | node.end_byte << 96


def callee(call: Node) -> tuple[str | None, str]:
    """(qualifier, name) of a call: `pkg.F(...)` -> ("pkg", "F"), `F(...)` -> (None, "F")."""
    found = _CALLEES.get(call)
    if found is None:
        found = _CALLEES[call] = _callee(call)
    return found


def _callee(call: Node) -> tuple[str | None, str]:
    function = called_function(call)
    if function is None:
        return None, ""
    kind = function.type
    if kind == "identifier":
        return None, text(function)
    if kind == "selector_expression":
        operand = function.child_by_field_name("operand")
        field = function.child_by_field_name("field")
        qualifier = text(operand) if operand is not None and operand.type == "identifier" else "?"
        return qualifier, text(field) if field is not None else ""
    return None, ""


def called_function(call: Node) -> Node | None:
    """The name a call calls (`F`, `pkg.F`), its type arguments left out (`F[int](x, y)`)."""
    function = call.child_by_field_name("function")
    return _generic_operand(function) or function


def generic_callee(call: Node) -> Node | None:
    """The function of a call with one type argument, `deploy[int](ctx, 3)` or `pkg.F[T](x, y)`,
    which Go's grammar reads as an index expression (several type arguments have a field of
    their own, and the call's function is the name): None for other calls."""
    return _generic_operand(call.child_by_field_name("function"))


def _generic_operand(function: Node | None) -> Node | None:
    operand = function.child_by_field_name("operand") if function is not None and function.type == "index_expression" else None
    return operand if operand is not None and operand.type in ("identifier", "selector_expression") else None


def arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [child for child in args.named_children if child.type != "comment"]


def has_arguments(call: Node) -> bool:
    """Is `arguments(call)` non-empty? Asked of every call of a function, so the arguments are
    not listed unless a comment comes first."""
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_child_count:
        return False
    return args.named_child(0).type != "comment" or bool(arguments(call))


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        inner = node.named_children[0]
        node = inner
    return node


def enclosing(node: Node, types: tuple[str, ...]) -> Node | None:
    """The nearest ancestor of one of the types (walked up at most _SHALLOW steps by `parent`)."""
    for ancestry in _DEEP:
        if ancestry.holds(node):
            return ancestry.enclosing(node, types)
    current = node.parent
    steps = 0
    while current is not None:
        if current.type in types:
            return current
        steps += 1
        if steps == _SHALLOW:
            deep = _ancestry_of(current)
            if deep is not None:
                return deep.enclosing(current, types)
        current = current.parent
    return None


def returns(body: Node) -> list[Node]:
    """Return statements of a function body, not of the closures inside it, last first
    (memoized: every inference over a function starts from its returns). The `return` keywords
    are found in the body's bytes, so the body is never walked node by node."""
    found = _RETURNS.get(body)
    if found is None:
        found = _RETURNS[body] = list(_returns(body))
    return found


def _returns(body: Node) -> Iterator[Node]:
    owner = body.parent
    if owner is None or owner.type not in FUNCTION_TYPES:
        return
    base = body.start_byte
    source = body.text or b""
    offsets = word_offsets(source, (b"return",))
    closures = _closures(body, source) if offsets else []
    starts = [first for first, _ in closures]
    for start, end in reversed(offsets):
        inside = bisect_right(starts, base + start) - 1
        if inside >= 0 and base + start < closures[inside][1]:
            continue  # a closure's own return
        statement = _starting(body, base + start, base + end, "return_statement")
        if statement is not None:
            yield statement  # else the word in a comment or a string


def _closures(body: Node, source: bytes) -> list[tuple[int, int]]:
    """The byte ranges the function literals in a body cover (one range for nested ones), in
    order, found from its `func` words."""
    base = body.start_byte
    found: list[tuple[int, int]] = []
    for start, end in word_offsets(source, (b"func",)):
        literal = _starting(body, base + start, base + end, "func_literal")
        if literal is None:
            continue
        if found and literal.start_byte < found[-1][1]:  # inside the one before
            found[-1] = (found[-1][0], max(found[-1][1], literal.end_byte))
        else:
            found.append(literal.byte_range)
    return found


def _starting(under: Node, start: int, end: int, kind: str) -> Node | None:
    """The node of that kind that starts with the keyword at start..end: the smallest node that
    holds the keyword and the byte after it, or else the keyword's parent. Most are found
    without `parent`, which costs a walk down from the root."""
    node = under.descendant_for_byte_range(start, end + 1)
    if node is not None and node.type == kind and node.start_byte == start:
        return node
    keyword = under.descendant_for_byte_range(start, end)
    found = keyword.parent if keyword is not None and keyword.start_byte == start and keyword.end_byte == end else None
    return found if found is not None and found.type == kind and found.start_byte == start else None


def parent(node: Node) -> Node | None:
    """`node.parent`, from the parent map when the node's tree is deeply nested."""
    key = (node.id, node.start_byte)
    for ancestry in _DEEP:
        if key in ancestry.parents:
            return ancestry.parents[key]
    return node.parent


# Deep nesting (a long else-if chain, a nested composite literal) makes `Node.parent` slow:
# tree-sitter finds a parent by walking down from the root, so each step up costs the depth, and
# walks up from many nodes cost the cube of it. A walk that passes _SHALLOW steps switches to the
# tree's parent map, made once by one cursor walk, with each answer remembered along the way.
_SHALLOW = 48
NodeKey = tuple[int, int]  # (id, start byte): unique among live trees


class Ancestry:
    """Parent links of one deeply nested tree, and the `enclosing` answers found through them."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.parents: dict[NodeKey, Node | None] = {(root.id, root.start_byte): None}
        self.identifiers: dict[tuple[int, int], Node] = {}  # byte range -> identifier
        self.answers: dict[tuple[NodeKey, tuple[str, ...]], Node | None] = {}
        self.steps = 0  # parent links followed: the work `enclosing` did
        path = [root]  # the cursor's node and its ancestors
        cursor = root.walk()
        while True:
            if cursor.goto_first_child():
                child = cursor.node
                assert child is not None
                self.parents[(child.id, child.start_byte)] = path[-1]
                if child.type == "identifier":
                    self.identifiers[child.byte_range] = child
                path.append(child)
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return
                path.pop()
            sibling = cursor.node
            assert sibling is not None
            path[-1] = sibling
            self.parents[(sibling.id, sibling.start_byte)] = path[-2]
            if sibling.type == "identifier":
                self.identifiers[sibling.byte_range] = sibling

    def holds(self, node: Node) -> bool:
        return (node.id, node.start_byte) in self.parents

    def enclosing(self, node: Node, types: tuple[str, ...]) -> Node | None:
        visited = []
        key = (node.id, node.start_byte)
        found: Node | None = None
        while (key, types) not in self.answers:
            visited.append((key, types))
            self.steps += 1
            up = self.parents.get(key)
            if up is None or up.type in types:
                found = up
                break
            key = (up.id, up.start_byte)
        else:
            found = self.answers[(key, types)]
        for seen in visited:
            self.answers[seen] = found
        return found


_DEEP: list[Ancestry] = []  # the deeply nested trees met in this run


def deep_ancestry(root: Node, offsets: list[int]) -> Ancestry | None:
    """The parent map of root's tree if a sample of the offsets lies deeper than _SHALLOW (made once).

    The depth is counted by a cursor going down from the root, which costs no parent walk.
    """
    key = (root.id, root.start_byte)
    for ancestry in _DEEP:
        if (ancestry.root.id, ancestry.root.start_byte) == key:
            return ancestry
    if not _deeper_than_shallow(root, offsets):
        return None
    ancestry = Ancestry(root)
    _DEEP.append(ancestry)
    return ancestry


def _deeper_than_shallow(root: Node, offsets: list[int]) -> bool:
    """Does a sample of the offsets lie deeper than _SHALLOW under root?"""
    for offset in offsets[:: max(1, len(offsets) // 16)]:
        cursor = root.walk()
        depth = 0
        while cursor.goto_first_child_for_byte(offset) is not None:
            depth += 1
            if depth == _SHALLOW:
                return True
    return False


def call_expressions(root: Node, source: bytes) -> list[Node]:
    """Every call under root (a file's root, or a declaration), in the tree's order (of two calls that start together, the enclosing
    one first: `f(x)(y)` before `f(x)`; a query's captures order such ties either way).

    A call's arguments open with a `(` token: the `(` bytes of the source, each looked up in the
    tree, find the calls for a third of what a query over every node costs. A tree with syntax
    errors (a call may lack its `(`) or deep nesting (`parent` costs the depth) is queried.
    """
    offsets = []
    end = root.end_byte
    position = source.find(b"(", root.start_byte, end)
    while position != -1:
        offsets.append(position)
        position = source.find(b"(", position + 1, end)
    if root.has_error or _deeper_than_shallow(root, offsets):
        found = captures("(call_expression) @call", root).get("call", [])
        return sorted(found, key=lambda call: (call.start_byte, -call.end_byte))
    found = []
    lookup = root.descendant_for_byte_range
    for position in offsets:
        # the smallest node that holds the `(` and the byte before it: the call, if the `(` opens
        # its arguments (no `parent`, which costs a walk down from the root)
        call = lookup(position - 1, position + 1) if position else None
        if call is None or call.type != "call_expression":
            continue
        arguments = call.child_by_field_name("arguments")
        if arguments is not None and arguments.start_byte == position and arguments.type in ("argument_list", "special_argument_list"):
            found.append(call)
    return sorted(found, key=lambda call: (call.start_byte, -call.end_byte))


def _ancestry_of(node: Node) -> Ancestry | None:
    """The parent map of node's tree, made now: the tree is the parsed one that holds node."""
    start, end = node.start_byte, node.end_byte
    for root in reversed(ROOTS):
        if not root.start_byte <= start <= end <= root.end_byte:
            continue
        candidate = root.descendant_for_byte_range(start, end)
        while candidate is not None and candidate.id != node.id and candidate.byte_range == node.byte_range:
            candidate = candidate.parent  # node may be an ancestor with the same bytes
        if candidate is not None and candidate.id == node.id:
            ancestry = Ancestry(root)
            _DEEP.append(ancestry)
            return ancestry
    return None


def field_key(keyed: Node) -> str | None:
    """The field a `keyed_element` of a struct literal sets (`Image` of `Image: x`), or None for a
    key that is no field name (a map's `"k": x`)."""
    first = keyed.named_children[0] if keyed.named_child_count else None
    while first is not None and first.type == "literal_element" and first.named_child_count == 1:
        first = first.named_children[0]
    return text(first) if first is not None and first.type in ("identifier", "field_identifier") else None


def is_literal_key(node: Node) -> bool:
    """Is the identifier the key of a keyed element (`Image` of `Image: x`)?"""
    element = node.parent
    keyed = element.parent if element is not None else None
    return (
        element is not None and element.type == "literal_element"
        and keyed is not None and keyed.type == "keyed_element" and keyed.child_by_field_name("key") == element
    )


_LITERAL_PARTS = ("literal_element", "literal_value", "keyed_element")


def literal_field(value: Node, nested: bool = False) -> tuple[str, int, Node | None] | None:
    """For a value inside a composite literal: (the field its innermost keyed element sets, how
    many keyed elements hold it, the node above: the `composite_literal`, or with nested what
    holds the outermost literal of a nest, `[]T{{Field: value}}`); None when a key is no field name."""
    key: str | None = None
    keyed = 0
    parts = (*_LITERAL_PARTS, "composite_literal") if nested else _LITERAL_PARTS
    current = parent(value)
    while current is not None and current.type in parts:
        if current.type == "keyed_element":
            keyed += 1
            if key is None:
                key = field_key(current)
                if key is None:
                    return None
        current = parent(current)
    return (key, keyed, current) if key is not None else None


def is_inside(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def deferred_after(node: Node, at: Node) -> bool:
    """Does node run only in a closure `defer func() {...}()` that runs after `at`? Such a closure
    runs when the innermost function around the `defer` returns: after every statement of that
    function, so after `at` only when that function holds `at` too (a `defer` in a closure called
    on the spot, `func() { defer ... }()`, runs when that closure returns, before what follows it)."""
    closure = enclosing(node, FUNCTION_TYPES)
    call = parent(closure) if closure is not None and closure.type == "func_literal" else None
    if closure is None or call is None or call.type != "call_expression" or call.child_by_field_name("function") != closure:
        return False
    statement = parent(call)
    if statement is None or statement.type != "defer_statement" or is_inside(at, closure):
        return False
    owner = enclosing(statement, FUNCTION_TYPES)
    return owner is not None and is_inside(at, owner)


def identifiers(node: Node, name: str) -> list[Node]:
    """Every identifier node called `name` under node, in source order.

    The name is found in the node's bytes (a C-speed scan) and each whole-word hit is checked
    against the tree, so only the few matching nodes are ever created.
    """
    key = (node, name)
    found = _IDENTIFIERS.get(key)
    if found is None:
        found = _IDENTIFIERS[key] = _find_identifiers(node, name.encode())
    return found


def holds_bytes(node: Node, word: bytes) -> bool:
    """Do the node's bytes hold word? Asked once per node and word: `node.text` copies the bytes."""
    key = (node, word)
    found = _WORDS.get(key)
    if found is None:
        found = _WORDS[key] = word in (node.text or b"")
    return found


def written_identifiers(node: Node, name: str) -> tuple[list[Node], list[int]]:
    """The identifiers called `name` under node that are written (`is_write`), in source order,
    and their start bytes: found once, so asking for the definition that reaches each of n reads
    does not look at every occurrence n times."""
    key = (node, name)
    found = _WRITES.get(key)
    if found is None:
        written = [i for i in identifiers(node, name) if is_write(i)]
        found = _WRITES[key] = (written, [i.start_byte for i in written])
    return found


def _find_identifiers(node: Node, name: bytes) -> list[Node]:
    base = node.start_byte
    found = []
    for start, end in word_offsets(node.text or b"", (name,)):
        hit = node.descendant_for_byte_range(base + start, base + end)
        if hit is not None and hit.type == "identifier" and hit.start_byte == base + start and hit.end_byte == base + end:
            found.append(hit)
    return found


def string_value(node: Node) -> str | None:
    """The value of a Go string literal node (escapes decoded), or None for other nodes."""
    kind = node.type
    if kind == "raw_string_literal":
        return text(node)[1:-1]
    if kind != "interpreted_string_literal":
        return None
    raw = node.text or b""
    if b"\\" not in raw and len(raw) >= 2 and raw[0] == raw[-1] == 0x22:  # no escape: the text between the quotes
        return raw[1:-1].decode("utf-8", "replace")
    parts = []
    for child in node.named_children:
        piece = text(child)
        if child.type == "escape_sequence":
            piece = _ESCAPES.get(piece, piece[1:])
        parts.append(piece)
    return "".join(parts)


_ESCAPES = {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\\\": "\\", "\\r": "\r", "\\'": "'"}


def assignment_of(expr: Node) -> tuple[Node, int] | None:
    """For an expression on the right of `:=`, `=` or `var`, the statement and its index."""
    parent = expr.parent
    if parent is None or parent.type != "expression_list":
        return None
    statement = parent.parent
    if statement is None:
        return None
    if statement.type in ("short_var_declaration", "assignment_statement"):
        if statement.child_by_field_name("right") != parent:
            return None
    elif statement.type != "var_spec":
        return None
    index = [c.id for c in parent.named_children].index(expr.id)
    return statement, index


def assigned_names(statement: Node) -> list[Node]:
    """Left-hand side expressions of `:=`, `=`, or the names of a var spec."""
    if statement.type == "var_spec":
        return statement.children_by_field_name("name")
    left = statement.child_by_field_name("left")
    return list(left.named_children) if left is not None else []


def declaration_specs(declaration: Node, spec_type: str) -> list[Node]:
    """The specs of a declaration, alone or grouped: `import "x"` and `import ( ... )` alike."""
    specs = [c for c in declaration.named_children if c.type == spec_type]
    for spec_list in declaration.named_children:
        if spec_list.type == spec_type + "_list":
            specs.extend(c for c in spec_list.named_children if c.type == spec_type)
    return specs


def right_values(statement: Node) -> list[Node]:
    """Right-hand side expressions of `:=`, `=`, or the values of a var or const spec."""
    right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
    return right.named_children if right is not None else []


def assigned_value(statement: Node, index: int) -> Node | None:
    """The expression a definition gives its index-th name (`a, b := f()`: f() for a, None for b)."""
    values = right_values(statement)
    return unparen(values[index]) if index < len(values) else None


def is_write(ident: Node) -> bool:
    """True when this identifier occurrence is the target of `=`, `:=` or `var` (not a read)."""
    holder = parent(ident)
    if holder is None:
        return False
    if holder.type == "var_spec":
        return any(n.id == ident.id for n in holder.children_by_field_name("name"))
    if holder.type != "expression_list":
        return False
    statement = parent(holder)
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return False
    if statement.child_by_field_name("left") != holder:
        return False
    operator = statement.child_by_field_name("operator")
    return operator is None or text(operator) in ("=", ":=")


def is_blank_read(ident: Node) -> bool:
    """`_ = name`: the compiler counts it as a use, we do not."""
    parent = ident.parent
    if parent is None or parent.type != "expression_list" or parent.named_child_count != 1:
        return False
    statement = parent.parent
    if statement is None or statement.type != "assignment_statement":
        return False
    left = statement.child_by_field_name("left")
    return (
        statement.child_by_field_name("right") == parent
        and left is not None
        and text(left) == "_"
    )


def return_values(statement: Node) -> list[Node]:
    """The values a `return` statement returns (none for a bare `return`)."""
    for child in statement.named_children:
        if child.type == "expression_list":
            return list(child.named_children)
    return []
