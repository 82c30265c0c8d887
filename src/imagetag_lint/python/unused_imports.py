"""Imports a Python fix leaves unused: a module-level `from x import A` (or `import x`) whose
name the code read before the fix and reads no more (`API_IMAGE`, replaced by the fixture's
value, or read only by a local the fix left unread and removed) is removed; the other names of the same statement stay. Names nothing read before the
fix are left alone: a conftest.py imports fixtures for pytest, which never reads them by name."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ImportAssignment, MetadataWrapper, ScopeProvider

from imagetag_lint.findings import Edit, Fix
from imagetag_lint.fix.edits import apply_edits
from imagetag_lint.python.codemod import edits_between
from imagetag_lint.python.dead_locals import drop_locals_left_unread, joined_lines
from imagetag_lint.python.syntax import Module, string_value

_WORD = re.compile(r"\w+")
_DOTTED = re.compile(r"\w+(?:\.\w+)+")
_DOTTED_BYTE = re.compile(rb"[\w.]")


def fix_dropping_unused(fix: Fix, modules: dict[str, Module], imported: Callable[[Module], Collection[str]]) -> Fix:
    """The fix, with the locals its edits leave unread (`python.dead_locals`) and the imports they
    leave unused removed, and its message saying so. Only a file whose edits replace text that
    names an imported name, or a name the file assigns, is analysed."""
    edits: list[Edit] = []
    dropped: list[str] = []
    locals_dropped: list[str] = []
    for filename in sorted({e.filename for e in fix.edits}):
        mine = [e for e in fix.edits if e.filename == filename]
        module = modules.get(filename)
        names = set(imported(module)) if module is not None else set()
        source = module.file.source if module is not None else b""
        touched = [_touched(source, e).decode("utf-8", "replace") for e in mine]
        replaced = {w for text in touched for w in _WORD.findall(text)}
        assigned = {w for w in replaced if re.search(rf"^[ \t]+{w}[ \t]*(?::[^=\n]*)?=[^=]".encode(), source, re.MULTILINE)}
        dotted = {p for text in touched for chain in _DOTTED.findall(text) for p in _prefixes(chain)}
        if module is None or module.bom or not (names & (replaced | dotted) or assigned):
            edits += mine
            continue
        before, after = source.decode("utf-8"), apply_edits(source, mine).decode("utf-8")
        after, unread = drop_locals_left_unread(before, after) if assigned else (after, [])
        unused = names_left_unused(before, after)
        if not unused and not unread:
            edits += mine
            continue
        edits += edits_between(module.file, drop_imports(after, unused))
        dropped += unused
        locals_dropped += unread
    if not dropped and not locals_dropped:
        return fix
    return Fix(fix.applicability, fix.message + _dropped_words(locals_dropped, dropped), tuple(edits))


def _touched(source: bytes, edit: Edit) -> bytes:
    """The text an edit replaces, widened to whole words and dotted names on a side where the
    word there changes: `api_` put before `image` touches `image`, and a replaced
    `e2e.settings.IMAGE` touches `e2e.settings`; `image = ` put before `build()` leaves `build`
    as it was, and touches nothing."""
    start, end = edit.start_byte, edit.end_byte
    old, new = source[start:end], edit.content.encode("utf-8")
    follows, precedes = source[end : end + 1], source[start - 1 : start]
    # a word at an end changes when the edit takes its next byte, or puts a word byte next to it
    if _in_word(old[:1] or follows) or _in_word(new[:1] or follows):
        while start > 0 and _DOTTED_BYTE.match(source, start - 1):
            start -= 1
    if _in_word(old[-1:] or precedes) or _in_word(new[-1:] or precedes):
        while _DOTTED_BYTE.match(source, end):
            end += 1
    return source[start:end]


def _in_word(byte: bytes) -> bool:
    return _DOTTED_BYTE.fullmatch(byte) is not None


def _prefixes(chain: str) -> list[str]:
    """`a.b` and `a.b.c` of `a.b.c`: the modules `import a.b` or `import a.b.c` may bind."""
    parts = chain.split(".")
    return [".".join(parts[:n]) for n in range(2, len(parts) + 1)]


def _dropped_words(unread: list[str], unused: list[str]) -> str:
    listed = ", ".join(f"`{name}`" for name in unread)
    imports = ", ".join(f"`{name}`" for name in unused)
    local = f"the local {listed}" if len(unread) == 1 else f"the locals {listed}"
    if not unused:
        return f", and drop {local} it leaves unread"
    if not unread:
        return f", and drop the import of {imports} it leaves unused"
    return f", and drop {local} it leaves unread and the import of {imports} left unused"


def names_left_unused(before: str, after: str) -> list[str]:
    """The names module-level imports bind that code of `before` reads and code of `after` does not."""
    read_before, bound_before = _imported_reads(before)
    read_after, bound_after = _imported_reads(after)
    unused = (read_before - read_after) & bound_after & bound_before
    # `import os.path` binds `os` too: kept while code reads `os` other than through an import
    # of its own (`os.getcwd()`; `os.sep.join` after `import os.sep` is that import's)
    heads = {name for name in read_after if "." not in name}
    return sorted(n for n in unused if "." not in n or n.split(".", 1)[0] not in heads)


def drop_unused(before: str, after: str) -> str:
    """`after` without the locals and then the imports it leaves unread that `before` read (the
    fixes of a round together)."""
    after, _ = drop_locals_left_unread(before, after)
    return drop_imports(after, names_left_unused(before, after))


def drop_imports(after: str, names: list[str]) -> str:
    """`after` without the module-level imports of `names` (a statement keeps its other names)."""
    if not names:
        return after
    return cst.parse_module(after).visit(_DropImports(set(names))).code


@lru_cache(maxsize=32)  # every fix of a module asks of the same text before it
def _imported_reads(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the names of module-level imports some code reads, all names module-level imports bind)."""
    wrapper = MetadataWrapper(cst.parse_module(source))
    scopes = wrapper.resolve(ScopeProvider)
    scope = scopes.get(wrapper.module)
    if scope is None:
        return frozenset(), frozenset()
    read, bound = _exported(wrapper.module), set()
    for assignment in scope.assignments:
        if isinstance(assignment, ImportAssignment):
            bound.add(assignment.name)
            if assignment.references:
                read.add(assignment.name)
    return frozenset(read), frozenset(bound)


def _exported(module: cst.Module) -> set[str]:
    """The names a module-level `__all__` list or tuple spells out: read by `import *`."""
    found: set[str] = set()
    for statement in module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            target = small.targets[0].target if isinstance(small, cst.Assign) and len(small.targets) == 1 else None
            if isinstance(target, cst.Name) and target.value == "__all__" and isinstance(small, cst.Assign):
                values = small.value.elements if isinstance(small.value, (cst.List, cst.Tuple)) else ()
                found |= {t for e in values if (t := string_value(e.value))}
    return found


def _bound_name(alias: cst.ImportAlias) -> str | None:
    """The name an alias binds: `x` of `import a as x`, `a.b` of `import a.b` (as scopes name it)."""
    if alias.asname is not None:
        name = alias.asname.name
        return name.value if isinstance(name, cst.Name) else None
    return get_full_name_for_node(alias.name)


class _DropImports(cst.CSTTransformer):
    """Removes the aliases of `names` from the module's own import statements (not nested ones);
    a statement left with no name goes, and the comments above it stay, as do the blank lines
    around it, as many as the longer of the runs above and below it (an import group that goes
    leaves one gap, not two)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def visit_Module(self, node: cst.Module) -> bool:
        return False  # only the module's own statements, rewritten in leave_Module

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body: list[cst.BaseStatement] = []
        carried: tuple[cst.EmptyLine, ...] = ()
        for statement in updated_node.body:
            if isinstance(statement, cst.SimpleStatementLine):
                kept = [s for small in statement.body if (s := self._kept(small)) is not None]
                if not kept:
                    carried += tuple(statement.leading_lines)
                    continue
                if len(kept) < len(statement.body):
                    kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=kept)
            if carried:
                statement = statement.with_changes(leading_lines=joined_lines(carried, statement.leading_lines))
                carried = ()
            body.append(statement)
        return updated_node.with_changes(body=body, footer=joined_lines(carried, updated_node.footer))

    def _kept(self, small: cst.BaseSmallStatement) -> cst.BaseSmallStatement | None:
        if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
            return small
        names = list(small.names)
        kept = [a for a in names if _bound_name(a) not in self.names]
        if len(kept) == len(names):
            return small
        if not kept:
            return None
        kept[-1] = kept[-1].with_changes(comma=names[-1].comma)  # a parenthesized list's last comma
        return small.with_changes(names=kept)
