"""The directories a suite adds to `sys.path` itself, so that its imports find helper modules
there: a conftest.py's `sys.path.insert(0, str(Path(__file__).parent / "lib"))` or
`sys.path.append(os.path.join(os.path.dirname(__file__), ".."))`.

pytest imports a conftest.py before the test modules of its directory and below, so what it adds
holds for them (and for its own imports after the line); what any other module adds holds for
itself. Only paths written from `__file__` are followed: `Path(__file__)`, `.parent`,
`.parents[n]`, `/ "lib"`, `.joinpath(...)`, `.resolve()`, `str(...)`, `os.path.dirname`,
`os.path.join`, `os.path.abspath`, also through a module-level name assigned once
(`HERE = Path(__file__).parent`). A path computed otherwise (from the working directory, the
environment, a loop) is not known, and its imports fall back to the name.

Read with Python's own parser, and only in files whose bytes say `sys.path`; no libcst.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable

from imagetag_lint.python.reach import CONFTEST, pytest_collects

MARK = b"sys.path"
_SAME = {"resolve", "absolute", "expanduser"}  # Path methods that keep the place
_SAME_CALLS = {"str", "os.fspath", "fspath", "os.path.abspath", "os.path.realpath", "os.path.normpath",
               "abspath", "realpath", "normpath", "Path", "pathlib.Path", "PurePath", "pathlib.PurePath"}
_DIRNAME = {"os.path.dirname", "dirname"}
_JOIN = {"os.path.join", "join"}
_ADDERS = {"insert": 1, "append": 0}  # the argument that is the directory


def adds_to_sys_path(path: str, source: bytes) -> bool:
    """May the file add a directory that holds for its imports: a conftest.py or a test module
    that says `sys.path`?"""
    if MARK not in source:  # the bytes first: a whole tree's names cost more than this search
        return False
    return posixpath.basename(path) == CONFTEST or pytest_collects(path)


def added_directories(source: bytes) -> list[str]:
    """The directories, relative to the file's own (posix, `..` allowed), that the module adds
    to `sys.path` in the forms above, in the order it adds them."""
    if MARK not in source:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names = _module_names(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        index = _ADDERS.get(node.func.attr)
        if index is None or _dotted(node.func.value) != "sys.path" or len(node.args) != index + 1:
            continue
        place = _place(node.args[index], names, 0)
        if place is not None and place != _FILE:
            found.append(place)
    return found


_FILE = "\0file"  # `__file__` itself, before a `.parent` or `dirname` makes it a directory


def _place(node: ast.expr, names: dict[str, ast.expr], depth: int) -> str | None:
    """The path an expression names, relative to the file's directory; None when it is not one
    of the forms followed."""
    if depth > 16:
        return None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return _FILE
        value = names.get(node.id)
        return _place(value, names, depth + 1) if value is not None else None
    if isinstance(node, ast.Attribute):
        if node.attr == "parent":
            return _up(_place(node.value, names, depth + 1), 1)
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int) and not isinstance(index.value, bool) and index.value >= 0:
            return _up(_place(node.value.value, names, depth + 1), index.value + 1)
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join(_place(node.left, names, depth + 1), [node.right])
    if isinstance(node, ast.Call):
        return _call_place(node, names, depth)
    return None


def _call_place(node: ast.Call, names: dict[str, ast.expr], depth: int) -> str | None:
    if node.keywords:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _SAME and not node.args:
        return _place(func.value, names, depth + 1)
    if isinstance(func, ast.Attribute) and func.attr == "joinpath":
        return _join(_place(func.value, names, depth + 1), node.args)
    called = _dotted(func)
    if called in _SAME_CALLS and len(node.args) == 1:
        return _place(node.args[0], names, depth + 1)
    if called in _DIRNAME and len(node.args) == 1:
        return _up(_place(node.args[0], names, depth + 1), 1)
    if called in _JOIN and node.args:
        return _join(_place(node.args[0], names, depth + 1), node.args[1:])
    return None


def _up(place: str | None, levels: int) -> str | None:
    if place is None:
        return None
    path = "." if place == _FILE else place  # the file's parent is its directory
    for _ in range(levels - (1 if place == _FILE else 0)):
        path = posixpath.normpath(posixpath.join(path, ".."))
    return path


def _join(place: str | None, parts: list[ast.expr]) -> str | None:
    if place is None or place == _FILE:
        return None  # a path under the file itself is no directory
    texts = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    if len(texts) != len(parts) or any(t.startswith("/") or "\\" in t for t in texts):
        return None
    return posixpath.normpath(posixpath.join(place, *texts))


def _module_names(tree: ast.Module) -> dict[str, ast.expr]:
    """Names the module assigns once, at its top level (`HERE = Path(__file__).parent`)."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for statement in ast.walk(tree):
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        counts[name.id] = counts.get(name.id, 0) + 1
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            values[statement.targets[0].id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value is not None:
            values[statement.target.id] = statement.value
    return {name: value for name, value in values.items() if counts.get(name) == 1}


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


class SysPath:
    """The directories the files of a run add to `sys.path`, by where they hold: a conftest.py's
    for every module in its directory and below, any module's for itself, and those of pytest's
    `pythonpath` setting (`python.pytest_config`) for every module, after those. Paths are the
    run's own: display names under the root "" or absolute ones under an absolute root; a
    directory outside the root is left out."""

    def __init__(self, files: Iterable[tuple[str, bytes]], root: str = "", pythonpath: Iterable[str] = ()) -> None:
        self.root = root
        self._own: dict[str, tuple[str, ...]] = {}
        self._below: dict[str, tuple[str, ...]] = {}
        self._everywhere = tuple(d for d in pythonpath if self._inside(d))
        for path, source in files:
            if MARK not in source:
                continue
            directory = posixpath.dirname(path)
            added = tuple(d for d in (posixpath.normpath(posixpath.join(directory, r)) for r in added_directories(source))
                          if self._inside(d))
            if added:
                self._own[path] = added
                if posixpath.basename(path) == CONFTEST:
                    self._below[directory] = added

    def __bool__(self) -> bool:
        return bool(self._own or self._everywhere)

    def _inside(self, path: str) -> bool:
        if not self.root:
            return path != ".." and not path.startswith("../") and not path.startswith("/")
        return path == self.root or path.startswith(self.root.rstrip("/") + "/")

    def roots(self, importer: str) -> list[str]:
        """The directories added for this module, nearest first, then pytest's `pythonpath`."""
        if not self._own:
            return list(self._everywhere)
        found = list(self._own.get(importer, ()))
        directory = posixpath.dirname(importer)
        while self._below:
            found += [d for d in self._below.get(directory, ()) if d not in found]
            parent = posixpath.dirname(directory)
            if parent == directory or not directory:
                break
            directory = parent
        return found + [d for d in self._everywhere if d not in found]
