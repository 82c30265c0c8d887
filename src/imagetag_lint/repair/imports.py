"""Import cleanup: an import the edits leave unused is removed (Go refuses to compile it)."""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Edit
from imagetag_lint.fix import edits as E
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
        after = E.apply_edits(file.source, [e for e in edits if e.filename == filename])
        unused = _qualifiers(file.tree.root_node) - _qualifiers(parse(after).root_node)
        for spec in _import_specs(file.tree.root_node):
            if _import_name(spec) in unused:
                removals.append(_remove_import(file, spec))
    return removals


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
