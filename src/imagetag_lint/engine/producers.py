"""Producers: the calls that return an image name.

Configured builders come from the rule data; a function whose image-name result comes straight
from a producer is a producer too (an inferred wrapper, found by a fixpoint over names); and a
variable can hold a builder (`build := infrastructure.BuildAndLoadImageToKind; build(cfg)`).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.engine import values
from imagetag_lint.engine.commands import inferred_consumer
from imagetag_lint.engine.model import OriginKind, ProducerRef
from imagetag_lint.engine.run import FlowRun, facts, function_facts, mentions, settle
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import Function, SourceFile, read_params
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    assigned_value,
    callee,
    enclosing,
    identifiers,
    is_write,
    unparen,
)
from imagetag_lint.rules import Consumer

_NOT_CACHED = (-1, None)


def producer(run: FlowRun, call: Node, file: SourceFile) -> ProducerRef | None:
    """The producer a call runs, if any (memoized once the wrappers are settled)."""
    qualifier, name = callee(call)
    settled = not run.inferring and run.wrappers.generation == run.project.generation
    if qualifier is not None and name not in run.producers and name not in run.wrappers.names:
        if qualifier in file.imports and run.project.import_directory(file, qualifier) is None:
            return None  # a package outside the module: only a configured name is a builder there
        if settled and target_loaded(run, file, qualifier):
            return None  # the package is loaded and has no wrapper of this name
    if not settled:
        return _producer(run, call, file)
    key = (id(file), call.id, call.start_byte)
    cached = run.producer_calls.get(key, _NOT_CACHED)
    if cached is not _NOT_CACHED and cached[0] == run.project.generation:
        return cached[1]
    found = _producer(run, call, file)
    run.producer_calls[key] = (run.project.generation, found)
    return found


def target_loaded(run: FlowRun, file: SourceFile, qualifier: str | None) -> bool:
    """Is every function a call with this qualifier may run loaded already (or outside the module)?"""
    if qualifier is not None and qualifier in file.imports:
        directory = run.project.import_directory(file, qualifier)
        return directory is None or run.project.loaded(directory)
    return run.project.package_of(file).complete


def _producer(run: FlowRun, call: Node, file: SourceFile) -> ProducerRef | None:
    qualifier, name = callee(call)
    if not name:
        return None
    targets = run.project.resolve_call(call, file)  # loads the package it calls into, if local
    wrappers(run)  # settles (or, inside the fixpoint, reads) the wrapper names
    configured = run.producers.get(name)
    if configured is None and name not in run.wrappers.names:
        if qualifier is not None or targets:
            return None  # no producer and no wrapper has this name
        return _function_value(run, call, file)
    if configured is not None:
        if qualifier is not None and qualifier not in file.imports and targets and all(
            t.result_count != configured.results for t in targets
        ):
            return None  # a method of the same name that returns something else
        return ProducerRef(name, configured.image_result, configured.results)
    for target in targets:
        found = wrapper(run, target)
        if found is not None:
            return found
    if qualifier is None and not targets:
        return _function_value(run, call, file)
    return None


def _function_value(run: FlowRun, call: Node, file: SourceFile) -> ProducerRef | None:
    """`build := infrastructure.BuildAndLoadImageToKind; build(cfg, w)`: a producer by value."""
    called = call.child_by_field_name("function")
    function = facts(run, file).function_of(call)
    if called is None or function is None:
        return None
    name = text(called)
    package = run.project.package_of(file)
    if name not in package.vars and not _holds_function(run, function, name):
        return None  # no package variable, and no assignment in the function, holds a builder
    definition = values.reaching_definition(called, function)
    if definition is None:  # a package-level `var build = infrastructure.BuildImageForKind`
        held = package.vars.get(name)
        if held is None:
            return None
        value: Node | None = unparen(held[1])
    else:
        value = assigned_value(*definition)
    if value is None:
        return None
    if value.type == "selector_expression":
        field_node = value.child_by_field_name("field")
        name = text(field_node) if field_node is not None else ""
    elif value.type == "identifier":
        name = text(value)
    elif value.type == "func_literal":
        found = _closure_producer(run, value, file)
        if found is None:
            return None
        # the closure stands as the wrapper: what a call gives its parameters names the build
        closure = Function(name=name, file=file, node=value, params=read_params(value.child_by_field_name("parameters")),
                           result_count=found.results, declaration_body=value.child_by_field_name("body"))
        return ProducerRef(found.name, found.image_result, found.results, closure)
    else:
        return None
    configured = run.producers.get(name)
    if configured is not None:
        return ProducerRef(name, configured.image_result, configured.results)
    for target in package.functions.get(name, []):
        found = wrapper(run, target)
        if found is not None:
            return found
    return None


def _closure_producer(run: FlowRun, literal: Node, file: SourceFile) -> ProducerRef | None:
    """`build := func(svc string) (string, error) { return infra.BuildAndLoadImageToKind(...) }`:
    a closure whose every `return` hands on one producer call's results is that producer."""
    body = literal.child_by_field_name("body")
    if body is None:
        return None
    found: ProducerRef | None = None
    returns = [n for n in _own_nodes(body) if n.type == "return_statement"]
    for statement in returns:
        values_node = statement.named_children[0] if statement.named_child_count == 1 else None
        if values_node is not None and values_node.type == "expression_list" and values_node.named_child_count == 1:
            values_node = values_node.named_children[0]
        call = unparen(values_node) if values_node is not None else None
        ref = producer(run, call, file) if call is not None and call.type == "call_expression" else None
        if ref is None or (found is not None and found != ref):
            return None
        found = ref
    return found


def _own_nodes(node: Node) -> Iterator[Node]:
    """The nodes of a function body, not those of the closures inside it."""
    for child in node.named_children:
        yield child
        if child.type != "func_literal":
            yield from _own_nodes(child)


def _holds_function(run: FlowRun, function: Function, name: str) -> bool:
    """Can a variable called name hold a builder in function: is it assigned there, in a function
    that mentions a builder's or a wrapper's name?"""
    holds = function_facts(run, function).holds
    key = (name, len(run.wrappers.names))
    held = holds.get(key)
    if held is None:
        seeds = [n.encode() for n in (*run.producers, *run.wrappers.names)]
        body = function.body
        held = holds[key] = (
            body is not None and mentions(function, seeds) and any(is_write(i) for i in identifiers(body, name))
        )
    return held


def consumer(run: FlowRun, call: Node) -> Consumer | None:
    """A configured consumer, or a helper whose body runs a container build or load command."""
    name = callee(call)[1]
    configured = run.consumers.get(name)
    if configured is not None:
        return configured
    return inferred_consumer(run, name)


def is_generator(run: FlowRun, call: Node) -> bool:
    name = callee(call)[1]
    found = run.generator_names.get(name)
    if found is None:  # a regular expression per name, not per call
        found = run.generator_names[name] = run.flow.is_generator(name)
    return found


def wrapper(run: FlowRun, function: Function) -> ProducerRef | None:
    """A function whose image-name result comes straight from a producer is a producer."""
    return wrappers(run).get(id(function))


def wrappers(run: FlowRun) -> dict[int, ProducerRef]:
    """Every wrapper among the loaded functions, found by a fixpoint over names (`run.settle`)."""
    fixpoint = run.wrappers
    if run.inferring or fixpoint.generation == run.project.generation:
        return fixpoint.table

    def update(function: Function) -> bool:
        if id(function) in fixpoint.table:
            return False
        found = _infer_wrapper(run, function)
        if found is not None:
            fixpoint.table[id(function)] = found
        return found is not None

    seeds = [p.name.encode() for p in run.flow.producers]
    settle(run, fixpoint, lambda f: bool(f.result_count) and f.body is not None, seeds, update, revisit_known=False)
    return fixpoint.table


def _infer_wrapper(run: FlowRun, function: Function) -> ProducerRef | None:
    body = function.body
    if body is None or function.result_count == 0:
        return None
    named = _named_results(function.node)
    for statement in returns(body):
        results = [unparen(v) for v in _return_values(statement)]
        if not results and named:  # a bare return returns the named results
            results = [_NamedResult(n, statement) for n in named]  # type: ignore[misc]
        if len(results) == 1 and results[0].type == "call_expression":
            inner = producer(run, results[0], function.file)
            if inner is not None and inner.results == function.result_count:
                return ProducerRef(function.name, inner.image_result, inner.results, function)
        for index, result in enumerate(results):
            if result.type != "identifier" or len(results) != function.result_count:
                continue
            if values.origin(run, result, function.file, function).kind == OriginKind.BUILT:
                return ProducerRef(function.name, index, function.result_count, function)
    return None


class _NamedResult:
    """A named result read by a bare `return`: an identifier that stands at the return."""

    type = "identifier"

    def __init__(self, name: Node, at: Node) -> None:
        self.text = name.text
        self.start_byte = at.start_byte
        self.end_byte = at.start_byte
        self.id = -at.id - 1
        self.parent = at.parent


def _named_results(function: Node) -> list[Node]:
    result = function.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return []
    return [n for p in result.named_children for n in p.children_by_field_name("name")]


def returns(body: Node) -> Iterator[Node]:
    """Return statements of a function body, not of the closures inside it, last first. The
    `return` keywords are found in the body's bytes, so the body is never walked node by node."""
    owner = body.parent
    base = body.start_byte
    for start, end in reversed(word_offsets(body.text or b"", (b"return",))):
        keyword = body.descendant_for_byte_range(base + start, base + end)
        statement = keyword.parent if keyword is not None and keyword.type == "return" else None
        if statement is None or statement.type != "return_statement":
            continue  # the word in a comment or a string
        function = enclosing(statement, FUNCTION_TYPES)
        if owner is not None and function is not None and function.id == owner.id:
            yield statement


def _return_values(statement: Node) -> list[Node]:
    for child in statement.named_children:
        if child.type == "expression_list":
            return list(child.named_children)
    return []
