"""Build helpers that deploy the name they return: a caller that drops it loses nothing.

    func buildAndDeploy(ctx context.Context, c client.Client, svc string) (string, error) {
        img, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: svc}, w)
        if err != nil {
            return "", err
        }
        return img, c.Create(ctx, &corev1.Pod{... Image: img ...})
    }

Such a helper is still a producer (a caller may hand the name on), but its name has reached the
cluster, with the tag that was built, before the caller gets it: `if _, err := buildAndDeploy(...)`
is no defect. A helper deploys its name when every `return` that hands back a name hands back
the built variable after a deployment of it (in a statement before it, in a block that holds
the `return`, or in the `return` itself), or the result of such a helper.
"""

from __future__ import annotations

from imagetag_lint.analysis.image_flow import (
    ImageFlowIndex,
    OriginKind,
    ProducerRef,
    SinkKind,
)
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    STRING_TYPES,
    identifiers,
    is_inside,
    return_values,
    returns,
    unparen,
)

_DEPTH = 4  # helpers of helpers that deploy, followed this deep


def deploys_its_name(index: ImageFlowIndex, producer: ProducerRef, depth: int = 0) -> bool:
    """Does the producer's own body deploy the name it returns, on every path that returns one?"""
    function = producer.wrapper
    if function is None or function.body is None or depth > _DEPTH:
        return False
    key = (f"deploys-its-name\0{function.file.filename}\0{function.node.start_byte}\0{producer.image_result}", 0)
    cached = index.rule_cache.get(key)
    if isinstance(cached, tuple) and cached[0] == index.project.generation:
        return bool(cached[1])
    found = _deploys(index, function, producer.image_result, depth)
    index.rule_cache[key] = (index.project.generation, found)
    return found


def _deploys(index: ImageFlowIndex, function: Function, image_result: int, depth: int) -> bool:
    assert function.body is not None
    deployed = deployed_in(index, function)
    named = False
    for statement in returns(function.body):
        results = [unparen(v) for v in return_values(statement)]
        if len(results) == 1 and results[0].type == "call_expression" and function.result_count > 1:
            inner = index.producer(results[0], function.file)  # `return buildAndDeploy(...)`
            if inner is None or not deploys_its_name(index, inner, depth + 1):
                return False
        elif len(results) != function.result_count:
            return False  # a bare `return` of named results: not followed
        elif _empty(results[image_result]):
            continue  # `return "", err`: the error path returns no name
        elif not deployed or not _deployed_before(index, function, results[image_result], statement, deployed):
            return False
        named = True
    return named


def deployed_in(index: ImageFlowIndex, function: Function) -> list[Node]:
    """The expressions the function deploys: image fields, deploy calls' image arguments,
    manifest and command images (not the images it loads)."""
    deployed = [sink.expr for sink in index.image_field_sinks_in(function)]
    return deployed + [sink.expr for sink in index.call_sinks(function) if sink.kind is not SinkKind.LOAD_ARG]


def already_deployed(index: ImageFlowIndex, function: Function, name: str) -> bool:
    """Does one of the expressions the function deploys read the variable (`Image: img`)? A fixed
    reference beside it is then another image (a sidecar), not the one the variable holds."""
    return any(identifiers(expr, name) for expr in deployed_in(index, function))


def _deployed_before(index: ImageFlowIndex, function: Function, value: Node, at: Node, deployed: list[Node]) -> bool:
    """Is the returned value a built name that one of the deployed expressions holds on the way
    to the `return` at?"""
    returned = index.origin(value, function.file, function)
    if returned.kind is not OriginKind.BUILT:
        return False
    return any(
        _on_the_way(expr, at) and index.origin(expr, function.file, function).key == returned.key for expr in deployed
    )


def _on_the_way(expr: Node, at: Node) -> bool:
    """Does expr run before the `return` at on every path to it: inside it, or in a statement
    before it of a block that holds it?"""
    if is_inside(expr, at):
        return True
    statement = expr
    while statement.parent is not None and statement.parent.type != "statement_list":
        statement = statement.parent
    block = statement.parent
    return block is not None and is_inside(at, block) and statement.end_byte <= at.start_byte


def _empty(value: Node) -> bool:
    return value.type in STRING_TYPES and text(value) in ('""', "``")


