"""Import cleanup: an import the edits leave unused is removed (Go refuses to compile it).

Twice: for one fix as it is planned (`unused_import_edits`, so the fix shown and written alone
builds), and for the text of a file after every fix of a round (`drop_imports_left_unused`):
two fixes that each replace one of two uses of a package leave it unused only together.
"""

from __future__ import annotations

import re

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Edit
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, captures, parse, parse_for_check, text
from imagetag_lint.golang.syntax import is_literal_key

_QUALIFIERS = "[(selector_expression operand: (identifier) @q) (qualified_type package: (package_identifier) @q)]"
_BARE = "[(identifier) @name (type_identifier) @name]"
_EXPORTED_WORD = re.compile(rb"(?<![\w.])[A-Z]\w*")
_DECLARATIONS = ("type_declaration", "var_declaration", "const_declaration")


class ImportUnclear(Exception):
    """The edits may remove the last use of a dot import whose names the run cannot see."""


def unused_import_edits(index: ImageFlowIndex, edits: list[Edit]) -> list[Edit]:
    files = {f.filename: f for f in index.project.files()}
    removals: list[Edit] = []
    for filename in sorted({e.filename for e in edits}):
        file = files.get(filename)
        if file is None:
            continue
        mine = [e for e in edits if e.filename == filename]
        specs = _file_import_specs(index, file)
        named = [s for s in specs if _import_name(s) not in (".", "_")]
        dotted = [s for s in specs if _import_name(s) == "."]
        removes_qualifier = any(_removes_word(file, mine, _import_name(s)) for s in named)
        if not removes_qualifier and not (dotted and any(removes_exported_name(file.source, e) for e in mine)):
            continue  # no edit removes a package's name: the costly check (a parse of the file) is moot
        after = parse(E.apply_edits(file.source, mine)).root_node
        unused = _left_unused(file.tree.root_node, after, named) + _dot_imports_left_unused(index, file, dotted, after)
        removals.extend(E.edit(file, start, end, new.decode()) for start, end, new in _without(file.source, unused))
    return removals


def drop_imports_left_unused(before: Node, after: bytes, after_root: Node | None = None) -> bytes:
    """after without the imports that the code before (its tree's root) used as qualifiers and
    after (its root, when parsed already) no longer uses: the edits of several fixes took their
    last uses."""
    root = after_root if after_root is not None else parse_for_check(after).root_node
    specs = [s for s in _import_specs(root) if _import_name(s) not in (".", "_")]
    for start, end, new in reversed(_without(after, _left_unused(before, root, specs))):
        after = after[:start] + new + after[end:]
    return after


def _left_unused(before: Node, after: Node, specs: list[Node]) -> list[Node]:
    """The specs (named or aliased imports) whose name before used as a qualifier and after does not."""
    lost = _qualifiers(before) - _qualifiers(after)
    return [spec for spec in specs if _import_name(spec) in lost]


def _dot_imports_left_unused(index: ImageFlowIndex, file: SourceFile, dotted: list[Node], after: Node) -> list[Node]:
    """A dot import's names are bare (`API`, not `images.API`): the edits took its last use when
    a name they remove is declared in its package and no name of that package is left. When a
    name they remove is declared neither in the file's package nor in a dot-imported package the
    run can see (one outside the module), the run cannot tell, and the fix is by hand."""
    if not dotted:
        return []
    left = _bare_exported(after)
    lost = {n for n in _bare_exported(file.tree.root_node) - left if not _declares(index, file.directory, n, file.package)}
    unused, unknown = [], []
    for spec in dotted if lost else []:
        directory = _directory(index, file, spec)
        if directory is None:
            unknown.append(spec)
            continue
        theirs = {name for name in lost if _declares(index, directory, name)}
        lost -= theirs
        if theirs and not any(_declares(index, directory, name) for name in sorted(left)):
            unused.append(spec)
    if lost and unknown:
        raise ImportUnclear(
            f"{file.filename} imports {_import_path(unknown[0])} with a dot and the fix removes `{min(lost)}`, which "
            "may be its last use; make the four steps by hand, and remove the import if Go says it is not used"
        )
    return unused


def _directory(index: ImageFlowIndex, file: SourceFile, spec: Node) -> str | None:
    loader = index.project.loader
    return loader.directory_for_import(_import_path(spec), file.directory) if loader is not None else None


def _declares(index: ImageFlowIndex, directory: str, name: str, package: str | None = None) -> bool:
    """Does the package in directory (the one named package, else the one that is not a test
    package) declare name at its top level? Its files that mention the name are loaded to tell."""
    key = (f"declares {name} in {package or ''} at {directory}", 0)
    found = index.cache.get(key)
    if found is None:
        index.project.load_mentioning(directory, name)
        found = index.cache[key] = any(
            name in _top_level_declared(member.tree.root_node)
            for member in index.project.files_in(directory)
            if member.package == package or (package is None and not member.package.endswith("_test"))
        )  # fmt: skip
    return bool(found)


def _top_level_declared(root: Node) -> set[str]:
    found: set[str] = set()
    for node in root.named_children:
        if node.type == "function_declaration":
            name = node.child_by_field_name("name")
            found.update([text(name)] if name is not None else [])
        if node.type not in _DECLARATIONS:
            continue
        specs = list(node.named_children)
        specs.extend(c for s in list(specs) if s.type.endswith("_spec_list") for c in s.named_children)
        for spec in specs:
            found.update(text(name) for name in spec.children_by_field_name("name"))
    return found


def _bare_exported(root: Node) -> set[str]:
    """Exported names the code reads bare (not a composite literal's keys, which name fields)."""
    return {
        text(node) for node in captures(_BARE, root).get("name", [])
        if text(node)[:1].isupper() and not is_literal_key(node) and (node.parent is None or node.parent.type != "qualified_type")
    }  # fmt: skip


def _file_import_specs(index: ImageFlowIndex, file: SourceFile) -> list[Node]:
    return index.per_file("import-specs", file, lambda: _import_specs(file.tree.root_node))


def _removes_word(file: SourceFile, edits: list[Edit], name: str) -> bool:
    word = name.encode()
    return bool(word) and any(word_offsets(file.source[e.start_byte : e.end_byte], (word,)) for e in edits)


def removes_exported_name(source: bytes, edit: Edit) -> bool:
    """Does the edit replace text holding an exported name that is not a selector's field?"""
    return _EXPORTED_WORD.search(source[edit.start_byte : edit.end_byte]) is not None


def _qualifiers(root: Node) -> set[str]:
    return {text(n) for n in captures(_QUALIFIERS, root).get("q", [])}


def _import_specs(root: Node) -> list[Node]:
    return captures("(import_spec) @spec", root).get("spec", [])


def _import_path(spec: Node) -> str:
    path = spec.child_by_field_name("path")
    return text(path).strip('"`') if path is not None else ""


def _import_name(spec: Node) -> str:
    alias = spec.child_by_field_name("name")
    if alias is not None:
        return text(alias)
    return _import_path(spec).rsplit("/", 1)[-1]


def _without(source: bytes, specs: list[Node]) -> list[tuple[int, int, bytes]]:
    """Replacements (start, end, new text; in order) of the import declarations that hold the
    specs, without their lines, left as gofmt leaves them: no blank line after `import (`, before
    `)` or after another, and no declaration at all when no spec is left."""
    declarations: dict[int, tuple[Node, list[Node]]] = {}
    for spec in specs:
        declaration = spec.parent.parent if spec.parent is not None and spec.parent.type == "import_spec_list" else spec.parent
        if declaration is not None:
            declarations.setdefault(declaration.start_byte, (declaration, []))[1].append(spec)
    replacements = []
    for _, (declaration, gone) in sorted(declarations.items()):
        start, end = _lines(source, declaration.start_byte, declaration.end_byte)
        left = [s for s in _import_specs(declaration) if all(s.start_byte != g.start_byte for g in gone)]
        if not left:  # the declaration goes, with a blank line it would leave beside another
            blank_before = source[:start].endswith((b"\n\n", b"\n\r\n"))
            blank_after = _lines(source, end, end) if blank_before and end < len(source) else (end, end)
            if blank_after[0] == end and not source[blank_after[0] : blank_after[1]].strip():
                end = blank_after[1]
            replacements.append((start, end, b""))
            continue
        kept, position = [], start
        for spec in sorted(gone, key=lambda g: g.start_byte):
            line_start, line_end = _lines(source, spec.start_byte, spec.end_byte)
            kept.append(source[position:line_start])
            position = line_end
        kept.append(source[position:end])
        replacements.append((start, end, _tidy(b"".join(kept))))
    return replacements


def _tidy(declaration: bytes) -> bytes:
    lines = declaration.splitlines(keepends=True)
    tidy: list[bytes] = []
    for index, line in enumerate(lines):
        blank = not line.strip()
        after_open = bool(tidy) and tidy[-1].rstrip().endswith(b"(")
        before_close = index + 1 < len(lines) and lines[index + 1].strip().startswith(b")")
        if blank and (after_open or before_close or (tidy and not tidy[-1].strip())):
            continue
        tidy.append(line)
    return b"".join(tidy)


def _lines(source: bytes, start: int, end: int) -> tuple[int, int]:
    """From the start of start's line to after the newline that ends end's line."""
    first = source.rfind(b"\n", 0, start) + 1
    last = source.find(b"\n", end)
    return first, last + 1 if last != -1 else len(source)
