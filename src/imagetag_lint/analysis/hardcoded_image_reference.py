"""IMG002 hardcoded-image-reference: a deployment names a locally built image as fixed text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.analysis.build_sites import BuildSite, builds_of, same_reference
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
        builds = list(_builds_of(ctx, site))
        why, severity, seen = _why(ctx, site)
        if seen is not None and all(r.span != seen.span for r in builds):
            builds.insert(0, Related(seen.span, f"the image is built here by `{seen.callee}` as `{seen.name}`"))
        yield ctx.finding(
            CODE,
            file.span_bytes(site.start, site.end),
            {"image": site.image, "how": site.how, "why": why},
            _steps(ctx, site, builds),
            tuple(builds),
            severity,
        )


def _why(ctx: RuleContext, site: FixedSite) -> tuple[str, str, BuildSite | None]:
    """What the analysis saw about the builds of this image, the severity that follows, and the
    build it names. Error: the reference cannot be what is built; warning: it copies a fixed
    build tag and works until that tag changes."""
    made = sorted(builds_of(ctx.index, site.image), key=lambda build: _distance(site, build))
    for build in made:
        if same_reference(build, site.image):
            return (f"it copies the tag the build at {_at(build)} gives the image, and breaks when that tag changes",
                    "warning", build)
    for build in made:
        if build.tagged:
            return f"the build at {_at(build)} tags this repository `{build.name}`, not this reference", "error", build
    for build in made:
        return (f"the build at {_at(build)} names only the repository `{build.name}`, so the builder chooses the tag",
                "error", build)
    return f"{_local_evidence(ctx, site)}, and no build in the linted code is seen to make it", "error", None


def _distance(site: FixedSite, build: BuildSite) -> tuple[int, int]:
    """Name the nearest build: in the deploy's function, file, package, then anywhere."""
    unit = site.unit
    if unit is not None and unit.node.start_byte <= build.call.start_byte < unit.node.end_byte and build.file is site.file:
        return (0, build.call.start_byte)
    if build.file is site.file:
        return (1, build.call.start_byte)
    if build.file.directory == site.file.directory:
        return (2, 0)
    return (3, 0)


def _at(build: BuildSite) -> str:
    return f"{build.span.filename}:{build.span.start.row} (`{build.callee}`)"


def _local_evidence(ctx: RuleContext, site: FixedSite) -> str:
    """Why the image counts as built locally, as `is_local_image` decided it."""
    flow = ctx.index.flow
    prefix = next((p for p in flow.local_prefixes if site.image.startswith(p)), None)
    if prefix is not None:
        return f"the `{prefix}` prefix marks it as built locally"
    pattern = next((p for p in flow.local_patterns if re.search(p, site.image)), None)
    if pattern is not None:
        return f"it matches the local pattern `{pattern}`"
    if any(repository(site.image) == n or repository(site.image).endswith("/" + n) for n in ctx.index.build_names):
        return "a build in the linted code names its repository"
    return "its pull policy `Never` says it is loaded into the cluster"


def _steps(ctx: RuleContext, site: FixedSite, builds: list[Related]) -> tuple[str, ...]:
    owner = site.unit.name if site.unit is not None else None
    builds_here = site.unit is not None and ctx.index.builds(site.unit)
    if builds_here:
        assert owner is not None
        return (
            f"capture: name the image the builder returns in `{owner}` (it calls a builder itself)",
            "pass: nothing to pass: the name is already in this function",
            "parameter: none needed",
            _use_step(site, "the captured name"),
        )
    if owner is None:
        return (
            f"capture: name the image the builder returns for `{repository(site.image)}`",
            "pass: pass it to the function that deploys this manifest",
            "parameter: that function takes it as an `imageName string` parameter",
            _use_step(site, "`imageName`"),
        )
    return (
        f"capture: name the image the builder returns for `{repository(site.image)}` in the callers of `{owner}`",
        f"pass: pass that name to `{owner}`",
        f"parameter: add an `imageName string` parameter to `{owner}` and update every caller",
        _use_step(site, "`imageName`"),
    )


def _use_step(site: FixedSite, name: str) -> str:
    old = (site.node.text or b"").decode()
    if site.kind == "yaml":
        return f"use: format {name} into the manifest's `image:` line instead of `{site.image}`"
    if site.kind in ("deploy-arg", "format-arg"):
        return f"use: pass {name} instead of `{old}`"
    return f"use: set `Image` to {name} instead of `{old}`"


def _builds_of(ctx: RuleContext, site: FixedSite) -> Iterator[Related]:
    """The dropped builds of this image (by name) in the same package: both ends of the bug."""
    index = ctx.index
    wanted = repository(site.image)
    package = index.project.package_of(site.file)
    shown = 0
    for file in package.files:
        for discard in find_discards(index, file):
            name = build_name_of(index, discard.call, file, discard.unit)
            if name and (wanted == repository(name) or wanted.endswith("/" + repository(name))):
                yield Related(file.span(discard.call), f"the image is built here by `{call_name(discard.call)}`, which returns its real name")
                shown += 1
                if shown == 3:
                    return
