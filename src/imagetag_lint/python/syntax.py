"""The one place that knows libcst: parsing a module and the few node questions the rules ask.

One metadata provider runs (byte spans); scope and qualified-name analysis cost several times
the parse, and the rules do not need them.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import tokenize
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, CodeSpan, MetadataWrapper

from imagetag_lint.python.source import PythonFile

BOM = b"\xef\xbb\xbf"


class ParseError(ValueError):
    """The file is not Python libcst can read."""


class Module:
    """A parsed Python file: the tree, byte spans and parents of every node, and the nodes
    the rules look at, in source order."""

    def __init__(self, file: PythonFile) -> None:
        self.file = file
        # libcst drops a byte order mark, so its byte offsets start after it
        self.bom = len(BOM) if file.source.startswith(BOM) else 0
        rejected = check_readable(file)
        try:
            self.tree = cst.parse_module(file.source[self.bom :])
            self._index()
        except cst.ParserSyntaxError as error:
            if rejected is not None:
                raise rejected from None  # Python's account of the error: where it is, in its words
            # Python compiled it: libcst's grammar is the one that falls short
            raise ParseError(f"libcst cannot read it: {error.raw_line}:{error.raw_column + 1}: {error.message}") from None
        except RecursionError:  # libcst's visitors recurse
            raise ParseError("nested too deeply for libcst to read") from None

    def _index(self) -> None:
        # byte spans come from libcst's metadata; parents and owning functions from one walk of
        # our own over the nodes' fields (libcst's `children` and ParentNodeProvider run a
        # visitor per node and cost several times the parse)
        self._spans: Mapping[cst.CSTNode, CodeSpan] = _byte_spans(self.tree)
        self._parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._functions: dict[cst.CSTNode, cst.FunctionDef | None] = {}
        stack: list[tuple[cst.CSTNode, cst.FunctionDef | None]] = [(self.tree, None)]
        while stack:
            node, function = stack.pop()
            self._functions[node] = function
            inner = node if isinstance(node, cst.FunctionDef) else function
            for child in _children(node):
                self._parents[child] = node
                stack.append((child, inner))
        spans = self._spans
        # libcst leaves out a form feed in a statement's indentation: its offsets then run short
        # of the file's after it, by the bytes it left out (code offsets, in order)
        size = len(self.file.source) - self.bom
        self._dropped = [] if spans[self.tree].length == size else _dropped(self.file.source[self.bom :], self.tree)
        self.nodes: list[cst.CSTNode] = sorted(  # in source order, outer before inner
            (n for n in self._functions if n in spans), key=lambda n: (spans[n].start, -spans[n].length)
        )

    # -- positions ------------------------------------------------------------------------

    def start(self, node: cst.CSTNode) -> int:
        start = int(self._spans[node].start)
        return self.bom + start + (bisect_right(self._dropped, start) if self._dropped else 0)

    def end(self, node: cst.CSTNode) -> int:
        span = self._spans[node]
        end = int(span.start + span.length)
        return self.bom + end + (bisect_left(self._dropped, end) if self._dropped else 0)

    @property
    def round_trips(self) -> bool:
        """Is libcst's text of the tree the file's? (A fix that prints the whole tree would
        otherwise delete what libcst left out.)"""
        return not self._dropped

    def code(self, node: cst.CSTNode) -> str:
        return self.file.source[self.start(node) : self.end(node)].decode("utf-8", "replace")

    def line(self, node: cst.CSTNode) -> int:
        return self.file.position(self.start(node)).row

    # -- structure ------------------------------------------------------------------------

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self._parents.get(node)
        while parent is not None:
            yield parent
            parent = self._parents.get(parent)

    def function_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        """The innermost function whose body holds the node (lambdas do not count)."""
        return self._functions.get(node)

    def in_decorator(self, node: cst.CSTNode) -> bool:
        """Is the node part of a decorator (a `parametrize` mark's row)? The function's own
        names are not bound there."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.Decorator):
                return True
            if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return False
        return False

    def inside(self, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
        return self.start(outer) <= self.start(node) and self.end(node) <= self.end(outer)


MAX_DEPTH = 250  # syntax tree depth; libcst's parser and visitors recurse, and fail past about 400
# levels (a RecursionError, or a crash of its native parser), taking seconds to get there


def check_readable(file: PythonFile) -> ParseError | None:
    """Reject, before libcst sees it, what Python does not compile and what is nested too deeply
    for libcst: Python's own parser is a small part of libcst's cost and never crashes on such
    input (it has limits of its own: 200 nested brackets, its recursion limit). A syntax error
    in a file whose tokens are tame is returned, not raised: it may be syntax newer than the
    Python that runs the linter (`def build[T]()` under 3.11), which libcst reads."""
    try:
        tree = compile(file.source, file.filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:  # IndentationError and TabError too
        where = f"{error.lineno}:{error.offset}: " if error.lineno and error.offset else ""
        rejected = ParseError(f"not valid Python: {where}{error.msg}")
        if not _tame(file.source):
            raise rejected from None
        return rejected
    except (RecursionError, MemoryError):
        raise ParseError("not valid Python: nested too deeply for Python's parser") from None
    except ValueError as error:  # a null byte
        raise ParseError(f"not valid Python: {error}") from None
    if _deeper_than(tree, MAX_DEPTH):
        raise ParseError(f"nested more than {MAX_DEPTH} levels deep, too deeply for libcst to read")
    return None


MAX_BRACKETS = 100  # nested brackets in a file libcst reads without Python's parse
MAX_OPERATORS = 200  # operators in one statement, likewise (each may nest an expression in libcst)
_DELIMITERS = frozenset({",", ":", ";", ".", "=", "->", "..."})
_WORD_OPERATORS = frozenset({"and", "or", "not", "if", "else", "lambda", "await"})


def _tame(source: bytes) -> bool:
    """Are the file's tokens shallow enough for libcst, with no tree of Python's to measure
    (a statement of thousands of operators, or brackets nested past Python's own limit, crash
    libcst's native parser)? Only files Python does not parse are tokenized."""
    depth = operators = 0
    try:
        for token in tokenize.tokenize(io.BytesIO(source).readline):
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth -= 1
                elif token.string not in _DELIMITERS:
                    operators += 1
            elif token.type == tokenize.NAME and token.string in _WORD_OPERATORS:
                operators += 1
            elif token.type == tokenize.NEWLINE:
                operators = 0
            if depth > MAX_BRACKETS or operators > MAX_OPERATORS:
                return False
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _deeper_than(tree: ast.AST, limit: int) -> bool:
    """Is the tree deeper than the limit, as libcst nests it? (Python's tree keeps
    `a and b and c` flat; libcst nests one operation in the next.)"""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        below = depth + (len(node.values) - 1 if isinstance(node, ast.BoolOp) else 1)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append((value, below))
            elif isinstance(value, list):
                stack.extend((item, below) for item in value if isinstance(item, ast.AST))
    return False


def _dropped(source: bytes, tree: cst.Module) -> list[int]:
    """The offsets in libcst's text of the bytes of the file it left out (form feeds and other
    whitespace), found by walking both texts."""
    if tree.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        # positions and edits are in the UTF-8 bytes; libcst decoded them as the file declares
        raise ParseError(f"libcst cannot read it: it decodes the file as its coding line says ({tree.encoding}), not as UTF-8")
    code = tree.code.encode("utf-8")
    dropped, at = [], 0
    for byte in source:
        if at < len(code) and code[at] == byte:
            at += 1
        elif byte in b"\f\v \t":
            dropped.append(at)
        else:
            raise ParseError("libcst cannot read it: the text it parsed differs from the file's bytes")
    if at != len(code):
        raise ParseError("libcst cannot read it: the text it parsed differs from the file's bytes")
    return dropped


def _byte_spans(tree: cst.Module) -> Mapping[cst.CSTNode, CodeSpan]:
    """Byte spans of every node. `MetadataWrapper.resolve` also walks the whole tree once more
    with no visitor (its batched pass), which costs as much as the spans: the provider runs
    alone when libcst's internals are the ones this was written against."""
    provider = ByteSpanPositionProvider()
    generate, computed = getattr(provider, "_gen_impl", None), getattr(provider, "_computed", None)
    if generate is None or not isinstance(computed, dict):
        return MetadataWrapper(tree, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
    generate(tree)
    return computed


_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node's child nodes, read from its dataclass fields."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    for name in names:
        value = getattr(node, name)
        kind = _KINDS.get(type(value))
        if kind is None:
            kind = _KINDS[type(value)] = _kind(type(value))
        if kind == _NODE:
            yield value
        elif kind == _SEQUENCE:
            yield from (item for item in value if _is_node(item))


_NODE, _SEQUENCE, _OTHER = 1, 2, 0
_KINDS: dict[type, int] = {}  # a field value's type -> node, sequence or other: libcst's node
# classes are ABCs, and isinstance against an ABC is a slow check on every call


def _kind(kind: type) -> int:
    if issubclass(kind, cst.CSTNode):
        return _NODE
    return _SEQUENCE if issubclass(kind, (list, tuple)) else _OTHER


def _is_node(value: object) -> bool:
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = _KINDS[type(value)] = _kind(type(value))
    return kind == _NODE


def parses(source: bytes) -> bool:
    """Does libcst read the text, and does Python compile it (a fix must leave both true)?"""
    try:
        cst.parse_module(source)
        compile(source, "<fixed>", "exec", dont_inherit=True)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        return False
    return True


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` for names and attribute chains, '' for anything else."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return ""
    parts.append(node.value)
    return ".".join(reversed(parts))


def callee_name(call: cst.Call) -> str:
    """The last name of what is called: `run` for `subprocess.run(...)`, '' for `f()()`."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def string_value(node: cst.BaseExpression) -> str | None:
    """The text of a plain (non-f, non-bytes) string literal or implicit concatenation."""
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):  # "a" "b" "c": walked without recursion
        parts: list[str] = []
        stack: list[cst.BaseExpression] = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, cst.ConcatenatedString):
                stack += [item.right, item.left]
                continue
            text = string_value(item)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    return None


def fixture_name(function: cst.FunctionDef) -> str | None:
    """The name tests request a pytest fixture by (`name=` in the decorator wins), or None."""
    for decorator in function.decorators:
        target = decorator.decorator
        call = target if isinstance(target, cst.Call) else None
        name = dotted(call.func if call is not None else target)
        if name in ("pytest.fixture", "fixture", "pytest_asyncio.fixture"):
            renamed = keyword(call, "name") if call is not None else None
            text = string_value(renamed) if renamed is not None else None
            return text or function.name.value
    return None


def fixture_scope(function: cst.FunctionDef) -> str:
    """The scope a pytest fixture's decorator names (`scope="session"`); "function" by default or
    when it is not a literal."""
    for decorator in function.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and dotted(call.func) in ("pytest.fixture", "fixture", "pytest_asyncio.fixture"):
            scope = keyword(call, "scope")
            return (string_value(scope) if scope is not None else None) or "function"
    return "function"


def used_fixtures(marks: Sequence[cst.BaseExpression]) -> list[tuple[str, cst.SimpleString]]:
    """The fixtures `pytest.mark.usefixtures("a", "b")` among these marks requests (a function's
    or a class's decorators, a module's `pytestmark`): pytest runs them before the test, which
    cannot read their values."""
    found = []
    for call in marks:
        if isinstance(call, cst.Call) and dotted(call.func) in ("pytest.mark.usefixtures", "mark.usefixtures"):
            for node in positional(call):
                text = string_value(node)
                if text and isinstance(node, cst.SimpleString):
                    found.append((text, node))
    return found


def inherited_marks(module: Module, function: cst.FunctionDef, pytestmark: list[cst.BaseExpression]) -> list[cst.BaseExpression]:
    """The marks a function gets from the classes around it and the module's `pytestmark`."""
    marks = []
    for ancestor in module.ancestors(function):
        if isinstance(ancestor, cst.ClassDef):
            marks += [d.decorator for d in ancestor.decorators]
    return marks + pytestmark


def module_marks(module: Module) -> list[cst.BaseExpression]:
    """`pytestmark = mark` or `pytestmark = [mark, ...]` at the top of a module."""
    for statement in module.tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == "pytestmark"):
                value = small.value
                if isinstance(value, (cst.List, cst.Tuple)):
                    return [e.value for e in value.elements]
                return [value]
    return []


def parameter_names(function: cst.FunctionDef) -> list[str]:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    return [p.name.value for p in every]
