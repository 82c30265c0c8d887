"""The local modules a linted Python file imports, found on disk without parsing (no libcst):
a pre-commit run names only the changed files, and a test's builder or deploy helper often lives
in another directory (`from e2e.lib.images import build_app`, `from ..helpers import deploy`).

Import statements are read with a regular expression over the bytes (a statement split over
lines in parentheses gives all its names, comments left out); where a module is looked for follows
`imports.module_file`: the first directory above the importer that is not a package, then the
working directory, and the importer's package for relative imports; the directories a
conftest.py adds to `sys.path` (`syspath.SysPath`) come after the first.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from imagetag_lint.reads import is_file, listed

if TYPE_CHECKING:
    from imagetag_lint.python.syspath import SysPath

INIT = "__init__.py"
CONFTEST = "conftest.py"
ROUNDS = 2  # the modules the linted files import, and the modules those import

_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)?|[^\n#]*)|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_COMMENT = re.compile(rb"#[^\n]*")
_PLUGINS = re.compile(rb"^pytest_plugins[ \t]*(?::[^=\n]*)?=[ \t]*(\([^)]*\)|\[[^\]]*\]|[^\n]*)", re.MULTILINE)
_QUOTED = re.compile(rb"[\"']([\w.]+)[\"']")


def imported_modules(source: bytes) -> Iterator[tuple[int, str]]:
    """(level, dotted name) of every module an import statement may load: `from a import b`
    gives `a` and `a.b` (b may be a submodule); and the modules `pytest_plugins` names."""
    if b"pytest_plugins" in source:
        for match in _PLUGINS.finditer(source):
            for name in _QUOTED.findall(match.group(1)):
                if _dotted(name.decode("ascii", "ignore")):
                    yield 0, name.decode("ascii")
    if b"import" not in source:
        return
    for match in _IMPORT.finditer(source):
        if match.group(4) is not None:
            for part in match.group(4).split(b","):
                name = part.split(b" as ")[0].strip().decode("ascii", "ignore")
                if _dotted(name):
                    yield 0, name
            continue
        level, module = len(match.group(1)), match.group(2).decode("ascii", "ignore")
        if module and not _dotted(module):
            continue
        yield level, module
        for part in _COMMENT.sub(b"", match.group(3)).split(b","):
            name = part.split(b" as ")[0].strip(b" \t\r\n()\\").decode("ascii", "ignore")
            if name.isidentifier():
                yield level, f"{module}.{name}" if module else name


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


class ModuleFinder:
    """Finds the files an import may be, within `root`, with the directory listings and package
    tests of one run cached (a whole-tree run asks about the same few directories for every file,
    and most imports name the standard library, which a listing rules out without a stat)."""

    def __init__(self, root: str, sys_path: SysPath | None = None) -> None:
        self.root = root
        self.sys_path = sys_path  # the directories conftest.py files add (absolute paths)
        self._entries: dict[str, frozenset[str]] = {}
        self._bases: dict[str, str] = {}

    def paths(self, importer: str, level: int, name: str) -> Iterator[str]:
        """The file (absolute) the import is, nearest root first, with the `__init__.py` files of
        the packages on the way, which decide where imports look; nothing when it is not local."""
        head = name.split(".", 1)[0]
        for base in self._roots(importer, level):
            if head and head not in self._listing(base) and head + ".py" not in self._listing(base):
                continue
            path = os.path.join(base, *name.split(".")) if name else base
            for candidate in (path + ".py", os.path.join(path, INIT)):
                if is_file(candidate):
                    yield candidate
                    yield from _package_inits(base, os.path.dirname(candidate))
                    return

    def _listing(self, directory: str) -> frozenset[str]:
        if directory not in self._entries:
            # logged for the cache: a module that appears here may be the one an import means
            self._entries[directory] = frozenset(name.rstrip("/") for name in listed(directory))
        return self._entries[directory]

    def _roots(self, importer: str, level: int) -> Iterator[str]:
        directory = os.path.dirname(importer)
        if level:
            for _ in range(level - 1):
                directory = os.path.dirname(directory)
            if _inside(directory, self.root):
                yield directory
            return
        if directory not in self._bases:
            base = directory
            while INIT in self._listing(base) and _inside(os.path.dirname(base), self.root):
                base = os.path.dirname(base)
            self._bases[directory] = base
        yield self._bases[directory]
        if self.sys_path:  # each listed (and logged for the cache) when an import looks there
            yield from self.sys_path.roots(importer)
        if self._bases[directory] != self.root:
            yield self.root


def _package_inits(base: str, directory: str) -> Iterator[str]:
    while _inside(directory, base) and directory != base:
        candidate = os.path.join(directory, INIT)
        if is_file(candidate):
            yield candidate
        directory = os.path.dirname(directory)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(os.path.join(root, ""))


def display_name(path: str, importer_path: str, importer_display: str) -> str | None:
    """The display name of an imported file, relative to the importer's (None above the run)."""
    relative = os.path.relpath(path, os.path.dirname(importer_path)).replace(os.sep, "/")
    shown = posixpath.normpath(posixpath.join(posixpath.dirname(importer_display), relative))
    return None if shown.startswith("../") or shown == ".." else shown


def pytest_collects(filename: str) -> bool:
    """Is the file a test module by pytest's default `python_files` (`test_*.py`, `*_test.py`)?"""
    name = posixpath.basename(filename)
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))
