"""A fixture that builds an image and hands out no name (`build_and_load("shop-reports")`, then a
bare `yield`): the tests that request it, by parameter or through `usefixtures`, can deploy only
a copy of the image's name. That is one defect, the fixture's drop, whose deployments are those
copies; its fix is to yield the built name from the fixture and deploy it in each test."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Fix
from imagetag_lint.python.codemod import BY_HAND, Plan, old_text
from imagetag_lint.python.discards import Discard
from imagetag_lint.python.flow import Flow, Sink
from imagetag_lint.python.pairing import repositories_built, same_repository
from imagetag_lint.python.project import Function


def requesters(flow: Flow, fixture: Function) -> list[Function]:
    """The tests and fixtures that request a fixture that returns no image name."""
    name = fixture.fixture
    if name is None or fixture in flow.producers:
        return []
    return [f for f in flow.project.functions
            if f is not fixture and (name in f.params or any(used == name for used, _ in f.usefixtures))
            and flow.project.fixture_for(name, f) is fixture]


def plan_yield(fixture: Function, discard: Discard, stale: list[Sink]) -> Plan:
    """Yield (or return) the dropped name from the fixture, and deploy it where a test that
    requests the fixture deploys a copy (by hand: the fixture's body and its requesters change)."""
    name = fixture.fixture or fixture.name
    test = stale[0].function
    steps = yield_steps(fixture, test, old_text(stale[0]), f"`{discard.producer}` builds")
    return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"the fixture `{name}` hands out no image name; {BY_HAND}"))


def yield_steps(fixture: Function, test: Function | None, old: str, built: str) -> tuple[str, ...]:
    """The steps that have the fixture hand out the name its build gave (`built`: what builds
    it, "`build_and_load` builds") and deploy it in the test instead of `old`."""
    name = fixture.fixture or fixture.name
    verb = "yield" if _yields(fixture) else "return"
    where = f" in `{test.name}`" if test is not None else ""
    capture = f"capture: keep the name {built} in the fixture `{name}` and {verb} it (it {verb}s no image name now)"
    if test is None or name in test.params:
        who = f"`{test.name}`" if test is not None else "the test"
        return (capture, f"pass: nothing to pass: {who} already requests `{name}`", "parameter: none needed",
                f"use: `{name}` instead of `{old}`{where}")
    return (capture, f"pass: request `{name}` as a parameter of `{test.name}` (`usefixtures` gives it no value)",
            f"parameter: add `{name}` to the parameters of `{test.name}`", f"use: `{name}` instead of `{old}`{where}")


def silent_builder(flow: Flow, test: Function, repo: str) -> Function | None:
    """The one fixture the test requests (by parameter or `usefixtures`) that builds `repo` and
    hands out no image name."""
    found = []
    for name in dict.fromkeys([*test.params, *(used for used, _ in test.usefixtures)]):
        fixture = flow.project.fixture_for(name, test)
        if fixture is not None and fixture not in flow.producers and any(
                same_repository(repo, built) for built in repositories_built(flow, fixture)):
            found.append(fixture)
    return found[0] if len(found) == 1 else None


def _yields(function: Function) -> bool:
    """Is the fixture a generator (a `yield` of its own, not of a nested def)?"""
    stack: list[cst.CSTNode] = [function.node.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Yield):
            return True
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(node.children)
    return False
