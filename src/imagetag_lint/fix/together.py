"""What the fixes of one round do together that none of them does alone: declare one name twice.

Each fix picks names that are free in the text it was planned on, and two fixes planned on the
same text may pick the same one: two `BeforeEach` nodes that keep one image in a package
variable both add `var bookkeeperNotaryImage string`. Such fixes do not share a round (the next
round plans the second on the text the first left, where the name is taken). Imports the fixes
leave unused together are removed instead (`repair.imports.drop_imports_left_unused`).
"""

from __future__ import annotations

import os
from collections import Counter

from imagetag_lint.golang.model import package_name
from imagetag_lint.golang.parser import Node, captures, text

_DECLARATIONS = ("type_declaration", "var_declaration", "const_declaration")
_FUNCTIONS = "[(function_declaration) (method_declaration) (func_literal)] @function"
_NOT_NAMES = ("_", "init")  # may be declared any number of times


def declared_twice(trees: dict[str, tuple[Node, Node]], shown: dict[str, str]) -> str | None:
    """Why the new texts may not all be kept, or None: a name that the fixes declare twice in one
    package, one file's imports, or one function's parameters. trees: path -> the roots of a Go
    file's trees before and after the fixes."""
    packages: dict[tuple[str, str], tuple[Counter[str], Counter[str]]] = {}
    for path, (old_root, new_root) in trees.items():
        shown_as = shown.get(path, path)
        for what, old, now in (
            ("import", _imported(old_root), _imported(new_root)),
            ("parameter", _parameters_twice(old_root), _parameters_twice(new_root)),
        ):
            if now - old:
                return f"two fixes would each add the {what} `{min(now - old)}` in {shown_as}; the second waits for the next round"
        counts = packages.setdefault((os.path.dirname(path), package_name(new_root)), (Counter(), Counter()))
        counts[0].update(_top_level(old_root))
        counts[1].update(_top_level(new_root))
    for (_, package), (old, now) in sorted(packages.items()):
        twice = {name for name, count in now.items() if count > 1 and count > old[name]}
        if twice:
            return f"two fixes would each declare `{min(twice)}` in package {package}; the second waits for the next round"
    return None


def _top_level(root: Node) -> Counter[str]:
    """The package-level names a file declares (a method as `Receiver.name`)."""
    found: Counter[str] = Counter()
    for node in root.named_children:
        name = node.child_by_field_name("name")
        if node.type == "function_declaration" and name is not None:
            found[text(name)] += 1
        elif node.type == "method_declaration" and name is not None:
            found[f"{_receiver_type(node)}.{text(name)}"] += 1
        elif node.type in _DECLARATIONS:
            specs = list(node.named_children)
            specs.extend(c for s in list(specs) if s.type.endswith("_spec_list") for c in s.named_children)
            found.update(text(n) for spec in specs for n in spec.children_by_field_name("name"))
    for free in _NOT_NAMES:
        del found[free]
    return found


def _receiver_type(method: Node) -> str:
    receiver = method.child_by_field_name("receiver")
    types = [t for d in (receiver.named_children if receiver is not None else []) if (t := d.child_by_field_name("type")) is not None]
    return text(types[0]).lstrip("*") if types else ""


def _imported(root: Node) -> Counter[str]:
    """The names a file's imports bind (not `_` or `.`)."""
    found: Counter[str] = Counter()
    for spec in captures("(import_spec) @spec", root).get("spec", []):
        alias, path = spec.child_by_field_name("name"), spec.child_by_field_name("path")
        name = text(alias) if alias is not None else text(path).strip('"`').rsplit("/", 1)[-1] if path is not None else ""
        if name not in ("_", ".", ""):
            found[name] += 1
    return found


def _parameters_twice(root: Node) -> Counter[str]:
    """For each name, how many functions' signatures (receiver, parameters and results) hold it twice."""
    found: Counter[str] = Counter()
    for function in captures(_FUNCTIONS, root).get("function", []):
        names: Counter[str] = Counter()
        for field in ("receiver", "parameters", "result"):
            signature = function.child_by_field_name(field)
            if signature is None or signature.type != "parameter_list":
                continue
            for declaration in signature.named_children:
                names.update(text(n) for n in declaration.children_by_field_name("name"))
        found.update(name for name, count in names.items() if count > 1 and name != "_")
    return found
