"""IMG001, IMG002 and IMG003 on Python code: one flow per function, findings with their fixes."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import libcst as cst

from imagetag_lint.enums import Applicability, Severity
from imagetag_lint.findings import Finding, Fix, Related, Span
from imagetag_lint.images import pulled_release, repository
from imagetag_lint.python import codemod, fixture_drops, fixture_requests, row_builds
from imagetag_lint.python.discards import Discard, find_discards, other_references
from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.flow import (
    COMPUTED,
    FIXED,
    FRESH,
    NO_BUILD,
    OPAQUE,
    PARAM,
    Flow,
    Sink,
)
from imagetag_lint.python.handoffs import handed_off_drops
from imagetag_lint.python.holders import class_tests, repositories_held
from imagetag_lint.python.pairing import (
    builds_for,
    built_right_here,
    fixture_repositories,
    freshly_computed,
    reference_repository,
    repositories_built,
    same_recipe,
    same_repository,
    shown_to_build,
    visibly_unloaded,
)
from imagetag_lint.python.project import Function
from imagetag_lint.python.tables import Walk, calls_per_row, unknown_rows
from imagetag_lint.python.unused_imports import fix_dropping_unused
from imagetag_lint.python.values import SILENT
from imagetag_lint.record import replace
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
    modules = flow.project.by_file
    kept = [replace(f, fix=fix_dropping_unused(f.fix, modules, lambda m: flow.project.imports[m]))
            if f.fix is not None and f.fix.edits else f for f in kept]
    return sorted(kept, key=Finding.sort_key)


def _check_function(flow: Flow, rule_set: RuleSet, function: Function) -> Iterator[tuple[Finding, set[Place]]]:
    discards = [*find_discards(flow, function), *handed_off_drops(flow, function)]
    mismatched = dict(_mismatched(flow, function, discards))
    hardcoded = [s for s in flow.sinks.get(function, []) if _hardcoded(flow, s) and not built_right_here(flow, function, s)]
    if not discards and _unit_test(flow, function):
        hardcoded = []  # the fixed image is test data for what the test checks
    paired = _pair(flow, discards, _stale_deployments(flow, function, discards, mismatched))
    owner = {sink: discard for discard, stale in paired.items() for sink, _ in stale}
    mismatched = {s: how for s, how in mismatched.items() if s in owner or not _needs_a_drop(flow, function, s)}
    plans: dict[Discard, codemod.Plan] = {}
    taken: frozenset[str] = frozenset()
    for discard in discards:  # two drops in one function bind two names
        plans[discard] = _plan(flow, function, discard, [s for s, _ in paired[discard]], taken)
        taken |= {codemod.variable_for(discard, taken)}
    places = {(_span(s).filename, _span(s).start_byte) for s in owner}
    for discard in discards:
        recipe = _recomputed_recipe(flow, discard, [s for s, _ in paired[discard]])
        again = f"the build's own recipe `{recipe}`, computed again"
        related = tuple(Related(_span(s), f"the {'deployment' if s.deploys else 'load'} here gets `{_shown(s)}` "
                                          f"instead ({again if recipe else how})")
                        for s, how in paired[discard])
        tag = _fixed_tag(flow, discard) or _copied_alias(flow, discard, [s for s, _ in paired[discard]])
        unbuilt = _unbuilt_tag(flow, tag, [s for s, _ in paired[discard]]) if tag else None
        unloaded = _copied_alias(flow, discard, [s for s, _ in paired[discard]], loaded=False) if not tag else None
        if tag and unbuilt:
            consequence = f"the deployment gets `{unbuilt}`, a tag no build makes (the build tags `{tag}`)"
            tag = None  # never built: the pod cannot pull it, as with a tag the deployment cannot know
        elif tag:
            consequence = f"the deployment must repeat `{tag}` by hand, and breaks when that tag changes"
        elif unloaded:  # an error: the name is built, but never reaches the nodes
            consequence = f"the deployment gets `{unloaded}`, a name the build gives the image but no load sends to the cluster"
        elif recipe:
            tag = recipe  # the same name today: a copy to keep in step, as a fixed tag is
            consequence = "the deployment must compute the same name again by hand, and breaks when the build's recipe changes"
        else:
            consequence = "the deployment cannot know the tag that was built"
        values = {"call": discard.producer, "how": discard.how, "consequence": consequence}
        plan = plans[discard]
        yield _finding(rule_set, "IMG001", _discard_span(discard), values, plan.steps, related, plan.fix,
                       Severity.WARNING if tag else None), places
    for sink, how in mismatched.items():
        paired_with = owner.get(sink)
        if paired_with is not None:
            how += "" if sink.value.kind == FRESH else f", while `{paired_with.producer}`'s image name is dropped"
            plan, related = plans[paired_with], (_built_here(paired_with),)
        else:
            plan, related = fixture_requests.plan_untracked(flow, function, sink), ()
        site = "deployment" if sink.deploys else "load"
        yield _finding(rule_set, "IMG003", _span(sink), {"site": site, "reference": _shown(sink), "how": how},
                       plan.steps, related, plan.fix), set()
    for sink in flow.sinks.get(function, []):
        if sink.kind != "load" or sink in owner or sink in mismatched:
            continue
        why = _load_mismatch(flow, sink)
        if why is not None:
            plan = fixture_requests.plan_untracked(flow, function, sink)
            values = {"site": "load", "reference": _shown(sink), "how": f"fixed text; {why}"}
            yield _finding(rule_set, "IMG003", _span(sink), values, plan.steps, (), plan.fix), set()
    for sink in hardcoded:
        paired_with = owner.get(sink)
        if paired_with is None and pulled_release(sink.value.text, [b.tag for b in flow.builds if b.tag]):
            continue  # pulled from its registry: the first step of an upgrade test, not a stale copy
        if paired_with is None and _reads_the_built_constant(flow, sink):
            continue
        copied = fixture_requests.fixture_copied(flow, function, sink) if paired_with is None else None
        if paired_with is not None:
            plan, related = plans[paired_with], (_built_here(paired_with),)
        elif copied is not None:
            plan, related = fixture_requests.plan_copied(function, sink, *copied), ()
        else:
            plan, related = fixture_requests.plan_untracked(flow, function, sink), ()
        why, severity = flow.why_local(sink.value.text, function, sink.pull_never, visibly_unloaded(flow, sink))
        if copied is not None:  # a copy of what the fixture hands out, as a copy of a fixed build tag is
            why = f"it copies the name the fixture `{copied[0]}` ({copied[1]}) hands out, and breaks when that name changes"
            severity = Severity.WARNING
        unknown = row_builds.unknown_row_build(flow, function, sink) if why.endswith(NO_BUILD) else None
        if unknown is not None:  # a build may name this repository on a row the analysis cannot tell apart
            why = f"{why.removesuffix(NO_BUILD).rstrip(', ')}; {unknown}"
            plan = codemod.Plan(plan.steps, Fix(Applicability.DISPLAY_ONLY, f"{unknown}; {codemod.BY_HAND}"))
        factory = fixture_requests.factory_building(flow, function, sink) if paired_with is None else None
        if factory is not None:
            why += (f"; `{factory[0]}` runs a build of `{reference_repository(flow, sink)}` here, and the "
                    f"function the fixture `{factory[1]}` hands out is not shown to return an image name")
        values = {"image": sink.value.text, "how": sink.value.how, "why": why}
        yield _finding(rule_set, "IMG002", _span(sink), values, plan.steps, related, plan.fix, severity), set()


def _pair(flow: Flow, discards: list[Discard],
          stale: list[tuple[Sink, str]]) -> dict[Discard, list[tuple[Sink, str]]]:
    """Each stale deployment goes to the drop whose build makes its repository, else to the
    first drop whose build may stand in for it (see `builds_for`), else to none: then it is a
    finding of its own, never fixed with another service's image. A build run once per row of
    rows not read, or with an argument not worked out from the row, stands in for nothing: it
    builds several services, which of them is unknown."""
    built = {d: _built_by(flow, d) for d in discards}
    standing = [d for d in discards if _per_unknown_row(d) is None]
    paired: dict[Discard, list[tuple[Sink, str]]] = {d: [] for d in discards}
    for sink, how in stale:
        positive = sink.value.kind == PARAM or reference_repository(flow, sink) is not None
        shown = [d for d in discards if positive and shown_to_build(flow, built[d], sink, _producer_call(d))]
        allowed = shown or [d for d in standing if builds_for(flow, built[d], sink)]
        if allowed:
            paired[allowed[0]].append((sink, how))
    return paired


def _plan(flow: Flow, function: Function, discard: Discard, stale: list[Sink],
          taken: frozenset[str]) -> codemod.Plan:
    """The drop's fix, offered only when its build is shown to make every repository it would
    deploy (a registry image beside the build is related to the drop, and left to you)."""
    elsewhere = [s for s in stale if s.function is not function and s.function in class_tests(flow, function)]
    if elsewhere:
        return _setup_plan(function, discard, elsewhere)
    requesters = fixture_drops.requesters(flow, function)
    requested = [s for s in stale if s.function is not function and s.function in requesters]
    if requested:
        return fixture_drops.plan_yield(function, discard, requested)
    plan = codemod.plan_flow(flow, function, discard, stale, taken)
    built = _built_by(flow, discard)
    producer = _producer(flow, discard)
    returned = fixture_requests.returned_text(flow, producer) if producer is not None else None
    unshown = [s for s in stale if not shown_to_build(flow, built, s, _producer_call(discard))
               and not (s.value.kind == FIXED and s.value.text == returned)]
    if not unshown or plan.fix.applicability == Applicability.DISPLAY_ONLY:
        return plan
    repo = reference_repository(flow, unshown[0])
    what = f"`{repo}`" if repo else f"the image of `{codemod.old_text(unshown[0])}`"
    unknown = f"no build `{discard.producer}` runs is shown to make {what}"
    steps = (*plan.steps[:-1], f"{plan.steps[-1]}, once you know it is the image meant there ({unknown})")
    return codemod.Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{unknown}; {codemod.BY_HAND}"))


def _setup_plan(function: Function, discard: Discard, stale: list[Sink]) -> codemod.Plan:
    """A setup method's drop whose image its class's tests deploy as fixed text: keep the name
    in an attribute the tests read (by hand: the attribute's name is yours to choose)."""
    receiver, test = function.params[0], stale[0].function
    where = f" in `{test.name}`" if test is not None else ""
    steps = (f"capture: `{receiver}.image = {discard.producer}(...)` in `{function.name}` instead of dropping the name",
             "pass: nothing to pass: the class's tests read `self.image`", "parameter: none needed",
             f"use: `self.image` instead of `{codemod.old_text(stale[0])}`{where}")
    return codemod.Plan(steps, Fix(Applicability.DISPLAY_ONLY, codemod.BY_HAND))


def _built_by(flow: Flow, discard: Discard) -> frozenset[str]:
    """The repositories the dropped build makes (a builder call's with its arguments)."""
    function = discard.function
    if discard.held is not None:
        return repositories_held(flow, discard.held)
    if discard.kind in FIXTURE_KINDS:
        return fixture_repositories(flow, flow.project.fixture_for(discard.producer, function), function, discard.producer)
    calls = discard.runs or ((discard.node,) if isinstance(discard.node, cst.Call) else ())
    if not discard.runs and isinstance(discard.node, cst.Call):  # `build(svc)` in `for svc in [...]`: each row's
        calls = calls_per_row(function, discard.node, discard.node) or calls
    return frozenset(r for call in calls for r in _built_by_call(flow, call, function))


def _per_unknown_row(discard: Discard) -> Walk | None:
    """The loop or comprehension that runs the dropped build once per row, each run handed what
    the analysis does not know (see `tables.unknown_rows`)."""
    call = discard.runs[0] if len(discard.runs) == 1 else discard.node
    if not isinstance(discard.node, cst.Call) or not isinstance(call, cst.Call) or len(discard.runs) > 1:
        return None
    return unknown_rows(discard.function, discard.node, call)


def _built_by_call(flow: Flow, call: cst.Call, function: Function) -> frozenset[str]:
    producer = _called(flow, call, function)
    if producer is not None:
        return repositories_built(flow, producer, call, function)
    # a configured builder: the service it names among its arguments (`build_and_load_image_to_kind("shop-api")`)
    texts = [flow.value(a.value, function.module, function, plain=True) for a in call.args]
    return frozenset(repository(v.text) for v in texts if v.kind == FIXED and v.text and " " not in v.text)


def _producer_call(discard: Discard) -> cst.Call | None:
    """The call of the producer a drop runs: the call itself, or the first run a thread or an
    executor makes of the producer handed to it."""
    if discard.runs:
        return discard.runs[0]
    return discard.node if isinstance(discard.node, cst.Call) else None


def _called(flow: Flow, call: cst.Call, function: Function) -> Function | None:
    """The linted producer a call runs: the one a factory fixture the function requests hands
    out (the parameter hides a function of that name), or the function it names."""
    return factory_call(flow, call, function) or flow.project.resolve(call, function.module)


def _recomputed_recipe(flow: Flow, discard: Discard, stale: list[Sink]) -> str | None:
    """The build's tag recipe, when every stale deployment of a dropped call (or of an unread
    fixture) computes the very same name again (`f"localhost/api:e2e-{RUN_ID}"` beside a build
    that tags that)."""
    if not stale or any(s.value.kind == FIXED for s in stale):
        return None  # a copy of fixed text is no recipe computed again (`_fixed_tag` says so)
    call = _producer_call(discard) if len(discard.runs) <= 1 else None
    if discard.kind in FIXTURE_KINDS:  # the fixture's own recipe, with no arguments
        producer, call = flow.project.fixture_for(discard.producer, discard.function), None
    elif call is not None:
        producer = _called(flow, call, discard.function)
    else:
        return None
    if producer is None:
        return None
    recipes = {same_recipe(flow, producer, call, discard.function, sink) for sink in stale}
    return recipes.pop() if len(recipes) == 1 and None not in recipes else None


def _needs_a_drop(flow: Flow, function: Function, sink: Sink) -> bool:
    """Is the sink untracked only because a drop beside it lost the built name? (A parameter,
    a formatted name or a registry image is fine in a function that drops nothing, or whose
    drops build something else; a fresh generator call, or a fresh name beside a fixture
    that builds its repository, never is.)"""
    return (sink.value.kind != FRESH and _fresh_beside_fixture(flow, function, sink) is None
            and _fresh_beside_capture(flow, function, sink) is None)


def _fresh_beside_capture(flow: Flow, function: Function, sink: Sink) -> fixture_requests.Captured | None:
    """The build of the function whose name a variable keeps (`image = build("worker")`, then
    only printed) while the deploy gets a name computed afresh from the same repository."""
    if sink.value.kind == FRESH or not freshly_computed(flow, sink):
        return None
    return fixture_requests.capture_building(flow, function, sink)


def _fresh_beside_fixture(flow: Flow, function: Function, sink: Sink) -> str | None:
    """The fixture in the test's reach that builds the repository of a name the test computes
    afresh at its deploy (`f"localhost/api:e2e-{uuid4().hex}"`): the tag no build used."""
    if not sink.deploys or function not in flow.deploying or not freshly_computed(flow, sink):
        return None
    return fixture_requests.fixture_building(flow, function, sink)


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
        elif sink.function is function and _load_mismatch(flow, sink) is not None:
            found.append((sink, sink.value.how or "fixed text"))
    # a tag maker's result (`image_ref("shop-api")`) has no value of its own to be among those
    found += [(sink, how) for sink, how in mismatched.items() if sink.value.kind == OPAQUE]
    # a setup method that drops the build leaves its class's tests a fixed copy of that image,
    # and so does a fixture that hands out no name the tests that request it
    built = [_built_by(flow, d) for d in discards]
    for test in [*class_tests(flow, function), *fixture_drops.requesters(flow, function)]:
        found += [(s, s.value.how) for s in other_references(flow, test)
                  if _hardcoded(flow, s) and any(shown_to_build(flow, b, s) for b in built if b)]
    return found


def _load_mismatch(flow: Flow, sink: Sink) -> str | None:
    """A load of a fixed local reference whose repository a build here makes under another name
    (the build tags `postgres-operator:<fresh>`, the load sends `postgres-operator:latest`): what
    the builds say, or None (a load of the built name, a public image loaded on purpose)."""
    if sink.kind != "load" or sink.value.kind != FIXED or not flow.is_local_image(sink.value.text):
        return None
    repo = repository(sink.value.text)
    if not any(same_repository(repo, b.repository) for b in flow.builds):
        return None  # nothing here builds it: maybe a script or a Makefile does
    why, severity = flow.why_local(sink.value.text, sink.function)
    return why if severity == Severity.ERROR else None


def _short(how: str, sink: Sink) -> str:
    """IMG003's account of a reference, as a related place of the drop's IMG001."""
    if sink.value.kind == FIXED:
        return sink.value.how or "fixed text"
    return how


def _mismatched(flow: Flow, function: Function, discards: list[Discard]) -> Iterator[tuple[Sink, str]]:
    """Sinks that receive a reference other than the built one, and how it was made."""
    fixture_flow = any(d.kind in FIXTURE_KINDS for d in discards)
    sinks = flow.sinks.get(function, [])
    if fixture_flow:
        sinks = sinks + [s for s in other_references(flow, function) if s.function is not function]
    public = {s.value.text for s in sinks if s.value.kind == FIXED and not flow.is_local_image(s.value.text, s.pull_never)}
    fresh_builds = {v.text for kind, e in flow.consumer_arguments(function)
                    for v in [flow.value(e, function.module, function, plain=True)] if v.kind == FRESH}
    for sink in sinks:
        value = sink.value
        if value.kind == OPAQUE and discards and _recomputes_a_drop(flow, discards, sink):
            yield sink, "the build's name computed again"
            continue
        if value.kind in SILENT or (value.kind == FIXED and flow.is_local_image(value.text, sink.pull_never)):
            continue
        if value.kind == FRESH and (discards or value.text in fresh_builds):
            yield sink, f"a fresh call of `{value.text}`, a new name each time, not the one the build used"
        elif not discards:
            fixture = _fresh_beside_fixture(flow, function, sink)
            captured = _fresh_beside_capture(flow, function, sink)
            if fixture is not None:
                yield sink, f"a name computed at the deploy, not the one the fixture `{fixture}` built"
            elif captured is not None:
                site = "deploy" if sink.deploys else "load"
                yield sink, f"a name computed at the {site}, not the one `{captured[0]}` returned in `{captured[1]}`"
        elif value.kind == PARAM:
            yield sink, f"the parameter `{value.text}`"
        elif value.kind == COMPUTED:
            yield sink, "a name computed apart from the build"
        elif value.kind == FIXED and fixture_flow and len(public) == 1:
            yield sink, "fixed text"


def _recomputes_a_drop(flow: Flow, discards: list[Discard], sink: Sink) -> bool:
    """Does a deployment of a helper's result (`image_ref("shop-api")`, no value of its own)
    compute a dropped build's name again, by the build's own tag maker?"""
    return any(_recomputed_recipe(flow, d, [sink]) is not None for d in discards)


def _producer(flow: Flow, discard: Discard) -> Function | None:
    function = discard.function
    if discard.kind in FIXTURE_KINDS:
        return flow.project.fixture_for(discard.producer, function)
    call = _producer_call(discard)
    return _called(flow, call, function) if call is not None else None


def _copied_alias(flow: Flow, discard: Discard, stale: list[Sink], loaded: bool = True) -> str | None:
    """Another fixed name the producer's build gives the image (`-t {fresh} -t app:latest`) that
    a stale deployment (in a helper) copies: a copy to keep in step by hand, as a fixed tag is,
    when that name is loaded into the cluster too (`loaded`), or when it visibly is not (not
    `loaded`): then the deployment gets a name that never reaches the nodes."""
    producer = _producer(flow, discard)
    if producer is None:
        return None
    owner = f"{producer.module.file.filename}:{producer.name}"
    aliases = {b.tag for b in flow.builds if b.several and b.tag and b.owner == owner}
    return next((s.value.text for s in stale if s.value.kind == FIXED and s.value.text in aliases
                 and visibly_unloaded(flow, s) != loaded), None)


def _fixed_tag(flow: Flow, discard: Discard) -> str | None:
    """The whole reference the producer's own build names (`dask-kubernetes:dev`), if it does:
    then the drop is a copy to keep in step by hand, not a tag the deployment cannot know."""
    producer = _producer(flow, discard)
    if producer is None:
        return None
    for kind, tag in flow.consumer_arguments(producer):
        if flow.names_several(tag):
            continue  # one of several names (`-t {fresh} -t app:latest`): not the one it returns
        value = flow.value(tag, producer.module, producer, plain=True)
        if kind == "build" and value.kind == FIXED and value.text.rfind(":") > value.text.rfind("/"):
            return value.text
    returned = fixture_requests.returned_text(flow, producer)
    return returned if returned is not None and returned.rfind(":") > returned.rfind("/") else None


def _unbuilt_tag(flow: Flow, tag: str, stale: list[Sink]) -> str | None:
    """Another tag of the very repository the build tags, which no build makes (the build tags
    `example.com/shop-api:v0.0.1`, the test deploys `:v0.0.2`): no copy kept in step by hand,
    but a reference that was never built."""
    built = {b.tag for b in flow.builds if b.tag}
    for sink in stale:
        text = sink.value.text if sink.value.kind == FIXED else ""
        if text and text not in built and text != tag and repository(text) == repository(tag):
            return text
    return None


def _unit_test(flow: Flow, function: Function) -> bool:
    """A test that builds, loads and deploys nothing and requests no fixture that builds."""
    if not function.is_test or function in flow.deploying or flow.consumer_arguments(function):
        return False
    return not any(
        (fixture := flow.project.fixture_for(name, function)) is not None and fixture in flow.producers
        for name in [*function.params, *(name for name, _ in function.usefixtures)]
    )


def _reads_the_built_constant(flow: Flow, sink: Sink) -> bool:
    """Does the deployment read the very module constant a build command of the linted code is
    tagged with (`["docker", "build", "-t", IMAGE, ...]` ... `deploy(IMAGE)`), a build run for it
    (before it, in the test, a function it calls or a fixture it requests)? It deploys what was
    built, and follows the name wherever it changes: no copy of a tag."""
    from imagetag_lint.python.pairing import built_for

    if not isinstance(sink.node, cst.BaseExpression) or sink.function is None:
        return False
    constant = flow.constant_behind(sink.node, sink.module, sink.function)
    builds = [build for build in flow.builds if constant is not None and build.constant is constant]
    return bool(builds) and built_for(flow, sink.function, sink, builds)


def _hardcoded(flow: Flow, sink: Sink) -> bool:
    return sink.deploys and sink.value.kind == FIXED and flow.is_local_image(sink.value.text, sink.pull_never)


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
