"""The builds the linted code makes, with the name each one is given, so that IMG002 says only
what it saw: which build makes the repository a fixed reference names, and with which tag."""

from __future__ import annotations

import re
from typing import cast

from imagetag_lint.analysis.deploying_builders import already_deployed
from imagetag_lint.analysis.deployments import FixedSite
from imagetag_lint.analysis.image_flow import ImageFlowIndex, repository
from imagetag_lint.analysis.pairing import build_name_of, config_tag, with_config_tag
from imagetag_lint.analysis.runner_tables import runner_table_commands
from imagetag_lint.analysis.steps import named
from imagetag_lint.engine.model import OriginKind
from imagetag_lint.engine.returned_builds import runner_names
from imagetag_lint.engine.run import mentions, named_calls_in
from imagetag_lint.engine.values import closure_calls, sum_pieces
from imagetag_lint.enums import ConsumerKind, Severity
from imagetag_lint.findings import Span
from imagetag_lint.golang.model import Function, SourceFile, read_params
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.project import Package
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    enclosing,
    has_arguments,
    is_inside,
    string_value,
    unparen,
)
from imagetag_lint.record import record, replace


@record(frozen=True)
class BuildSite:
    """A build call and the name the code gives it (`ImageName: "acme/api"`, a tag argument)."""

    file: SourceFile
    call: Node
    name: str  # as written: a repository alone, or a full reference with its tag
    generator: str | None = None  # a raw build of a generated name: the generator that chooses the tag
    held: Node | None = None  # a raw build's tag argument, when a variable holds the name it builds
    computed: bool = False  # a raw build of a reference the function puts together (`repo + ":" + tag`)
    raw: bool = False  # a build command the function runs itself (`podman build -t X`)
    argument: Node | None = None  # a build helper's tag argument, when a variable holds the name it builds
    tag_from: str | None = None  # a configured builder's tag field read from a variable (`Tag: tag`), as written

    @property
    def tag_variable(self) -> Node | None:
        """The variable whose text is the very name built: a raw build's tag, or the tag argument of
        a build helper known by its command (`buildWithTag(img)`). A configured builder's config
        is not one: the name it returns is the truth."""
        return self.held if self.raw else self.argument

    @property
    def tagged(self) -> bool:
        """Does the name carry its tag (`acme/api:v1`), or does the builder choose one?"""
        last = self.name.rsplit("/", 1)[-1]
        return ":" in last or "@" in last

    @property
    def callee(self) -> str:
        qualifier, name = callee(self.call)
        return f"{qualifier}.{name}" if qualifier else name

    @property
    def shown(self) -> str:
        """The name as a related place shows it: a computed tag is named by the variable that holds it."""
        if self.computed and self.held is not None:
            return f"`{excerpt(self.held)}` (`{self.name}` and a tag the code makes)"
        return f"`{self.name}`"

    @property
    def chooser(self) -> str:
        """Who chooses the tag when the build names only the repository."""
        if self.computed:
            return f"the code that makes `{excerpt(self.held)}`" if self.held is not None else "the code that makes the tag"
        return f"`{self.generator}`" if self.generator else "the builder"

    @property
    def span(self) -> Span:
        return self.file.span(self.call)


def builds_of(index: ImageFlowIndex, site: FixedSite) -> list[BuildSite]:
    """The builds whose name has the repository of the site's image, in the site's package and
    the packages its file imports: the same answer whether one package or the tree is linted."""
    wanted = repository(site.image)
    return [
        build for build in _builds_near(index, site.file)
        if wanted == repository(build.name) or wanted.endswith("/" + repository(build.name))
    ]


def same_reference(site: BuildSite, image: str) -> bool:
    """Is image the very name a tagged build uses (a `localhost/` prefix added or not)?"""
    return site.tagged and site.name.removeprefix("localhost/") == image.removeprefix("localhost/")


def built_right_here(index: ImageFlowIndex, site: FixedSite) -> BuildSite | None:
    """A build command the site's own function runs before it that tags this very reference
    (`podman build -t localhost/app:$TAG -t localhost/app:latest`, then `localhost/app:latest`):
    every tag of one build names the image built right there, so deploying it deploys that."""
    function = site.function
    if function is None or not _loaded_if_any(index, function, site):
        return None
    return next((
        build for build in builds_of(index, site)
        if build.raw and build.file is site.file and same_reference(build, site.image)
        and is_inside(build.call, function.node) and build.call.end_byte <= site.start
    ), None)


def _loaded_if_any(index: ImageFlowIndex, function: Function, site: FixedSite) -> bool:
    """When the function loads images into the cluster before the site (`kind load docker-image`,
    a loader), is this reference one of them? A tag built but visibly not loaded does not reach
    the cluster (`-t $fresh -t app:latest`, then `kind load docker-image $fresh`)."""
    first, earliest = _loads_of(index, function)
    if first >= site.start:
        return True  # no load before the site
    at = earliest.get(site.image.removeprefix("localhost/"))
    return at is not None and at < site.start


def _loads_of(index: ImageFlowIndex, function: Function) -> tuple[int, dict[str, int]]:
    """(where the function's first load starts, the fixed names it loads with where each is first
    loaded), once per function."""
    from imagetag_lint.analysis.unbuilt_local import loaded_arguments
    key = ("loads-of", id(function))
    cached = index.cache.get(key)
    if cached is None:
        first = 1 << 62
        earliest: dict[str, int] = {}
        for call in index.calls_in(function):
            nodes = loaded_arguments(index, call, function)
            if not nodes:
                continue
            first = min(first, call.start_byte)
            for node in nodes:
                name = _fixed_or_set(index, node, function.file, function)
                if name is not None:
                    earliest.setdefault(name.removeprefix("localhost/"), call.start_byte)
        cached = index.cache[key] = (first, earliest)
    return cached  # type: ignore[return-value]


def _builds_near(index: ImageFlowIndex, file: SourceFile) -> list[BuildSite]:
    project = index.project
    packages = [project.complete_package(file)]  # every file of it: a one-file run sees its siblings' builds
    for qualifier in file.imports:
        packages.extend(p for p in project.imported_packages(file, qualifier) if p not in packages)
    return [build for package in packages for build in _build_sites(index, package)]


def _build_sites(index: ImageFlowIndex, package: Package) -> list[BuildSite]:
    key = ("build-sites", id(package))
    project = index.project
    cached = cast("tuple[int, list[BuildSite]] | None", index.cache.get(key))
    if cached is not None and cached[0] != project.generation and project.added_apart(cached[0], package.directory):
        cached = index.cache[key] = (project.generation, cached[1])  # the files loaded since reach none of its code
    if cached is None or cached[0] != project.generation:  # a lazy load may add builds
        cached = (project.generation, _collect(index, package))
        index.cache[key] = cached
    return cached[1]


def _collect(index: ImageFlowIndex, package: Package) -> list[BuildSite]:
    sites = []
    # a build the function runs itself: `exec.Command`, or a command runner of the code
    words = [b"exec.Command", *(name.encode() for name in sorted(runner_names(index)))]
    for file in list(package.files):
        for function in index.facts(file).functions:
            raw = mentions(function, words)
            builds = index.builds(function)  # a call `_build_name` names, somewhere in the function
            helped = not builds and calls_build_helper(index, function)
            if not raw and not builds and not helped:
                continue
            for call, (_, called) in named_calls_in(index, function):
                made = _raw_builds(index, call, file, function) if raw and _may_run_command(index, call, file, called) else []
                name = _build_name(index, call, file, function) if not made and builds else None
                helper = index.helper_build_name(call, function) if helped and not made else None
                if made:
                    sites.extend(made)
                elif helper:  # `images.BuildAndLoad("basket", w)`: the repository its helper makes
                    sites.append(BuildSite(file, call, helper, computed=":" not in helper.rsplit("/", 1)[-1]))
                elif builds and name is None and (computed := _computed_helper_build(index, call, file, function)) is not None:
                    sites.append(computed)  # `BuildImageWithTag(ref)`, `ref := "localhost/app:" + tag()`
                elif name:
                    sites.append(BuildSite(file, call, name, argument=_tag_argument(index, call), tag_from=_tag_from(index, call, function, name)))
                elif builds:  # a closure's build: each call of the closure may name another image
                    sites.extend(
                        BuildSite(file, call, each, argument=_tag_argument(index, call), tag_from=_tag_from(index, call, function, each))
                        for each in _closure_build_names(index, call, file, function)
                    )
    return sites


def _may_run_command(index: ImageFlowIndex, call: Node, file: SourceFile, name: str) -> bool:
    """Can `_raw_builds` find a command in the call: an `exec` call, or a command runner's? Most
    calls of a function that runs commands are neither, and skip its lookups."""
    return file.source.startswith(b"exec", call.start_byte) or name in runner_names(index)


def _closure_build_names(index: ImageFlowIndex, call: Node, file: SourceFile, function: Function) -> list[str]:
    """The names a build in a local closure makes of what each call of the closure gives its
    parameters (`build("shop-refunds")`, then `build("shop-orders")`), in the order of the calls."""
    literal = enclosing(call, ("func_literal",))
    calls = closure_calls(literal, function) if literal is not None and is_inside(literal, function.node) else None
    params = read_params(literal.child_by_field_name("parameters")) if literal is not None else []
    names: list[str] = []
    for each in calls or ():
        args = arguments(each)
        given = {p.name: index.fixed_text(args[p.index], file, function) for p in params if p.index < len(args)}
        bound = {name: fixed for name, fixed in given.items() if fixed is not None}
        made = build_name_of(index, call, file, function, bound) if bound else None
        if made is not None and made not in names:
            names.append(made)
    return names


def _computed_helper_build(index: ImageFlowIndex, call: Node, file: SourceFile, function: Function) -> BuildSite | None:
    """A build helper's tag the function puts together (`"localhost/app:" + tag()`):
    the repository is known, the tag is the code's."""
    consumer = index.consumer(call)
    args = arguments(call)
    if consumer is None or consumer.kind != "build" or consumer.image_arg >= len(args):
        return None
    site = _raw_build(index, call, unparen(args[consumer.image_arg]), file, function)
    return replace(site, raw=False, argument=site.held) if site is not None and site.computed else None


def calls_build_helper(index: ImageFlowIndex, function: Function) -> bool:
    """Does the function call a helper that builds or loads what its arguments name
    (`images.BuildAndLoad("basket", w)`, `engine.returned_builds.parameter_helper`)?"""
    key = ("calls-build-helper", id(function))
    cached = index.cache.get(key)
    if not isinstance(cached, tuple) or cached[0] != index.project.generation:
        found = any(
            index.parameter_helper(target) is not None
            for call in index.calls_in(function) if has_arguments(call) and index.consumer(call) is None
            for target in index.project.resolve_call(call, function.file)
        )
        cached = index.cache[key] = (index.project.generation, found)
    return bool(cached[1])


def _raw_builds(index: ImageFlowIndex, call: Node, file: SourceFile, function: Function) -> list[BuildSite]:
    """The names a `podman build -t X -t Y` the function runs itself (through `exec.Command` or
    a command runner, `sh(ctx, "podman", "build", "-t", X, ".")`) gives its image, one site per
    tag (each names the same image): fixed text, or a generator's name."""
    command = index.command_image(call, function)
    sites: list[BuildSite] = []
    for each in [command] if command is not None else runner_table_commands(index, call, function):
        if each.kind is not ConsumerKind.BUILD:
            continue
        sites.extend(BuildSite(file, call, fixed, raw=True) for fixed in each.embedded if fixed)
        for tag in each.images:
            site = _raw_build(index, call, tag, file, function)
            if site is not None:
                sites.append(site)
    return sites


def _raw_build(index: ImageFlowIndex, call: Node, tag: Node, file: SourceFile, function: Function) -> BuildSite | None:
    """One tag of a build the function runs itself, X fixed text or a generator's name
    (`image := GenerateImageName("digest")`: the repository is known, the tag is the generator's)."""
    from imagetag_lint.analysis.pairing import without_made_tag
    from imagetag_lint.engine.locality import generated_reference

    held = tag if tag.type == "identifier" else None
    fixed = _fixed_or_set(index, tag, file, function)
    if fixed:
        return BuildSite(file, call, fixed, held=held, raw=True)
    origin = index.origin(tag, file, function)
    if origin.kind == "computed" and origin.node is not None:
        made_here = _computed_repository(index, origin.node, file, function)
        return BuildSite(file, call, made_here, held=held, computed=True, raw=True) if made_here else None
    made = generated_reference(index, origin.node, file) if origin.kind == "generated" and origin.node is not None else None
    if made is None or origin.node is None:
        return None
    return BuildSite(file, call, without_made_tag(made), callee(origin.node)[1], held, raw=True)


def _fixed_or_set(index: ImageFlowIndex, tag: Node, file: SourceFile, function: Function) -> str | None:
    """The fixed text a build's tag argument has: a constant's, or the text the local variable it
    reads was last set to (`img := "localhost/app:e2e"`)."""
    fixed = index.fixed_text(tag, file, function)
    if fixed is not None:
        return fixed
    origin = index.origin(tag, file, function)
    return origin.text if origin.kind is OriginKind.LITERAL and origin.text else None


def _computed_repository(index: ImageFlowIndex, made: Node, file: SourceFile, function: Function) -> str | None:
    """The repository of a reference put together from a fixed repository and a tag the code
    computes: `repo + ":" + tag`, `fmt.Sprintf("localhost/app:%s", tag)`, `fmt.Sprintf("%s:%s", repo, tag)`."""
    if made.type == "call_expression":
        args = arguments(made)
        layout = index.fixed_text(args[0], file, function) if args else None
        if layout is None:
            return None
        if layout.startswith("%s:") and len(args) > 1:
            repo = index.fixed_text(args[1], file, function)
            return repo if repo and ":" not in repo.rsplit("/", 1)[-1] else None
        prefix = layout.split("%", 1)[0]
    else:
        prefix = ""
        for piece in sum_pieces(made):
            fixed = index.fixed_text(piece, file, function)
            if fixed is None:
                break
            prefix += fixed
    last = prefix.rsplit("/", 1)[-1]
    if ":" not in last:
        return None  # the repository itself is computed
    return prefix[: len(prefix) - len(last)] + last.split(":", 1)[0] or None


def _tag_from(index: ImageFlowIndex, call: Node, function: Function, name: str) -> str | None:
    """The variable or field a configured builder's config takes the tag from (`Tag: tc.tag`), as
    written, when the name has no tag of its own: then the code, not the builder, chooses it."""
    last = name.rsplit("/", 1)[-1]
    tag = config_tag(index, call, function) if ":" not in last and "@" not in last else None
    return text(tag) if tag is not None and string_value(tag) is None else None


def _tag_argument(index: ImageFlowIndex, call: Node) -> Node | None:
    """The identifier a build helper known by its command is given as its tag (`buildWithTag(img)`)."""
    consumer = index.consumer(call)
    if consumer is None or consumer.kind != "build":
        return None
    args = arguments(call)
    tag = args[consumer.image_arg] if consumer.image_arg < len(args) else None
    return tag if tag is not None and tag.type == "identifier" else None


def _build_name(index: ImageFlowIndex, call: Node, file: SourceFile, function: Function) -> str | None:
    consumer = index.consumer(call)
    if consumer is not None:
        args = arguments(call)
        if consumer.kind != "build" or consumer.image_arg >= len(args):
            return None
        return _fixed_or_set(index, args[consumer.image_arg], file, function)
    if index.producer(call, file) is None:
        return None
    return with_config_tag(index, call, function, build_name_of(index, call, file, function))


def what_builds_show(index: ImageFlowIndex, site: FixedSite) -> tuple[str, Severity, BuildSite | None]:
    """What the analysis saw about the builds of this image, the severity that follows, and the
    build it names. Error: the reference cannot be what is built; warning: it copies a fixed
    build tag and works until that tag changes."""
    made = sorted(builds_of(index, site), key=lambda build: _distance(site, build))
    for build in made:
        if same_reference(build, site.image):
            return (f"it copies the tag the build at {_at(build)} gives the image, and breaks when that tag changes",
                    Severity.WARNING, build)
    for build in made:
        if build.tagged:
            return f"the build at {_at(build)} tags this repository `{build.name}`, not this reference", Severity.ERROR, build
    for build in made:
        if build.tag_from is not None:
            why = f"the build at {_at(build)} takes the tag of `{build.name}` from `{build.tag_from}`, which this fixed text does not read"
            return why, Severity.ERROR, build
    if made:  # every build of the repository leaves the tag to the builder
        build = made[0]
        host = build.name.split("/", 1)[0] + "/" if "/" in build.name else ""
        lacks = f", and this reference lacks the `{host}` prefix" if host == "localhost/" and not site.image.startswith(host) else ""
        return (f"the build at {_at(build)} names only the repository `{build.name}`, so {build.chooser} chooses the tag{lacks}",
                Severity.ERROR, build)
    return f"{_local_evidence(index, site)}, and no build seen in this package or the packages this file imports names its repository", Severity.ERROR, None


@record(frozen=True)
class UnnamedBuild:
    """A builder call whose repository the analysis cannot tell (`BuildImageForKind(ctx, "mailer",
    w)`: no config names it), and the variable its returned name is kept in, if any."""

    function: Function
    call: Node
    kept: Node | None

    @property
    def callee(self) -> str:
        qualifier, name = callee(self.call)
        return f"{qualifier}.{name}" if qualifier else name

    @property
    def span(self) -> Span:
        return self.function.file.span(self.call)


def unnamed_build(index: ImageFlowIndex, function: Function, before: int | None = None) -> UnnamedBuild | None:
    """The one builder call of the function (before a place, when given) that no build site
    names a repository for, when there is exactly one: a fixed reference beside it may be its
    image or another, and the words must say that the analysis cannot tell."""
    from imagetag_lint.analysis.mismatches import captured

    if not index.builds(function):
        return None
    sites = _build_sites(index, index.project.complete_package(function.file))
    named = {build.call.id for build in sites if build.file is function.file}
    found = []
    for call, _ in named_calls_in(index, function):
        if before is not None and call.end_byte > before:
            break
        producer = index.producer(call, function.file) if index.consumer(call) is None else None
        if producer is not None and call.id not in named:
            found.append((call, producer.image_result))
    if len(found) != 1:
        return None
    call, image_result = found[0]
    kept = captured(call, image_result)
    if kept is not None and kept.type == "identifier" and already_deployed(index, function, text(kept)):
        return None  # its name is deployed already: the fixed reference is another image
    return UnnamedBuild(function, call, kept if kept is not None and kept.type == "identifier" and text(kept) != "_" else None)


def unnamed_build_words(index: ImageFlowIndex, site: FixedSite, build: UnnamedBuild) -> str:
    """Why the fixed reference is taken for a local image, and what the analysis saw of the build
    beside it: one whose repository it cannot tell."""
    at = f"{build.span.filename}:{build.span.start.row} (`{build.callee}`)"
    return f"{_local_evidence(index, site)}, and the build at {at} in {named(build.function)} does not show which repository it makes"


def _distance(site: FixedSite, build: BuildSite) -> tuple[int, int]:
    """Name the nearest build: in the deploy's function, file, package, then anywhere."""
    function = site.function
    if function is not None and function.node.start_byte <= build.call.start_byte < function.node.end_byte and build.file is site.file:
        return (0, build.call.start_byte)
    if build.file is site.file:
        return (1, build.call.start_byte)
    if build.file.directory == site.file.directory:
        return (2, 0)
    return (3, 0)


def _at(build: BuildSite) -> str:
    return f"{build.span.filename}:{build.span.start.row} (`{build.callee}`)"


def _local_evidence(index: ImageFlowIndex, site: FixedSite) -> str:
    """Why the image counts as built locally, as `is_local_image` decided it."""
    flow = index.flow
    prefix = next((p for p in flow.local_prefixes if site.image.startswith(p)), None)
    if prefix is not None:
        return f"the `{prefix}` prefix marks it as built locally"
    pattern = next((p for p in flow.local_patterns if re.search(p, site.image)), None)
    if pattern is not None:
        return f"it matches the local pattern `{pattern}`"
    if any(repository(site.image) == n or repository(site.image).endswith("/" + n) for n in index.build_names):
        return "a build in the linted code names its repository"
    made = index.generated_images.get(repository(site.image))
    if made is not None:
        reference, generator = made
        host = reference.split("/", 1)[0] + "/"
        if not site.image.startswith(host):
            return f"`{generator}` names this service's images `{reference}`, and this reference lacks the `{host}` prefix"
        return f"`{generator}` names this service's images `{reference}`"
    return "its pull policy `Never` says it is loaded into the cluster"
