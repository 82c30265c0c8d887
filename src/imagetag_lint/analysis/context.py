"""What every rule gets: the flow index, the rule data, the run's repairs, and a way to make findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.enums import Severity
from imagetag_lint.findings import Finding, Fix, Related, Span
from imagetag_lint.record import field, record
from imagetag_lint.rules import RuleSet

if TYPE_CHECKING:
    from imagetag_lint.repair.discard import Repairs


@record
class RuleContext:
    """What every rule's check receives: the image-flow index, the rule set and the repairs."""

    index: ImageFlowIndex
    rule_set: RuleSet
    selected: frozenset[str] = frozenset()  # the codes this run reports
    _repairs: Repairs | None = field(default=None, compare=False)

    @property
    def repairs(self) -> Repairs:
        """The run's repairs; the repair library is imported only once a finding needs a fix."""
        if self._repairs is None:
            from imagetag_lint.repair.discard import Repairs

            self._repairs = Repairs(self.index)
        return self._repairs

    def finding(
        self,
        code: str,
        span: Span,
        values: dict[str, str],
        steps: tuple[str, ...],
        related: tuple[Related, ...],
        fix: Fix,
        severity: Severity | None = None,
    ) -> Finding:
        rule = self.rule_set.rules[code]
        return Finding(
            code=code,
            message=rule.render_message(**values),
            span=span,
            steps=steps,
            related=related,
            fix=fix,
            severity=rule.severity_of(severity),
        )
