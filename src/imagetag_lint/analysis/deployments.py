"""Deploy sites with fixed images, and the deploy calls a function makes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.analysis.image_flow import ImageFlowIndex, Sink
from imagetag_lint.engine import ranges, tables, templates
from imagetag_lint.engine.kubectl import (
    KUBECTL_WORDS,
    CommandImage,
    kubectl_helper,
    kubectl_images,
)
from imagetag_lint.engine.run import mentions, per_generation
from imagetag_lint.enums import SiteKind
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    is_inside,
    unparen,
)
from imagetag_lint.record import record


@record(frozen=True)
class FixedSite:
    """A deployment whose image is fixed text."""

    kind: SiteKind
    file: SourceFile
    start: int
    end: int
    image: str
    how: str
    function: Function | None
    local: bool
    node: Node  # the value expression, or the string literal holding the YAML line
    sink: Sink | None = None


def _is_fixed_yaml(value: str) -> bool:
    return not any(marker in value for marker in ("%", "{{", "${", "$("))


def _replaced_placeholder(index: ImageFlowIndex, file: SourceFile, value: str) -> bool:
    """Is the `image:` value (or a placeholder-spelled part of it, `localhost/app:__TAG__`) text that
    a call of the package replaces? The replacement is what is deployed, and is judged there."""
    return any(
        old == value or old in value and _PLACEHOLDER.fullmatch(old) is not None
        for old in templates.replaced_texts(index, file)
    )


# how placeholders are spelled: capitals, digits and `_`, maybe in braces or angle brackets
_PLACEHOLDER = re.compile(r"[<{$%(_]*[A-Z][A-Z0-9_]*[>})_]*")


def fixed_sites(index: ImageFlowIndex, file: SourceFile) -> list[FixedSite]:
    """Every deployment in the file whose image is fixed text, local or not."""
    return index.per_file("fixed-sites", file, lambda: _find_fixed_sites(index, file))


def _find_fixed_sites(index: ImageFlowIndex, file: SourceFile) -> Iterator[FixedSite]:
    facts = index.facts(file)
    for sink in index.image_field_sinks(file):
        pull_never = sink.key is not None and index.pull_never_beside(sink.key, file, sink.function)
        for node, fixed, how in _fixed_values(index, sink.expr, file, sink.function, "the `Image` field"):
            yield FixedSite(SiteKind.FIELD, file, node.start_byte, node.end_byte, fixed, how,
                            sink.function, index.is_local_image(fixed, pull_never), node, sink=sink)
    for image in index.yaml_images(file):
        if not _is_fixed_yaml(image.value) or _replaced_placeholder(index, file, image.value):
            continue
        yield FixedSite(SiteKind.YAML, file, image.start, image.end, image.value, "a YAML `image:` line",
                        facts.function_of(image.string), index.is_local_image(image.value, image.pull_never),
                        image.string)
    for function in facts.functions:
        for sink in index.call_sinks(function):
            if sink.kind == "deploy-arg" and sink.target is not None:
                where = f"the image argument of `{sink.target.name}`"
            elif sink.kind == "format-arg":
                where = _filled_where(sink.call)
            else:
                continue  # a kubectl command's image: with the command's fixed text, below
            for node, fixed, how in _fixed_values(index, sink.expr, file, function, where):
                yield FixedSite(SiteKind.DEPLOY_ARG, file, node.start_byte, node.end_byte, fixed,
                                how, function, index.is_local_image(fixed), node, sink=sink)
        yield from _command_sites(index, function)
    for sink, param in tables.entry_sinks(index, file):
        origin = index.origin(sink.expr, file, None)
        if origin.kind != "literal":
            continue  # an `Entry` argument is evaluated where the spec tree is built, not in the body
        how = _how(index, sink.expr, file, None, f"an `Entry` argument that the table body's `{param.name}` parameter receives")
        yield FixedSite(SiteKind.DEPLOY_ARG, file, sink.expr.start_byte, sink.expr.end_byte, origin.text, how,
                        sink.function, index.is_local_image(origin.text), sink.expr, sink=sink)


def _fixed_values(
    index: ImageFlowIndex, expr: Node, file: SourceFile, function: Function | None, where: str
) -> Iterator[tuple[Node, str, str]]:
    """The fixed text a deployment's expression holds, with where it is written and how: the
    expression itself, or each element of a literal list that a `range` loop gives it."""
    origin = index.origin(expr, file, function)
    if origin.kind == "literal":
        yield expr, origin.text, _how(index, expr, file, function, where)
        return
    if function is None or origin.kind != "unknown":
        return
    lookup = unparen(expr)
    key = lookup.child_by_field_name("index") if lookup.type == "index_expression" else None
    if key is None:
        holder = f"the list a `range` loop hands to {where}"
    elif ranges.fixed_key(index, key, function) is not None:
        holder = f"the map entry that `{text(lookup)}` reads for {where}"
    else:
        holder = f"a map entry that `{text(lookup)}` looks up in a `range` loop for {where}"
    for element in ranges.ranged_elements(index, expr, function):
        value = index.origin(element, file, function)
        if value.kind == "literal":
            yield element, value.text, _how(index, element, file, function, holder)


def _command_sites(index: ImageFlowIndex, function: Function) -> Iterator[FixedSite]:
    """The fixed images of the `kubectl set image` and `kubectl run --image` commands the function
    runs: a whole argument (`"--image", "localhost/api:e2e"`, also a constant), or the text after
    the `=` of one (`"api=localhost/api:e2e"`)."""
    if not mentions(function, KUBECTL_WORDS):
        return
    file = function.file
    for call in index.calls_in(function):
        for image in _kubectl_images(index, call, function):
            where = f"the image of `{image.command}`"
            if image.embedded:
                value = file.source[image.start : image.end].decode()
                how = f"a string literal in {where}"
            else:
                origin = index.origin(image.expr, file, function)
                if origin.kind != "literal":
                    continue
                value, how = origin.text, _how(index, image.expr, file, function, where)
            yield FixedSite(SiteKind.COMMAND_ARG, file, image.start, image.end, value, how, function,
                            index.is_local_image(value), image.expr)


def _kubectl_images(index: ImageFlowIndex, call: Node, function: Function) -> list[CommandImage]:
    """The images a kubectl command deploys: run through `exec.Command`, or a kubectl helper."""
    if callee(call)[0] == "exec":
        return kubectl_images(call, function)
    for target in index.project.resolve_call(call, function.file):
        helper = kubectl_helper(index, target)
        return kubectl_images(call, function, helper) if helper is not None else []
    return []


def _filled_where(call: Node | None) -> str:
    name = callee(call)[1] if call is not None else ""
    if name in ("Execute", "ExecuteTemplate"):
        return "the template data that fills a manifest's `image:` line"
    if name in ("ReplaceAll", "Replace"):
        return "the replacement of a manifest template's `image:` placeholder"
    return "the argument formatted into a manifest's `image:` line"


def _how(index: ImageFlowIndex, expr: Node, file: SourceFile, function: Function | None, where: str) -> str:
    kind = expr.type
    if kind in ("interpreted_string_literal", "raw_string_literal"):
        return f"a string literal in {where}"
    if kind in ("identifier", "selector_expression"):
        name = (expr.text or b"").decode()
        setter = index.setter_of(expr, file, function)
        if setter is not None:  # a package variable set once before anything runs
            return f"`{name}`, which only `{setter}` sets, to this text, in {where}"
        return f"`{name}`, which always holds this text, in {where}"
    return f"fixed text in {where}"


def sites_in(index: ImageFlowIndex, function: Function) -> list[FixedSite]:
    """Fixed deploy sites inside one function (a deploy helper that hardcodes its image)."""
    key = ("sites-by-function", id(function.file))
    by_unit = index.cache.get(key)
    if by_unit is None:
        grouped: dict[int, list[FixedSite]] = {}
        for site in fixed_sites(index, function.file):
            if site.function is not None and is_inside(site.node, site.function.node):
                grouped.setdefault(id(site.function), []).append(site)
        by_unit = index.cache[key] = grouped
    return by_unit.get(id(function), [])  # type: ignore[attr-defined,no-any-return]


@record(frozen=True)
class DeployCall:
    """A call, in some function, of a function that deploys an image."""

    call: Node
    function: Function
    target: Function
    image_params: frozenset[int]  # parameters the target passes on to a deployment
    fixed: tuple[FixedSite, ...]  # fixed images the target deploys itself
    passed: tuple[str, ...] = ()  # fixed images the call passes to those parameters

    def images(self) -> tuple[str, ...]:
        return tuple(site.image for site in self.fixed) + self.passed


def image_arguments(index: ImageFlowIndex, deploy: DeployCall, build_name: str | None = None) -> list[int]:
    """The positions of the call's image arguments that the built name belongs in: the only one,
    or, when the function takes several images (an app and a sidecar), those holding a local fixed
    image of the build's service. A registry image of another parameter is never the build's."""
    from imagetag_lint.analysis.pairing import names_service

    args = arguments(deploy.call)
    positions = [p for p in sorted(deploy.image_params) if p < len(args)]
    if len(positions) <= 1:
        return positions
    file, function = deploy.function.file, deploy.function
    return [
        p for p in positions
        if (fixed := index.fixed_text(args[p], file, function)) is not None and index.is_local_image(fixed)
        and (build_name is None or names_service(build_name, fixed))
    ]


def given_another_build(index: ImageFlowIndex, deploy: DeployCall, build: Node) -> bool:
    """Does every image argument of the deploy call hold the name a build other than `build`
    returned (`deployPayments(ctx, paymentsImage)` after `paymentsImage, err := Build(...)`)?
    Each such parameter is that build's: the built name of `build` never goes there."""
    args = arguments(deploy.call)
    positions = [p for p in deploy.image_params if p < len(args)]
    if not positions:
        return False
    file, function = deploy.function.file, deploy.function
    for position in positions:
        origin = index.origin(args[position], file, function)
        if origin.kind != "built" or origin.node is None or origin.node.id == build.id:
            return False
    return True


def needs_own_parameter(index: ImageFlowIndex, deploy: DeployCall, build: Node) -> bool:
    """Does the build's image need a parameter of its own on the deploy function: its image
    parameters take other builds' names (`given_another_build`), and it deploys a fixed local
    image too, the one the build's name replaces (`deployPair(ctx, apiImage)` also running
    `localhost/shop-worker:e2e`)?"""
    return any(site.local for site in deploy.fixed) and given_another_build(index, deploy, build)


def deploy_calls(index: ImageFlowIndex, function: Function) -> list[DeployCall]:
    """The calls of deploy functions in the function (once per function and project generation: every
    dropped build in the function asks)."""
    return per_generation(index, ("deploy-calls", id(function)), lambda: _deploy_calls(index, function))


def _deploy_calls(index: ImageFlowIndex, function: Function) -> list[DeployCall]:
    found = []
    for call in index.calls_in(function):
        if index.consumer(call) is not None or index.producer(call, function.file) is not None:
            continue
        # the definitions in file order, not load order: a run of one file pairs as the tree's does
        for target in sorted(index.project.resolve_call(call, function.file), key=_defined_at):
            if target is function:
                continue
            params = index.deploy_params(target)
            fixed = tuple(s for s in sites_in(index, target) if s.local)
            if params or fixed:
                args = arguments(call)
                passed = tuple(
                    text for i in sorted(params) if i < len(args)
                    if (text := index.fixed_text(args[i], function.file, function)) is not None
                )
                found.append(DeployCall(call, function, target, params, fixed, passed))
            break
    return found


def _defined_at(function: Function) -> tuple[str, int]:
    return function.file.filename, function.node.start_byte
