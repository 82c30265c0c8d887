"""The builds the linted code makes, with the name each one is given, so that IMG002 says only
what it saw: which build makes the repository a fixed reference names, and with which tag."""

from __future__ import annotations

import re

from imagetag_lint.analysis.deployments import FixedSite
from imagetag_lint.analysis.image_flow import ImageFlowIndex, repository
from imagetag_lint.analysis.pairing import build_name_of
from imagetag_lint.findings import Span
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node
from imagetag_lint.golang.syntax import arguments, callee
from imagetag_lint.record import record


@record(frozen=True)
class BuildSite:
    """A build call and the name the code gives it (`ImageName: "acme/api"`, a tag argument)."""

    file: SourceFile
    call: Node
    name: str  # as written: a repository alone, or a full reference with its tag

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
    def span(self) -> Span:
        return self.file.span(self.call)


def builds_of(index: ImageFlowIndex, image: str) -> list[BuildSite]:
    """The builds whose name has the repository of image."""
    wanted = repository(image)
    return [
        site for site in _build_sites(index)
        if wanted == repository(site.name) or wanted.endswith("/" + repository(site.name))
    ]


def same_reference(site: BuildSite, image: str) -> bool:
    """Is image the very name a tagged build uses (a `localhost/` prefix added or not)?"""
    return site.tagged and site.name.removeprefix("localhost/") == image.removeprefix("localhost/")


def _build_sites(index: ImageFlowIndex) -> list[BuildSite]:
    key = ("build-sites", index.project.generation)
    cached = index.cache.get(key)
    if cached is None:
        cached = index.cache[key] = _collect(index)
    return cached  # type: ignore[return-value]


def _collect(index: ImageFlowIndex) -> list[BuildSite]:
    sites = []
    for file in list(index.project.files()):
        for unit in index.facts(file).units:
            if not index.builds(unit):
                continue
            for call in index.calls_in(unit):
                name = _build_name(index, call, file, unit)
                if name:
                    sites.append(BuildSite(file, call, name))
    return sites


def _build_name(index: ImageFlowIndex, call: Node, file: SourceFile, unit: Function) -> str | None:
    consumer = index.consumer(call)
    if consumer is not None:
        args = arguments(call)
        if consumer.kind != "build" or consumer.image_arg >= len(args):
            return None
        return index.fixed_text(args[consumer.image_arg], file, unit)
    if index.producer(call, file) is None:
        return None
    return build_name_of(index, call, file, unit)


def what_builds_show(index: ImageFlowIndex, site: FixedSite) -> tuple[str, str, BuildSite | None]:
    """What the analysis saw about the builds of this image, the severity that follows, and the
    build it names. Error: the reference cannot be what is built; warning: it copies a fixed
    build tag and works until that tag changes."""
    made = sorted(builds_of(index, site.image), key=lambda build: _distance(site, build))
    for build in made:
        if same_reference(build, site.image):
            return (f"it copies the tag the build at {_at(build)} gives the image, and breaks when that tag changes",
                    "warning", build)
    for build in made:
        if build.tagged:
            return f"the build at {_at(build)} tags this repository `{build.name}`, not this reference", "error", build
    if made:  # every build of the repository leaves the tag to the builder
        build = made[0]
        return (f"the build at {_at(build)} names only the repository `{build.name}`, so the builder chooses the tag",
                "error", build)
    return f"{_local_evidence(index, site)}, and no build in the linted code is seen to make it", "error", None


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
    return "its pull policy `Never` says it is loaded into the cluster"
