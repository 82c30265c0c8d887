"""Fixes for a deployment no drop explains: a fixed or freshly computed copy of an image beside a
variable that already holds the name its build gave (deploy the variable), a test that deploys
such a copy of an image a fixture builds (use the fixture, requesting it if need be) or of the
name a requested fixture hands out, and a fresh generator call beside the build that used a name
from the same call (deploy that name). The fixture, or the name, must be shown to be the deployed
repository's; otherwise the steps are to follow by hand."""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Fix
from imagetag_lint.images import repository
from imagetag_lint.python.codemod import (
    BY_HAND,
    Change,
    Plan,
    add_parameter,
    can_request,
    old_text,
    rewrite,
    set_where_read,
    shadowed,
    use_name,
)
from imagetag_lint.python.collection import fixture_obstacle
from imagetag_lint.python.factories import factory_call, factory_function
from imagetag_lint.python.fixture_drops import silent_builder, yield_steps
from imagetag_lint.python.flow import FIXED, FRESH, Flow, Sink
from imagetag_lint.python.holders import (
    Held,
    class_attributes,
    fixture_entries,
    repositories_held,
)
from imagetag_lint.python.pairing import (
    assigned_value,
    reference_repository,
    repositories_built,
    same_repository,
    tag_repositories,
)
from imagetag_lint.python.project import Function


def fixture_building(flow: Flow, test: Function, sink: Sink) -> str | None:
    """The producer fixture in the reach of a test (or of a fixture: it may request another)
    whose builds are shown to make the sink's repository: the only one, or the only one of
    those the test requests."""
    repo = reference_repository(flow, sink)
    if not _run_by_pytest(test) or repo is None:
        return None
    matching = fixtures_building(flow, test, repo)
    requested = [name for name in matching if name in test.params]
    if len(matching) == 1:
        return matching[0]
    return requested[0] if len(requested) == 1 else None


def fixtures_building(flow: Flow, test: Function, repo: str) -> list[str]:
    """The producer fixtures in the reach of a test whose builds are shown to make `repo`."""
    matching = []
    for name in sorted(flow.project.fixtures):
        fixture = flow.project.fixture_for(name, test)
        if fixture is None or name == test.fixture or (test.fixture is not None and test.fixture in fixture.params):
            continue  # a fixture cannot request itself, nor one that requests it
        if fixture in flow.producers and any(
            same_repository(repo, built) for built in repositories_built(flow, fixture)
        ):
            matching.append(name)
    return matching


class Captured(NamedTuple):
    """A variable of the function that holds the name a build gave, and the assignment to it."""

    producer: str | None  # the producer's text; None for the tag a build command used
    variable: str
    statement: cst.CSTNode


def capture_building(flow: Flow, function: Function, sink: Sink) -> Captured | None:
    """The producer call of the function whose name it keeps in a variable before the sink
    (`image = build("worker")`), when that build is shown to make the sink's repository."""
    repo = reference_repository(flow, sink)
    if repo is None:
        return None
    module = function.module
    for call in function.calls:
        factory = factory_call(flow, call, function)  # `image = image_factory("shop-mail")`
        shape = flow.producers[factory] if factory is not None else flow.shape_of_call(call, module)
        statement = module.parent(call)
        if shape is None or shape.results != 1 or not isinstance(statement, cst.Assign) or statement.value is not call:
            continue
        target = statement.targets[0].target
        if len(statement.targets) != 1 or not isinstance(target, cst.Name) or module.end(statement) > sink.start:
            continue
        rebound = [b for b in function.bindings if b[0] == target.value and b[2] is not statement
                   and module.start(b[2]) < sink.start]
        producer = factory_call(flow, call, function) or flow.project.resolve(call, module)
        if rebound or producer is None:
            continue
        if any(same_repository(repo, built) for built in repositories_built(flow, producer, call, function)):
            return Captured(module.code(call.func), target.value, statement)
    return None


def tag_building(flow: Flow, function: Function, sink: Sink) -> Captured | None:
    """The variable the function tags a build with before the sink (`tag = f"acme/op:{uuid4()}"`,
    then `docker build -t {tag}`), assigned once, when it names the sink's repository."""
    repo = reference_repository(flow, sink)
    if repo is None:
        return None
    module = function.module
    for kind, tag in flow.consumer_arguments(function):
        if kind != "build" or not isinstance(tag, cst.Name) or module.end(tag) > sink.start:
            continue
        statements = [b[2] for b in function.bindings if b[0] == tag.value]
        if len(statements) != 1 or assigned_value(function, tag) is None or module.end(statements[0]) > sink.start:
            continue
        if any(same_repository(repo, built) for built in tag_repositories(flow, function, tag)):
            return Captured(None, tag.value, statements[0])
    return None


def kept_name(flow: Flow, function: Function, sink: Sink) -> Captured | None:
    """A variable of the function that already holds the name of a build of the sink's
    repository (and is not deleted before the sink)."""
    kept = capture_building(flow, function, sink) or tag_building(flow, function, sink)
    module = function.module
    if kept is None or any(n.value == kept.variable and isinstance(module.parent(n), cst.Del)
                           and module.start(n) < sink.start for n in function.names):
        return None
    return kept


def factory_building(flow: Flow, function: Function, sink: Sink) -> tuple[str, str] | None:
    """A call of a requested factory fixture in the function whose function builds the sink's
    repository with the call's arguments but returns no built name (`pod_factory("shop-mail")`,
    whose `_make` builds, deploys and returns the pod's name): (the call's text, the fixture)."""
    repo = reference_repository(flow, sink)
    if repo is None:
        return None
    for call in function.calls:
        inner = factory_function(flow, call, function)
        if inner is None or inner in flow.producers or not isinstance(call.func, cst.Name):
            continue
        if any(same_repository(repo, built) for built in repositories_built(flow, inner, call, function)):
            return function.module.code(call), call.func.value
    return None


def plan_capture(function: Function, sink: Sink, captured: Captured) -> Plan:
    """Deploy the variable that holds the build's name instead of a copy or a name computed afresh."""
    old, variable = old_text(sink), captured.variable
    verb = "deploy" if sink.deploys else "load"
    steps = (f"capture: the build's name is already in `{variable}`", f"pass: {verb} `{variable}` instead of `{old}`",
             "parameter: none needed", f"use: `{variable}` in place of `{old}`")
    if not set_where_read(function, captured.statement, variable, sink.node):
        unset = (f"`{variable}` is assigned in a block the {'deployment' if sink.deploys else 'load'} comes after, "
                 "and is not shown to be set there")
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{unset}; {BY_HAND}"))
    changes: dict[cst.CSTNode, Change] = {}
    edits = rewrite(function.module, changes) if use_name(sink, variable, changes) else None
    if edits:
        named = "returned" if captured.producer is not None else "used"
        return Plan(steps, Fix(Applicability.SAFE, f"{verb} `{variable}`, the name the build {named}", edits))
    return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))


def plan_untracked(flow: Flow, function: Function, sink: Sink) -> Plan:
    """IMG003 with no drop to pair it with, and IMG002's fixed text: deploy the variable that
    holds the build's name, else the fixture that builds it."""
    captured = kept_name(flow, function, sink) if sink.value.kind != FRESH else None
    if captured is not None:
        return plan_capture(function, sink, captured)
    if sink.value.kind == FRESH:
        plan = plan_fresh(flow, function, sink)
        if plan.fix.applicability != Applicability.DISPLAY_ONLY or fixture_building(flow, function, sink) is None:
            return plan
    return plan_fixture_request(flow, function, sink)


def plan_fixture_request(flow: Flow, function: Function, sink: Sink) -> Plan:
    """Deploy the image of the fixture that builds this repository, requesting it if the test
    does not yet."""
    fixture = fixture_building(flow, function, sink)
    if fixture is None:
        attribute = _attribute_building(flow, function, sink)
        if attribute is not None:
            return _plan_attribute(function, sink, attribute)
        entry = _entry_building(flow, function, sink)
        if entry is None:
            return Plan(_by_hand_steps(flow, function, sink), Fix(Applicability.DISPLAY_ONLY, BY_HAND))
        return _plan_request(function, sink, entry[0], entry[0] + entry[1].access)
    producer = flow.project.fixture_for(fixture, function)
    shape = flow.producers.get(producer) if producer is not None else None
    value = f"{fixture}[{shape.image_result}]" if shape is not None and shape.results > 1 else fixture
    return _plan_request(function, sink, fixture, value)


def _plan_request(function: Function, sink: Sink, fixture: str, value: str) -> Plan:
    """Deploy `value`, the fixture's image (or its entry that holds the image), requesting
    the fixture if need be."""
    old = old_text(sink)
    requested = fixture in function.params
    who = "the test" if function.is_test else "the fixture"
    if requested:
        capture = f"capture: {who} already requests the fixture `{fixture}`, which builds this image"
        parameter = "parameter: none needed"
    else:
        capture = f"capture: request the fixture `{fixture}`, which builds this image, as a parameter of `{function.name}`"
        parameter = f"parameter: add `{fixture}` to the parameters of `{function.name}`"
    steps = (capture, f"pass: nothing to pass: {who} receives it directly", parameter,
             f"use: `{value}` instead of `{old}`")
    obstacle = None if requested else fixture_obstacle(function)
    if obstacle is not None:
        return Plan(_moved_steps(function, fixture, value, old), Fix(Applicability.DISPLAY_ONLY, f"{obstacle}; {BY_HAND}"))
    if not can_request(function, fixture):
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{shadowed(function, fixture)}; {BY_HAND}"))
    changes: dict[cst.CSTNode, Change] = {}
    if (not requested and not add_parameter(function, fixture, changes)) or not use_name(sink, value, changes):
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    edits = rewrite(function.module, changes)
    if not edits:
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    message = f"deploy the image of the fixture `{fixture}`" if requested else f"request the fixture `{fixture}` and deploy it"
    return Plan(steps, Fix(Applicability.SAFE, message, edits))


def _moved_steps(function: Function, fixture: str, value: str, old: str) -> tuple[str, ...]:
    """Steps for a test pytest would pass no fixture to: the fixture's value must reach it some
    other way."""
    capture = (f"capture: move `{function.name}` where pytest passes it fixtures (a `test_*` function, or a method "
               f"of a `Test*` class that is no unittest test case, in a `test_*.py` module), or have it read the "
               f"name the build gave from the environment")
    return (capture, f"pass: the moved test requests the fixture `{fixture}`, which builds this image",
            f"parameter: add `{fixture}` to the parameters of the moved test",
            f"use: `{value}` instead of `{old}`")


def _shown(flow: Flow, held: Held, sink: Sink) -> bool:
    repo = reference_repository(flow, sink)
    return repo is not None and any(same_repository(repo, built) for built in repositories_held(flow, held))


def _attribute_building(flow: Flow, function: Function, sink: Sink) -> Held | None:
    """The one attribute of the test's class whose setup stored a build of the sink's
    repository (`cls.image = build_image("shop-audit")` in `setup_class`)."""
    found = {h.access: h for h in class_attributes(flow, function) if _shown(flow, h, sink)}
    return next(iter(found.values())) if len(found) == 1 else None


def _plan_attribute(function: Function, sink: Sink, held: Held) -> Plan:
    """Deploy the attribute the class's setup keeps the built name in (`self.image`)."""
    old = old_text(sink)
    steps = (f"capture: `{held.owner.name}` already keeps the built name in `{held.access}`",
             f"pass: nothing to pass: `{function.name}` reads `{held.access}`", "parameter: none needed",
             f"use: `{held.access}` instead of `{old}`")
    changes: dict[cst.CSTNode, Change] = {}
    if sink.function is not function or not use_name(sink, held.access, changes):
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    edits = rewrite(function.module, changes)
    if not edits:
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    return Plan(steps, Fix(Applicability.SAFE, f"deploy `{held.access}`, the name `{held.owner.name}` built", edits))


def _entry_building(flow: Flow, test: Function, sink: Sink) -> tuple[str, Held] | None:
    """The one entry of a fixture in reach (of those the test requests, when several) that
    holds a build of the sink's repository: (the fixture, the entry)."""
    if not _run_by_pytest(test):
        return None
    matching = []
    for name in sorted(flow.project.fixtures):
        fixture = flow.project.fixture_for(name, test)
        if fixture is None or name == test.fixture or (test.fixture is not None and test.fixture in fixture.params):
            continue
        matching += [(name, h) for h in fixture_entries(flow, fixture) if _shown(flow, h, sink)]
    requested = [m for m in matching if m[0] in test.params]
    if len(matching) == 1:
        return matching[0]
    return requested[0] if len(requested) == 1 else None


def _by_hand_steps(flow: Flow, function: Function, sink: Sink) -> tuple[str, ...]:
    old = old_text(sink)
    repo = reference_repository(flow, sink) or repository(old)
    owner = function.name
    if any(kind == "build" for kind, _ in flow.consumer_arguments(function)):
        use = ("format it into the manifest's `image:` line" if sink.kind == "yaml"
               else "format it into the `kubectl` word" if sink.kind == "command-word"
               else "deploy it" if sink.deploys else "load it")
        return (f"capture: name the image `{owner}` builds (it builds this image itself)",
                "pass: nothing to pass: the name is already in this function", "parameter: none needed",
                f"use: {use} instead of `{old}`")
    factory = factory_building(flow, function, sink)
    if factory is not None:
        call, fixture = factory
        capture = (f"capture: `{call}` builds `{repo}` here, and the function the fixture `{fixture}` hands out "
                   "is not shown to return an image name: make it return the name its build gave")
        return (capture,
                f"pass: keep that name in a variable of `{owner}` (`image = {call}`)", "parameter: none needed",
                f"use: that variable instead of `{old}`")
    if _run_by_pytest(function):
        # pytest calls tests and fixtures: their values come from fixtures, not from callers
        silent = silent_builder(flow, function, repo)
        if silent is not None:  # it builds the image, and hands the test no name to deploy
            return yield_steps(silent, function, old, f"its build of `{repo}` gives")
        several = fixtures_building(flow, function, repo)
        if len(several) > 1:  # a release and a debug build of one service: which is meant is yours to say
            named = ", ".join(f"`{name}`" for name in several)
            choose = f"capture: request one of the fixtures in reach that build `{repo}` ({named}): which image is meant here is yours to choose"
            return (choose,
                    f"pass: request that fixture as a parameter of `{owner}`",
                    "parameter: pytest passes the fixture by its name; nothing else to add",
                    f"use: the fixture's value instead of `{old}`")
        builds = [b.where for b in flow.builds if same_repository(repo, b.repository)]
        capture = (f"capture: return the name the build at {builds[0]} gives `{repo}` from a fixture (no fixture "
                   "in reach is shown to build it)" if builds else
                   f"capture: build `{repo}` in a fixture that returns the name it built (no fixture in reach is shown to build it)")
        return (capture,
                f"pass: request that fixture as a parameter of `{owner}`",
                "parameter: pytest passes the fixture by its name; nothing else to add",
                f"use: the fixture's value instead of `{old}`")
    return (f"capture: name the image the builder returns for `{repo}` in the callers of `{owner}`",
            f"pass: pass that name to `{owner}`",
            f"parameter: add an `image` parameter to `{owner}` and update every caller",
            f"use: `image` instead of `{old}`")


def returned_text(flow: Flow, producer: Function) -> str | None:
    """The fixed text a function returns on every way out (a fixture that loads the image a
    Makefile built and returns `BILLING_IMAGE`): a deployment of that very text deploys what
    it hands out, a copy to keep in step by hand."""
    values = [flow.value(r, producer.module, producer, plain=True) for r in producer.results]
    texts = {v.text if v.kind == FIXED else "" for v in values}
    return texts.pop() or None if len(texts) == 1 else None


def fixture_copied(flow: Flow, function: Function, sink: Sink) -> tuple[str, str] | None:
    """The fixture the function requests, as pytest resolves it (the nearest conftest.py's
    override first), that builds nothing and hands out the very text the function deploys
    (`return "localhost/shop-search:prebuilt"`): (its name, where it is defined)."""
    if not _run_by_pytest(function) or sink.function is not function or sink.value.kind != FIXED:
        return None
    for name in function.params:
        fixture = flow.project.fixture_for(name, function)
        if fixture is None or fixture in flow.producers or any(b[0] == name for b in function.bindings):
            continue
        if returned_text(flow, fixture) == sink.value.text:
            return name, f"{fixture.module.file.filename}:{fixture.module.line(fixture.node)}"
    return None


def plan_copied(function: Function, sink: Sink, fixture: str, where: str) -> Plan:
    """Deploy the value of the requested fixture the fixed text copies."""
    old = old_text(sink)
    who = "the test" if function.is_test else "the fixture"
    steps = (f"capture: {who} already requests the fixture `{fixture}` ({where}), which hands out this very name",
             f"pass: nothing to pass: {who} receives it directly", "parameter: none needed",
             f"use: `{fixture}` instead of `{old}`")
    changes: dict[cst.CSTNode, Change] = {}
    edits = rewrite(function.module, changes) if use_name(sink, fixture, changes) else None
    if not edits:
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    return Plan(steps, Fix(Applicability.SAFE, f"deploy the value of the fixture `{fixture}`", edits))


def _run_by_pytest(function: Function) -> bool:
    return function.is_test or function.fixture is not None


def plan_fresh(flow: Flow, function: Function, sink: Sink) -> Plan:
    """`name = generate(); build(name); deploy(generate())`: deploy `name`, the variable the
    build used that holds the same call (`generate_image_name("api")`, not the worker's)."""
    module = function.module
    wanted = module.code(_assigned(function, sink.node) or sink.node)
    names = [e for kind, e in flow.consumer_arguments(function)
             if isinstance(e, cst.Name) and module.end(e) <= sink.start]
    same = [n for n in names if (value := _assigned(function, n)) is not None and module.code(value) == wanted]
    old = old_text(sink)
    if not same:
        steps = (f"capture: keep the name of the build that makes this image in a variable (no build here used `{old}`)",
                 "pass: nothing to pass: the name is in this function", "parameter: none needed",
                 f"use: that variable in place of `{old}`")
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    variable = same[-1].value
    steps = (f"capture: the build already uses `{variable}`", f"pass: deploy `{variable}` instead of `{old}`",
             "parameter: none needed", f"use: `{variable}` in place of a second `{old}`")
    edits = rewrite(module, {sink.node: lambda _node: cst.Name(variable)})
    if edits:
        return Plan(steps, Fix(Applicability.SAFE, f"deploy `{variable}`, the name the build used", edits))
    return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))


def _assigned(function: Function, node: cst.CSTNode) -> cst.BaseExpression | None:
    return assigned_value(function, node) if isinstance(node, cst.Name) else None
