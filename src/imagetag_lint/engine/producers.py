"""Producers: the calls that return an image name.

Configured builders come from the rule data; a function whose image-name result comes straight
from a producer is a producer too (an inferred wrapper, found by a fixpoint over names); and a
variable can hold a builder (`build := infrastructure.BuildAndLoadImageToKind; build(cfg)`).
"""

from __future__ import annotations

import re

from imagetag_lint.engine import returned_builds, values
from imagetag_lint.engine.commands import inferred_consumer
from imagetag_lint.engine.model import OriginKind, ProducerRef
from imagetag_lint.engine.run import FlowRun, facts, function_facts, mentions, settle
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import Function, Param, SourceFile, read_params
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    assigned_value,
    callee,
    identifiers,
    is_write,
    return_values,
    returns,
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
    cached = run.producer_calls.get(call, _NOT_CACHED)
    if cached is not _NOT_CACHED and cached[0] == run.project.generation:
        return cached[1]
    found = _producer(run, call, file)
    run.producer_calls[call] = (run.project.generation, found)
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
    param = function.param(name) if called.type == "identifier" else None
    declared = values.declaring_function(called, function) if param is not None else None
    if param is not None and _func_typed(run, function, param) and declared is not None and declared.id == function.node.id:
        if values.reaching_definition(called, function) is not None:
            return None  # the parameter is replaced before this call
        return _passed_builder(run, function, param)
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
    value = _once_function(value) if value is not None else None
    if value is not None and value.type == "func_literal":
        found = _closure_producer(run, value, file)
        if found is None:
            return None
        # the closure stands as the wrapper: what a call gives its parameters names the build
        closure = Function(name=name, file=file, node=value, params=read_params(value.child_by_field_name("parameters")),
                           result_count=found.results, declaration_body=value.child_by_field_name("body"))
        return ProducerRef(found.name, found.image_result, found.results, closure)
    return _named_producer(run, value, file) if value is not None else None


def _once_function(value: Node) -> Node:
    """`sync.OnceValues(f)` and `sync.OnceValue(f)` return a function that runs f once and then
    hands out its results: a call of it returns what f does."""
    if value.type == "call_expression" and callee(value) in (("sync", "OnceValues"), ("sync", "OnceValue")):
        args = arguments(value)
        if len(args) == 1:
            return unparen(args[0])
    return value


def _named_producer(run: FlowRun, value: Node, file: SourceFile) -> ProducerRef | None:
    """The producer a function value names (`infrastructure.BuildAndLoadImageToKind`, a wrapper)."""
    packages = [run.project.package_of(file)]
    if value.type == "selector_expression":
        field_node, operand = value.child_by_field_name("field"), value.child_by_field_name("operand")
        name = text(field_node) if field_node is not None else ""
        if operand is not None and operand.type == "identifier" and text(operand) in file.imports:
            packages = run.project.imported_packages(file, text(operand))  # a wrapper of another package
    elif value.type == "identifier":
        name = text(value)
    else:
        return None
    configured = run.producers.get(name)
    if configured is not None:
        return ProducerRef(name, configured.image_result, configured.results)
    for target in (t for package in packages for t in package.functions.get(name, [])):
        found = wrapper(run, target)
        if found is not None:
            return found
    return None


def _closure_producer(run: FlowRun, literal: Node, file: SourceFile) -> ProducerRef | None:
    """`build := func(svc string) (string, error) { return infra.BuildAndLoadImageToKind(...) }`:
    a closure whose every `return` hands on one producer call's results is that producer."""
    body = literal.child_by_field_name("body")
    found: ProducerRef | None = None
    for statement in returns(body) if body is not None else ():
        results = return_values(statement)
        call = unparen(results[0]) if len(results) == 1 else None
        ref = producer(run, call, file) if call is not None and call.type == "call_expression" else None
        if ref is None or (found is not None and found != ref):
            return None
        found = ref
    return found


def _passed_builder(run: FlowRun, function: Function, param: Param) -> ProducerRef | None:
    """`func run(w io.Writer, build func(...) (string, error))` calling `build(...)`: the producer
    a caller of the function hands it for that parameter (`run(w, infrastructure.BuildAndLoadImageToKind)`),
    if one does. A call of the parameter then builds, on that caller's path at least."""
    passed = passed_builder(run, function, param)
    return passed[0] if passed is not None else None


PassedBuilder = tuple[ProducerRef, SourceFile, Node]  # (the producer, the caller's file, the argument)


def passed_builder(run: FlowRun, function: Function, param: Param) -> PassedBuilder | None:
    """The first producer a caller hands the function for its func-typed parameter, and where."""
    key = (f"passed-builder\0{function.file.filename}\0{function.node.start_byte}\0{param.index}", 0)
    cached = run.rule_cache.get(key)
    if isinstance(cached, tuple) and cached[0] == run.project.generation:
        return cached[1]  # type: ignore[no-any-return]
    if not run.inferring:  # the callers in files not read yet (a fixpoint only asks about what it has)
        run.project.load_mentioning(function.file.directory, function.name, importers=function.exported)
    found = _builder_a_caller_passes(run, function, param)
    if not run.inferring:
        run.rule_cache[key] = (run.project.generation, found)
    return found


def handed_builder(run: FlowRun, call: Node, file: SourceFile) -> tuple[SourceFile, Node] | None:
    """Where a caller hands in the builder that a call of a func-typed parameter runs."""
    called = call.child_by_field_name("function")
    function = facts(run, file).function_of(call)
    if called is None or function is None or called.type != "identifier":
        return None
    param = function.param(text(called))
    if param is None or not _func_typed(run, function, param):
        return None
    passed = passed_builder(run, function, param)
    return (passed[1], passed[2]) if passed is not None else None


def handed_builder_targets(run: FlowRun) -> set[tuple[str, str]]:
    """(directory, name) of the functions the loaded files hand a builder or wrapper to as a value
    (`runner.Run(w, infrastructure.BuildAndLoadImageToKind)`): the files that declare them may hold
    no builder's name, yet their call of the parameter builds."""
    wrappers(run)  # settles the wrapper names
    names = [n.encode() for n in (*run.producers, *run.wrappers.names)]
    found: set[tuple[str, str]] = set()
    for file in list(run.project.files()):
        root = file.tree.root_node
        for start, end in word_offsets(file.source, names):
            node = root.descendant_for_byte_range(start, end)
            value = node.parent if node is not None and node.parent is not None and node.parent.type == "selector_expression" else node
            holder = value.parent if value is not None else None
            call = holder.parent if holder is not None and holder.type == "argument_list" else None
            if call is None or call.type != "call_expression":
                continue
            qualifier, name = callee(call)
            if qualifier is None:
                found.add((file.directory, name))
            elif qualifier in file.imports and (directory := run.project.import_directory(file, qualifier)) is not None:
                found.add((directory, name))
    return found


def _func_typed(run: FlowRun, function: Function, param: Param) -> bool:
    """Is the parameter a function: `func(...)`, or a function type its package declares (`type
    Builder func(...)`)?"""
    if param.type_text.startswith("func("):
        return True
    if not param.type_text.isidentifier():
        return False
    declaration = re.compile(rb"\btype[ \t]+" + re.escape(param.type_text.encode()) + rb"[ \t]+func\(")
    return any(declaration.search(f.source) for f in run.project.package_of(function.file).files)


def _builder_a_caller_passes(run: FlowRun, function: Function, param: Param) -> PassedBuilder | None:
    word = function.name.encode()
    for file in list(run.project.files()):
        if not word_offsets(file.source, (word,)):
            continue
        for call in facts(run, file).calls:
            args = arguments(call)
            if callee(call)[1] != function.name or param.index >= len(args):
                continue
            if function not in run.project.resolve_call(call, file):
                continue
            argument = unparen(args[param.index])
            found = _named_producer(run, argument, file)
            if found is not None:
                return ProducerRef(found.name, found.image_result, found.results), file, argument
    return None


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
    return consumer_named(run, callee(call)[1])


def consumer_named(run: FlowRun, name: str) -> Consumer | None:
    """The consumer a call of this name runs (`consumer`, for a caller that knows the name)."""
    configured = run.consumers.get(name)
    if configured is not None:
        return configured
    return inferred_consumer(run, name)


def is_generator(run: FlowRun, call: Node) -> bool:
    return is_generator_named(run, callee(call)[1])


def is_generator_named(run: FlowRun, name: str) -> bool:
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

    seeds = [p.name.encode() for p in run.flow.producers] + returned_builds.seed_names(run)
    settle(run, fixpoint, lambda f: bool(f.result_count) and f.body is not None, seeds, update, revisit_known=False)
    return fixpoint.table


def _infer_wrapper(run: FlowRun, function: Function) -> ProducerRef | None:
    body = function.body
    if body is None or function.result_count == 0:
        return None
    named = _named_results(function.node)
    for statement in returns(body):
        results = [unparen(v) for v in return_values(statement)]
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
    return returned_builds.returned_build(run, function)  # a hand-written helper that returns its build's tag


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
