"""Keep a built name that a later assignment overwrites (`img = GenerateImageName("audit")`
between the build and `deploy(ctx, img)`): delete that assignment."""

from __future__ import annotations

from collections.abc import Collection

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.overwrites import overwriting_value
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    arguments,
    assigned_names,
    identifiers,
    is_blank_read,
    is_write,
)
from imagetag_lint.repair.orphan import drop_orphan, side_effect_free
from imagetag_lint.repair.plan import CannotFix, Plan


def plan_delete_overwrite(index: ImageFlowIndex, function: Function, write: Node, deployed: Collection[int]) -> Plan:
    """Delete the overwrite when that changes only what the deployments read: it is a statement
    of its own line, its value only makes a name, and every read it reaches is one of the
    deployments (node ids in `deployed`). A comment after it on its line goes with it."""
    file, name = function.file, text(assigned_names(write)[0])
    by_hand = f"delete `{excerpt(write)}` (line {write.start_point.row + 1}) by hand"
    value = overwriting_value(write)
    if write.parent is None or write.parent.type not in ("block", "statement_list"):
        raise CannotFix(f"`{excerpt(write)}` is part of another statement: {by_hand}")
    if not side_effect_free(index, value) or not all(side_effect_free(index, a) for a in arguments(value) if value.type == "call_expression"):
        raise CannotFix(f"`{excerpt(write)}` may do more than make a name: {by_hand} if nothing else needs it")
    for read in _reads_of(index, function, write, name):
        if read.id not in deployed:
            raise CannotFix(
                f"line {read.start_point.row + 1} reads the `{name}` that `{excerpt(write)}` sets, besides the deployment: "
                f"{by_hand} if it too should get the built name"
            )
    start, end = E.line_start(file, write.start_byte), file.source.find(b"\n", write.end_byte)
    end = end + 1 if end != -1 else len(file.source)
    rest = file.source[write.end_byte : end].strip()
    if file.source[start : write.start_byte].strip() or rest and not rest.startswith(b"//"):
        raise CannotFix(f"`{excerpt(write)}` shares its line with other code: {by_hand}")
    plan = Plan(message=f"delete `{excerpt(write)}`: `{name}` keeps the name the build returned")
    plan.edits.append(E.edit(file, start, end, ""))
    for ident in _identifiers_in(value):  # `svc := "audit"` read only by the deleted call would not compile
        drop_orphan(index, function, ident, plan)
    return plan


def _reads_of(index: ImageFlowIndex, function: Function, write: Node, name: str) -> list[Node]:
    """The reads of the variable that get the value this assignment gives it (`_ = name` is none)."""
    if function.body is None:
        return []
    found = []
    for occurrence in identifiers(function.body, name):
        if occurrence.start_byte < write.end_byte or is_write(occurrence) or is_blank_read(occurrence):
            continue
        reaching = index.reaching_definition(occurrence, function)
        if reaching is not None and reaching[0].id == write.id:
            found.append(occurrence)
    return found


def _identifiers_in(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.append(current)
        stack.extend(current.named_children)
    return found
