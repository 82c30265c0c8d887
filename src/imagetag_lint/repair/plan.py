"""A repair being planned: its edits, what it rewrites, and why it may be unsafe."""

from __future__ import annotations

from collections.abc import Callable

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Applicability, Edit, Fix
from imagetag_lint.record import field, record
from imagetag_lint.repair.imports import ImportUnclear, unused_import_edits

# Where a repair rewrites an expression another rule reports: (filename, start byte). A finding
# there is resolved by the same repair and carries the same fix.
Rewritten = tuple[str, int]


class CannotFix(Exception):
    """No sound edit exists; the message says what to do by hand."""


@record
class Plan:
    """The edits of one repair, gathered before they are checked and applied."""

    edits: list[Edit] = field(default_factory=list)
    rewrites: set[Rewritten] = field(default_factory=set)
    unsafe: list[str] = field(default_factory=list)  # why it is unsafe, if it is
    message: str = ""

    def fix(self) -> Fix:
        applicability = Applicability.UNSAFE if self.unsafe else Applicability.SAFE
        message = self.message + (f" (unsafe: {'; '.join(self.unsafe)})" if self.unsafe else "")
        return Fix(applicability, message, tuple(self.edits))


def by_hand(reason: str) -> Fix:
    return Fix(Applicability.DISPLAY_ONLY, reason)


def seal(index: ImageFlowIndex, plan: Plan) -> Fix:
    """Remove imports the edits leave unused (Go refuses to compile them; when it cannot tell for
    a dot import, the fix is by hand), then seal the fix. A fix that edits a file the run only
    reads (a helper in a sibling of the one file a pre-commit call names) is by hand: --fix writes
    only the linted files, and the run has not looked for the other uses of what it would change
    there."""
    outside = _outside(index, plan.edits)
    if outside is not None:
        return by_hand(f"the fix edits {outside}, which this run does not lint: lint it too, or follow the four steps by hand")
    try:
        plan.edits.extend(unused_import_edits(index, plan.edits))
    except ImportUnclear as reason:
        return by_hand(str(reason))
    return plan.fix()


def _outside(index: ImageFlowIndex, edits: list[Edit]) -> str | None:
    """The first file the edits touch that the run does not lint."""
    key = ("read-only-files", index.project.generation)
    read_only = index.cache.get(key)
    if not isinstance(read_only, frozenset):
        read_only = index.cache[key] = frozenset(file.filename for file in index.project.files() if not file.reported)
    return min((e.filename for e in edits if e.filename in read_only), default=None)


def guarded(index: ImageFlowIndex, make: Callable[..., Plan], *args: object) -> Fix:
    """The sealed plan `make(*args)`, or a display-only fix that says why no edit is sound."""
    try:
        return seal(index, make(*args))
    except CannotFix as reason:
        return by_hand(str(reason))
