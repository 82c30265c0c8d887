"""What every rule gets: the flow index, the rule data, the run's repairs, and a way to make findings."""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Finding, Fix, Related, Span
from imagetag_lint.record import record
from imagetag_lint.repair.discard import Repairs
from imagetag_lint.rules import RuleSet


@record
class RuleContext:
    """What every rule's check receives: the image-flow index, the rule set and the repairs."""

    index: ImageFlowIndex
    rule_set: RuleSet
    repairs: Repairs

    def finding(
        self,
        code: str,
        span: Span,
        values: dict[str, str],
        steps: tuple[str, ...],
        related: tuple[Related, ...],
        fix: Fix,
    ) -> Finding:
        message = self.rule_set.rules[code].render_message(**values)
        return Finding(code=code, message=message, span=span, steps=steps, related=related, fix=fix)
