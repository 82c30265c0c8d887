"""One defect, one finding: what a dropped build's IMG001 finding names.

A dropped build and the stale deployment it causes are one defect. The IMG001 finding at the
drop names, as related places, the deploy call it pairs with, the fixed images that deploy call
ends in, and the deployments of its function that get another reference (the IMG003 facts, which
IMG003 does not report again in a function that drops a build). IMG002 does not report a fixed
image a drop names, also when the drop is in a file the run does not lint (it reads the helper's
callers to know): a run of some files reports what the run of the tree reports in them.
"""

from __future__ import annotations

from bisect import bisect_left

from imagetag_lint.analysis.deployments import (
    DeployCall,
    FixedSite,
    deploy_calls,
    fixed_sites,
    given_another_build,
    sites_in,
)
from imagetag_lint.analysis.discards import Discard, find_discards
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.mismatches import Mismatch, mismatches_of
from imagetag_lint.analysis.pairing import build_name_of, names_service, pair
from imagetag_lint.engine.locality import build_references
from imagetag_lint.engine.model import OriginKind
from imagetag_lint.engine.run import per_generation
from imagetag_lint.enums import SiteKind
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    assigned_names,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    parent,
)
from imagetag_lint.images import pulled_release, repository
from imagetag_lint.record import record, replace


@record(eq=False)
class DroppedBuild:
    """A dropped build with what its finding names."""

    discard: Discard
    build_name: str | None
    deploy: DeployCall | None  # the deploy call it pairs with
    fixed: tuple[FixedSite, ...]  # the fixed local images that deploy call ends in
    stale: tuple[Mismatch, ...]  # deployments of its function that get another reference


def dropped_builds(index: ImageFlowIndex, file: SourceFile) -> list[DroppedBuild]:
    """The file's dropped builds, each with what it names (computed once per run)."""
    return index.per_file("dropped-builds", file, lambda: _dropped_builds(index, file))


def _dropped_builds(index: ImageFlowIndex, file: SourceFile) -> list[DroppedBuild]:
    discards = find_discards(index, file)
    found: list[DroppedBuild] = []
    for function in index.facts(file).functions:
        mine = [d for d in discards if d.function is function]
        if not mine:
            continue
        deploys = _not_releases(index, deploy_calls(index, function))
        names = [build_name_of(index, discard.call, file, function) for discard in mine]
        named = [n for n in names if n]  # what a build without a name must not take
        paired = []
        for position, (discard, build_name) in enumerate(zip(mine, names)):
            others = () if build_name else named
            open_deploys = [d for d in deploys if not _given_another_build(index, d, discard)]
            deploy = pair(build_name, position, open_deploys, discard.call, len(mine), others)
            paired.append((discard, build_name, _serving(deploy, build_name) if deploy is not None else None))
        stale: dict[int, list[Mismatch]] = {}
        for mismatch in mismatches_of(index, function):
            owner = _owner(index, function, mismatch, [(name, deploy) for _, name, deploy in paired])
            if owner is not None:
                stale.setdefault(owner, []).append(mismatch)
        for position, (discard, build_name, deploy) in enumerate(paired):
            if deploy is not None:
                fixed = _fixed_of(index, deploy, build_name) + _variants_of(index, deploy)
            else:
                fixed = (
                    _deployed_here(index, function, discard, build_name, len(mine))
                    or _deployed_by_suite_tests(index, function, build_name)
                    or _deployed_by_specs(index, function, build_name)
                    or _deployed_by_tests(index, function, discard, build_name)
                )
            found.append(DroppedBuild(discard, build_name, deploy, fixed, tuple(stale.get(position, ()))))
    return found


def _not_releases(index: ImageFlowIndex, deploys: list[DeployCall]) -> list[DeployCall]:
    """The deploy calls without those that deploy only releases their registry publishes: the
    old version an upgrade test starts from is no copy of the build, and the built name must
    never replace it."""
    built = build_references(index)
    return [d for d in deploys if not d.images() or not all(pulled_release(image, built) for image in d.images())]


def _given_another_build(index: ImageFlowIndex, deploy: DeployCall, discard: Discard) -> bool:
    """Is the deploy call another build's deployment: it gets that build's name in each of its
    image arguments, and deploys no fixed image of its own? Passing this drop's name there would
    deploy the wrong image."""
    return not any(site.local for site in deploy.fixed) and given_another_build(index, deploy, discard.call)


def _serving(deploy: DeployCall, build_name: str | None) -> DeployCall:
    """The deploy call with only the fixed images of the service the build makes, when the helper
    deploys several (a proxy sidecar beside the api): the sidecar's image is not this build's.
    When none or several of them name the service, all stay, and the fix is by hand."""
    local = [site for site in deploy.fixed if site.local]
    if build_name is None or len({site.image for site in local}) < 2:
        return deploy
    serving = tuple(site for site in local if names_service(build_name, site.image))
    if len({site.image for site in serving}) != 1:
        return deploy
    return replace(deploy, fixed=serving)


def _owner(
    index: ImageFlowIndex, function: Function, mismatch: Mismatch, paired: list[tuple[str | None, DeployCall | None]]
) -> int | None:
    """The position of the drop a stale deployment belongs to: the one paired with its deploy
    call, else the one whose build makes the repository it deploys, else the first drop, unless
    the builds are known to make other repositories: the gateway's name never goes to the
    scheduler's deployment. None leaves the deployment an IMG003 of its own."""
    for position, (_, deploy) in enumerate(paired):
        if deploy is not None and deploy.call == mismatch.sink.call:
            return position
    made = deployed_reference(index, function, mismatch)
    if made is None:
        return 0
    for position, (name, _) in enumerate(paired):
        if name is not None and same_repository(name, made):
            return position
    unnamed = [position for position, (name, _) in enumerate(paired) if name is None]
    return unnamed[0] if unnamed else None


def deployed_reference(index: ImageFlowIndex, function: Function, mismatch: Mismatch) -> str | None:
    """The reference a stale deployment deploys, where the code says: a generator call's
    (`GenerateImageName("scheduler")`) or fixed text."""
    from imagetag_lint.engine.locality import generated_reference

    if mismatch.origin.kind == "generated" and mismatch.origin.node is not None:
        return generated_reference(index, mismatch.origin.node, function.file)
    fixed = index.fixed_text(mismatch.sink.expr, function.file, function)
    return fixed if fixed and "/" in fixed else None


def same_repository(build_name: str, image: str) -> bool:
    """Does the reference name the repository the build makes (a registry prefix aside)?"""
    built, deployed = repository(build_name), repository(image)
    return built == deployed or deployed.endswith("/" + built) or built.endswith("/" + deployed)


def dropped_of(index: ImageFlowIndex, discard: Discard) -> DroppedBuild | None:
    """What the finding of a drop inside a function names (looked up, not searched)."""
    return _by_discard(index, discard.file).get(id(discard))


def stale_of(index: ImageFlowIndex, discard: Discard) -> list[Mismatch]:
    """The stale deployments a dropped build answers for, the ones its repair rewrites."""
    dropped = _by_discard(index, discard.file).get(id(discard))
    return list(dropped.stale) if dropped is not None else []


def owned(index: ImageFlowIndex, function: Function, mismatch: Mismatch) -> bool:
    """Does a dropped build of the function answer for this stale deployment?"""
    return id(mismatch) in _owned(index, function.file)


def _by_discard(index: ImageFlowIndex, file: SourceFile) -> dict[int, DroppedBuild]:
    """The file's dropped builds by their discard (looked up once per drop: not a scan each)."""
    return index.per_file("dropped-by-discard", file, lambda: [{id(d.discard): d for d in dropped_builds(index, file)}])[0]


def _owned(index: ImageFlowIndex, file: SourceFile) -> frozenset[int]:
    """The stale deployments of the file that a dropped build answers for."""
    return index.per_file("owned-stale", file, lambda: [frozenset(id(m) for d in dropped_builds(index, file) for m in d.stale)])[0]


def fed_by_callers(index: ImageFlowIndex, dropped: DroppedBuild) -> tuple[FixedSite, ...]:
    """The fixed local text the callers (in the files of this run) pass for a parameter that the
    drop's function deploys instead of the built name (`SetupInvoicer(ctx, "localhost/x:e2e", w)`
    while `SetupInvoicer` drops its build and deploys `invoicerImage`): the same defect, and once
    the built name is deployed, the text deploys nothing."""
    function = dropped.discard.function
    if function is None:
        return ()
    names = {
        str(m.origin.key[2]) for m in dropped.stale
        if m.origin.kind == OriginKind.PARAM and isinstance(m.origin.key, tuple) and m.origin.key[1] == function.node.id
    }
    positions = {p.index for p in function.params if p.name in names}
    if not positions:
        return ()
    return tuple(
        site
        for file in list(index.project.files())
        if file.reported
        for site in fixed_sites(index, file)
        if site.local and site.kind is SiteKind.DEPLOY_ARG and site.sink is not None and site.sink.target is function
        and _argument_position(site) in positions
    )


def _argument_position(site: FixedSite) -> int | None:
    call = site.sink.call if site.sink is not None else None
    args = arguments(call) if call is not None else []
    return next((i for i, arg in enumerate(args) if arg.start_byte <= site.node.start_byte < arg.end_byte), None)


def _deployed_here(
    index: ImageFlowIndex, function: Function, discard: Discard, build_name: str | None, builds: int
) -> tuple[FixedSite, ...]:
    """With no deploy call, the fixed local images the build's own function deploys after it (a
    manifest it applies itself, also one held in a package-level constant): of the service the
    build names, or that its builder's name mentions. All of them name one image, as the repair
    that rewrites them requires."""
    if build_name is None and builds != 1:
        return ()
    # without a name in the config, the builder's own name must mention the image's service
    # (`wrappers.BuildDataStorageImage` and `localhost/kubernaut-datastorage:e2e-test`)
    builder = callee(discard.call)[1]
    sites = [
        site for site in [*sites_in(index, function), *_constants_read(index, function, discard)]
        if site.local and (site.function is None or site.start >= discard.call.end_byte or filled_before(site, discard.call) is not None)
        and (names_service(build_name, site.image) if build_name else names_service(repository(site.image), builder))
    ]
    return tuple(sites) if len({site.image for site in sites}) == 1 else ()


def _deployed_by_suite_tests(index: ImageFlowIndex, function: Function, build_name: str | None) -> tuple[FixedSite, ...]:
    """A drop in a method of a testify suite (`SetupSuite`) that deploys nothing itself: the
    fixed images of the build's service that the suite's `Test...` methods deploy (one image)."""
    from imagetag_lint.analysis.steps import suite_tests

    if build_name is None or function.receiver is None:
        return ()
    sites = tuple(
        site for method in suite_tests(index, function) for site in sites_in(index, method)
        if site.local and names_service(build_name, site.image)
    )
    return sites if len({site.image for site in sites}) == 1 else ()


def _deployed_by_specs(index: ImageFlowIndex, function: Function, build_name: str | None) -> tuple[FixedSite, ...]:
    """A drop in a Ginkgo suite node (`BeforeSuite`) that deploys nothing itself: the fixed images
    of the build's service that the package's spec closures (`It`) deploy (one image)."""
    from imagetag_lint.analysis.steps import is_spec, is_suite_setup, setup_reach

    if build_name is None or not is_suite_setup(function):
        return ()
    reach = setup_reach(function)  # a `BeforeEach` runs before the specs of its container only
    sites = tuple(
        site
        for file in list(index.project.complete_package(function.file).files)
        for site in fixed_sites(index, file)
        if site.local and site.function is not None and is_spec(site.function)
        and site.function.node.id != function.node.id
        and (reach is None or site.file is function.file and is_inside(site.function.node, reach))
        and names_service(build_name, site.image)
    )
    return sites if len({site.image for site in sites}) == 1 else ()


def _deployed_by_tests(index: ImageFlowIndex, function: Function, discard: Discard, build_name: str | None) -> tuple[FixedSite, ...]:
    """A drop in `TestMain` before its `m.Run()`, which runs the tests: the fixed images of the
    build's service that the package's tests (`func TestX(t *testing.T)`) deploy (one image). A
    release its registry publishes (the old version an upgrade test starts from) is no copy of
    the build: it stays as it is and does not hide the local copy."""
    from imagetag_lint.analysis.steps import before_the_tests, run_by_go_test

    if build_name is None or not before_the_tests(function, discard.call):
        return ()
    built = build_references(index)
    index.project.complete_package(function.file)  # loads the directory: `go test` runs its `x_test` package too
    files = [
        file for file in index.project.files_in(function.file.directory)
        if file.filename.endswith("_test.go") or file.package == function.file.package
    ]
    helpers = _helpers_of_tests(index, function.file.directory, build_name)
    files = [
        file for file in index.project.files_in(function.file.directory)
        if file.filename.endswith("_test.go") or file.package == function.file.package
    ]
    tests = {site.function.node.id for file in files for site in fixed_sites(index, file) if site.function is not None and run_by_go_test(site.function)}
    sites = tuple(
        site
        for file in files
        for site in fixed_sites(index, file)
        if site.local and site.function is not None and (site.function.node.id in tests or site.function.node.id in helpers)
        and names_service(build_name, site.image) and not pulled_release(site.image, built)
    )
    return sites if len({site.image for site in sites}) == 1 else ()


def _helpers_of_tests(index: ImageFlowIndex, directory: str, build_name: str) -> set[int]:
    """The functions of the directory that deploy the build's service and that its tests call
    (`StartWorker(ctx, c)` of a helpers file): the fixed images they deploy are the tests' as
    much as a literal in a test."""
    from imagetag_lint.analysis.steps import run_by_go_test

    helpers = {
        site.function.node.id: site.function
        for file in list(index.project.files_in(directory))
        for site in fixed_sites(index, file)
        if site.local and site.function is not None and not run_by_go_test(site.function) and names_service(build_name, site.image)
    }
    for helper in list(helpers.values()):
        index.project.load_mentioning(directory, helper.name)  # the test files that call it
    found: set[int] = set()
    for file in list(index.project.files_in(directory)):
        for test in index.facts(file).functions:
            if not run_by_go_test(test):
                continue
            for call in index.calls_in(test):
                found.update(target.node.id for target in index.project.resolve_call(call, file) if target.node.id in helpers)
    return found


@record(frozen=True)
class FilledBefore:
    """A struct literal that fills a local before the build, deployed after it."""

    local: str
    key: str  # the field that holds the image
    statement: Node  # the `api := Service{...}` (or `var`) statement


def filled_before(site: FixedSite, build: Node) -> FilledBefore | None:
    """The config a fixed image fills when it is a field of a struct literal that fills a local
    before the build (a call or its statement) and the function reads that local after it
    (`api := Service{Image: "localhost/x:e2e"}`, build, `deployService(ctx, api)`): the config it
    deploys, set too early to hold the built name."""
    function = site.function
    if function is None or function.body is None or site.kind is not SiteKind.FIELD or site.start >= build.start_byte:
        return None
    element = parent(site.node)
    if element is not None and element.type == "literal_element":
        element = parent(element)
    keyed = element is not None and element.type == "keyed_element" and element.named_child_count == 2
    key = element.named_children[0] if keyed and element is not None else None  # `Image` of `Image: "..."`
    literal = parent(element) if element is not None else None
    composite = parent(literal) if literal is not None and literal.type == "literal_value" else None
    values = parent(composite) if composite is not None and composite.type == "composite_literal" else None
    declaration = parent(values) if values is not None and values.type == "expression_list" else None
    if key is None or values is None or declaration is None or declaration.type not in ("short_var_declaration", "var_spec"):
        return None
    names = assigned_names(declaration)
    if len(names) != 1 or names[0].type != "identifier" or values.named_child_count != 1:
        return None
    local = text(names[0])
    reads = [use for use in identifiers(function.body, local) if use.start_byte >= build.end_byte and not is_write(use)]
    statement: Node | None = declaration
    while statement is not None and statement.type in ("var_spec", "var_spec_list"):
        statement = parent(statement)  # the `var` declaration of a `var api = Service{...}`
    return FilledBefore(local, text(key), statement) if reads and statement is not None else None


@record(frozen=True)
class LookedUpEntry:
    """An entry of a local map literal that the deployment looks up: in a loop over its keys
    (`images[svc]` while `svc` walks `[]string{"reorder", "cache"}`), where the lookup serves
    every key, or with its fixed key (`images["reorder"]`)."""

    local: str  # the map (`images`)
    key: str  # the entry's key as written (`"reorder"`)
    element: Node  # the `"reorder": "localhost/..."` element
    statement: Node  # the statement that declares the map
    lookup: Node  # the `images[svc]` the deployment reads


def looked_up_entry(site: FixedSite) -> LookedUpEntry | None:
    """The map entry a fixed image is the value of, when the deployment looks it up."""
    lookup = site.sink.expr if site.sink is not None else None
    operand = lookup.child_by_field_name("operand") if lookup is not None and lookup.type == "index_expression" else None
    element = parent(site.node)
    if element is not None and element.type == "literal_element":
        element = parent(element)
    if lookup is None or operand is None or element is None or element.type != "keyed_element" or site.node.id == lookup.id:
        return None
    statement = enclosing(element, ("short_var_declaration", "var_declaration", "assignment_statement"))
    if statement is None:
        return None
    return LookedUpEntry(text(operand), text(element.named_children[0]), element, statement, lookup)


def _constants_read(index: ImageFlowIndex, function: Function, discard: Discard) -> list[FixedSite]:
    """The fixed images of package-level constant manifests the function reads after the build
    (`KubectlApply(ctx, ns, paymentsManifest, w)`), or that a helper of its package it calls
    after the build reads (`applyGateway(ctx, ns)`, which pipes `gatewayManifest` to `kubectl
    apply -f -`): it deploys them itself, or through that helper."""
    body = function.body
    if body is None:
        return []
    package = index.project.package_of(function.file)
    readers = _constant_readers(index, function)
    found: list[FixedSite] = []
    for name, (file, value) in package.consts.items():
        read_here = any(use.start_byte >= discard.call.end_byte for use in identifiers(body, name))
        if not read_here and not (name in readers and readers[name][-1][0] >= discard.call.end_byte):
            continue
        found.extend(
            site for site in fixed_sites(index, file)
            if site.function is None and value.start_byte <= site.node.start_byte < value.end_byte
        )
    return found


def _constant_readers(index: ImageFlowIndex, function: Function) -> dict[str, list[tuple[int, Node, Function]]]:
    """By package-level constant: (start, call, helper) of the function's calls, in order, of
    functions of its package that build nothing themselves and read that constant; a helper that
    applies a constant manifest deploys it for the function. Found once per function: every drop
    of a function asks, each about the calls after it."""
    return per_generation(index, ("constant-readers", id(function)), lambda: _read_constants(index, function))


def _read_constants(index: ImageFlowIndex, function: Function) -> dict[str, list[tuple[int, Node, Function]]]:
    package = index.project.package_of(function.file)
    found: dict[str, list[tuple[int, Node, Function]]] = {}
    if package.consts:
        for call in index.calls_in(function):
            for target in index.project.resolve_call(call, function.file):
                if target is function or target.file not in package.files or target.body is None or index.builds(target):
                    continue
                for name in package.consts:
                    if identifiers(target.body, name):
                        found.setdefault(name, []).append((call.start_byte, call, target))
    return found


def constant_applied_by_helper(index: ImageFlowIndex, discard: Discard, site: FixedSite) -> tuple[Node, Function, str] | None:
    """The helper call that applies the package-level constant holding the site, its helper and
    the constant's name, when the drop's function does not read that constant itself after the
    build (`applyGateway(ctx, ns)`, which pipes `gatewayManifest` to `kubectl apply -f -`)."""
    function = discard.function
    if function is None or function.body is None or site.function is not None:
        return None
    package = index.project.package_of(function.file)
    readers = _constant_readers(index, function)
    for name, (file, value) in package.consts.items():
        if file is not site.file or not value.start_byte <= site.node.start_byte < value.end_byte:
            continue
        if any(use.start_byte >= discard.call.end_byte for use in identifiers(function.body, name)):
            return None
        after = readers.get(name, [])
        first = bisect_left(after, discard.call.end_byte, key=lambda reader: reader[0])
        if first < len(after):
            return after[first][1], after[first][2], name
    return None


def _fixed_of(index: ImageFlowIndex, deploy: DeployCall, build_name: str | None) -> tuple[FixedSite, ...]:
    """The local fixed images the deploy call ends in: those the helper deploys itself, and
    fixed text the call passes to its image parameters. Of the elements of a list a `range`
    hands to the call, only those of the build's service, when they are one image: the others
    are other services' (each an IMG002 of its own)."""
    passed = tuple(
        site for site in sites_in(index, deploy.function)
        if site.local and site.sink is not None and site.sink.call == deploy.call
    )
    listed = [site for site in passed if site.sink is not None and site.node.id != site.sink.expr.id]
    if listed and build_name is not None and len({site.image for site in listed}) > 1:
        serving = {id(site) for site in listed if names_service(build_name, site.image)}
        if len({site.image for site in listed if id(site) in serving}) == 1:
            passed = tuple(site for site in passed if id(site) in serving or site not in listed)
    return tuple(site for site in deploy.fixed if site.local) + passed


def _variants_of(index: ImageFlowIndex, deploy: DeployCall) -> tuple[FixedSite, ...]:
    """The fixed images of the other definitions of the deploy function (one per build
    constraint or `_linux.go` suffix) that deploy the same image: whichever the build selects,
    the drop's fix gives each the name, so they are part of the defect. A variant that deploys
    another image stays an IMG002 of its own (and the fix is by hand)."""
    images = {site.image for site in deploy.fixed if site.local}
    if len(images) != 1:
        return ()
    from imagetag_lint.analysis.steps import other_definitions

    return tuple(
        site
        for other in other_definitions(index, deploy.target)
        for site in sites_in(index, other)
        if site.local and site.image in images
    )
