"""A build that tags one repository while the load and the deployment use another (IMG003 facts).

`exec.Command("podman", "build", "-t", "localhost/shop-search-api:cov", ...)` in a helper the
function calls, and `localhost/shop-search:cov` from a getter that the load and the manifest
share: the cluster runs an image nobody built. Reported when the reference is local, no build in
the linted code makes its repository, and the two repositories name the same service (one's last
path segment begins with the other's). Fixed text at the deployment is IMG002's; this form reads
the references a getter returns (`func searchImage() string { return "..." }`).
"""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import ImageFlowIndex, Sink, repository
from imagetag_lint.engine.commands import RawBuild, raw_builds_in
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node
from imagetag_lint.golang.syntax import arguments, unparen
from imagetag_lint.record import record


@record(eq=False)
class OtherRepository:
    """The deployment (or load) of a reference whose repository the function's build does not tag."""

    sink: Sink
    image: str
    build: RawBuild
    also: tuple[Sink, ...]  # the other sinks of the same reference (the load, another deploy)


def other_repositories(index: ImageFlowIndex, function: Function) -> list[OtherRepository]:
    builds = _raw_builds_reached(index, function)
    if not builds:
        return []
    by_image: dict[str, list[Sink]] = {}
    for sink in [*index.image_field_sinks_in(function), *index.call_sinks(function)]:
        image = getter_text(index, sink.expr, function)
        if image is not None and index.is_local_image(image) and not _built(index, image):
            by_image.setdefault(image, []).append(sink)
    found = []
    for image, sinks in by_image.items():
        build = next((b for b in builds if _same_service(b.image, image)), None)
        if build is None:
            continue
        sinks.sort(key=lambda s: (s.kind == "load-arg", s.expr.start_byte))  # a deployment first
        found.append(OtherRepository(sinks[0], image, build, tuple(sinks[1:])))
    return found


def getter_text(index: ImageFlowIndex, expr: Node, function: Function) -> str | None:
    """The fixed text a call of a getter of the linted code returns (`searchImage()`)."""
    expr = unparen(expr)
    if expr.type != "call_expression" or arguments(expr):
        return None
    targets = index.project.resolve_call(expr, function.file)
    if len(targets) != 1 or targets[0].body is None or targets[0].result_count != 1:
        return None
    target = targets[0]
    body = target.body
    assert body is not None
    statements = [s for s in body.named_children if s.type != "comment"]
    if len(statements) == 1 and statements[0].type == "statement_list":  # newer grammars wrap the body
        statements = [s for s in statements[0].named_children if s.type != "comment"]
    if len(statements) != 1 or statements[0].type != "return_statement" or statements[0].named_child_count != 1:
        return None
    values = statements[0].named_children[0]
    value = values.named_children[0] if values.type == "expression_list" and values.named_child_count == 1 else values
    return index.fixed_text(value, target.file, target)


def _raw_builds_reached(index: ImageFlowIndex, function: Function) -> list[RawBuild]:
    """Raw builds of fixed references in the function and in the functions it calls."""
    found = list(raw_builds_in(index, function))
    for call in index.calls_in(function):
        for target in index.project.resolve_call(call, function.file):
            if target is not function:
                found.extend(raw_builds_in(index, target))
    return found


def _built(index: ImageFlowIndex, image: str) -> bool:
    wanted = repository(image)
    return any(wanted == name or wanted.endswith("/" + name) or name.endswith("/" + wanted) for name in index.build_names)


def _same_service(built: str, image: str) -> bool:
    one, other = _last_segment(built), _last_segment(image)
    return one != other and (one.startswith(other) or other.startswith(one))


def _last_segment(image: str) -> str:
    return repository(image).rsplit("/", 1)[-1]
