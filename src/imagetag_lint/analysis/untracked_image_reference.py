"""IMG003 untracked-image-reference: a deployment gets a reference other than the one built."""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.defects import deployed_reference, owned
from imagetag_lint.analysis.image_flow import Sink, repository
from imagetag_lint.analysis.mismatches import (
    BuildingFunction,
    Mismatch,
    building_functions,
    ignored_image_params,
    kept_build_of,
    meant_name,
)
from imagetag_lint.analysis.other_repository import other_repositories
from imagetag_lint.analysis.overwrites import overwrite_before, overwrite_words
from imagetag_lint.analysis.received_results import received_result
from imagetag_lint.analysis.steps import call_name
from imagetag_lint.engine.values import loop_variable
from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Finding, Fix, Related
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    enclosing,
    is_inside,
    parent,
    right_values,
    unparen,
)

CODE = "IMG003"


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    for building in building_functions(ctx.index, file):
        # with a drop, the dropped build's IMG001 names its stale deployments; those of a build
        # whose name the function keeps are that build's own
        yield from _check_flow(ctx, building)
    for function in ctx.index.facts(file).functions:
        yield from _ignored_image_params(ctx, function)
        yield from _other_repositories(ctx, function)
        yield from _unbuilt_loads(ctx, function)


def _unbuilt_loads(ctx: RuleContext, function: Function) -> Iterator[Finding]:
    """A `localhost/` reference loaded into the cluster that no file of the module builds."""
    from imagetag_lint.analysis.unbuilt_local import unbuilt_loads

    file = function.file
    for load in unbuilt_loads(ctx.index, function):
        what = "a local reference" if text(load.expr) == f'"{load.image}"' else f"`{load.image}`, a local reference"
        how = (
            f"{what} that no file of this Go module builds: no line that names its repository tags "
            "or builds it, and no Go string names its service"
        )
        deployed = [
            Related(file.span(sink.expr), f"`{load.image}` is deployed here")
            for sink in [*ctx.index.image_field_sinks_in(function), *ctx.index.call_sinks(function)]
            if sink.kind != "load-arg" and ctx.index.fixed_text(sink.expr, file, function) == load.image
        ]
        steps = (
            f"capture: build `{repository(load.image)}` in the suite and keep the name the build returns",
            f"pass: load that name instead of `{load.image}`",
            "parameter: none needed",
            "use: deploy the name the build returned wherever this reference is deployed",
        )
        fix = Fix(
            Applicability.DISPLAY_ONLY,
            f"nothing in this module builds `{load.image}`: build it in the suite, or load a reference that exists",
        )
        values = {"site": "load", "reference": text(load.expr), "how": how}
        yield ctx.finding(CODE, file.span(load.expr), values, steps, tuple(deployed), fix)


def _other_repositories(ctx: RuleContext, function: Function) -> Iterator[Finding]:
    """A build that tags one repository while the load and the deployment use another."""
    file = function.file
    for found in other_repositories(ctx.index, function):
        build = found.build
        at = f"{build.function.file.filename}:{build.call.start_point.row + 1}"
        how = (
            f"`{found.image}`, while the build at {at} tags another repository, `{build.image}`; "
            "nothing in the linted code builds this one"
        )
        related = (
            Related(build.function.file.span(build.call), f"the build tags `{build.image}` here"),
            *(Related(file.span(s.expr), f"`{found.image}` is also used here") for s in found.also),
        )
        steps = (
            f"capture: decide which name is right: the build's `{build.image}` or `{found.image}`",
            f"pass: tag the build and deploy the same reference ({at})",
            "parameter: let the build helper take the name (`-t` of a parameter) and return or share it",
            f"use: load and deploy the name the build tagged, not `{found.image}`",
        )
        fix = Fix(
            Applicability.DISPLAY_ONLY,
            f"the build tags `{build.image}` while this deploys `{found.image}`: make them one name by hand",
        )
        values = {"site": _site(found.sink), "reference": text(found.sink.expr), "how": how}
        yield ctx.finding(CODE, file.span(found.sink.expr), values, steps, related, fix)


def _check_flow(ctx: RuleContext, building: BuildingFunction) -> Iterator[Finding]:
    file = building.function.file
    discards, built = building.discards, building.built
    for mismatch in building.mismatches:
        kept = kept_build_of(ctx.index, building.function, mismatch) if discards else None
        if discards and kept is None and owned(ctx.index, building.function, mismatch):
            continue
        sink = mismatch.sink
        if kept is not None:
            related: tuple[Related, ...] = (
                Related(file.span(kept), f"`{excerpt(kept)}` keeps the name of the build this deployment means"),
            )
        else:  # the dropped builds make other repositories: none of them answers for this one
            related = ()
        meant = meant_name(ctx.index, building.function, mismatch)
        write = overwrite_before(ctx.index, building.function, meant, sink.expr) if meant is not None else None
        if meant is not None and write is not None:
            yield _overwritten(ctx, building, mismatch, meant, write)
            continue
        name = f"`{excerpt(meant)}`" if meant is not None else "the built name"
        made = deployed_reference(ctx.index, building.function, mismatch) if discards and kept is None else None
        apart = _held_apart(meant, sink) if meant is not None else None
        received = received_result(building.function, meant, sink.expr) if meant is not None and apart is not None else None
        if meant is not None and received is not None:  # the goroutine hands it out in the result it sends
            capture = (
                f"capture: the built name reaches `{building.function.name}` in `{received.name}`: the goroutine sends "
                f"`{excerpt(meant)}` in the `{received.field}` field of its result on `{received.channel}` (line "
                f"{received.send.start_point.row + 1}), and `{excerpt(received.receive)}` receives it (line "
                f"{received.receive.start_point.row + 1})"
            )
            name = f"`{received.name}`"
        elif meant is not None and apart is not None:  # the name exists, but not where it is deployed
            capture = (
                f"capture: the built name is in `{excerpt(meant)}` {apart} (line {meant.start_point.row + 1}), out of "
                "reach here: hand it out (the result it sends, or an outer variable set before it reports)"
            )
            name = "that name"
        elif meant is not None:
            capture = f"capture: the built name is already in `{excerpt(meant)}`; keep it"
        elif made is not None:  # the function's dropped builds make other repositories
            capture = f"capture: keep the name a build of `{repository(made)}` returns (no build in this function makes it)"
        elif len(built) == 1:
            capture = f"capture: keep the name the build gives ({next(iter(built.values()))})"
        else:  # several builds, and the code does not say which one this deployment means
            capture = "capture: keep the name the build of this image gives"
        receiver = "load" if sink.kind == "load-arg" else "give the deployment"
        passed = f"pass: {receiver} {name} instead of `{excerpt(sink.expr)}`"
        if loop_variable(sink.expr, building.function) is not None:  # one name in its place would serve every element
            passed = f"pass: deploy {name} on its own, outside the `range` loop whose list gives `{excerpt(sink.expr)}` each element"
        steps = (capture, passed, *_deploy_steps(sink, name))
        values = {"site": _site(sink), "reference": text(sink.expr), "how": mismatch.how}
        yield ctx.finding(CODE, file.span(sink.expr), values, steps, related, _fix(ctx, building, mismatch))


def _overwritten(ctx: RuleContext, building: BuildingFunction, mismatch: Mismatch, built: Node, write: Node) -> Finding:
    """The deployment reads the built variable after an assignment gave it another value: the
    name was kept, and deleting that assignment is the whole fix."""
    from imagetag_lint.repair.overwrite import plan_delete_overwrite
    from imagetag_lint.repair.plan import guarded

    file, sink, name = building.function.file, mismatch.sink, text(built)
    statement = parent(parent(built) or built)
    assigned = right_values(statement) if statement is not None else []
    call = unparen(assigned[0]) if len(assigned) == 1 else None
    build = f"`{call_name(call)}`" if call is not None and call.type == "call_expression" else "the build"
    words = overwrite_words(ctx.index, write)
    capture = (
        f"capture: `{name}` already holds the name {build} returns; delete `{excerpt(write)}` "
        f"(line {write.start_point.row + 1}), which overwrites it{f' with {words}' if words else ''}"
    )
    receiver = f"`{sink.target.name}`" if sink.kind == "deploy-arg" and sink.target is not None else f"the {_site(sink)}"
    deploy_steps = (
        _deploy_steps(sink, f"`{name}`") if sink.kind == "deploy-arg" and sink.target is not None
        else ("parameter: none needed", f"use: nothing to change where `{name}` is deployed: it then holds the built name")
    )
    steps = (capture, f"pass: {receiver} already gets `{name}`; step 1 makes it the built name", *deploy_steps)
    related = (
        Related(file.span(built), f"`{name}` gets the name {build} returns here"),
        Related(file.span(write), f"`{excerpt(write)}` overwrites it here, before the {_site(sink)} reads it"),
    )
    deployed = {m.sink.expr.id for m in building.mismatches}
    fix = guarded(ctx.index, plan_delete_overwrite, ctx.index, building.function, write, deployed)
    values = {"site": _site(sink), "reference": text(sink.expr), "how": mismatch.how}
    return ctx.finding(CODE, file.span(sink.expr), values, steps, related, fix)


def _held_apart(variable: Node, sink: Sink) -> str | None:
    """Where a built variable lives when the deployment cannot read it: inside a goroutine or a
    closure that does not hold the deployment (None when the deployment is in its reach)."""
    owner = enclosing(variable, FUNCTION_TYPES)
    if owner is None or owner.type != "func_literal" or is_inside(sink.expr, owner):
        return None
    invocation = parent(owner)
    statement = parent(invocation) if invocation is not None else None
    return "inside a goroutine" if statement is not None and statement.type == "go_statement" else "inside a closure"


def _site(sink: Sink) -> str:
    """What the message says receives the reference: a loader's argument is a load."""
    return "load" if sink.kind == "load-arg" else "deployment"


def _deploy_steps(sink: Sink, name: str) -> tuple[str, str]:
    """The parameter and use steps: a deploy function that takes the image already uses it."""
    if sink.kind == "deploy-arg" and sink.target is not None:
        return (
            f"parameter: `{sink.target.name}` already takes the image; keep it",
            f"use: `{sink.target.name}` already deploys its image parameter",
        )
    if sink.kind == "load-arg" and sink.call is not None:
        return ("parameter: none needed", f"use: load {name}, the name the build tagged")
    if sink.kind == "field":
        value = f"`Image: {name.strip('`')}`" if name.startswith("`") else f"{name} in the `Image` field"
        return ("parameter: none needed", f"use: {value}")
    return ("parameter: none needed", f"use: put {name} where `{excerpt(sink.expr)}` stands")


def _fix(ctx: RuleContext, building: BuildingFunction, mismatch: Mismatch) -> Fix:
    """The repair of the function's dropped build, or the variable its captured build used."""
    from imagetag_lint.repair.discard import BY_HAND
    from imagetag_lint.repair.plan import guarded
    from imagetag_lint.repair.use import plan_use_built

    if building.discards and owned(ctx.index, building.function, mismatch):
        return ctx.repairs.resolving(building.function.file.filename, mismatch.sink.expr.start_byte) or BY_HAND
    return guarded(ctx.index, plan_use_built, ctx.index, building.function, mismatch)


def _ignored_image_params(ctx: RuleContext, function: Function) -> Iterator[Finding]:
    for param, site in ignored_image_params(ctx.index, function):
        from imagetag_lint.repair.plan import guarded
        from imagetag_lint.repair.use import plan_use_param

        steps = (
            f"capture: nothing to capture: `{function.name}` gets the image from its callers",
            f"pass: nothing to change in the callers of `{function.name}`",
            f"parameter: `{function.name}` already has `{param.name} string`",
            f"use: deploy `{param.name}` instead of `{site.image}`",
        )
        related = (Related(site.file.span_bytes(site.start, site.end), f"the fixed image `{site.image}` is deployed instead"),)
        yield ctx.finding(
            CODE,
            function.file.span(param.node),
            {"site": "deployment", "reference": site.image, "how": f"`{function.name}` ignores its `{param.name}` parameter"},
            steps,
            related,
            guarded(ctx.index, plan_use_param, param.name, site),
        )
