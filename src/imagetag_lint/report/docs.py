"""Rule documentation rendered from rules/: --explain, --list-rules and the README table."""

from __future__ import annotations

from imagetag_lint.rules import Rule, RuleSet


def explain(rule: Rule) -> str:
    lines = [f"# {rule.code} ({rule.name})", "", f"{rule.summary}. Severity: {rule.severity}.", ""]
    for title, body in rule.docs:
        lines += [f"## {title}", "", body, ""]
    return "\n".join(lines)


def find_rule(rule_set: RuleSet, key: str) -> Rule | None:
    """The rule with this code (any case) or name (`discarded-image-name`)."""
    rule = rule_set.rules.get(key.upper())
    return rule or next((r for r in rule_set.rules.values() if r.name == key.lower()), None)


def list_rules(rule_set: RuleSet) -> str:
    width = max(len(r.name) for r in rule_set.rules.values())
    return "".join(
        f"{rule.code}  {rule.name:<{width}}  {rule.summary}\n"
        for rule in sorted(rule_set.rules.values(), key=lambda r: r.code)
    )
