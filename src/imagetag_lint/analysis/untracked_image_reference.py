"""IMG003 untracked-image-reference: a deployment gets a reference other than the one built."""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.mismatches import (
    BuildingFunction,
    Mismatch,
    building_functions,
    ignored_image_params,
)
from imagetag_lint.analysis.steps import call_name
from imagetag_lint.findings import Finding, Fix, Related
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import text

CODE = "IMG003"


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    for building in building_functions(ctx.index, file):
        if not building.discards:  # else the dropped build's IMG001 names its stale deployments
            yield from _check_flow(ctx, building)
    for function in ctx.index.facts(file).functions:
        yield from _ignored_image_params(ctx, function)


def _check_flow(ctx: RuleContext, building: BuildingFunction) -> Iterator[Finding]:
    file = building.function.file
    discards, built = building.discards, building.built
    for mismatch in building.mismatches:
        sink = mismatch.sink
        related = tuple(
            Related(file.span(d.call), f"the image is built here by `{call_name(d.call)}`, whose result is dropped")
            for d in discards[:2]
        )
        fix_value = ", ".join(f"`{n}`" for n in built.values())
        steps = (
            "capture: keep the name the build returns"
            + (f" (`{call_name(discards[0].call)}` drops it)" if discards else f" ({fix_value})" if fix_value else ""),
            f"pass: give the deployment that name instead of `{text(sink.expr)}`",
            "parameter: the deploy function must take the name as an `imageName string` parameter",
            "use: deploy `imageName`, never a recomputed or fixed reference",
        )
        values = {"reference": text(sink.expr), "how": mismatch.how}
        yield ctx.finding(CODE, file.span(sink.expr), values, steps, related, _fix(ctx, building, mismatch))


def _fix(ctx: RuleContext, building: BuildingFunction, mismatch: Mismatch) -> Fix:
    """The repair of the function's dropped build, or the variable its captured build used."""
    from imagetag_lint.repair.discard import BY_HAND
    from imagetag_lint.repair.plan import guarded
    from imagetag_lint.repair.use import plan_use_built

    if building.discards:
        return ctx.repairs.resolving(building.function.file.filename, mismatch.sink.expr.start_byte) or BY_HAND
    return guarded(ctx.index, plan_use_built, ctx.index, building.function, mismatch)


def _ignored_image_params(ctx: RuleContext, function: Function) -> Iterator[Finding]:
    for param, site in ignored_image_params(ctx.index, function):
        from imagetag_lint.repair.plan import guarded
        from imagetag_lint.repair.use import plan_use_param

        steps = (
            "capture: callers already pass the built name to this parameter",
            f"pass: keep passing it to `{function.name}`",
            f"parameter: `{function.name}` already has `{param.name} string`",
            f"use: deploy `{param.name}` instead of `{site.image}`",
        )
        related = (Related(site.file.span_bytes(site.start, site.end), f"the fixed image `{site.image}` is deployed instead"),)
        yield ctx.finding(
            CODE,
            function.file.span(param.node),
            {"reference": site.image, "how": f"`{function.name}` ignores its `{param.name}` parameter"},
            steps,
            related,
            guarded(ctx.index, plan_use_param, param.name, site),
        )
