"""IMG002 hardcoded-image-reference: a deployment names a locally built image as fixed text."""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.analysis.build_sites import (
    BuildSite,
    UnnamedBuild,
    builds_of,
    built_right_here,
    calls_build_helper,
    same_reference,
    unnamed_build,
    unnamed_build_words,
    what_builds_show,
)
from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.defects import dropped_builds, fed_by_callers
from imagetag_lint.analysis.deployments import FixedSite, fixed_sites
from imagetag_lint.analysis.discards import find_discards
from imagetag_lint.analysis.golden_texts import only_compared
from imagetag_lint.analysis.image_flow import repository
from imagetag_lint.analysis.mismatches import captured, ignored_image_params
from imagetag_lint.analysis.overwrites import overwrite_before, overwrite_words
from imagetag_lint.analysis.overwritten import replaced_before_read
from imagetag_lint.analysis.pairing import build_name_of
from imagetag_lint.analysis.steps import (
    before_the_tests,
    call_name,
    is_spec,
    is_suite_setup,
    named,
    new_parameter,
    on_process_one_only,
    receiver_of,
    run_by_go_test,
    setup_reach,
    suite_method_steps,
)
from imagetag_lint.analysis.table_builds import built_from_its_table
from imagetag_lint.analysis.unit_fixtures import (
    only_inspected,
    testable_example,
    unit_test_entry,
)
from imagetag_lint.engine.locality import build_references
from imagetag_lint.engine.values import local_const, reaching_definition
from imagetag_lint.enums import ConsumerKind, SiteKind
from imagetag_lint.findings import Applicability, Finding, Fix, Related
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    string_value,
    unparen,
    written_identifiers,
)
from imagetag_lint.images import published_release, pulled_release

CODE = "IMG002"
DROP_CODE = "IMG001"  # discarded-image-name: its findings name the fixed image a drop leads to
UNTRACKED_CODE = "IMG003"  # untracked-image-reference: it names the fixed image a helper deploys instead of its parameter


def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
    for site in fixed_sites(ctx.index, file):
        if not site.local or unit_test_fixture(ctx, site) or built_right_here(ctx.index, site) is not None:
            continue
        if pulled_release(site.image, build_references(ctx.index) if published_release(site.image) else ()):
            continue  # pulled from its registry: the first step of an upgrade test, not a stale copy
        if _reads_the_built_name(ctx, site) or built_from_its_table(ctx.index, site) or replaced_before_read(site):
            continue
        if UNTRACKED_CODE in ctx.selected and _instead_of_a_parameter(ctx, site):
            continue
        if DROP_CODE in ctx.selected and _named_by_a_drop(ctx, site):
            continue
        builds = list(_builds_of(ctx, site))
        why, severity, seen = what_builds_show(ctx.index, site)
        if seen is None and builds:  # a dropped build of it (by name) is in the package after all
            dropped = builds[0].span
            why = f"the build at {dropped.filename}:{dropped.start.row} makes this repository, and the name it returns is dropped there"
        if seen is not None and all(r.span != seen.span for r in builds):
            builds.insert(0, Related(seen.span, f"the image is built here by `{seen.callee}` as {seen.shown}"))
        unnamed = _unnamed_build_near(ctx, site) if seen is None and not builds else None
        if unnamed is not None:
            why = unnamed_build_words(ctx.index, site, unnamed)
            builds.append(Related(unnamed.span, f"`{unnamed.callee}` builds an image here; the analysis cannot tell its repository"))
        yield ctx.finding(
            CODE,
            file.span_bytes(site.start, site.end),
            {"image": site.image, "how": site.how, "why": why},
            _kept_steps(ctx, site, seen) or _package_variable_steps(ctx, site, seen) or _steps(ctx, site, builds, seen),
            tuple(builds),
            _fix(ctx, site, seen),
            severity,
        )


def _reads_the_built_name(ctx: RuleContext, site: FixedSite) -> bool:
    """Does the deployment read the very variable or constant that a build command is tagged with
    (`podman build -t img .` or `buildWithTag(img)` ... `Image: img`)? It deploys what was built,
    and follows the name wherever it changes: no copy of a tag. (A configured builder's returned
    name stays the truth: it may make another name than its config says.)"""
    node = unparen(site.node)
    if node.type != "identifier":
        return False
    name = text(node)
    return any(
        (tag := build.tag_variable) is not None and text(tag) == name and _one_variable(ctx, build, tag, node, site)
        for build in builds_of(ctx.index, site)
    )


def _one_variable(ctx: RuleContext, build: BuildSite, tag: Node, read: Node, site: FixedSite) -> bool:
    """Do the build's tag argument and the deployment's identifier (same name) read one variable:
    the same local definition in one function, or the same package-level name, unshadowed?"""
    tagged_in = ctx.index.facts(build.file).function_of(build.call)
    if tagged_in is not None and site.function is not None and tagged_in.file is site.file and tagged_in.node.id == site.function.node.id:
        if build.call.start_byte >= site.start:
            return False  # deployed before it is built
        tagged = reaching_definition(tag, tagged_in)
        deployed = reaching_definition(read, tagged_in)
        if tagged is not None or deployed is not None:
            return tagged is not None and deployed is not None and tagged[0].id == deployed[0].id and tagged[1] == deployed[1]
    return (
        build.file.directory == site.file.directory
        and _package_level(tag)
        and _package_level(read)
        and ctx.index.fixed_text(read, site.file, site.function) is not None
        and tagged_in is not None
        and _runs(ctx, tagged_in)
    )


def _runs(ctx: RuleContext, function: Function) -> bool:
    """Is the function that runs the build ever run: `TestMain`, `init`, a Ginkgo setup node, a
    test `go test` calls, an exported function (other packages may call it), or a function of
    the package that some call runs? (A leftover build function nothing calls builds nothing a
    deployment can read.)"""
    if function.node.type == "func_literal":
        return is_suite_setup(function) or is_spec(function)
    return (
        function.name in ("TestMain", "init") or function.exported or run_by_go_test(function)
        or ctx.index.call_count(function) > 0
    )


def _package_level(ident: Node) -> bool:
    """Does the identifier name a package-level declaration: no function around it (a closure's
    outer functions included) declares, writes or takes a parameter of that name?"""
    name = text(ident)
    current = ident.parent
    while current is not None:
        if current.type in FUNCTION_TYPES:
            parameters = current.child_by_field_name("parameters")
            if parameters is not None and any(
                text(n) == name for p in parameters.named_children for n in p.children_by_field_name("name")
            ):
                return False
            body = current.child_by_field_name("body")
            if body is not None and (written_identifiers(body, name)[0] or local_const(body, name) is not None):
                return False
        current = current.parent
    return True


def _named_by_a_drop(ctx: RuleContext, site: FixedSite) -> bool:
    """Does an IMG001 name this fixed image as its related place? A dropped build and the fixed
    image its deploy call ends in are one defect, reported once, at the drop. A run of some files
    (pre-commit's) answers as a run of the tree: the drop may sit in a file it does not lint (the
    caller's file of the package, or an importer's), so the callers of the site's function are
    loaded first; only direct callers pair a drop with the helper's image."""
    where = (site.file.filename, site.start)
    if where in _drop_named(ctx):
        return True
    function = site.function
    if function is None or function.node.type == "func_literal":
        return False  # a closure has no callers to load
    generation = ctx.index.project.generation
    ctx.index.project.load_mentioning(function.file.directory, function.name, importers=function.exported)
    return generation != ctx.index.project.generation and where in _drop_named(ctx)


def _drop_named(ctx: RuleContext) -> frozenset[tuple[str, int]]:
    """The fixed images the dropped builds of every loaded file name, linted or not (a drop in a
    file the run only read is still an IMG001 of the tree)."""
    index = ctx.index
    key = ("named-by-a-drop", index.project.generation)
    named = index.cache.get(key)
    if named is None:
        named = index.cache[key] = frozenset(
            (site.file.filename, site.start)
            for file in list(index.project.files())
            for dropped in dropped_builds(index, file)
            for site in (*dropped.fixed, *fed_by_callers(index, dropped))
        )
    return named  # type: ignore[return-value]


def _instead_of_a_parameter(ctx: RuleContext, site: FixedSite) -> bool:
    """Is this the fixed image a deploy helper deploys while it ignores its image parameter? That
    IMG003 names it and its fix puts the parameter here: one defect, one finding."""
    function = site.function
    return function is not None and any(found is site for _, found in ignored_image_params(ctx.index, function))


def unit_test_fixture(ctx: RuleContext, site: FixedSite) -> bool:
    """A Go unit test (a `_test.go` function taking `*testing.T`, `B` or `F`, or a testable
    `ExampleX()`) that neither builds
    nor loads an image, and hands a fixed image to a deploy function (a manifest renderer, a spec
    builder), is testing that function with a fixture. A container literal it fills and applies
    itself is still a deployment: the test reaches the cluster with it. A Ginkgo spec closure is
    such a test only when the deploy function returns no `error`: it renders, and cannot have
    reached a cluster (an E2E spec's deploy helpers return the error of their cluster calls). A
    container literal the test keeps to itself (reads its fields, hands it only to `t` or the
    standard library) is a fixture too: nothing applies it."""
    function = site.function
    if not site.file.filename.endswith("_test.go"):
        return False
    if site.kind is SiteKind.YAML:
        return _golden_text(ctx, site)
    if function is None:
        return False
    if site.kind is SiteKind.FIELD:
        if not unit_test_entry(function) or not only_inspected(site.node, function, ctx.index):
            return False
    elif site.kind is not SiteKind.DEPLOY_ARG:
        return False
    elif function.node.type == "func_literal":
        target = site.sink.target if site.sink is not None else None
        if target is None or _returns_an_error(target.node):
            return False
    else:
        if not _takes_testing(function) and not testable_example(function):
            return False
        target = site.sink.target if site.sink is not None else None
        applies = target is None or _returns_an_error(target.node)
        if applies and _test_main_sets_up_images(ctx, site.file):
            return False  # the package's `TestMain` builds or loads: its tests run against the cluster
        if applies and not run_by_go_test(function) and not testable_example(function):
            return False  # a helper handed `t` that calls a deploy function returning its cluster error
    return not _sets_up_images(ctx, function)


def _golden_text(ctx: RuleContext, site: FixedSite) -> bool:
    """Is the manifest text a golden one: only compared with a renderer's output (`got !=
    golden`, `cmp.Diff`) by unit tests that build and load no image? It is what the renderer
    should print, and nothing applies it."""
    index = ctx.index
    files = list(index.project.complete_package(site.file).files)
    functions = [function for file in files for function in index.facts(file).functions]

    def unit_test(function: Function) -> bool:
        if not function.file.filename.endswith("_test.go") or _sets_up_images(ctx, function):
            return False
        return not _test_main_sets_up_images(ctx, function.file)

    return only_compared(site.node, site.file, files, functions, unit_test)


def passes_fixtures(ctx: RuleContext, function: Function, target: Function) -> bool:
    """Would fixed text this `TestX` function hands the deploy function `target` be taken for a
    unit test's fixture (the argument branch of `unit_test_fixture`)?"""
    if not function.file.filename.endswith("_test.go") or function.node.type == "func_literal":
        return False
    if not _takes_testing(function) and not testable_example(function):
        return False
    entry = run_by_go_test(function) or testable_example(function)
    if _returns_an_error(target.node) and (_test_main_sets_up_images(ctx, function.file) or not entry):
        return False
    return not _sets_up_images(ctx, function)


def _takes_testing(function: Function) -> bool:
    """Does the function take a `*testing.T` (`B`, `F`): a test, or a helper a test hands its `t`?"""
    parameters = function.node.child_by_field_name("parameters")
    return parameters is not None and b"*testing." in (parameters.text or b"")


def _sets_up_images(ctx: RuleContext, function: Function) -> bool:
    """Does the function build or load an image: a builder or build helper, a loader, or a
    `docker build` / `kind load` it runs itself?"""
    index = ctx.index
    return index.builds(function) or any(
        (consumer := index.consumer(call)) is not None and consumer.kind is ConsumerKind.LOAD
        or index.command_image(call, function) is not None
        for call in index.calls_in(function)
    ) or calls_build_helper(index, function)


def _test_main_sets_up_images(ctx: RuleContext, file: SourceFile) -> bool:
    """Does a `TestMain` of the file's package build or load an image? Then its tests are E2E
    tests, run against the cluster the images were loaded into, not unit tests with fixtures."""
    index = ctx.index
    key = ("test-main-sets-up:" + file.directory, index.project.generation)
    found = index.cache.get(key)
    if found is None:
        found = index.cache[key] = any(
            function.name == "TestMain" and function.receiver is None and _sets_up_images(ctx, function)
            for package_file in list(index.project.complete_package(file).files)
            if package_file.filename.endswith("_test.go")
            for function in index.facts(package_file).functions
        )
    return bool(found)


def _returns_an_error(declaration: Node) -> bool:
    result = declaration.child_by_field_name("result")
    return result is None or b"error" in (result.text or b"")  # no result: it acts, not renders


def _fix(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> Fix:
    """The repair of a dropped build that rewrites this text, or the build's captured name."""
    fix = ctx.repairs.resolving(site.file.filename, site.start)
    write = _overwrite_at(ctx, site, seen) if fix is None and site.function is not None else None
    if write is not None and site.function is not None:
        from imagetag_lint.repair.overwrite import plan_delete_overwrite
        from imagetag_lint.repair.plan import guarded

        deployed = {s.node.id for s in fixed_sites(ctx.index, site.file) if s.function is site.function}
        fix = guarded(ctx.index, plan_delete_overwrite, ctx.index, site.function, write, deployed)
    if fix is None and not any(d.function is site.function for d in find_discards(ctx.index, site.file)):
        from imagetag_lint.repair.use import captured_name_fix

        fix = captured_name_fix(ctx.index, site)
    kept = _package_variable(ctx, site, seen) if fix is None else None
    if kept is not None:
        setter, variable = kept
        message = f"use `{variable}`, the package variable `{setter.name}` keeps the built name in"
        if site.kind is SiteKind.YAML or site.node.type not in ("interpreted_string_literal", "raw_string_literal"):
            return Fix(Applicability.DISPLAY_ONLY, message)
        if site.kind is SiteKind.COMMAND_ARG:
            from imagetag_lint.repair.parameter import use_in_site

            return Fix(Applicability.UNSAFE, message, tuple(use_in_site(site, variable)))
        # unsafe: that the setter runs before the closure is Ginkgo's order, not one the code shows
        return Fix(Applicability.UNSAFE, message, (E.replace(site.file, site.node, variable),))
    return (
        fix or _tagged_fix(ctx, site, seen) or _raw_build_fix(ctx, site, seen) or _applied_fix(ctx, site)
        or _unreadable_capture_fix(ctx, site, seen) or _NO_BUILD_IN_REACH
    )


def _raw_build_fix(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> Fix | None:
    """The function runs the build itself and holds the name it tags in a variable: deploy that
    (an edit where the variable still holds that name there, else by hand)."""
    from imagetag_lint.repair.use import raw_tag_fix

    if seen is None or seen.held is None or not _raw_build_here(site, seen):
        return None
    name = text(seen.held)
    message = f"deploy `{name}`, the name the build at line {seen.span.start.row} tags: {_use_step(site, f'`{name}`')[5:]}"
    fix = raw_tag_fix(ctx.index, site, seen.held, seen.call, message)
    if fix is not None:
        return fix
    function = site.function
    if function is not None and _set_between(function, name, seen.call.end_byte, site.start):
        message = (
            f"`{function.name}` sets `{name}` again between the build at line {seen.span.start.row} and this "
            "deployment: deploy the name the build tagged by hand"
        )
    return Fix(Applicability.DISPLAY_ONLY, message)


def _set_between(function: Function, name: str, start: int, end: int) -> bool:
    """Does the function write the variable between two places (a build and a deployment)?"""
    body = function.body
    return body is not None and any(is_write(use) and start <= use.start_byte < end for use in identifiers(body, name))


_NO_BUILD_IN_REACH = Fix(
    Applicability.DISPLAY_ONLY,
    "pass the name the builder returns to this deployment and use it here "
    "(no fix of a dropped build covers this deployment)",
)


def _steps(ctx: RuleContext, site: FixedSite, builds: list[Related], seen: BuildSite | None) -> tuple[str, ...]:
    owner = site.function.name if site.function is not None else None
    builds_here = site.function is not None and (
        ctx.index.builds(site.function) or _raw_build_here(site, seen) or _tagged_build_here(ctx, site, seen) is not None
    )
    if builds_here:
        assert owner is not None and site.function is not None
        kept = _captured_here(ctx, site.function, seen)
        unread = _unreadable_capture_steps(ctx, site, seen, kept) if kept is not None else None
        if unread is not None:
            return unread
        write = _overwrite_at(ctx, site, seen) if kept is not None else None
        if kept is not None and write is not None:
            words = overwrite_words(ctx.index, write) or "fixed text"  # what this site deploys
            return (
                f"capture: `{kept}` already holds the built name; delete `{excerpt(write)}` (line {write.start_point.row + 1}), which overwrites it with {words}",
                "pass: nothing to pass: the name is already in this function",
                "parameter: none needed",
                f"use: nothing to change where `{kept}` is deployed: it then holds the built name",
            )
        if kept is not None and seen is not None and _set_between(site.function, kept, seen.call.end_byte, site.start):
            return (
                f"capture: `{owner}` keeps the built name in `{kept}`, then sets `{kept}` again before this deployment: keep the built name in a variable nothing else writes",
                "pass: nothing to pass: the name is already in this function",
                "parameter: none needed",
                _use_step(site, "that variable"),
            )
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
        unnamed = _unnamed_build_beside(ctx, site) if seen is None else None
        if unnamed is not None:
            return (
                _unnamed_capture_step(unnamed),
                "pass: nothing to pass: the name is already in this function",
                "parameter: none needed",
                _use_step(site, _unnamed_name(unnamed)),
            )
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
    if site.function is not None and site.function.node.type == "func_literal":
        return _closure_steps(site)
    if site.function is not None and run_by_go_test(site.function):
        return _test_function_steps(site, site.function)
    suite = suite_method_steps(ctx.index, site, repository(site.image))  # a testify `Test...` method
    if suite is not None:
        return suite
    parameter = new_parameter(ctx.index, site.function) if site.function is not None else "imageName"
    return (
        f"capture: name the image the builder returns for `{repository(site.image)}` in the callers of `{owner}`",
        f"pass: pass that name to `{owner}`",
        f"parameter: add an `{parameter} string` parameter to `{owner}` and update every caller",
        _use_step(site, f"`{parameter}`"),
    )


def _closure_steps(site: FixedSite) -> tuple[str, ...]:
    """A closure (a spec body) has no callers to take a parameter: it reads a variable around it.
    An `Entry` argument of a `DescribeTable` is evaluated before `BeforeSuite` runs: the table
    body reads the variable instead."""
    if site.function is not None and not is_inside(site.node, site.function.node):
        return (
            (
                f"capture: keep the name the builder returns for `{repository(site.image)}` in a package variable "
                "that `BeforeSuite` sets (an `Entry` argument is evaluated when the spec tree is built, before it runs)"
            ),
            "pass: nothing to pass: the table body reads that variable itself",
            "parameter: none needed (a closure has no callers)",
            (
                f"use: deploy that variable in the table body where it deploys the parameter that `{excerpt(site.node)}` "
                "fills, and drop that argument from the `Entry`"
            ),
        )
    return (
        (
            f"capture: keep the name the builder returns for `{repository(site.image)}` in a variable the "
            "closure can read (a package variable set in `BeforeSuite`, or a local of the enclosing function)"
        ),
        "pass: nothing to pass: the closure reads that variable itself",
        "parameter: none needed (a closure has no callers)",
        _use_step(site, "that variable"),
    )


def _test_function_steps(site: FixedSite, function: Function) -> tuple[str, ...]:
    """A test `go test` runs has no callers to take a parameter: it reads a package variable."""
    return (
        (
            f"capture: keep the name the builder returns for `{repository(site.image)}` in a package variable "
            f"that `TestMain` sets before `m.Run()`, or build in `{function.name}` itself and keep the name in a local"
        ),
        f"pass: nothing to pass: `{function.name}` reads that variable itself",
        f"parameter: none needed (`go test` calls `{function.name}`)",
        _use_step(site, "that variable"),
    )


def _package_variable_steps(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> tuple[str, ...] | None:
    """The steps when the build the message names keeps its name in a package variable (a suite's
    `BeforeSuite`) and a spec closure deploys fixed text: the closure reads the variable; it has
    no callers to take a parameter."""
    kept = _package_variable(ctx, site, seen)
    if kept is None:
        return None
    setter, variable = kept
    owner = site.function
    if owner is not None and owner.node.type != "func_literal":
        return (
            f"capture: {named(setter)} already keeps the built name in the package variable `{variable}`",
            f"pass: nothing to pass: `{owner.name}` reads `{variable}` itself",
            f"parameter: none needed (`go test` calls `{owner.name}`)",
            _use_step(site, f"`{variable}`"),
        )
    return (
        f"capture: {named(setter)} already keeps the built name in the package variable `{variable}`",
        f"pass: nothing to pass: the closure reads `{variable}` itself",
        "parameter: none needed (a closure has no callers)",
        _use_step(site, f"`{variable}`"),
    )


def _package_variable(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> tuple[Function, str] | None:
    """The function that assigns the named build's image to a package-level variable of the
    deploying closure's package, and that variable, when the closure can read it."""
    owner = site.function
    if seen is None or owner is None or (owner.node.type != "func_literal" and not run_by_go_test(owner)):
        return None
    index = ctx.index
    setter = index.facts(seen.file).function_of(seen.call)
    if setter is not None and owner.node.type != "func_literal" and not before_the_tests(setter, seen.call):
        return None  # a test reads what `TestMain` set before `m.Run()`, nothing else
    variable = _kept_variable(ctx, seen)
    if setter is None or variable is None or on_process_one_only(setter):
        return None  # set on process 1 alone: "" on the others (`ginkgo -p`)
    reach = setup_reach(setter)
    if reach is not None and not (owner.file is setter.file and is_inside(owner.node, reach)):
        return None  # a `BeforeEach` runs before the specs of its own container only
    statement = variable.parent.parent if variable.parent is not None else None
    if statement is None or statement.type != "assignment_statement":
        return None  # `:=` declares a local
    name = text(variable)
    package = index.project.package_of(site.file)
    if package is not index.project.package_of(seen.file) or not any(_declares(f, name) for f in package.files):
        return None
    if _declared_inside(_outermost(seen.call), name) or _declared_inside(_outermost(site.node), name):
        return None  # a local of that name hides the package variable
    return setter, name


def _declares(file: SourceFile, name: str) -> bool:
    """Does the file declare a package-level `var` of that name?"""
    for declaration in file.tree.root_node.named_children:
        if declaration.type != "var_declaration":
            continue
        specs = [c for c in declaration.named_children if c.type == "var_spec"]
        specs += [c for group in declaration.named_children if group.type == "var_spec_list" for c in group.named_children]
        if any(text(n) == name for spec in specs for n in spec.children_by_field_name("name")):
            return True
    return False


def _outermost(node: Node) -> Node | None:
    """The outermost function (declaration or literal) around the node."""
    outer = None
    current = enclosing(node, FUNCTION_TYPES)
    while current is not None:
        outer = current
        current = enclosing(current, FUNCTION_TYPES)
    return outer


def _declared_inside(function: Node | None, name: str) -> bool:
    """Is name a parameter or a local variable somewhere in the function (closures included)?"""
    if function is None:
        return False
    for occurrence in identifiers(function, name):
        holder = occurrence.parent
        if holder is None:
            continue
        if holder.type in ("parameter_declaration", "variadic_parameter_declaration", "var_spec", "range_clause"):
            return True
        statement = holder.parent
        if statement is not None and statement.type in ("short_var_declaration", "range_clause") and statement.child_by_field_name("left") == holder:
            return True  # `name := ...`, `for _, name := range ...`
    return False


def _captured_here(ctx: RuleContext, function: Function, seen: BuildSite | None) -> str | None:
    """The variable (or field, or map entry) the function keeps the name of the build the message
    names in, if it does."""
    if seen is None or not is_inside(seen.call, function.node):
        return None
    variable = _kept_variable(ctx, seen) or _kept_holder(ctx, seen)
    return text(variable) if variable is not None else None


def _kept_holder(ctx: RuleContext, seen: BuildSite) -> Node | None:
    """The field or map entry with a fixed key the build's returned name is assigned to
    (`s.ordersImage, err = Build(...)`, `s.images["worker"], err = Build(...)`), if any."""
    producer = ctx.index.producer(seen.call, seen.file)
    holder = captured(seen.call, producer.image_result) if producer is not None and seen.held is None else None
    if holder is None:
        return None
    if holder.type == "selector_expression":
        operand = holder.child_by_field_name("operand")
        return holder if operand is not None and operand.type in ("identifier", "selector_expression") else None
    if holder.type == "index_expression":
        operand, key = holder.child_by_field_name("operand"), holder.child_by_field_name("index")
        fixed_key = key is not None and string_value(key) is not None
        return holder if fixed_key and operand is not None and operand.type in ("identifier", "selector_expression") else None
    return None


def _receiver_field(holder: Node, caller: Function, owner: Function) -> str | None:
    """The holder as the deploying method reads it, when it is a field (or an entry of a field)
    of the caller's receiver and both are methods of one type: `s.ordersImage` in `SetupSuite`
    is `s.ordersImage` (or `r.ordersImage`) in `deployOrders`."""
    caller_receiver, owner_receiver = receiver_of(caller), receiver_of(owner)
    if caller_receiver is None or owner_receiver is None or caller_receiver[1] != owner_receiver[1]:
        return None
    root = holder
    while root.type in ("selector_expression", "index_expression"):
        operand = root.child_by_field_name("operand")
        if operand is None:
            return None
        root = operand
    if root.type != "identifier" or text(root) != caller_receiver[0] or root.id == holder.id:
        return None
    return owner_receiver[0] + text(holder)[len(caller_receiver[0]) :]


def _overwrite_at(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> Node | None:
    """The assignment that gave the built variable the fixed text this site deploys (`img` is
    logged, then `img = "localhost/x:e2e"`, then `deploy(ctx, img)`): the line to delete."""
    variable = _kept_variable(ctx, seen) if seen is not None else None
    if variable is None or site.function is None:
        return None
    return overwrite_before(ctx.index, site.function, variable, site.node)


def _unreadable_capture(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> Node | None:
    """The variable the site's function keeps the name of the build in, when the site cannot read
    it: it comes before the build (`deploy(..., "localhost/app:e2e")`, then `img, err :=
    build(...)`), or outside the block that declares it. Go refuses a name read there."""
    from imagetag_lint.repair.use import visible_at

    if seen is None or seen.held is not None or site.function is None or not is_inside(seen.call, site.function.node):
        return None
    variable = _kept_variable(ctx, seen)
    if variable is None or visible_at(variable, site.node):
        return None
    return variable


def _unreadable_capture_steps(ctx: RuleContext, site: FixedSite, seen: BuildSite | None, kept: str) -> tuple[str, ...] | None:
    variable = _unreadable_capture(ctx, site, seen)
    if variable is None or site.function is None:
        return None
    owner, line, use = site.function.name, variable.start_point.row + 1, _use_step(site, f"`{kept}`")
    if site.node.start_byte < variable.start_byte:
        return (
            f"capture: `{owner}` keeps the built name in `{kept}`, declared at line {line}, after this text",
            "pass: nothing can be passed here: the name does not exist yet where this text is",
            "parameter: none needed",
            f"use: after the build (line {line}), {use[5:]}; before it, the image does not exist yet",
        )
    scope = _scope_of(variable)
    return (
        f"capture: `{owner}` keeps the built name in `{kept}` (line {line}), out of reach here: this text is outside the {scope} that declares it",
        f"pass: nothing to pass: declare `{kept}` before that {scope}, where this text can read it, and assign it at the build",
        "parameter: none needed",
        use,
    )


def _scope_of(variable: Node) -> str:
    """What a local's scope is, in words: the statement whose init declares it, or its block."""
    statement = variable.parent.parent if variable.parent is not None else None
    holder = statement.parent if statement is not None else None
    if holder is not None and holder.type == "for_clause":
        holder = holder.parent
    kinds = {"if_statement": "`if`", "for_statement": "`for`", "expression_switch_statement": "`switch`", "type_switch_statement": "`switch`"}
    kind = kinds.get(holder.type) if holder is not None else None
    return f"{kind} statement" if kind is not None else "block"


def _unreadable_capture_fix(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> Fix | None:
    variable = _unreadable_capture(ctx, site, seen)
    if variable is None:
        return None
    line = variable.start_point.row + 1
    name = text(variable)
    if site.node.start_byte < variable.start_byte:
        said = f"this text comes before the build at line {line} that declares `{name}`"
    else:
        said = f"this text is outside the {_scope_of(variable)} that declares `{name}` (line {line})"
    return Fix(Applicability.DISPLAY_ONLY, f"{said}: no edit can deploy that name here")


def _raw_build_here(site: FixedSite, seen: BuildSite | None) -> bool:
    """Does the site's function run the build the message names itself (`podman build -t image`)?"""
    return site.function is not None and seen is not None and seen.raw and is_inside(seen.call, site.function.node)


def _kept_variable(ctx: RuleContext, seen: BuildSite) -> Node | None:
    """The variable (not `_`) the build's returned name is assigned to, if any; for a build the
    function runs itself, the variable its tag is (`podman build -t image`)."""
    if seen.held is not None:
        return seen.held
    producer = ctx.index.producer(seen.call, seen.file)
    variable = captured(seen.call, producer.image_result) if producer is not None else None
    if variable is None or variable.type != "identifier" or text(variable) == "_":
        return None
    return variable


def _kept_steps(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> tuple[str, ...] | None:
    """The steps when the build the message names keeps its name in a variable and its function
    calls the helper that deploys this fixed image: the name is there, it only needs passing."""
    owner = site.function
    if seen is None or owner is None:
        return None
    index = ctx.index
    caller = index.facts(seen.file).function_of(seen.call)
    variable = _kept_variable(ctx, seen) or _kept_holder(ctx, seen)
    if caller is None or variable is None or caller is owner:
        return None
    from imagetag_lint.repair.use import visible_at

    calls = [call for call in index.calls_in(caller) if owner in index.project.resolve_call(call, caller.file)]
    if not any(visible_at(variable, call) for call in calls):
        return None  # no call of the helper there can read the name (before its build, or out of its scope)
    name = text(variable)
    field = _receiver_field(variable, caller, owner) if variable.type != "identifier" else None
    later = any(
        call.start_byte >= seen.call.end_byte and owner in index.project.resolve_call(call, caller.file) for call in index.calls_in(caller)
    )
    if field is not None and later:  # a method of the same type, called after the build, reads the field itself
        return (
            f"capture: `{caller.name}` already keeps the built name in `{name}`",
            f"pass: nothing to pass: `{owner.name}` is a method of the same type and can read `{field}`",
            "parameter: none needed",
            _use_step(site, f"`{field}`"),
        )
    return (
        f"capture: `{caller.name}` already keeps the built name in `{name}`",
        f"pass: pass `{name}` to `{owner.name}`",
        f"parameter: add an `{new_parameter(index, owner)} string` parameter to `{owner.name}` and update every caller",
        _use_step(site, f"`{new_parameter(index, owner)}`"),
    )


def _unnamed_build_beside(ctx: RuleContext, site: FixedSite) -> UnnamedBuild | None:
    """The one build of unknown repository in the site's function before it, or in the one
    building function that applies the package constant holding the site's manifest."""
    if site.function is not None:
        return unnamed_build(ctx.index, site.function, site.start)
    applier = _constant_applier(ctx, site)
    return unnamed_build(ctx.index, applier[1]) if applier is not None else None


def _unnamed_build_near(ctx: RuleContext, site: FixedSite) -> UnnamedBuild | None:
    """The build `_unnamed_build_beside` finds, or else the one of unknown repository in the one
    setup that runs before the deploying test: `TestMain` before its `m.Run()` for a test `go test`
    calls, a suite setup closure whose specs include it for a spec closure."""
    beside = _unnamed_build_beside(ctx, site)
    owner = site.function
    if beside is not None or owner is None or not (run_by_go_test(owner) or is_spec(owner)):
        return beside
    project = ctx.index.project
    found = []
    for file in project.complete_package(owner.file).files:
        for setup in project.file_functions.get(id(file), ()):
            if run_by_go_test(owner) and setup.name != "TestMain":
                continue
            reach = setup_reach(setup)
            if is_spec(owner) and not (is_suite_setup(setup) and (reach is None or is_inside(owner.node, reach))):
                continue
            build = unnamed_build(ctx.index, setup)
            if build is not None and (setup.name != "TestMain" or before_the_tests(setup, build.call)):
                found.append(build)
    return found[0] if len(found) == 1 else None


def _unnamed_capture_step(build: UnnamedBuild) -> str:
    if build.kept is not None:
        return f"capture: {named(build.function)} already keeps the name `{build.callee}` returns in `{text(build.kept)}`"
    return f"capture: keep the name `{build.callee}` returns at line {build.span.start.row} of {named(build.function)}"


def _unnamed_name(build: UnnamedBuild) -> str:
    return f"`{text(build.kept)}`" if build.kept is not None else "that name"


def _use_step(site: FixedSite, name: str) -> str:
    old = (site.node.text or b"").decode()
    if site.kind is SiteKind.YAML:
        return f"use: format {name} into the manifest's `image:` line instead of `{site.image}`"
    if site.kind in (SiteKind.DEPLOY_ARG, SiteKind.FORMAT_ARG):
        return f"use: pass {name} instead of `{old}`"
    if site.kind is SiteKind.COMMAND_ARG:
        return f"use: put {name} in the command instead of `{site.image}`"
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
    if build.raw:  # `exec.Command("podman", "build", "-t", ...)` in this function
        capture = (
            f"capture: nothing to capture: the build command this function runs at line {build.span.start.row} "
            f"(`{build.callee}`) tags `{build.name}`"
        )
    else:
        capture = f"capture: nothing to capture: `{build.callee}` returns no name; it tags the reference it is given, `{build.name}`"
    if same_reference(build, site.image):  # a copy of the build's tag: the two must move together
        return (
            capture,
            f"pass: nothing to pass: `{site.function.name}` builds and deploys the image itself",
            "parameter: none needed",
            f"use: read `{site.image}` from one constant or variable that the build and the deployment share, so a new tag reaches both",
        )
    return (
        capture,
        f"pass: nothing to pass: `{site.function.name}` builds and deploys the image itself",
        "parameter: none needed",
        _use_step(site, f"`{build.name}`, the reference the build tags,"),
    )


def _tagged_fix(ctx: RuleContext, site: FixedSite, seen: BuildSite | None) -> Fix | None:
    build = _tagged_build_here(ctx, site, seen)
    if build is None:
        return None
    if same_reference(build, site.image):  # a copy of the build's tag: the two must move together
        return Fix(
            Applicability.DISPLAY_ONLY,
            f"the build at line {build.span.start.row} tags this very reference: hold it in one constant or "
            "variable that the build and the deployment both read, so a new tag reaches both",
        )
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
    kept = _captured_here(ctx, applier, seen)
    unnamed = unnamed_build(ctx.index, applier) if seen is None else None
    name = f"`{kept}`" if kept is not None else "the captured name"
    if kept is not None:
        capture = f"capture: `{applier.name}` already keeps the built name in `{kept}`"
    elif seen is not None and is_inside(seen.call, applier.node):
        capture = f"capture: keep the name `{seen.callee}` returns at line {seen.span.start.row} of `{applier.name}`"
    elif unnamed is not None:
        capture, name = _unnamed_capture_step(unnamed), _unnamed_name(unnamed)
    else:
        capture = f"capture: name the image the builder returns in `{applier.name}` (it calls a builder itself)"
    return (
        capture,
        f"pass: nothing to pass: `{applier.name}` applies the manifest `{constant}` itself",
        "parameter: none needed",
        f"use: make `{constant}` a template (`image: %s`) and format {name} into it instead of `{site.image}`",
    )
