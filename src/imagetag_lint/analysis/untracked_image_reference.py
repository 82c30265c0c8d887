"""IMG003 untracked-image-reference: a deployment gets a reference other than the one built."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.deployments import FixedSite, sites_in
from imagetag_lint.analysis.discarded_image_name import Discard, find_discards
from imagetag_lint.analysis.explain import call_name
from imagetag_lint.analysis.image_flow import ImageFlowIndex, Origin, Sink
from imagetag_lint.findings import Finding, Related
from imagetag_lint.golang.model import Function, Param, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    identifiers,
    is_blank_read,
    is_write,
    unparen,
)
from imagetag_lint.record import record

CODE = "IMG003"
# imageName, gatewayImage, image, img, imageRef: not imagePullSecret or imagePullPolicy
_IMAGE_PARAM = re.compile(r"(?i)(?:^img$|image(?:name|ref|reference|tag)?$)")


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


@record(frozen=True)
class Mismatch:
    """A deployment that uses another reference than the image its function built."""

    sink: Sink
    origin: Origin
    how: str


def flow_mismatches(
    index: ImageFlowIndex, unit: Function, discards: list[Discard], built: dict[object, str] | None = None
) -> list[Mismatch]:
    """Deploy sinks of a building function that receive something other than the built value."""
    built = _built_values(index, unit, discards) if built is None else built
    sinks: list[Sink] = list(index.image_field_sinks_in(unit))
    sinks.extend(index.call_sinks(unit))
    origins = [(sink, index.origin(sink.expr, unit.file, unit)) for sink in sinks]
    # a captured name that is only logged is as lost as a dropped one
    captured = [c for c in index.calls_in(unit) if ("built", c.id) in built]
    lost = bool(discards) or (bool(captured) and all(_only_logged(index, unit, c) for c in captured))
    found = []
    for sink, origin in origins:
        if origin.kind in ("literal", "built") or origin.key in built:
            continue
        how = _mismatch(origin, sink, built, discards, lost)
        if how is None:
            continue
        found.append(Mismatch(sink, origin, how))
    return found


_LOGGERS = re.compile(r"^(?:Print|Fprint|Log|Info|Debug|Warn|Error|Trace|Sprint)|^(?:By|Logf)$")


def _only_logged(index: ImageFlowIndex, unit: Function, call: Node) -> bool:
    """Is the variable a producer call's image went into read only by log lines (or `_ =`)?"""
    parent = call.parent
    statement = parent.parent if parent is not None else None
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return False
    producer = index.producer(call, unit.file)
    left = statement.child_by_field_name("left")
    targets = left.named_children if left is not None else []
    if producer is None or producer.image_result >= len(targets):
        return False
    target = targets[producer.image_result]
    if target.type != "identifier" or unit.body is None:
        return False
    for use in identifiers(unit.body, text(target)):
        if use.start_byte <= target.start_byte or is_write(use) or is_blank_read(use):
            continue
        holder = use.parent
        outer = holder.parent if holder is not None and holder.type == "argument_list" else None
        if outer is None or not _LOGGERS.search(callee(outer)[1]):
            return False
    return True


def _check_flow(ctx: RuleContext, unit: Function, discards: list[Discard]) -> Iterator[Finding]:
    file = unit.file
    built = _built_values(ctx.index, unit, discards)
    for mismatch in flow_mismatches(ctx.index, unit, discards, built):
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


def _mismatch(origin: Origin, sink: Sink, built: dict[object, str], discards: list[Discard], lost: bool) -> str | None:
    if origin.kind == "generated":
        fresh = unparen(sink.expr).type == "call_expression"
        if fresh:
            return f"a fresh call of `{callee(unparen(sink.expr))[1]}` at the deploy site, which makes a new name that no build here used"
        if built:
            names = ", ".join(f"`{n}`" for n in built.values())
            return f"a name made by a separate generator call, not the name the build used ({names})"
        if discards:
            return f"a name made by a separate generator call, while the name `{call_name(discards[0].call)}` returns is dropped"
        return None
    if not lost:
        return None
    why = (
        f"the name `{call_name(discards[0].call)}` returns is dropped"
        if discards
        else f"the built name ({', '.join(f'`{n}`' for n in built.values())}) reaches no deployment"
    )
    if origin.kind == "param":
        return f"a parameter of the function, while {why}"
    if origin.kind == "unknown":
        return f"a value the analysis does not trace to the build, while {why}"
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
        if identifiers(body, param.name):
            continue
        sites = [site for site in sites_in(index, unit) if site.local]
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
