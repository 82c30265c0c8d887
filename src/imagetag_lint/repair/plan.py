"""A repair being planned: its edits, what it rewrites, and why it may be unsafe."""

from __future__ import annotations

from collections.abc import Callable

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Applicability, Edit, Fix
from imagetag_lint.record import field, record
from imagetag_lint.repair.imports import unused_import_edits

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
    """Remove imports the edits leave unused (Go refuses to compile them), then seal the fix."""
    plan.edits.extend(unused_import_edits(index, plan.edits))
    return plan.fix()


def guarded(index: ImageFlowIndex, make: Callable[..., Plan], *args: object) -> Fix:
    """The sealed plan `make(*args)`, or a display-only fix that says why no edit is sound."""
    try:
        return seal(index, make(*args))
    except CannotFix as reason:
        return by_hand(str(reason))
