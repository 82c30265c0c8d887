"""What a Python module's imports bind, and which linted file an imported module is, by the
rules of Python's import system as pytest sets it up.

A name is bound by `import a.b` (to the package `a`; the dotted `a.b` is kept too, for reads of
`a.b.NAME`), `import a.b as m` (to `a.b`), `from a import f`
(to `f` of `a`, or the submodule `a.f`) and their relative forms (`from . import helpers`,
`from ..util import deploy`). An absolute module is looked for under the first directory above the
importing file that is not a package (no `__init__.py`: the directory pytest puts on `sys.path`),
then under the root of the run.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator

import libcst as cst

from imagetag_lint.python.syntax import Module, dotted
from imagetag_lint.python.syspath import SysPath
from imagetag_lint.record import record

INIT = "__init__.py"


@record(frozen=True)
class Binding:
    """A name an import binds: the module it names (dotted, `level` dots before it), and the name
    taken from that module (`from module import name`), or "" when the name is the module."""

    module: str
    level: int = 0
    name: str = ""


def bindings(module: Module) -> dict[str, Binding]:
    """The names the module's imports bind (imports inside functions count too: the rules read
    calls anywhere in the file)."""
    found: dict[str, Binding] = {}
    for node in _import_statements(module):
        if isinstance(node, cst.Import):
            for alias in node.names:
                name = dotted(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    found[alias.asname.name.value] = Binding(name)
                elif name:
                    head = name.split(".", 1)[0]
                    found[head] = Binding(head)
                    if name != head:  # `e2e.settings.IMAGE` reads the submodule by its dotted name
                        found[name] = Binding(name)
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            source = dotted(node.module) if node.module is not None else ""
            for alias in node.names:
                name = dotted(alias.name)
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name) and name:
                    found[bound.value] = Binding(source, len(node.relative), name)
    return found


def star_sources(module: Module) -> list[Binding]:
    """The modules `from m import *` statements read (`module` and `level` set, `name` "")."""
    return [Binding(dotted(n.module) if n.module is not None else "", len(n.relative))
            for n in _import_statements(module)
            if isinstance(n, cst.ImportFrom) and isinstance(n.names, cst.ImportStar)]


def _import_statements(module: Module) -> list[cst.CSTNode]:
    # by exact type: libcst's classes are ABCs, and an isinstance per node of the file is slow
    return [n for n in module.nodes if type(n) is cst.Import or type(n) is cst.ImportFrom]


def module_file(importer: str, name: str, level: int, known: Collection[str], sys_path: SysPath | None = None) -> str | None:
    """The linted file (display name) that `name` imported from `importer` is, or None (a module
    of the standard library, an installed package, or a file the run did not read). `sys_path`
    holds the directories conftest.py files add (looked in after the importer's own root)."""
    for base in _search_roots(importer, level, known, sys_path):
        path = posixpath.join(base, *name.split(".")) if name else base
        for candidate in (path + ".py", posixpath.join(path, INIT)):
            candidate = posixpath.normpath(candidate)
            if candidate in known:
                return candidate
    return None


def _search_roots(importer: str, level: int, known: Collection[str], sys_path: SysPath | None) -> Iterator[str]:
    directory = posixpath.dirname(importer)
    if level:
        for _ in range(level - 1):
            if not directory:
                return
            directory = posixpath.dirname(directory)
        yield directory or "."
        return
    while directory and posixpath.join(directory, INIT) in known:
        directory = posixpath.dirname(directory)  # inside a package: pytest inserts the first non-package
    yield directory or "."
    if sys_path:
        yield from sys_path.roots(importer)
    if directory:
        yield "."
