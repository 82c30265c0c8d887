"""IMG003 untracked-image-reference: a deployment gets a reference other than the one built."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.deployments import FixedSite, sites_in
from imagetag_lint.analysis.discarded_image_name import Discard, find_discards
from imagetag_lint.analysis.explain import call_name
from imagetag_lint.analysis.image_flow import ImageFlowIndex, Origin, Sink
from imagetag_lint.findings import Finding, Related
from imagetag_lint.golang.model import Function, Param, SourceFile
from imagetag_lint.golang.parser import text
from imagetag_lint.golang.syntax import arguments, identifiers, unparen

CODE = "IMG003"
_IMAGE_PARAM = re.compile(r"(?i)image")


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    index = ctx.index
    discards = list(find_discards(index, file))
    for unit in index.facts(file).units:
        if index.builds(unit):
            yield from _check_flow(ctx, unit, [d for d in discards if d.unit is unit])
        yield from _ignored_image_params(ctx, unit)


def _built_values(index: ImageFlowIndex, unit: Function, discards: list[Discard]) -> dict[object, str]:
    """Origin keys of the values this function built or tagged, with a name for messages."""
    dropped = {d.call.id for d in discards}
    built: dict[object, str] = {}
    for call in index.calls_in(unit):
        consumer = index.consumer(call)
        args = arguments(call)
        if consumer is not None and consumer.kind == "build" and consumer.image_arg < len(args):
            origin = index.origin(args[consumer.image_arg], unit.file, unit)
            if origin.key is not None:
                built[origin.key] = text(args[consumer.image_arg])
        elif call.id not in dropped and index.producer(call, unit.file) is not None:
            built[("built", call.id)] = call_name(call)
    return built


@dataclass(frozen=True)
class Mismatch:
    sink: Sink
    origin: Origin
    how: str


def flow_mismatches(index: ImageFlowIndex, unit: Function, discards: list[Discard]) -> list[Mismatch]:
    """Deploy sinks of a building function that receive something other than the built value."""
    built = _built_values(index, unit, discards)
    captured = any(key[0] == "built" for key in built if isinstance(key, tuple))
    sinks: list[Sink] = list(index.image_field_sinks_in(unit))
    sinks.extend(index.call_sinks(unit))
    found = []
    for sink in sinks:
        origin = index.origin(sink.expr, unit.file, unit)
        if origin.kind in ("literal", "built") or origin.key in built:
            continue
        how = _mismatch(origin, sink, built, discards, captured)
        if how is not None:
            found.append(Mismatch(sink, origin, how))
    return found


def _check_flow(ctx: RuleContext, unit: Function, discards: list[Discard]) -> Iterator[Finding]:
    file = unit.file
    built = _built_values(ctx.index, unit, discards)
    for mismatch in flow_mismatches(ctx.index, unit, discards):
        sink = mismatch.sink
        related = tuple(
            Related(file.span(d.call), f"the image is built here by `{call_name(d.call)}`, whose result is dropped")
            for d in discards[:2]
        )
        fix_value = _built_variable(built)
        steps = (
            "capture: keep the name the build returns"
            + (f" (`{call_name(discards[0].call)}` drops it)" if discards else f" ({fix_value})" if fix_value else ""),
            f"pass: give the deployment that name instead of `{text(sink.expr)}`",
            "parameter: the deploy function must take the name as an `imageName string` parameter",
            "use: deploy `imageName`, never a recomputed or fixed reference",
        )
        yield ctx.finding(CODE, file.span(sink.expr), {"reference": text(sink.expr), "how": mismatch.how}, steps, related)


def _mismatch(origin: Origin, sink: Sink, built: dict[object, str], discards: list[Discard], captured: bool) -> str | None:
    if origin.kind == "generated":
        fresh = unparen(sink.expr).type == "call_expression"
        if fresh:
            return f"{origin.description} at the deploy site, which makes a new name"
        if built:
            names = ", ".join(f"`{n}`" for n in built.values())
            return f"{origin.description}, computed independently of the name the build used ({names})"
        if discards:
            return f"{origin.description}, while the name `{call_name(discards[0].call)}` returns is dropped"
        return None
    if not discards:
        return None
    dropped = call_name(discards[0].call)
    if origin.kind == "param":
        return f"{origin.description}, while the name `{dropped}` returns is dropped"
    if origin.kind == "unknown" and not captured:
        return f"{origin.description}, while the name `{dropped}` returns is dropped"
    return None


def _built_variable(built: dict[object, str]) -> str:
    return ", ".join(f"`{n}`" for n in built.values())


def ignored_image_params(index: ImageFlowIndex, unit: Function) -> list[tuple[Param, FixedSite]]:
    """String parameters named like an image that the body never reads while it deploys fixed text."""
    body = unit.body
    if body is None:
        return []
    found = []
    for param in unit.params:
        if not param.name or param.name == "_" or param.type_text != "string" or not _IMAGE_PARAM.search(param.name):
            continue
        if next(identifiers(body, param.name), None) is not None:
            continue
        sites = sites_in(index, unit)
        if sites:
            found.append((param, sites[0]))
    return found


def _ignored_image_params(ctx: RuleContext, unit: Function) -> Iterator[Finding]:
    for param, site in ignored_image_params(ctx.index, unit):
        steps = (
            "capture: callers already pass the built name to this parameter",
            f"pass: keep passing it to `{unit.name}`",
            f"parameter: `{unit.name}` already has `{param.name} string`",
            f"use: deploy `{param.name}` instead of `{site.image}`",
        )
        related = (Related(site.file.span_bytes(site.start, site.end), f"the fixed image `{site.image}` is deployed instead"),)
        yield ctx.finding(
            CODE,
            unit.file.span(param.node),
            {"reference": site.image, "how": f"`{unit.name}` ignores its `{param.name}` parameter"},
            steps,
            related,
        )
