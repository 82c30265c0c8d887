"""The image-flow model shared by the rules: producers, consumers, sinks and where values come from.

A producer call returns the real image name; consumers (build-with-tag, loaders) take one; sinks
deploy one (an `Image:` field, the image parameter of a deploy function, a YAML `image:` line).
`ImageFlowIndex` answers questions about these over a `Project`, memoizing the inferences that
cross functions (wrappers around builders, deploy functions) with a guard against cycles.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TypeVar

from imagetag_lint.analysis.container_types import ContainerTypes
from imagetag_lint.files import word_offsets, yaml_image_keys
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, captures, text
from imagetag_lint.golang.project import Project
from imagetag_lint.golang.syntax import (
    STRING_TYPES,
    arguments,
    assigned_names,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    string_value,
    unparen,
)
from imagetag_lint.record import field, record
from imagetag_lint.rules import Consumer, ImageFlow

T = TypeVar("T")
CALLS = "(call_expression) @call"
FORMAT_FUNCS = {"Sprintf": 0, "Fprintf": 1, "Printf": 0, "Errorf": 0}
_VERB = re.compile(r"%(?:\[(\d+)\])?[-+# 0]*(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])")
# the value of a YAML `image:` key found by files.yaml_image_keys (in raw strings lines end with
# real newlines, in interpreted strings often with the two characters \n)
_YAML_VALUE = re.compile(rb"""image:[ \t]*["']?([^\s"'\\`]+)""")
_YAML_PULL_NEVER = re.compile(rb"imagePullPolicy:[ \t]*[\"']?Never")


@record(frozen=True)
class Origin:
    """Where a value comes from; `key` identifies the value (equal keys, same value)."""

    kind: str  # literal | built | generated | param | unknown
    key: object
    description: str
    text: str = ""  # the literal's text for kind == "literal"
    node: Node | None = field(default=None, compare=False)


UNKNOWN = Origin("unknown", None, "an expression")
_NOT_CACHED = (-1, None)


@record(frozen=True)
class ProducerRef:
    """A call that returns an image name: a configured builder, or a wrapper around one."""

    name: str
    image_result: int
    results: int
    wrapper: Function | None = None  # set for inferred wrappers


@record(eq=False)
class Sink:
    """A place that deploys, loads or passes on an image reference."""

    kind: str  # field | deploy-arg | load-arg | format-arg
    expr: Node
    file: SourceFile
    unit: Function | None
    call: Node | None = None  # for *-arg sinks
    target: Function | None = None  # deploy function for deploy-arg
    key: Node | None = None  # the `Image` key for field sinks


@record(frozen=True)
class YamlImage:
    """An `image:` line of a manifest held in a Go string."""

    file: SourceFile
    string: Node
    start: int  # byte range of the image value in the file
    end: int
    value: str
    pull_never: bool


@record(eq=False)
class FileFacts:
    """Per-file facts the analyses share: calls, image-field elements and units, in source order."""

    file: SourceFile
    calls: list[Node]
    keyed: list[tuple[Node, Node]]  # (key identifier, value literal_element) of the configured fields
    unit_starts: list[int]
    units: list[Function]
    call_starts: list[int] = field(default_factory=list)
    field_sinks: list[Sink] | None = None
    field_sinks_by_unit: dict[int, list[Sink]] = field(default_factory=dict)

    def unit_of(self, node: Node) -> Function | None:
        index = bisect_right(self.unit_starts, node.start_byte) - 1
        if index >= 0 and is_inside(node, self.units[index].node):
            return self.units[index]
        return None


class ImageFlowIndex:
    def __init__(self, project: Project, flow: ImageFlow) -> None:
        self.project = project
        self.flow = flow
        self._producers = {p.name: p for p in flow.producers}
        self._consumers = {c.name: c for c in flow.consumers}
        self._keys = tuple(sorted({f.encode() for f in (*flow.image_fields, *flow.build_name_fields)}))
        self._facts: dict[int, FileFacts] = {}
        self._wrapper_table: dict[int, ProducerRef] = {}
        self._wrapper_generation = -1
        self._wrapper_names: set[str] = set()
        self._inferring = False  # inside a fixpoint: answer from the table being built
        self._call_name_cache: dict[int, frozenset[str]] = {}
        self._wrapper_seen: set[int] = set()
        self._build_names: frozenset[str] = frozenset()
        self._build_names_generation = -1  # functions a fixpoint has already considered
        self._deploy_seen: set[int] = set()
        self._deploy_table: dict[int, frozenset[int]] = {}
        self._deploy_generation = -1
        self._deploy_names: set[str] = set()
        self.cache: dict[tuple[str, int], object] = {}  # per-file results of the rules' helpers
        self._producer_cache: dict[tuple[int, int, int], tuple[int, ProducerRef | None]] = {}
        self._holds: dict[tuple[int, str, int], bool] = {}
        self._builds: dict[tuple[int, int], bool] = {}
        self.container_types = ContainerTypes(self)  # which `Image` fields deploy, by their struct's type

    def per_file(self, name: str, file: SourceFile, compute: Callable[[], Iterable[T]]) -> list[T]:
        """A per-file result of a rule helper, computed once per run (several rules ask)."""
        key = (name, id(file))
        cached = self.cache.get(key)
        if cached is None:
            cached = self.cache[key] = list(compute())
        return cached  # type: ignore[return-value]

    # -- per-file facts -------------------------------------------------------------------

    def facts(self, file: SourceFile) -> FileFacts:
        facts = self._facts.get(id(file))
        if facts is None:
            root = file.tree.root_node
            found = captures(CALLS, root)
            keyed = list(_keyed_elements(root, file.source, self._keys))
            units = self.project.units.get(id(file), [])
            calls = sorted(found.get("call", []), key=lambda n: n.start_byte)
            facts = FileFacts(
                file=file,
                calls=calls,
                call_starts=[c.start_byte for c in calls],
                keyed=keyed,
                unit_starts=[u.node.start_byte for u in units],
                units=units,
            )
            self._facts[id(file)] = facts
        return facts

    def calls_in(self, unit: Function) -> list[Node]:
        facts = self.facts(unit.file)
        first = bisect_right(facts.call_starts, unit.node.start_byte - 1)
        last = bisect_right(facts.call_starts, unit.node.end_byte - 1)
        return facts.calls[first:last]

    # -- producers and consumers ----------------------------------------------------------

    def producer(self, call: Node, file: SourceFile) -> ProducerRef | None:
        """The producer a call runs, if any (memoized once the wrappers are settled)."""
        qualifier, name = callee(call)
        settled = not self._inferring and self._wrapper_generation == self.project.generation
        if qualifier is not None and name not in self._producers and name not in self._wrapper_names:
            if qualifier in file.imports and self.project.import_directory(file, qualifier) is None:
                return None  # a package outside the module: only a configured name is a builder there
            if settled and self._target_loaded(file, qualifier):
                return None  # the package is loaded and has no wrapper of this name
        if not settled:
            return self._producer(call, file)
        key = (id(file), call.id, call.start_byte)
        cached = self._producer_cache.get(key, _NOT_CACHED)
        if cached is not _NOT_CACHED and cached[0] == self.project.generation:
            return cached[1]
        found = self._producer(call, file)
        self._producer_cache[key] = (self.project.generation, found)
        return found

    def _target_loaded(self, file: SourceFile, qualifier: str | None) -> bool:
        """Is every function a call with this qualifier may run loaded already (or outside the module)?"""
        if qualifier is not None and qualifier in file.imports:
            directory = self.project.import_directory(file, qualifier)
            return directory is None or self.project.loaded(directory)
        return self.project.package_of(file).complete

    def _producer(self, call: Node, file: SourceFile) -> ProducerRef | None:
        qualifier, name = callee(call)
        if not name:
            return None
        targets = self.project.resolve_call(call, file)  # loads the package it calls into, if local
        self._wrappers()  # settles (or, inside the fixpoint, reads) the wrapper names
        configured = self._producers.get(name)
        if configured is None and name not in self._wrapper_names:
            if qualifier is not None or targets:
                return None  # no producer and no wrapper has this name
            return self._function_value(call, file)
        if configured is not None:
            if qualifier is not None and qualifier not in file.imports and targets and all(
                t.result_count != configured.results for t in targets
            ):
                return None  # a method of the same name that returns something else
            return ProducerRef(name, configured.image_result, configured.results)
        for target in targets:
            wrapper = self.wrapper(target)
            if wrapper is not None:
                return wrapper
        if qualifier is None and not targets:
            return self._function_value(call, file)
        return None

    def _function_value(self, call: Node, file: SourceFile) -> ProducerRef | None:
        """`build := infrastructure.BuildAndLoadImageToKind; build(cfg, w)`: a producer by value."""
        function = call.child_by_field_name("function")
        facts = self.facts(file)
        unit = facts.unit_of(call)
        if function is None or unit is None:
            return None
        name = text(function)
        if name not in self.project.package_of(file).vars and not self._holds_function(unit, name):
            return None  # no package variable, and no assignment in the unit, holds a builder
        definition = self.reaching_definition(function, unit)
        if definition is None:  # a package-level `var build = infrastructure.BuildImageForKind`
            held = self.project.package_of(file).vars.get(text(function))
            if held is None:
                return None
            value = unparen(held[1])
        else:
            statement, index = definition
            right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
            if right is None or index >= right.named_child_count:
                return None
            value = unparen(right.named_children[index])
        if value.type == "selector_expression":
            field_node = value.child_by_field_name("field")
            name = text(field_node) if field_node is not None else ""
        elif value.type == "identifier":
            name = text(value)
        else:
            return None
        configured = self._producers.get(name)
        if configured is not None:
            return ProducerRef(name, configured.image_result, configured.results)
        package = self.project.package_of(file)
        for target in package.functions.get(name, []):
            wrapper = self.wrapper(target)
            if wrapper is not None:
                return wrapper
        return None

    def _holds_function(self, unit: Function, name: str) -> bool:
        """Can a variable called name hold a builder in unit: is it assigned there, in a unit
        that mentions a builder's or a wrapper's name?"""
        key = (id(unit), name, len(self._wrapper_names))
        held = self._holds.get(key)
        if held is None:
            seeds = [n.encode() for n in (*self._producers, *self._wrapper_names)]
            body = unit.body
            held = self._holds[key] = (
                body is not None and _mentions(unit, seeds) and any(is_write(i) for i in identifiers(body, name))
            )
        return held

    def consumer(self, call: Node) -> Consumer | None:
        return self._consumers.get(callee(call)[1])

    def is_generator(self, call: Node) -> bool:
        return self.flow.is_generator(callee(call)[1])

    def wrapper(self, function: Function) -> ProducerRef | None:
        """A function whose image-name result comes straight from a producer is a producer."""
        return self._wrappers().get(id(function))

    def _wrappers(self) -> dict[int, ProducerRef]:
        """Every wrapper among the loaded functions, found by a fixpoint over names.

        A function can only wrap a producer it mentions: the first pass looks at functions whose
        text names a configured producer, each later pass at those naming a wrapper found by the
        pass before. No recursion, so wrapper chains of any depth and recursive functions are fine.
        """
        if self._inferring or self._wrapper_generation == self.project.generation:
            return self._wrapper_table
        self._inferring = True
        try:
            while self._wrapper_generation != self.project.generation:  # lazy loads add functions
                generation = self.project.generation
                table = self._wrapper_table
                candidates = [f for f in self.project.functions() if f.result_count and f.body is not None]
                seeds = [p.name.encode() for p in self.flow.producers]
                fresh = [f for f in candidates if id(f) not in self._wrapper_seen]
                self._wrapper_seen.update(id(f) for f in fresh)
                pending = [f for f in fresh if _mentions(f, seeds)]  # calls, or names as values
                while pending:
                    found = set()
                    for function in pending:
                        if id(function) not in table:
                            wrapper = self._infer_wrapper(function)
                            if wrapper is not None:
                                table[id(function)] = wrapper
                                self._wrapper_names.add(function.name)
                                found.add(function.name)
                    pending = [f for f in candidates if id(f) not in table and self._call_names(f) & found]
                self._wrapper_generation = generation
        finally:
            self._inferring = False
        return self._wrapper_table

    def _call_names(self, function: Function) -> frozenset[str]:
        names = self._call_name_cache.get(id(function))
        if names is None:
            names = self._call_name_cache[id(function)] = frozenset(callee(c)[1] for c in self.calls_in(function))
        return names

    def _infer_wrapper(self, function: Function) -> ProducerRef | None:
        body = function.body
        if body is None or function.result_count == 0:
            return None
        named = _named_results(function.node)
        for statement in _returns(body):
            values = [unparen(v) for v in _return_values(statement)]
            if not values and named:  # a bare return returns the named results
                values = [_NamedResult(n, statement) for n in named]  # type: ignore[misc]
            if len(values) == 1 and values[0].type == "call_expression":
                inner = self.producer(values[0], function.file)
                if inner is not None and inner.results == function.result_count:
                    return ProducerRef(function.name, inner.image_result, inner.results, function)
            for index, value in enumerate(values):
                if value.type != "identifier" or len(values) != function.result_count:
                    continue
                origin = self.origin(value, function.file, function)
                if origin.kind == "built":
                    return ProducerRef(function.name, index, function.result_count, function)
        return None

    # -- where values come from -----------------------------------------------------------

    def origin(self, expr: Node, file: SourceFile, unit: Function | None, depth: int = 0) -> Origin:
        expr = unparen(expr)
        fixed = self.fixed_text(expr, file, unit)
        if fixed is not None:
            return Origin("literal", ("literal", fixed), f"the fixed text `{fixed}`", fixed, expr)
        if depth > 8:
            return UNKNOWN
        if expr.type == "call_expression":
            if self.is_generator(expr):
                name = callee(expr)[1]
                return Origin("generated", ("generated", expr.id), f"a fresh call of `{name}`", node=expr)
            producer = self.producer(expr, file)
            if producer is not None and producer.results == 1:
                return Origin("built", ("built", expr.id), f"the result of `{producer.name}`", node=expr)
            return UNKNOWN
        if expr.type != "identifier" or unit is None:
            return UNKNOWN
        return self._identifier_origin(expr, file, unit, depth)

    def _identifier_origin(self, ident: Node, file: SourceFile, unit: Function, depth: int) -> Origin:
        name = text(ident)
        definition = self.reaching_definition(ident, unit)
        if definition is None:
            owner = self._declaring_function(ident, unit)
            if owner is not None:
                return Origin("param", ("param", owner.id, name), f"the parameter `{name}`", node=ident)
            return Origin("unknown", ("var", name), f"`{name}`")
        statement, index = definition
        right = statement.child_by_field_name("right") or statement.child_by_field_name("value")
        values = right.named_children if right is not None else []
        left = assigned_names(statement)
        if len(values) == len(left) and index < len(values):
            inner = self.origin(values[index], file, unit, depth + 1)
            if inner.kind in ("generated", "built", "literal"):
                return Origin(inner.kind, inner.key, f"`{name}` ({inner.description})", inner.text, inner.node)
            return Origin(inner.kind, inner.key if inner.key is not None else ("def", statement.id, index), f"`{name}`", node=inner.node)
        if len(values) == 1 and unparen(values[0]).type == "call_expression":
            call = unparen(values[0])
            producer = self.producer(call, file)
            if producer is not None and producer.image_result == index:
                return Origin("built", ("built", call.id), f"`{name}`, the result of `{producer.name}`", node=call)
        return Origin("unknown", ("def", statement.id, index), f"`{name}`")

    def reaching_definition(self, ident: Node, unit: Function) -> tuple[Node, int] | None:
        """The last write of ident's name before it, in a scope that contains it."""
        name = text(ident)
        body = unit.body
        if body is None:
            return None
        best: tuple[Node, int] | None = None
        for occurrence in identifiers(body, name):
            if occurrence.start_byte >= ident.start_byte:
                break
            if not is_write(occurrence):
                continue
            statement = occurrence.parent
            if statement is not None and statement.type == "expression_list":
                statement = statement.parent
            if statement is None:
                continue
            if statement.type == "short_var_declaration" or statement.type == "var_spec":
                scope = _declaration_scope(statement)
                if scope is not None and not is_inside(ident, scope):
                    continue
            names = assigned_names(statement)
            index = next(i for i, n in enumerate(names) if n.id == occurrence.id)
            best = (statement, index)
        return best

    def _declaring_function(self, ident: Node, unit: Function) -> Node | None:
        """The function (declaration or literal around ident) that has ident's name as parameter."""
        name = text(ident)
        current: Node | None = ident
        while current is not None:
            if current.type in ("func_literal", "function_declaration", "method_declaration"):
                parameters = current.child_by_field_name("parameters")
                if parameters is not None and any(
                    text(n) == name
                    for p in parameters.named_children
                    for n in p.children_by_field_name("name")
                ):
                    return current
                if current.id == unit.node.id:
                    return None
            current = current.parent
        return None

    # -- fixed text -----------------------------------------------------------------------

    def fixed_text(self, expr: Node, file: SourceFile, unit: Function | None, depth: int = 0) -> str | None:
        """The string an expression always has (literals, constants, + and Sprintf of those)."""
        expr = unparen(expr)
        if depth > 16:
            return None
        kind = expr.type
        if kind in STRING_TYPES:
            return string_value(expr)
        if kind == "binary_expression":
            operator = expr.child_by_field_name("operator")
            if operator is None or text(operator) != "+":
                return None
            left = expr.child_by_field_name("left")
            right = expr.child_by_field_name("right")
            if left is None or right is None:
                return None
            first = self.fixed_text(left, file, unit, depth + 1)
            second = self.fixed_text(right, file, unit, depth + 1) if first is not None else None
            return first + second if first is not None and second is not None else None
        if kind == "identifier":
            return self._const_text(file, text(expr), None, unit, depth)
        if kind == "selector_expression":
            operand = expr.child_by_field_name("operand")
            field_node = expr.child_by_field_name("field")
            if operand is not None and field_node is not None and operand.type == "identifier":
                qualifier = text(operand)
                if qualifier in file.imports:
                    return self._const_text(file, text(field_node), qualifier, None, depth)
            return None
        if kind == "call_expression":
            function_qualifier, function_name = callee(expr)
            args = arguments(expr)
            if function_qualifier is None and function_name == "string" and len(args) == 1:
                return self.fixed_text(args[0], file, unit, depth + 1)
            return self._sprintf_text(expr, file, unit, depth)
        return None

    def _const_text(self, file: SourceFile, name: str, qualifier: str | None, unit: Function | None, depth: int) -> str | None:
        if unit is not None and unit.body is not None:
            local = _local_const(unit.body, name)
            if local is not None:
                return self.fixed_text(local, file, unit, depth + 1)
            if qualifier is None and self._shadowed(name, unit):
                return None
        resolved = self.project.resolve_const(file, name, qualifier)
        if resolved is None:
            return None
        const_file, value = resolved
        return self.fixed_text(value, const_file, None, depth + 1)

    def _shadowed(self, name: str, unit: Function) -> bool:
        if unit.param(name) is not None:
            return True
        body = unit.body
        return body is not None and any(is_write(i) for i in identifiers(body, name))

    def _sprintf_text(self, call: Node, file: SourceFile, unit: Function | None, depth: int) -> str | None:
        qualifier, name = callee(call)
        if qualifier != "fmt" or name != "Sprintf":
            return None
        args = arguments(call)
        texts = [self.fixed_text(a, file, unit, depth + 1) for a in args]
        if not texts or any(t is None for t in texts):
            return None
        return format_go(texts[0] or "", [t or "" for t in texts[1:]])

    # -- sinks ----------------------------------------------------------------------------

    def image_field_sinks(self, file: SourceFile) -> list[Sink]:
        """`Image: value` elements of composite literals in the file (cached)."""
        facts = self.facts(file)
        if facts.field_sinks is None:
            fields = {name.encode() for name in self.flow.image_fields}
            facts.field_sinks = []
            for key, value in facts.keyed:
                if key.text in fields and value.named_child_count == 1:
                    expr = value.named_children[0]
                    if expr.type != "literal_value" and self.container_types.literal_deploys(key, file):
                        facts.field_sinks.append(Sink("field", expr, file, facts.unit_of(key), key=key))
            if any(file.source.find(b"." + name) != -1 for name in fields):
                facts.field_sinks.extend(self._assigned_fields(file, fields))
            for sink in facts.field_sinks:
                if sink.unit is not None:
                    facts.field_sinks_by_unit.setdefault(id(sink.unit), []).append(sink)
        return facts.field_sinks

    def _assigned_fields(self, file: SourceFile, fields: set[bytes]) -> Iterator[Sink]:
        """`dep.Spec.Containers[0].Image = ref`: an image field set by assignment."""
        facts = self.facts(file)
        root = file.tree.root_node
        for start, end in word_offsets(file.source, fields):
            field_node = root.descendant_for_byte_range(start, end)
            if field_node is None or field_node.type != "field_identifier" or field_node.start_byte != start:
                continue
            selector = field_node.parent
            if selector is None or selector.type != "selector_expression":
                continue
            left = selector.parent
            statement = left.parent if left is not None else None
            if left is None or statement is None or statement.type != "assignment_statement":
                continue
            operator = statement.child_by_field_name("operator")
            right = statement.child_by_field_name("right")
            if statement.child_by_field_name("left") != left or right is None or (operator is not None and text(operator) != "="):
                continue
            position = [c.id for c in left.named_children].index(selector.id)
            if not self.container_types.assignment_deploys(selector, file):
                continue  # the struct deploys nothing (an options struct, a report row)
            if position < right.named_child_count and left.named_child_count == right.named_child_count:
                yield Sink("field", right.named_children[position], file, facts.unit_of(statement), key=field_node)

    def image_field_sinks_in(self, unit: Function) -> list[Sink]:
        self.image_field_sinks(unit.file)
        return self.facts(unit.file).field_sinks_by_unit.get(id(unit), [])

    def call_sinks(self, unit: Function) -> Iterator[Sink]:
        """Loader arguments, deploy-function image arguments and image verbs of format calls."""
        file = unit.file
        self._deploy_functions()  # settles (or, inside the fixpoint, reads) the deploy names
        for call in self.calls_in(unit):
            qualifier, name = callee(call)
            consumer = self._consumers.get(name)
            if consumer is not None:
                if consumer.kind == "load":
                    args = arguments(call)
                    if consumer.image_arg < len(args):
                        yield Sink("load-arg", args[consumer.image_arg], file, unit, call=call)
                continue
            if qualifier == "fmt" and name in FORMAT_FUNCS:
                for index in self.format_image_args(call, file, unit):
                    yield Sink("format-arg", arguments(call)[index], file, unit, call=call)
            if not self._inferring and self._deploy_generation != self.project.generation:
                self._deploy_functions()  # an earlier call loaded a package: its deploy functions count
            if name not in self._deploy_names and self._target_loaded(file, qualifier):
                continue  # no deploy function has this name, and no package it may call is left to load
            for target in self.project.resolve_call(call, file):
                params = self.deploy_params(target)
                if params:
                    args = arguments(call)
                    for index in sorted(params):
                        if index < len(args):
                            yield Sink("deploy-arg", args[index], file, unit, call=call, target=target)
                break

    def format_image_args(self, call: Node, file: SourceFile, unit: Function | None) -> list[int]:
        qualifier, name = callee(call)
        position = FORMAT_FUNCS.get(name)
        if qualifier != "fmt" or position is None:
            return []
        args = arguments(call)
        if position >= len(args):
            return []
        template = self.fixed_text(args[position], file, unit)
        if template is None or "image:" not in template:
            return []
        if not looks_like_manifest(template.encode()) and not _piece_of_manifest(call):
            return []  # a log line that mentions `image: %s` deploys nothing
        return [position + 1 + i for i in image_verbs(template) if position + 1 + i < len(args)]

    def deploy_params(self, function: Function) -> frozenset[int]:
        """Indices of parameters that the function passes on to a sink."""
        return self._deploy_functions().get(id(function), frozenset())

    def _deploy_functions(self) -> dict[int, frozenset[int]]:
        """Deploy functions among the loaded ones, by a fixpoint over names like `_wrappers`."""
        if self._inferring or self._deploy_generation == self.project.generation:
            return self._deploy_table
        self._wrappers()  # deploy sinks ask what is built
        self._inferring = True
        try:
            while self._deploy_generation != self.project.generation:
                generation = self.project.generation
                table = self._deploy_table
                candidates = [f for f in self.project.functions() if f.params and f.body is not None]
                seeds = [n.encode() for n in self.flow.image_fields] + [b"image:", b"Sprintf", b"Fprintf"]
                seeds += [c.name.encode() for c in self.flow.consumers if c.kind == "load"]
                fresh = [f for f in candidates if id(f) not in self._deploy_seen]
                self._deploy_seen.update(id(f) for f in fresh)
                pending = [f for f in fresh if _mentions(f, seeds)]
                while pending:
                    found = set()
                    for function in pending:
                        params = frozenset(self._infer_deploy_params(function))
                        if params and params != table.get(id(function)):
                            table[id(function)] = params
                            self._deploy_names.add(function.name)
                            found.add(function.name)
                    pending = [f for f in candidates if self._call_names(f) & found]
                self._deploy_generation = generation
        finally:
            self._inferring = False
        return self._deploy_table

    def _infer_deploy_params(self, function: Function) -> Iterator[int]:
        if function.body is None or not function.params:
            return
        sinks = list(self.image_field_sinks_in(function))
        sinks.extend(self.call_sinks(function))
        for sink in sinks:
            expr = unparen(sink.expr)
            if expr.type != "identifier":
                continue
            param = function.param(text(expr))
            if param is None:
                continue
            origin = self.origin(expr, function.file, function)
            if origin.kind == "param" and origin.key == ("param", function.node.id, param.name):
                yield param.index

    def yaml_images(self, file: SourceFile) -> Iterator[YamlImage]:
        source = file.source
        if source.find(b"image:") == -1:
            return
        root = file.tree.root_node
        for key in yaml_image_keys(source):
            match = _YAML_VALUE.match(source, key)
            if match is None:
                continue
            start, end = match.span(1)
            string = _string_at(root, match.start(1))
            if string is None or not _multiline(string):
                continue
            value = match.group(1).decode("utf-8", "replace")
            yield YamlImage(file, string, start, end, value, _YAML_PULL_NEVER.search(string.text or b"") is not None)

    # -- locally built images -------------------------------------------------------------

    @property
    def build_names(self) -> frozenset[str]:
        """Image names that builder calls in the linted code name (`ImageName: "acme/x"`)."""
        if self._build_names_generation != self.project.generation:
            self._build_names = self._collect_build_names()
            self._build_names_generation = self.project.generation
        return self._build_names

    def _collect_build_names(self) -> frozenset[str]:
        names: set[str] = set()
        build_fields = set(self.flow.build_name_fields)
        builders = [c.name.encode() for c in self.flow.consumers if c.kind == "build"]
        for file in list(self.project.files()):
            facts = self.facts(file)
            for key, value in facts.keyed:
                if text(key) not in build_fields or value.named_child_count != 1:
                    continue
                unit = facts.unit_of(key)
                fixed = self.fixed_text(value.named_children[0], file, unit)
                if fixed and (unit is None or self.builds(unit)):
                    names.add(repository(fixed))
            if not any(file.source.find(name) != -1 for name in builders):
                continue
            for unit in facts.units:
                for call in self.calls_in(unit):
                    consumer = self.consumer(call)
                    if consumer is None or consumer.kind != "build":
                        continue
                    args = arguments(call)
                    if consumer.image_arg < len(args):
                        fixed = self.fixed_text(args[consumer.image_arg], file, unit)
                        if fixed:
                            names.add(repository(fixed))
        names.discard("")
        return frozenset(names)

    def builds(self, unit: Function) -> bool:
        """Has the function a build event: a producer call or a build-with-tag call?"""
        key = (id(unit), self.project.generation)
        found = None if self._inferring else self._builds.get(key)
        if found is None:
            found = any(
                ((consumer := self.consumer(call)) is not None and consumer.kind == "build")
                or self.producer(call, unit.file) is not None
                for call in self.calls_in(unit)
            )
            if not self._inferring:
                self._builds[key] = found
        return found

    @cached_property
    def loaded_names(self) -> frozenset[str]:
        """Fixed images handed to a loader: they exist in the cluster under exactly that name."""
        names = set()
        loaders = [c.name.encode() for c in self.flow.consumers if c.kind == "load"]
        for file in list(self.project.files()):
            if not any(file.source.find(name) != -1 for name in loaders):
                continue
            for unit in self.facts(file).units:
                for call in self.calls_in(unit):
                    consumer = self.consumer(call)
                    if consumer is None or consumer.kind != "load":
                        continue
                    args = arguments(call)
                    if consumer.image_arg < len(args):
                        fixed = self.fixed_text(args[consumer.image_arg], file, unit)
                        if fixed:
                            names.add(fixed)
        return frozenset(names)

    def is_local_image(self, image: str, pull_never: bool = False) -> bool:
        if image in self.loaded_names:
            return False  # loaded into the cluster under this very name (a preloaded registry image)
        if pull_never:
            return True
        if any(image.startswith(prefix) for prefix in self.flow.local_prefixes):
            return True
        if any(re.search(pattern, image) for pattern in self.flow.local_patterns):
            return True
        repo = repository(image)
        return any(repo == name or repo.endswith("/" + name) for name in self.build_names)

    def pull_never_beside(self, key: Node, file: SourceFile, unit: Function | None) -> bool:
        literal = key.parent.parent if key.parent is not None else None
        literal = literal.parent if literal is not None else None
        if literal is None or literal.type != "literal_value":
            return False
        fields = set(self.flow.pull_policy_fields)
        for element in literal.named_children:
            if element.type != "keyed_element":
                continue
            key_node = element.child_by_field_name("key")
            value = element.child_by_field_name("value")
            if key_node is None or value is None or text(key_node) not in fields:
                continue
            value_text = text(value)
            if value_text.endswith("PullNever") or self.fixed_text(value.named_children[0], file, unit) == "Never":
                return True
        return False


def _skip_blanks(source: bytes, position: int) -> int:
    """The first offset from position that is not a blank or inside a /* comment */."""
    while True:
        while source[position : position + 1] in (b" ", b"\t", b"\r", b"\n"):
            position += 1
        if not source.startswith(b"/*", position):
            return position
        close = source.find(b"*/", position + 2)
        if close == -1:
            return len(source)
        position = close + 2


def _keyed_elements(root: Node, source: bytes, keys: tuple[bytes, ...]) -> Iterator[tuple[Node, Node]]:
    """`Image: value` elements of composite literals, found from the bytes: only the configured
    field names are looked up in the tree."""
    for start, end in word_offsets(source, keys):
        colon = _skip_blanks(source, end)
        if source[colon : colon + 1] != b":" or source[colon + 1 : colon + 2] == b"=":
            continue
        key = root.descendant_for_byte_range(start, end)
        if key is None or key.type != "identifier" or key.start_byte != start or key.end_byte != end:
            continue
        element = key.parent
        keyed = element.parent if element is not None else None
        if element is None or keyed is None or element.type != "literal_element" or keyed.type != "keyed_element":
            continue
        value = keyed.child_by_field_name("value")
        if value is not None and keyed.child_by_field_name("key") == element:
            yield key, value


def repository(image: str) -> str:
    """`localhost/acme/app:v1@sha256:...` -> `acme/app`: the path without host prefix and tag."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image = image[:colon]
    image = image.removeprefix("localhost/")
    return image


def image_verbs(template: str) -> list[int]:
    """Argument indices (0-based, after the format) of verbs that stand on an `image:` line."""
    result = []
    argument = 0
    for match in _VERB.finditer(template):
        if match.group(4) == "%":
            continue
        if match.group(1):
            argument = int(match.group(1)) - 1
        argument += (match.group(2) == "*") + (match.group(3) == "*")  # width and precision arguments
        line_start = template.rfind("\n", 0, match.start()) + 1
        before = template[line_start:match.start()].strip()
        if before.lstrip("- ").startswith("image:"):
            result.append(argument)
        argument += 1
    return result


def format_go(template: str, values: list[str]) -> str | None:
    """fmt.Sprintf for the verbs fixed text can fill (%s %v %q %d); None for anything else."""
    out = []
    position = 0
    argument = 0
    for match in _VERB.finditer(template):
        out.append(template[position:match.start()])
        position = match.end()
        verb = match.group(4)
        if verb == "%":
            out.append("%")
            continue
        if match.group(1):
            argument = int(match.group(1)) - 1
        if match.group(2) == "*" or match.group(3) == "*" or argument >= len(values) or verb not in "svqd":
            return None
        value = values[argument]
        out.append(f'"{value}"' if verb == "q" else value)
        argument += 1
    out.append(template[position:])
    return "".join(out)


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


def _mentions(function: Function, names: list[bytes]) -> bool:
    source, start, end = function.file.source, function.node.start_byte, function.node.end_byte
    return any(source.find(name, start, end) != -1 for name in names)


def _returns(body: Node) -> Iterator[Node]:
    """Return statements of a function body, not of the closures inside it."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            yield node
            continue
        if node.type == "func_literal":
            continue
        stack.extend(node.named_children)


def _return_values(statement: Node) -> list[Node]:
    for child in statement.named_children:
        if child.type == "expression_list":
            return list(child.named_children)
    return []


def _declaration_scope(statement: Node) -> Node | None:
    parent = statement.parent
    if statement.type == "var_spec":
        parent = enclosing(statement, ("var_declaration",))
        parent = parent.parent if parent is not None else None
    if parent is None:
        return None
    if parent.type in ("if_statement", "expression_switch_statement", "type_switch_statement", "for_clause"):
        return parent.parent if parent.type == "for_clause" else parent
    return enclosing(statement, ("block", "func_literal", "communication_case", "expression_case", "default_case", "type_case")) or parent


def _local_const(body: Node, name: str) -> Node | None:
    if b"const" not in (body.text or b""):
        return None
    for occurrence in identifiers(body, name):
        spec = occurrence.parent
        if spec is None or spec.type != "const_spec":
            continue
        names = spec.children_by_field_name("name")
        value = spec.child_by_field_name("value")
        if value is None:
            continue
        for index, candidate in enumerate(names):
            if candidate.id == occurrence.id and index < value.named_child_count:
                return value.named_children[index]
    return None


def _string_at(root: Node, offset: int) -> Node | None:
    node = root.descendant_for_byte_range(offset, offset)
    while node is not None and node.type not in STRING_TYPES:
        node = node.parent
    return node


_MANIFEST_KEYS = re.compile(rb"(?:^|\n|\\n|[`\"])[ \t]*(?:-[ \t]+)?(?:apiVersion|kind|containers|initContainers|spec|metadata|name):")


def _piece_of_manifest(call: Node) -> bool:
    """`manifest += fmt.Sprintf("  image: %s\n", ...)` or one `+` piece of a manifest."""
    whole = call
    while whole.parent is not None and whole.parent.type in ("binary_expression", "parenthesized_expression"):
        whole = whole.parent
    if whole is not call and looks_like_manifest(whole.text or b""):
        return True
    holder = whole.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type != "assignment_statement":
        return False
    operator = statement.child_by_field_name("operator")
    return operator is not None and text(operator) == "+="


def looks_like_manifest(raw: bytes) -> bool:
    return (b"\n" in raw or b"\\n" in raw) and _MANIFEST_KEYS.search(raw) is not None


def _multiline(string: Node) -> bool:
    """A manifest has several lines and keys besides `image:` (a log line with `image:` is not one)."""
    whole = string
    while whole.parent is not None and whole.parent.type in ("binary_expression", "parenthesized_expression"):
        whole = whole.parent  # one piece of a concatenated manifest
    return looks_like_manifest(whole.text or b"")

