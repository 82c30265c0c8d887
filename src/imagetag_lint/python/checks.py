"""IMG001, IMG002 and IMG003 on Python code: one flow per function, findings with their fixes."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import libcst as cst

from imagetag_lint.enums import Severity
from imagetag_lint.findings import Finding, Fix, Related, Span
from imagetag_lint.python import codemod
from imagetag_lint.python.discards import Discard, find_discards, other_references
from imagetag_lint.python.flow import (
    COMPUTED,
    FIXED,
    FRESH,
    PARAM,
    Flow,
    Sink,
)
from imagetag_lint.python.project import Function
from imagetag_lint.python.values import SILENT
from imagetag_lint.rules import RuleSet

CODES = ("IMG001", "IMG002", "IMG003")
FIXTURE_KINDS = ("fixture", "usefixtures")  # drops of a fixture's value (the producer is the fixture)


Place = tuple[str, int]  # (file, start byte) of a finding or a related place


def check_project(flow: Flow, rule_set: RuleSet, select: frozenset[str] = frozenset(CODES),
                  reported: Collection[str] | None = None) -> list[Finding]:
    """The findings of every function. One defect is one finding: the stale deployments of a
    dropped build (the fixed or recomputed reference the deploy uses) are related places of its
    IMG001, and stand as an IMG002 or IMG003 of their own only when that IMG001 is not reported
    (not selected, or its file is not among the `reported` ones: then the drop is not seen)."""
    found: dict[tuple[str, str, int], Finding] = {}
    named: set[Place] = set()  # the stale deployments a reported IMG001 names
    for function in flow.project.functions:
        for finding, stale in _check_function(flow, rule_set, function):
            key = (finding.code, finding.filename, finding.span.start_byte)
            if finding.code not in select or key in found:
                continue
            found[key] = finding
            if reported is None or finding.filename in reported:
                named |= stale
    kept = [f for f in found.values() if f.code == "IMG001" or (f.filename, f.span.start_byte) not in named]
    return sorted(kept, key=Finding.sort_key)


def _check_function(flow: Flow, rule_set: RuleSet, function: Function) -> Iterator[tuple[Finding, set[Place]]]:
    discards = find_discards(flow, function)
    mismatched = list(_mismatched(flow, function, discards))
    hardcoded = [s for s in flow.sinks.get(function, []) if _hardcoded(flow, s)]
    if not discards and _unit_test(flow, function):
        hardcoded = []  # the fixed image is test data for what the test checks
    plan = codemod.plan_flow(flow, function, discards, [s for s, _ in mismatched], hardcoded)
    stale = _stale_deployments(flow, function, discards, dict(mismatched))
    places = {(_span(s).filename, _span(s).start_byte) for s, _ in stale}
    for discard in discards:
        related = tuple(Related(_span(s), f"the {'deployment' if s.deploys else 'load'} here gets `{_shown(s)}` instead ({how})")
                        for s, how in stale)
        tag = _fixed_tag(flow, discard)
        consequence = (f"the deployment must repeat `{tag}` by hand, and breaks when that tag changes" if tag
                       else "the deployment cannot know the tag that was built")
        values = {"call": discard.producer, "how": discard.how, "consequence": consequence}
        yield _finding(rule_set, "IMG001", _discard_span(discard), values, plan.steps, related, plan.fix,
                       Severity.WARNING if tag else None), places
    for sink, how in mismatched:
        related = tuple(_built_here(d) for d in discards[:3])
        yield _finding(rule_set, "IMG003", _span(sink), {"reference": _shown(sink), "how": how},
                       plan.steps, related, plan.fix), set()
    for sink in hardcoded:
        test_plan = plan if discards else codemod.plan_fixture_request(flow, function, sink)
        related = tuple(_built_here(d) for d in discards[:3])
        why, severity = flow.why_local(sink.value.text, function)
        values = {"image": sink.value.text, "how": sink.value.how, "why": why}
        yield _finding(rule_set, "IMG002", _span(sink), values, test_plan.steps, related, test_plan.fix,
                       severity), set()


def _stale_deployments(flow: Flow, function: Function, discards: list[Discard],
                       mismatched: dict[Sink, str]) -> list[tuple[Sink, str]]:
    """The deployments a drop leaves with another reference, and how each got it: the
    function's own mismatched or fixed local references, and the fixed local references of the
    helpers it calls."""
    if not discards:
        return []
    found = []
    for sink in other_references(flow, function):
        if sink in mismatched:
            found.append((sink, _short(mismatched[sink], sink)))
        elif _hardcoded(flow, sink):
            found.append((sink, sink.value.how))
    return found


def _short(how: str, sink: Sink) -> str:
    """IMG003's account of a reference without the drop it mentions (the IMG001 is that drop)."""
    if sink.value.kind == FIXED:
        return sink.value.how or "fixed text"
    return how.split(", while ", 1)[0]


def _mismatched(flow: Flow, function: Function, discards: list[Discard]) -> Iterator[tuple[Sink, str]]:
    """Sinks that receive a reference other than the built one, and how it was made."""
    fixture_flow = any(d.kind in FIXTURE_KINDS for d in discards)
    sinks = flow.sinks.get(function, [])
    if fixture_flow:
        sinks = sinks + [s for s in other_references(flow, function) if s.function is not function]
    public = {s.value.text for s in sinks if s.value.kind == FIXED and not flow.is_local_image(s.value.text)}
    fresh_builds = {v.text for kind, e in flow.consumer_arguments(function)
                    for v in [flow.value(e, function.module, function, plain=True)] if v.kind == FRESH}
    lost = f", while `{discards[0].producer}`'s image name is dropped" if discards else ""
    for sink in sinks:
        value = sink.value
        if value.kind in SILENT or (value.kind == FIXED and flow.is_local_image(value.text)):
            continue
        if value.kind == FRESH and (discards or value.text in fresh_builds):
            yield sink, f"a fresh call of `{value.text}`, a new name each time, not the one the build used"
        elif not discards:
            continue
        elif value.kind == PARAM:
            yield sink, f"the parameter `{value.text}`{lost}"
        elif value.kind == COMPUTED:
            yield sink, f"a name computed apart from the build{lost}"
        elif value.kind == FIXED and fixture_flow and len(public) == 1:
            yield sink, f"fixed text{lost}"


def _fixed_tag(flow: Flow, discard: Discard) -> str | None:
    """The whole reference the producer's own build names (`dask-kubernetes:dev`), if it does:
    then the drop is a copy to keep in step by hand, not a tag the deployment cannot know."""
    function, module = discard.function, discard.function.module
    if discard.kind in FIXTURE_KINDS:
        producer = flow.project.fixture_for(discard.producer, function)
    elif isinstance(discard.node, cst.Call):
        producer = flow.project.resolve(discard.node, module)
    else:
        producer = None
    if producer is None:
        return None
    for kind, tag in flow.consumer_arguments(producer):
        value = flow.value(tag, producer.module, producer, plain=True)
        if kind == "build" and value.kind == FIXED and value.text.rfind(":") > value.text.rfind("/"):
            return value.text
    return None


def _unit_test(flow: Flow, function: Function) -> bool:
    """A test that builds, loads and deploys nothing and requests no fixture that builds."""
    if not function.is_test or function in flow.deploying or flow.consumer_arguments(function):
        return False
    return not any(
        (fixture := flow.project.fixture_for(name, function)) is not None and fixture in flow.producers
        for name in [*function.params, *(name for name, _ in function.usefixtures)]
    )


def _hardcoded(flow: Flow, sink: Sink) -> bool:
    return sink.deploys and sink.value.kind == FIXED and flow.is_local_image(sink.value.text)


def _finding(rule_set: RuleSet, code: str, span: Span, values: dict[str, str], steps: tuple[str, ...],
             related: tuple[Related, ...], fix: Fix, severity: Severity | None = None) -> Finding:
    rule = rule_set.rules[code]
    return Finding(code=code, message=rule.render_message(**values), span=span, steps=steps, related=related,
                   fix=fix, severity=rule.severity_of(severity))


def _span(sink: Sink) -> Span:
    return sink.module.file.span(sink.start, sink.end)


def _shown(sink: Sink) -> str:
    if sink.value.kind == FIXED:
        return sink.value.text
    return sink.module.file.source[sink.start : sink.end].decode("utf-8", "replace")


def _discard_span(discard: Discard) -> Span:
    module = discard.function.module
    return module.file.span(module.start(discard.node), module.end(discard.node))


def _built_here(discard: Discard) -> Related:
    if discard.kind in FIXTURE_KINDS:
        return Related(_discard_span(discard), f"the fixture `{discard.producer}` builds the image; this test drops it")
    return Related(_discard_span(discard), f"the image is built here by `{discard.producer}`, which returns its real name")
