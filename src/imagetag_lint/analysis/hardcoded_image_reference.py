"""IMG002 hardcoded-image-reference: a deployment names a locally built image as fixed text."""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.deployments import FixedSite, fixed_sites
from imagetag_lint.analysis.discarded_image_name import find_discards
from imagetag_lint.analysis.explain import call_name
from imagetag_lint.analysis.image_flow import repository
from imagetag_lint.analysis.pairing import build_name_of
from imagetag_lint.findings import Finding, Related
from imagetag_lint.golang.model import SourceFile

CODE = "IMG002"


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    for site in fixed_sites(ctx.index, file):
        if not site.local:
            continue
        owner = site.unit.name if site.unit is not None else "the package"
        steps = (
            f"capture: name the image that the builder returns for `{repository(site.image)}` in the caller of `{owner}`",
            f"pass: pass that name to `{owner}`",
            f"parameter: add an `imageName string` parameter to `{owner}` and update every caller",
            _use_step(site),
        )
        yield ctx.finding(
            CODE,
            file.span_bytes(site.start, site.end),
            {"image": site.image, "how": site.how},
            steps,
            tuple(_builds_of(ctx, site)),
        )


def _use_step(site: FixedSite) -> str:
    if site.kind == "yaml":
        return f"use: format imageName into the manifest's `image:` line instead of `{site.image}`"
    if site.kind == "deploy-arg":
        return f"use: pass imageName instead of `{(site.node.text or b'').decode()}`"
    return f"use: `Image: imageName` instead of `{(site.node.text or b'').decode()}`"


def _builds_of(ctx: RuleContext, site: FixedSite) -> Iterator[Related]:
    """The builder calls that build this image (by name), so the reader sees both ends."""
    index = ctx.index
    wanted = repository(site.image)
    shown = 0
    for file in list(index.project.files()):
        if b"Image" not in file.source and b"image" not in file.source:
            continue
        for discard in find_discards(index, file):
            name = build_name_of(index, discard.call, file, discard.unit)
            if name and (wanted == repository(name) or wanted.endswith("/" + repository(name))):
                yield Related(file.span(discard.call), f"the image is built here by `{call_name(discard.call)}`, which returns its real name")
                shown += 1
                if shown == 3:
                    return
