"""IMG001 discarded-image-name: the image name a builder returns is dropped."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import NamedTuple

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.defects import (
    DroppedBuild,
    LookedUpEntry,
    constant_applied_by_helper,
    dropped_builds,
    fed_by_callers,
    filled_before,
    looked_up_entry,
    stale_of,
)
from imagetag_lint.analysis.deploying_builders import deployed_in
from imagetag_lint.analysis.deployments import (
    DeployCall,
    FixedSite,
    image_arguments,
    needs_own_parameter,
)
from imagetag_lint.analysis.discards import Discard, find_discards
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.pairing import (
    build_name_of,
    config_tag,
    in_goroutine,
    with_config_tag,
)
from imagetag_lint.analysis.steps import (
    call_name,
    capture_step,
    closure_out_of_reach,
    declared_before_step,
    goroutine_in_loop,
    group_capture_step,
    grouped_launch,
    nested_capture_step,
    nested_holder,
    new_parameter,
    other_definitions,
    overwritten_steps,
    parameter_step,
    pass_step,
    reach_steps,
    reads_the_capture,
    spec_drop_steps,
    stale_steps,
    suite_drop_steps,
    use_step,
    variable_for,
    waited_for,
)
from imagetag_lint.engine.ranges import fixed_key
from imagetag_lint.engine.returned_builds import repeats_name, returned_parameter
from imagetag_lint.engine.run import per_generation
from imagetag_lint.enums import Severity
from imagetag_lint.findings import Finding, Related
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
)
from imagetag_lint.record import replace

CODE = "IMG001"


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    index = ctx.index
    in_functions = {id(d.discard): d for d in dropped_builds(index, file)}
    for discard in find_discards(index, file):
        dropped = in_functions.get(id(discard))
        if _repeated_nowhere(index, discard, dropped):
            continue
        build_name = dropped.build_name if dropped is not None else build_name_of(index, discard.call, file, None)
        deploy = dropped.deploy if dropped is not None else None
        if deploy is not None and needs_own_parameter(index, deploy, discard.call):
            deploy = replace(deploy, image_params=frozenset())  # those parameters are other builds': it gets its own
        proposed = variable_for(build_name, deploy.target if deploy is not None else None)
        kept = _kept_name(discard)
        variable = kept or _reused_local(index, discard) or _fresh(index, discard, proposed)
        callers = count_calls(index, deploy.target) if deploy is not None else 0
        goroutine = in_goroutine(discard.call)
        # with no deploy call, the fixed images the function deploys itself (a manifest it applies)
        here = dropped.fixed if dropped is not None and deploy is None else ()
        holder = closure_out_of_reach(discard, deploy) if not goroutine and not kept else None
        launch = grouped_launch(discard, deploy.call) if holder is not None and deploy is not None else None
        grouped = launch is not None
        hands_off = goroutine or grouped  # the name leaves a goroutine through an outer variable
        carried = _fresh(index, discard, variable + "Built", {variable}) if hands_off else variable  # the outer variable
        results = (discard.producer.results, discard.producer.image_result)
        parameter = _added_parameter(index, file, discard, deploy) if deploy is not None and not deploy.image_params else "imageName"
        steps = (
            capture_step(variable, discard.call, discard.how, goroutine, carried, results, bool(kept), _keeps_if_scope(index, discard)),
            _looped_pass_step(deploy) if goroutine and goroutine_in_loop(discard.call) else pass_step(carried, deploy, bool(here), image_arguments(index, deploy, build_name) if deploy is not None else None, discard.call),
            parameter_step(deploy, callers, bool(here), parameter, other_definitions(index, deploy.target) if deploy is not None else ()),
            _set_after_step(here[0], discard, carried) if here and filled_before(here[0], discard.call) else
            use_step(deploy, here[0] if here else None, carried if here else parameter),
        )
        stale = dropped.stale if dropped is not None else ()
        elsewhere = bool(here) and here[0].function is not None and here[0].function is not discard.function  # a suite's tests
        if deploy is None and not here and stale and not (goroutine and goroutine_in_loop(discard.call)):
            steps = (steps[0], *stale_steps(stale, carried))  # a goroutine's name is read after the receive
        elif deploy is None and (not here or elsewhere) and not goroutine and (suite := suite_drop_steps(index, discard.function, variable)):
            steps = (steps[0], *suite)  # a testify suite: its test methods read a field
        if elsewhere and not kept and (spec := spec_drop_steps(discard, here[0], _package_variable(index, discard, variable), results, build_name)):
            steps = spec  # a Ginkgo suite: `BeforeSuite` and the spec share only the package
        steps = overwritten_steps(index, discard, deploy, here, callers, parameter) or steps  # the name is kept, then lost
        if deploy is None and here and here[0].function is discard.function and not goroutine and not kept:
            steps = reach_steps(discard, here[0], variable) or steps  # declared where the deployment cannot read it
        applied = constant_applied_by_helper(index, discard, here[0]) if deploy is None and here and not hands_off else None
        if applied is not None:  # a helper of the package applies the constant manifest: it takes the name
            steps = (steps[0], *_helper_constant_steps(index, applied, here[0], carried))
        if grouped and launch is not None and deploy is not None:  # an errgroup's closure, the deploy call after `g.Wait()`
            capture = group_capture_step(variable, carried, discard.call, results, launch, waited_for(launch, deploy.call))
            steps = (capture, *steps[1:])
        elif holder is not None and deploy is not None:  # a build in a closure, the deploy call after it
            steps = (declared_before_step(discard, holder, deploy.call, variable), *steps[1:])
        elif deploy is not None and not goroutine and (nested := nested_holder(discard, deploy.call)) is not None:
            steps = (nested_capture_step(discard, nested, deploy.call, variable, results), *steps[1:])  # a retry loop
        adds = deploy is not None and steps[2].startswith("parameter: add")
        reading = _reading_callers(index, discard, deploy) if adds and deploy is not None and not hands_off else []
        if reading:  # calls after the build read the captured name as the paired one does
            steps = (*steps[:2], f"{steps[2]}; {_reading_words(reading, file, carried)}", *steps[3:])
        kept_there = _kept_by_callers(index, discard, deploy) if adds and deploy is not None else []
        if kept_there:  # other builders of the image pass the name they keep
            steps = (*steps[:2], f"{steps[2]}; {_kept_words(kept_there)}", *steps[3:])
        keeping = _keeping_callers(index, discard, deploy) if adds and deploy is not None else []
        if keeping:  # the fix's other callers pass the fixed text: say so before --fix
            steps = (*steps[:2], f"{steps[2]}; {_keeping_words(keeping)}", *steps[3:])
        listed = _listed_sites(dropped.fixed) if dropped is not None and not kept and not hands_off else None
        entry = looked_up_entry(listed[0]) if listed else None
        ranged_over = _ranged_value(listed[0], discard.call) if listed and entry is None else None
        if listed and entry is not None and deploy is not None and listed[0].function is not discard.function:
            # the map is the deploy helper's: the name reaches it through the parameter step 3 adds
            steps = (*steps[:3], _helper_entry_use_step(entry, listed[0], parameter))
        elif listed and entry is not None:  # the name goes in the map entry, never in the lookup of every service
            steps = (steps[0], _looked_up_pass_step(index, entry, listed[0].function), steps[2], _looked_up_use_step(entry, listed[0], discard, carried))
        elif ranged_over is not None:  # the build runs in the loop: its list is read before the name exists
            steps = _deployed_instead_steps(steps, deploy, carried, ranged_over)
        elif listed:  # the fix puts the name in the list a `range` loop walks, not at the deployment
            steps = (steps[0], _listed_pass_step(listed[0]), steps[2], f"use: put `{carried}` in that list in place of `{excerpt(listed[0].node)}`")
        related: list[Related] = []
        handed = index.handed_builder(discard.call, file)
        if handed is not None:
            caller_file, argument = handed
            related.append(Related(caller_file.span(argument), f"`{excerpt(argument)}` is handed in here as `{call_name(discard.call)}`"))
        if deploy is not None:
            related.append(Related(file.span(deploy.call), f"the image is deployed here by `{call_name(deploy.call)}`"))
        if applied is not None:
            related.append(Related(file.span(applied[0]), f"the manifest `{applied[2]}` is applied here by `{call_name(applied[0])}`"))
        for site in dropped.fixed if dropped is not None else ():
            related.append(Related(site.file.span_bytes(site.start, site.end), f"with the fixed image `{site.image}`"))
        for mismatch in dropped.stale if dropped is not None else ():
            where = file.span(mismatch.sink.expr)
            receiver = "the load" if mismatch.sink.kind == "load-arg" else "the deployment"
            related.append(Related(where, f"{receiver} receives `{excerpt(mismatch.sink.expr)}` instead ({mismatch.how})"))
        for other in keeping:
            related.append(Related(other.file.span(other.call), _keeping_related(ctx, other)))
        for site in fed_by_callers(index, dropped) if dropped is not None else ():
            caller = f"`{site.function.name}`" if site.function is not None else "a caller"
            related.append(Related(site.file.span_bytes(site.start, site.end), f"{caller} passes the fixed image `{site.image}` for that parameter"))
        build_name = with_config_tag(index, discard.call, discard.function, build_name)
        tag = None if _tagged(build_name) else config_tag(index, discard.call, discard.function)
        if tag is not None and discard.function is not None and _may_be_empty(discard.function, tag):
            tag = None  # an empty tag leaves the builder to choose one: the deployment cannot know it
        drifted = _other_tag(build_name, dropped.fixed if dropped is not None else ())
        unseen = steps[1] == pass_step(carried, None)  # no deployment of the name was found anywhere
        unfollowed = _unfollowed_call(index, discard) if unseen else None
        if unfollowed is not None:  # a call after the build runs code the analysis does not read
            call, module = unfollowed
            passing = (
                f"pass: give `{carried}` to what deploys the image; `{call_name(call)}` (line {call.start_point.row + 1}) "
                f"runs code of `{module}`, a module the analysis does not follow: if it deploys the image, pass it there"
            )
            steps = (steps[0], passing, *steps[2:])
            related.append(Related(file.span(call), f"a call into `{module}`, a module the analysis does not follow"))
        consequence = _consequence(build_name, tag, unseen, unfollowed) if drifted is None else (
            f"the build tags `{build_name}`, and the deployment's `{drifted}` is another tag of its repository"
        )
        yield ctx.finding(
            CODE,
            file.span(discard.call),
            {"call": call_name(discard.call), "how": discard.how, "consequence": consequence},
            steps,
            tuple(related),
            ctx.repairs.of_discard(discard),
            Severity.WARNING if drifted is None and (_tagged(build_name) or tag is not None) else None,
        )


def _helper_constant_steps(
    index: ImageFlowIndex, applied: tuple[Node, Function, str], site: FixedSite, variable: str
) -> tuple[str, str, str]:
    """The pass, parameter and use steps of a drop whose function calls a helper that applies a
    package-level constant manifest: the helper takes the name and formats it into the manifest."""
    call, helper, constant = applied
    parameter = new_parameter(index, helper)
    callers = count_calls(index, helper)
    sites = "every call site" if helper.exported else "its call site" if callers == 1 else f"all {callers} call sites"
    return (
        f"pass: call `{call_name(call)}(..., {variable})`: `{helper.name}` applies the manifest `{constant}`",
        f"parameter: add `{parameter} string` to `{helper.name}` ({helper.file.filename}:{helper.node.start_point.row + 1}) and update {sites}",
        f"use: make `{constant}` a template (`image: %s`) and format `{parameter}` into it instead of `{site.image}`",
    )


def _unfollowed_call(index: ImageFlowIndex, discard: Discard) -> tuple[Node, str] | None:
    """The first call after the build, in the drop's function, into a package of a module that
    the go.mod replaces by a local directory the analysis does not follow, and that module."""
    function = discard.function
    if function is None:
        return None
    calls = _unfollowed_calls(index, function)
    first = bisect_left(calls, discard.call.end_byte, key=lambda found: found[0])
    return (calls[first][1], calls[first][2]) if first < len(calls) else None


def _unfollowed_calls(index: ImageFlowIndex, function: Function) -> list[tuple[int, Node, str]]:
    """(start, call, module) of the function's calls into modules the analysis does not follow, in
    order: found once per function, since each drop of the function asks about the calls after it."""
    return per_generation(index, ("unfollowed-calls", id(function)), lambda: _calls_into_unfollowed(index, function))


def _calls_into_unfollowed(index: ImageFlowIndex, function: Function) -> list[tuple[int, Node, str]]:
    found = []
    for call in sorted(index.calls_in(function), key=lambda c: c.start_byte):
        qualifier = callee(call)[0]
        if qualifier is None or qualifier not in function.file.imports:
            continue
        module = index.project.unfollowed_module(function.file, qualifier)
        if module is not None:
            found.append((call.start_byte, call, module))
    return found


def _added_parameter(index: ImageFlowIndex, file: SourceFile, discard: Discard, deploy: DeployCall) -> str:
    """The image parameter the fix adds to the deploy function for the drop: a name of its own
    when an earlier drop of the file, paired with the same call, adds one too (the fix adds them
    in successive rounds: `imageName`, then `imageName2`)."""
    taken: set[str] = set()
    for earlier in dropped_builds(index, file):
        if earlier.discard is discard:
            break
        other = earlier.deploy
        if other is not None and other.call.id == deploy.call.id and _adds_parameter(index, other, earlier.discard):
            taken.add(new_parameter(index, deploy.target, taken))
    return new_parameter(index, deploy.target, taken)


def _adds_parameter(index: ImageFlowIndex, deploy: DeployCall, discard: Discard) -> bool:
    """Does the drop's repair give the deploy function an image parameter?"""
    return not deploy.image_params or needs_own_parameter(index, deploy, discard.call)


def _repeated_nowhere(index: ImageFlowIndex, discard: Discard, dropped: DroppedBuild | None) -> bool:
    """Does the build tag text its caller wrote and can write again (`buildImage(fmt.Sprintf(
    "gcr.io/acme/debug:%s", version), dir)`, a helper that returns the reference it is given),
    with no deployment in reach? A release tool pushes what it built under that very text: the
    drop loses nothing any code here could deploy."""
    if dropped is not None and (dropped.deploy is not None or dropped.fixed or dropped.stale):
        return False
    if discard.function is not None and deployed_in(index, discard.function):
        return False  # a deployment beside the drop, paired with it or not
    producer = discard.producer
    position = returned_parameter(index, producer) if producer.wrapper is not None else None
    args = arguments(discard.call)
    return position is not None and position < len(args) and repeats_name(args[position])


def _keeps_if_scope(index: ImageFlowIndex, discard: Discard) -> bool:
    """Does the fix keep the `if`'s own `err` (the capture step then says so)?"""
    if "`if` init" not in discard.how:
        return False
    # the repair step, loaded only when asked (a run that finds no such drop never needs it)
    from imagetag_lint.repair.capture import keeps_if_scope

    return keeps_if_scope(index, discard)


def _reused_local(index: ImageFlowIndex, discard: Discard) -> str | None:
    """The stale local the repair gives the built name instead of a new variable, if it does (the
    finding's fix imports the repairs anyway)."""
    from imagetag_lint.repair.discard import stale_local

    if discard.function is None or in_goroutine(discard.call):
        return None
    stale = stale_local(index, discard, stale_of(index, discard))
    return text(stale) if stale is not None else None


def _kept_name(discard: Discard) -> str | None:
    """The variable that already holds the name but is never read (`img, err := ...`, then only
    `_ = img`): the repair deploys it rather than capturing the name again."""
    target = discard.target
    if target is None or target.type != "identifier" or text(target) == "_" or "overwritten" in discard.how:
        return None
    return text(target)


def _fresh(index: ImageFlowIndex, discard: Discard, base: str, taken: set[str] | None = None) -> str:
    """The name the repair gives the captured image: base, or base2... when base is taken."""
    from imagetag_lint.repair.names import fresh_name
    from imagetag_lint.repair.plan import CannotFix

    if discard.function is None:
        return base
    try:
        return fresh_name(index, base, discard.function, taken)
    except CannotFix:
        return base


def _package_variable(index: ImageFlowIndex, discard: Discard, name: str) -> str:
    """The name of the package variable a Ginkgo suite node keeps the image in: free in every
    file of the package (`repair.names.free_in_package`), as the fix will declare it."""
    from imagetag_lint.analysis.steps import keeps_for_tests
    from imagetag_lint.repair.names import free_in_package
    from imagetag_lint.repair.plan import CannotFix

    if discard.function is None or not keeps_for_tests(discard.function):
        return name
    try:
        return free_in_package(index, name, discard.function)
    except CannotFix:
        return name


def _listed_sites(sites: tuple[FixedSite, ...]) -> tuple[FixedSite, ...] | None:
    """The drop's fixed images when each is an element of a list that a `range` loop hands to the
    deployment (`for _, img := range []string{"localhost/a:e2e"}`), not the deployed expression."""
    listed = all(site.sink is not None and site.node.id != site.sink.expr.id for site in sites)
    return sites if sites and listed else None


def _ranged_value(site: FixedSite, build: Node) -> str | None:
    """The value variable of the `range` loop that walks the list holding `site`, when the build
    runs in that loop's body (the list is read before the body declares the name), else None."""
    loop = enclosing(site.node, ("for_statement",))
    body = loop.child_by_field_name("body") if loop is not None else None
    clause = next((n for n in loop.named_children if n.type == "range_clause"), None) if loop is not None else None
    left = clause.child_by_field_name("left") if clause is not None else None
    if body is None or left is None or left.named_child_count != 2 or not is_inside(build, body):
        return None
    return text(left.named_children[1])


def _deployed_instead_steps(
    steps: tuple[str, str, str, str], deploy: DeployCall | None, carried: str, value: str
) -> tuple[str, str, str, str]:
    """The steps that deploy the captured name in place of the loop's value variable."""
    why = f"(the `range` list is read before the loop's body declares `{carried}`, so the name cannot go in it)"
    if deploy is not None:
        return (steps[0], f"pass: call `{call_name(deploy.call)}` with `{carried}` instead of `{value}` {why}", steps[2], steps[3])
    return (steps[0], "pass: nothing to pass: the deployment is in this loop", steps[2], f"use: `{carried}` instead of `{value}` {why}")


def _listed_pass_step(site: FixedSite) -> str:
    loop = enclosing(site.node, ("for_statement",))
    line = f" at line {loop.start_point.row + 1}" if loop is not None else ""
    return f"pass: nothing to pass: the `range` loop{line} hands each element of its list to the deployment"


def _looked_up_pass_step(index: ImageFlowIndex, entry: LookedUpEntry, function: Function | None) -> str:
    key = entry.lookup.child_by_field_name("index")
    if key is not None and function is not None and fixed_key(index, key, function) is not None:  # `images["web"]`: that entry alone
        return (
            f"pass: nothing to pass: `{text(entry.lookup)}` (line {entry.lookup.start_point.row + 1}) reads the "
            f"{entry.key} entry of `{entry.local}`, which step 4 sets to the name"
        )
    return (
        f"pass: nothing to pass: `{text(entry.lookup)}` (line {entry.lookup.start_point.row + 1}) looks up each "
        f"service's entry of `{entry.local}`, so it serves several services and stays as it is"
    )


def _looked_up_use_step(entry: LookedUpEntry, site: FixedSite, discard: Discard, name: str) -> str:
    if entry.statement.start_byte >= discard.call.end_byte:
        return f"use: put `{entry.key}: {name}` in `{entry.local}` in place of `{entry.key}: {text(site.node)}`"
    return (
        f"use: `{entry.local}` is filled before the build (line {entry.statement.start_point.row + 1}): drop "
        f"`{entry.key}: {text(site.node)}` from it and set `{entry.local}[{entry.key}] = {name}` after the build"
    )


def _helper_entry_use_step(entry: LookedUpEntry, site: FixedSite, parameter: str) -> str:
    """The use step of a map entry that a deploy helper fills and looks up: the entry takes the
    parameter, and the lookup stays (it may serve other services)."""
    return (
        f"use: `{entry.key}: {parameter}` in `{entry.local}` in place of `{entry.key}: {text(site.node)}`; "
        f"`{text(entry.lookup)}` (line {entry.lookup.start_point.row + 1}) stays as it is"
    )


def _looped_pass_step(deploy: DeployCall | None) -> str:
    where = f"`{call_name(deploy.call)}`" if deploy is not None else "the function that deploys the image"
    return f"pass: give {where} the name read from each service's received result"


def _tagged(build_name: str | None) -> bool:
    """Does the build's config name a whole reference, tag included (`localhost/app:latest`)?"""
    return build_name is not None and build_name.rfind(":") > build_name.rfind("/")


def _other_tag(build_name: str | None, fixed: tuple[FixedSite, ...]) -> str | None:
    """The fixed image the drop leads to that carries another tag than the one the build's name
    gives (`tg-c:v1` built, `localhost/tg-c:v2` deployed): broken now, as IMG002 says beside a
    kept build, not a copy that may drift apart later."""
    if not _tagged(build_name) or build_name is None:
        return None
    built = build_name.rsplit(":", 1)[1]
    for site in fixed:
        last = site.image.split("@", 1)[0].rsplit("/", 1)[-1]
        if ":" in last and last.rsplit(":", 1)[1] != built:
            return site.image
    return None


def _may_be_empty(function: Function, tag: Node) -> bool:
    """Is the config's tag a local that some write leaves empty: `""` on a path, or
    `os.Getenv(...)` with no default (an unset variable is empty; `if tag == "" { tag = "e2e" }`
    is one)? The builder then chooses the tag, and the deployment cannot repeat it."""
    if tag.type != "identifier" or function.body is None:
        return False
    written = list(_written(function.body, text(tag)))
    if any(value in ('""', "``") for value in written):
        return True
    from_env = [value for value in written if value.startswith("os.Getenv(")]
    return bool(from_env) and len(from_env) == len(written)


def _written(body: Node, name: str) -> Iterator[str]:
    """The text of each value a write gives the local (`tag := X`, `tag = X`)."""
    for use in identifiers(body, name):
        if not is_write(use):
            continue
        holder = use.parent
        statement = holder.parent if holder is not None else None
        if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
            continue
        right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
        position = holder.named_children.index(use) if holder is not None and use in holder.named_children else -1
        values = right.named_children if right is not None else []
        if 0 <= position < len(values):
            yield text(values[position])


def _consequence(
    build_name: str | None, tag: Node | None, unseen: bool = False, unfollowed: tuple[Node, str] | None = None
) -> str:
    """What the drop costs, in words the analysis can stand behind: when the caller chose the tag
    itself (in the name, or in the config's tag field), the deployment can repeat the reference,
    and breaks only when the two copies drift apart. With no deployment found (unseen), none is
    said to exist: only that the tag is lost, and, when a call after the build runs code the
    analysis does not follow (unfollowed), that it may deploy the image."""
    if _tagged(build_name):
        return f"the deployment must repeat `{build_name}` by hand, and breaks when that tag changes"
    if tag is not None:
        given = f"`{build_name}` tagged `{excerpt(tag)}`" if build_name is not None else f"the tag `{excerpt(tag)}`"
        return (f"the config names the whole reference ({given}), so the deployment must repeat it by hand, "
                "and breaks when the builder's naming changes")
    if unseen and unfollowed is not None:
        return (
            f"the tag that was built is lost; `{call_name(unfollowed[0])}` after it runs code of `{unfollowed[1]}`, "
            "a module the analysis does not follow, which may deploy it"
        )
    if unseen:
        return "the tag that was built is lost, and no deployment of it was found"
    return "the deployment cannot know the tag that was built"


class KeepingCaller(NamedTuple):
    """Another call of the deploy helper the fix gives a parameter: it passes the fixed image the
    helper deployed before (README, step 3), so it still deploys that image."""

    file: SourceFile
    call: Node
    caller: str  # the function that holds the call, as the steps name it
    site: FixedSite  # the fixed image it keeps
    target: Function  # the deploy helper


def _keeping_callers(index: ImageFlowIndex, discard: Discard, deploy: DeployCall) -> list[KeepingCaller]:
    """The calls of the deploy helper, other than the paired one, that the parameter fix hands the
    fixed image (the same calls the fix edits; none when the fix is by hand for its callers)."""
    from imagetag_lint.repair.parameter import kept_at, sites_for_build

    sites = sites_for_build(deploy.fixed)
    if not sites:
        return []
    return [
        KeepingCaller(caller_file, call, _holder(call), sites[0], deploy.target)
        for caller_file, call in _other_calls(index, deploy)
        if not (caller_file is discard.file and reads_the_capture(index, discard, deploy, call))
        and not _fixed_by_its_own_drop(index, caller_file, call)
        and kept_at(index, caller_file, call, sites[0].image) is None
    ]


def _kept_by_callers(index: ImageFlowIndex, discard: Discard, deploy: DeployCall) -> list[tuple[SourceFile, Node, str]]:
    """The other calls of the deploy helper in functions that keep the name of a build of the
    image themselves: the parameter fix passes them that name."""
    from imagetag_lint.repair.parameter import kept_at, sites_for_build

    sites = sites_for_build(deploy.fixed)
    if not sites:
        return []
    found = []
    for caller_file, call in _other_calls(index, deploy):
        if caller_file is discard.file and reads_the_capture(index, discard, deploy, call):
            continue
        if not _fixed_by_its_own_drop(index, caller_file, call) and (name := kept_at(index, caller_file, call, sites[0].image)):
            found.append((caller_file, call, name))
    return found


def _kept_words(kept: list[tuple[SourceFile, Node, str]]) -> str:
    """Step 3's note: which other calls get the name their own function's build keeps."""
    said = [f"the call in {_holder(call)} ({file.filename}:{call.start_point.row + 1}) gets `{name}`" for file, call, name in kept]
    return f"{' and '.join(said)}, the name its own build keeps"


def _reading_callers(index: ImageFlowIndex, discard: Discard, deploy: DeployCall) -> list[Node]:
    """The calls of the deploy helper, other than the paired one, after the build in its block:
    the parameter fix hands them the captured name too."""
    from imagetag_lint.repair.parameter import sites_for_build

    if not sites_for_build(deploy.fixed):
        return []
    return [call for caller_file, call in _other_calls(index, deploy) if caller_file is discard.file and reads_the_capture(index, discard, deploy, call)]


def _other_calls(index: ImageFlowIndex, deploy: DeployCall) -> list[tuple[SourceFile, Node]]:
    """Every call of the deploy helper but the paired one (none when the fix cannot find them all)."""
    from imagetag_lint.repair.parameter import call_sites
    from imagetag_lint.repair.plan import CannotFix

    try:
        found = call_sites(index, deploy.target)
    except CannotFix:
        return []
    calls = found if isinstance(found, list) else []
    return [(f, call) for f, call in calls if not (call.id == deploy.call.id and f is deploy.function.file)]


def _fixed_by_its_own_drop(index: ImageFlowIndex, file: SourceFile, call: Node) -> bool:
    """Is the call another dropped build's deploy call? That drop's fix passes its own built name
    there (the next round of `--fix`), so the call keeps no fixed image."""
    return any(d.deploy is not None and d.deploy.call.id == call.id for d in dropped_builds(index, file))


def _holder(call: Node) -> str:
    declaration = enclosing(call, ("function_declaration", "method_declaration"))
    name = declaration.child_by_field_name("name") if declaration is not None else None
    return f"`{excerpt(name)}`" if name is not None else "a function literal"


def _keeping_words(keeping: list[KeepingCaller]) -> str:
    """Step 3's note: which calls keep deploying the fixed image after the fix."""
    places = " and ".join(f"in {k.caller} ({k.file.filename}:{k.call.start_point.row + 1})" for k in keeping)
    image = keeping[0].site.image
    if len(keeping) == 1:
        return f"the other call site, {places}, gets `{image}` and still deploys that fixed image"
    return f"the other call sites, {places}, get `{image}` and still deploy that fixed image"


def _reading_words(reading: list[Node], file: SourceFile, variable: str) -> str:
    """Step 3's note: which other calls, after the build, get the captured name."""
    lines = " and ".join(f"{file.filename}:{call.start_point.row + 1}" for call in reading)
    if len(reading) == 1:
        return f"the call after the build ({lines}) gets `{variable}` too"
    return f"the calls after the build ({lines}) get `{variable}` too"


def _keeping_related(ctx: RuleContext, keeping: KeepingCaller) -> str:
    """A related place for such a call: what it keeps deploying, and why that breaks when the
    analysis knows (the IMG002 it becomes after the fix). A test that builds nothing and hands
    the helper fixed text is taken for a unit test with a fixture, no finding after the fix: the
    words say so rather than promise a deployment the next run does not report."""
    from imagetag_lint.analysis.build_sites import what_builds_show
    from imagetag_lint.analysis.hardcoded_image_reference import passes_fixtures

    said = f"{keeping.caller} also calls `{keeping.target.name}` here; step 3 passes it the fixed image `{keeping.site.image}`"
    functions = ctx.index.facts(keeping.file).functions if keeping.file.filename.endswith("_test.go") else []
    caller = next((f for f in functions if f.node.start_byte <= keeping.call.start_byte < f.node.end_byte), None)
    if caller is not None and passes_fixtures(ctx, caller, keeping.target):
        return (f"{said}, as today (a test that builds and loads no image is taken to test `{keeping.target.name}` "
                "with a fixture, and is no finding after the fix: check it by hand)")
    said = f"{said}, so it still deploys that image"
    why, severity, build = what_builds_show(ctx.index, keeping.site)
    return f"{said}: {why}" if severity is Severity.ERROR and build is not None else said


def count_calls(index: ImageFlowIndex, target: Function) -> int:
    return index.call_count(target)


def _set_after_step(site: FixedSite, discard: Discard, name: str) -> str:
    """The use step of a config filled before the build: it cannot read the name yet."""
    filled = filled_before(site, discard.call)
    assert filled is not None
    return (
        f"use: `{filled.local}` is filled before the build (line {filled.statement.start_point.row + 1}): drop "
        f"`{filled.key}: {text(site.node)}` from it and set `{filled.local}.{filled.key} = {name}` after the build"
    )
