"""Fresh variable names: ones neither the function nor its package's top level uses."""

from __future__ import annotations

import re

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import named_descendants, text
from imagetag_lint.golang.syntax import is_literal_key
from imagetag_lint.repair.plan import CannotFix


def fresh_name(index: ImageFlowIndex, base: str, function: Function, taken: set[str] | None = None) -> str:
    """base, or base2, base3...: a name the function and the package's top level do not use."""
    used = (taken or set()) | top_level_names(index, function)
    words = words_in(index, function)
    folded = {name.lower() for name in used} | scope_names_folded(index, function)
    for number in range(1, 100):
        name = base if number == 1 else f"{base}{number}"
        if name in used or name.encode() in words or name.lower() in folded:
            continue  # taken, or differs from a name in scope only by case (`datastorageImage`, `dataStorageImage`)
        return name
    raise CannotFix("no fresh variable name is free")


def words_in(index: ImageFlowIndex, function: Function) -> frozenset[bytes]:
    """The words of a function's text, read once: every dropped build in it asks for a name."""
    key = ("words", id(function))
    words = index.cache.get(key)
    if words is None:
        words = index.cache[key] = frozenset(re.findall(rb"\w+", function.node.text or b""))
    return words  # type: ignore[return-value]


def top_level_names(index: ImageFlowIndex, function: Function) -> frozenset[str]:
    package = index.project.package_of(function.file)
    # computed once per package and run, kept with its first file
    return index.per_file("top-level-names", package.files[0], lambda: [_top_level_names(index, function)])[0]


def _top_level_names(index: ImageFlowIndex, function: Function) -> frozenset[str]:
    package = index.project.package_of(function.file)
    found: set[str] = set()
    for file in package.files:
        found.update(file.imports)
        for node in file.tree.root_node.named_children:
            if node.type not in ("type_declaration", "var_declaration", "const_declaration"):
                continue
            specs = list(node.named_children)
            specs.extend(c for s in list(specs) if s.type.endswith("_spec_list") for c in s.named_children)
            for spec in specs:
                found.update(text(name) for name in spec.children_by_field_name("name"))
    found.update(package.functions)
    return frozenset(found)


def scope_names_folded(index: ImageFlowIndex, function: Function) -> frozenset[str]:
    """The function's identifiers, lower-cased: the names a reader sees in scope (not the keys of
    composite literals, `ImageName:`, which name fields)."""
    key = ("scope-names-folded", id(function))
    found = index.cache.get(key)
    if found is None:
        found = index.cache[key] = frozenset(_scope_names(function))
    return found  # type: ignore[return-value]


def _scope_names(function: Function) -> set[str]:
    return {text(node).lower() for node in named_descendants(function.node) if node.type == "identifier" and not is_literal_key(node)}


def free_in_package(index: ImageFlowIndex, base: str, function: Function) -> str:
    """A fresh name for a new package-level variable: also free in every file of the package,
    those the prefilter never loaded included (a `func name()` of another `_test.go` file would
    make `var name` a redeclaration that breaks the build)."""
    taken: set[str] = set()
    for _ in range(100):
        name = fresh_name(index, base, function, taken)
        if not _mentioned_in_package(index, function, name):
            return name
        taken.add(name)
    raise CannotFix("no fresh variable name is free")


def _mentioned_in_package(index: ImageFlowIndex, function: Function, name: str) -> bool:
    """Does any file of the function's package hold name as a word (a declaration, a use, or a
    comment: any of them is reason enough to pick another)?"""
    directory, package = function.file.directory, function.file.package
    index.project.load_mentioning(directory, name)
    word = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    return any(
        file.package == package and word.search(file.source) is not None
        for file in index.project.files_in(directory)
    )
