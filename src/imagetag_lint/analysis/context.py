"""What every rule gets: the flow index, the rule data, and a way to make findings."""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.findings import Finding, Related, Span
from imagetag_lint.record import record
from imagetag_lint.rules import RuleSet


@record
class RuleContext:
    """What every rule's check receives: the image-flow index and the rule set."""

    index: ImageFlowIndex
    rule_set: RuleSet

    def finding(
        self,
        code: str,
        span: Span,
        values: dict[str, str],
        steps: tuple[str, ...] = (),
        related: tuple[Related, ...] = (),
        severity: str = "",
    ) -> Finding:
        rule = self.rule_set.rules[code]
        return Finding(
            code=code,
            message=rule.render_message(**values),
            span=span,
            steps=steps,
            related=related,
            severity=rule.severity_of(severity),
        )
