"""IMG001 discarded-image-name: the image name a builder returns is dropped."""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.deployments import deploy_calls
from imagetag_lint.analysis.discards import Discard, find_discards
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.pairing import build_name_of, in_goroutine, pair
from imagetag_lint.analysis.steps import (
    call_name,
    capture_step,
    parameter_step,
    pass_step,
    use_step,
    variable_for,
)
from imagetag_lint.findings import Finding, Related
from imagetag_lint.golang.model import Function, SourceFile

CODE = "IMG001"


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    index = ctx.index
    discards = list(find_discards(index, file))
    positions = _positions_in_function(discards)
    for discard in discards:
        function = discard.function
        deploys = deploy_calls(index, function) if function is not None else []
        position = positions[id(discard)]
        build_name = build_name_of(index, discard.call, file, function)
        deploy = pair(build_name, position, deploys)
        variable = variable_for(build_name, deploy.target if deploy is not None else None)
        callers = count_calls(index, deploy.target) if deploy is not None else 0
        steps = (
            capture_step(variable, discard.call, discard.how, in_goroutine(discard.call)),
            pass_step(variable, deploy),
            parameter_step(deploy, callers),
            use_step(deploy, None),
        )
        related: list[Related] = []
        if deploy is not None:
            related.append(Related(file.span(deploy.call), f"the image is deployed here by `{call_name(deploy.call)}`"))
            for site in deploy.fixed[:1]:
                related.append(Related(site.file.span_bytes(site.start, site.end), f"with the fixed image `{site.image}`"))
        yield ctx.finding(
            CODE,
            file.span(discard.call),
            {"call": call_name(discard.call), "how": discard.how},
            steps,
            tuple(related),
            ctx.repairs.of_discard(discard),
        )


def _positions_in_function(discards: list[Discard]) -> dict[int, int]:
    """Each discard's place among the discards of its function (by id of the discard)."""
    positions: dict[int, int] = {}
    counts: dict[int, int] = {}
    for discard in discards:
        position = positions[id(discard)] = counts.get(id(discard.function), 0)
        counts[id(discard.function)] = position + 1
    return positions


def count_calls(index: ImageFlowIndex, target: Function) -> int:
    return index.call_count(target)
