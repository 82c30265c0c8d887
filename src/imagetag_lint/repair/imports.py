"""Import cleanup: an import the edits leave unused is removed (Go refuses to compile it)."""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Edit
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, captures, parse, text

_QUALIFIERS = "[(selector_expression operand: (identifier) @q) (qualified_type package: (package_identifier) @q)]"


def unused_import_edits(index: ImageFlowIndex, edits: list[Edit]) -> list[Edit]:
    files = {f.filename: f for f in index.project.files()}
    removals = []
    for filename in sorted({e.filename for e in edits}):
        file = files.get(filename)
        if file is None:
            continue
        mine = [e for e in edits if e.filename == filename]
        specs = _file_import_specs(index, file)
        if not any(_removes_word(file, mine, _import_name(spec)) for spec in specs):
            continue  # no edit removes a package name: the costly check (a parse of the file) is moot
        after = E.apply_edits(file.source, mine)
        unused = _qualifiers(file.tree.root_node) - _qualifiers(parse(after).root_node)
        for spec in specs:
            if _import_name(spec) in unused:
                removals.append(_remove_import(file, spec))
    return removals


def _file_import_specs(index: ImageFlowIndex, file: SourceFile) -> list[Node]:
    return index.per_file("import-specs", file, lambda: _import_specs(file.tree.root_node))


def _removes_word(file: SourceFile, edits: list[Edit], name: str) -> bool:
    word = name.encode()
    return bool(word) and any(word_offsets(file.source[e.start_byte : e.end_byte], (word,)) for e in edits)


def _qualifiers(root: Node) -> set[str]:
    return {text(n) for n in captures(_QUALIFIERS, root).get("q", [])}


def _import_specs(root: Node) -> list[Node]:
    return captures("(import_spec) @spec", root).get("spec", [])


def _import_name(spec: Node) -> str:
    alias = spec.child_by_field_name("name")
    path = spec.child_by_field_name("path")
    if alias is not None:
        return text(alias)
    return text(path).strip('"`').rsplit("/", 1)[-1] if path is not None else ""


def _remove_import(file: SourceFile, spec: Node) -> Edit:
    node = spec if spec.parent is None or spec.parent.type == "import_spec_list" else spec.parent
    start = E.line_start(file, node.start_byte)
    end = file.source.find(b"\n", node.end_byte)
    return E.edit(file, start, end + 1 if end != -1 else node.end_byte, "")
