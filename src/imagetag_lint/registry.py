"""The one list of rules. Everything that lists rules reads it: the analyses `lint.py` runs, the
suppression stage, the rule data `rules.py` requires, `--select`, `--list-rules` and the docs.

Adding a rule: its module (in `analysis/`, with `CODE` and `check`), its data file
`rules/IMGxxx.toml`, its fixtures, and its line here.
"""

from __future__ import annotations

from imagetag_lint.enums import TextEnum
from imagetag_lint.record import record


class RuleKind(TextEnum):
    ANALYSIS = "analysis"  # a module's `check(context, file)` reports it
    SUPPRESSION = "suppression"  # the suppression stage reports it, about the suppressions


@record(frozen=True)
class Registered:
    code: str
    kind: RuleKind
    module: str  # the module that reports it (imported only when files are analysed)
    # the fields its message template may name: what the module passes when it reports
    message_fields: tuple[str, ...] = ()


RULES: tuple[Registered, ...] = (
    Registered("IMG001", RuleKind.ANALYSIS, "imagetag_lint.analysis.discarded_image_name", ("call", "how", "consequence")),
    Registered("IMG002", RuleKind.ANALYSIS, "imagetag_lint.analysis.hardcoded_image_reference", ("image", "how", "why")),
    Registered("IMG003", RuleKind.ANALYSIS, "imagetag_lint.analysis.untracked_image_reference", ("site", "reference", "how")),
    # an unused suppression, and a suppression without a reason
    Registered("IMG100", RuleKind.SUPPRESSION, "imagetag_lint.suppress", ("directive", "why")),
    Registered("IMG101", RuleKind.SUPPRESSION, "imagetag_lint.suppress", ("codes", "example")),
)

IMPLEMENTED_CODES = tuple(rule.code for rule in RULES)
ANALYSIS_CODES = tuple(rule.code for rule in RULES if rule.kind is RuleKind.ANALYSIS)
MESSAGE_FIELDS = {rule.code: rule.message_fields for rule in RULES}
SUPPRESSION_CODES = frozenset(rule.code for rule in RULES if rule.kind is RuleKind.SUPPRESSION)
UNUSED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON = "IMG100", "IMG101"
