"""IMG002 hardcoded-image-reference: a deployment names a locally built image as fixed text."""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.build_sites import BuildSite, what_builds_show
from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.defects import dropped_builds
from imagetag_lint.analysis.deployments import FixedSite, fixed_sites
from imagetag_lint.analysis.discards import find_discards
from imagetag_lint.analysis.image_flow import repository
from imagetag_lint.analysis.mismatches import captured, ignored_image_params
from imagetag_lint.analysis.pairing import build_name_of
from imagetag_lint.analysis.steps import call_name
from imagetag_lint.analysis.unit_fixtures import only_inspected, testing_parameters
from imagetag_lint.enums import ConsumerKind, SiteKind
from imagetag_lint.findings import Applicability, Finding, Fix, Related
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import identifiers, is_inside

CODE = "IMG002"
DROP_CODE = "IMG001"  # discarded-image-name: its findings name the fixed image a drop leads to
UNTRACKED_CODE = "IMG003"  # untracked-image-reference: it names the fixed image a helper deploys instead of its parameter


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    named = _named_by_a_drop(ctx) if DROP_CODE in ctx.selected else frozenset()
    for site in fixed_sites(ctx.index, file):
        if not site.local or _unit_test_fixture(ctx, site) or (site.file.filename, site.start) in named:
            continue
        if UNTRACKED_CODE in ctx.selected and _instead_of_a_parameter(ctx, site):
            continue
        builds = list(_builds_of(ctx, site))
        why, severity, seen = what_builds_show(ctx.index, site)
        if seen is not None and all(r.span != seen.span for r in builds):
            builds.insert(0, Related(seen.span, f"the image is built here by `{seen.callee}` as `{seen.name}`"))
        yield ctx.finding(
            CODE,
            file.span_bytes(site.start, site.end),
            {"image": site.image, "how": site.how, "why": why},
            _kept_steps(ctx, site, seen) or _steps(ctx, site, builds, seen),
            tuple(builds),
            _fix(ctx, site),
            severity,
        )


def _named_by_a_drop(ctx: RuleContext) -> frozenset[tuple[str, int]]:
    """The fixed images that an IMG001 of this run names as its related place: a dropped build and
    the fixed image its deploy call ends in are one defect, reported once, at the drop."""
    index = ctx.index
    key = ("named-by-a-drop", index.project.generation)
    named = index.cache.get(key)
    if named is None:
        named = index.cache[key] = frozenset(
            (site.file.filename, site.start)
            for file in list(index.project.files())
            if file.reported
            for dropped in dropped_builds(index, file)
            for site in dropped.fixed
        )
    return named  # type: ignore[return-value]


def _instead_of_a_parameter(ctx: RuleContext, site: FixedSite) -> bool:
    """Is this the fixed image a deploy helper deploys while it ignores its image parameter? That
    IMG003 names it and its fix puts the parameter here: one defect, one finding."""
    function = site.function
    return function is not None and any(found is site for _, found in ignored_image_params(ctx.index, function))


def _unit_test_fixture(ctx: RuleContext, site: FixedSite) -> bool:
    """A Go unit test (a `_test.go` function taking `*testing.T`, `B` or `F`) that neither builds
    nor loads an image, and hands a fixed image to a deploy function (a manifest renderer, a spec
    builder), is testing that function with a fixture. A container literal it fills and applies
    itself is still a deployment: the test reaches the cluster with it. A Ginkgo spec closure is
    such a test only when the deploy function returns no `error`: it renders, and cannot have
    reached a cluster (an E2E spec's deploy helpers return the error of their cluster calls). A
    container literal the test keeps to itself (reads its fields, hands it only to `t` or the
    standard library) is a fixture too: nothing applies it."""
    function = site.function
    if function is None or not site.file.filename.endswith("_test.go"):
        return False
    if site.kind is SiteKind.FIELD:
        if not testing_parameters(function) or not only_inspected(site.node, function):
            return False
    elif site.kind is not SiteKind.DEPLOY_ARG:
        return False
    elif function.node.type == "func_literal":
        target = site.sink.target if site.sink is not None else None
        if target is None or _returns_an_error(target.node):
            return False
    else:
        parameters = function.node.child_by_field_name("parameters")
        if parameters is None or b"*testing." not in (parameters.text or b""):
            return False
    index = ctx.index
    loads = any(
        (consumer := index.consumer(call)) is not None and consumer.kind is ConsumerKind.LOAD
        for call in index.calls_in(function)
    )
    return not loads and not index.builds(function)


def _returns_an_error(declaration: Node) -> bool:
    result = declaration.child_by_field_name("result")
    return result is None or b"error" in (result.text or b"")  # no result: it acts, not renders


def _fix(ctx: RuleContext, site: FixedSite) -> Fix:
    """The repair of a dropped build that rewrites this text, or the build's captured name."""
    fix = ctx.repairs.resolving(site.file.filename, site.start)
    if fix is None and not any(d.function is site.function for d in find_discards(ctx.index, site.file)):
        from imagetag_lint.repair.use import captured_name_fix

        fix = captured_name_fix(ctx.index, site)
    return fix or _tagged_fix(ctx, site) or _applied_fix(ctx, site) or _NO_BUILD_IN_REACH


_NO_BUILD_IN_REACH = Fix(
    Applicability.DISPLAY_ONLY,
    "pass the name the builder returns to this deployment and use it here "
    "(no fix of a dropped build covers this deployment)",
)


def _steps(ctx: RuleContext, site: FixedSite, builds: list[Related], seen: BuildSite | None) -> tuple[str, ...]:
    owner = site.function.name if site.function is not None else None
    builds_here = site.function is not None and ctx.index.builds(site.function)
    if builds_here:
        assert owner is not None and site.function is not None
        kept = _captured_here(ctx, site.function, seen)
        if kept is not None:
            return (
                f"capture: `{owner}` already keeps the built name in `{kept}`",
                "pass: nothing to pass: the name is already in this function",
                "parameter: none needed",
                _use_step(site, f"`{kept}`"),
            )
        tagged = _tagged_here_steps(ctx, site, seen)
        if tagged is not None:
            return tagged
        return (
            f"capture: name the image the builder returns in `{owner}` (it calls a builder itself)",
            "pass: nothing to pass: the name is already in this function",
            "parameter: none needed",
            _use_step(site, "the captured name"),
        )
    applied = _applied_by_a_builder(ctx, site, seen) if owner is None else None
    if applied is not None:
        return applied
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


def _captured_here(ctx: RuleContext, function: Function, seen: BuildSite | None) -> str | None:
    """The variable the function keeps the name of the build the message names in, if it does."""
    if seen is None or not is_inside(seen.call, function.node):
        return None
    producer = ctx.index.producer(seen.call, seen.file)
    variable = captured(seen.call, producer.image_result) if producer is not None else None
    if variable is None or variable.type != "identifier" or text(variable) == "_":
        return None
    return text(variable)


def _kept_steps(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> tuple[str, ...] | None:
    """The steps when the build the message names keeps its name in a variable and its function
    calls the helper that deploys this fixed image: the name is there, it only needs passing."""
    owner = site.function
    if seen is None or owner is None:
        return None
    index = ctx.index
    caller = index.facts(seen.file).function_of(seen.call)
    producer = index.producer(seen.call, seen.file)
    variable = captured(seen.call, producer.image_result) if producer is not None else None
    if caller is None or variable is None or variable.type != "identifier" or text(variable) == "_" or caller is owner:
        return None
    calls = any(owner in index.project.resolve_call(call, caller.file) for call in index.calls_in(caller))
    if not calls:
        return None
    name = text(variable)
    return (
        f"capture: `{caller.name}` already keeps the built name in `{name}`",
        f"pass: pass `{name}` to `{owner.name}`",
        f"parameter: add an `imageName string` parameter to `{owner.name}` and update every caller",
        _use_step(site, "`imageName`"),
    )


def _use_step(site: FixedSite, name: str) -> str:
    old = (site.node.text or b"").decode()
    if site.kind is SiteKind.YAML:
        return f"use: format {name} into the manifest's `image:` line instead of `{site.image}`"
    if site.kind in (SiteKind.DEPLOY_ARG, SiteKind.FORMAT_ARG):
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
            name = build_name_of(index, discard.call, file, discard.function)
            if name and (wanted == repository(name) or wanted.endswith("/" + repository(name))):
                yield Related(file.span(discard.call), f"the image is built here by `{call_name(discard.call)}`, which returns its real name")
                shown += 1
                if shown == 3:
                    return


def _tagged_build_here(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> BuildSite | None:
    """The build of the site's function that tags a fixed reference it is given and returns no
    name (`BuildImageWithTag("localhost/search:dev", w)`): there is nothing to capture."""
    function = site.function
    if seen is None or function is None or not seen.tagged or not is_inside(seen.call, function.node):
        return None
    return seen if ctx.index.producer(seen.call, seen.file) is None else None


def _tagged_here_steps(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> tuple[str, ...] | None:
    build = _tagged_build_here(ctx, site, seen)
    if build is None or site.function is None:
        return None
    return (
        f"capture: nothing to capture: `{build.callee}` returns no name; it tags the reference it is given, `{build.name}`",
        f"pass: nothing to pass: `{site.function.name}` builds and deploys the image itself",
        "parameter: none needed",
        _use_step(site, f"`{build.name}`, the reference the build tags,"),
    )


def _tagged_fix(ctx: RuleContext, site: FixedSite) -> Fix | None:
    _, _, seen = what_builds_show(ctx.index, site)
    build = _tagged_build_here(ctx, site, seen)
    if build is None:
        return None
    return Fix(
        Applicability.DISPLAY_ONLY,
        f"deploy `{build.name}`, the reference the build at line {build.span.start.row} tags, or tag the build "
        f"`{site.image}`: which tag is right is for a person to say",
    )


def _constant_applier(ctx: RuleContext, site: FixedSite) -> tuple[str, Function] | None:
    """The package-level constant that holds the site's manifest, and the one building function
    of the package that reads it (applies it itself), if there is exactly one."""
    if site.function is not None:
        return None
    package = ctx.index.project.package_of(site.file)
    held = [
        name for name, (file, value) in package.consts.items()
        if file is site.file and value.start_byte <= site.node.start_byte < value.end_byte
    ]
    if len(held) != 1:
        return None
    appliers = [
        function
        for file in package.files
        for function in ctx.index.facts(file).functions
        if function.body is not None and identifiers(function.body, held[0]) and ctx.index.builds(function)
    ]
    return (held[0], appliers[0]) if len(appliers) == 1 else None


def _applied_fix(ctx: RuleContext, site: FixedSite) -> Fix | None:
    found = _constant_applier(ctx, site)
    if found is None:
        return None
    constant, applier = found
    return Fix(
        Applicability.DISPLAY_ONLY,
        f"`{applier.name}` applies `{constant}` itself: make it a template (`image: %s`) and format the name "
        "its build returns into it by hand",
    )


def _applied_by_a_builder(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> tuple[str, ...] | None:
    """The steps for a manifest in a package-level constant that one building function of the
    package applies itself: the name is captured there, and nothing is passed."""
    found = _constant_applier(ctx, site)
    if found is None:
        return None
    constant, applier = found
    held = [constant]
    kept = _captured_here(ctx, applier, seen)
    if kept is not None:
        capture = f"capture: `{applier.name}` already keeps the built name in `{kept}`"
    elif seen is not None and is_inside(seen.call, applier.node):
        capture = f"capture: keep the name `{seen.callee}` returns at line {seen.span.start.row} of `{applier.name}`"
    else:
        capture = f"capture: name the image the builder returns in `{applier.name}` (it calls a builder itself)"
    name = f"`{kept}`" if kept is not None else "the captured name"
    return (
        capture,
        f"pass: nothing to pass: `{applier.name}` applies the manifest `{held[0]}` itself",
        "parameter: none needed",
        f"use: make `{held[0]}` a template (`image: %s`) and format {name} into it instead of `{site.image}`",
    )
