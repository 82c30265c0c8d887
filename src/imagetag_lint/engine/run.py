"""The per-run cache the engine's functions share, per-file facts, and the fixpoint over names."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

from imagetag_lint.engine.model import Origin, ProducerRef, Sink
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node
from imagetag_lint.golang.project import PackageKey, Project
from imagetag_lint.golang.syntax import (
    call_expressions,
    callee,
    deep_ancestry,
    is_inside,
    parent,
)
from imagetag_lint.record import field, record
from imagetag_lint.rules import ImageFlow

if TYPE_CHECKING:
    from imagetag_lint.engine.commands import Command, CommandFacts
    from imagetag_lint.engine.containers import FieldReads

T = TypeVar("T")
_MANY_KEYS = 64  # with fewer image-field keys in a file, their depth costs little


class FileFacts:
    """Per-file facts the analyses share: calls, image-field elements and functions, in source order.

    The calls and the image-field elements are read from the tree when first asked for: many
    questions concern a file's `Image:` keys only, or the `exec` calls of one function."""

    def __init__(self, file: SourceFile, keys: tuple[bytes, ...], functions: list[Function]) -> None:
        self.file = file
        self.keys = keys
        self.functions = functions
        self.function_starts = [f.node.start_byte for f in functions]
        self._calls: list[Node] | None = None
        self._call_starts: list[int] = []
        self._callees: list[tuple[str | None, str]] = []
        self._keyed: list[tuple[Node, Node]] | None = None
        self._keyed_by: dict[tuple[bytes, ...], list[tuple[Node, Node]]] = {}  # `keyed_of`, before `keyed` is read
        self.field_sinks: list[Sink] | None = None  # the file's image-field sinks, once asked for
        self.field_sinks_by_function: dict[int, list[Sink]] = {}
        self.field_reads: dict[str, FieldReads] | None = None  # where the file reads image fields, by type name
        self.generator_calls: list[Node] | None = None  # the calls of an image-name generator
        self.commands: dict[Node, Command | None] = {}  # `exec` call -> what it builds or loads

    @property
    def calls(self) -> list[Node]:
        """Every call in the file, in the tree's order."""
        if self._calls is None:
            self._calls = call_expressions(self.file.tree.root_node, self.file.source)
            self._call_starts = [c.start_byte for c in self._calls]
            self._callees = [callee(c) for c in self._calls]  # once per call: most questions start from its name
        return self._calls

    @property
    def read_calls(self) -> bool:
        """Are the file's calls read already?"""
        return self._calls is not None

    @property
    def call_starts(self) -> list[int]:
        self.calls  # noqa: B018 - read for its effect: the calls and their starts are read together
        return self._call_starts

    @property
    def callees(self) -> list[tuple[str | None, str]]:
        """(qualifier, name) of each call, in order."""
        self.calls  # noqa: B018 - read for its effect
        return self._callees

    @property
    def keyed(self) -> list[tuple[Node, Node]]:
        """(key identifier, value literal_element) of the configured fields."""
        if self._keyed is None:
            self._keyed = list(_keyed_elements(self.file.tree.root_node, self.file.source, self.keys))
        return self._keyed

    def keyed_of(self, keys: tuple[bytes, ...]) -> list[tuple[Node, Node]]:
        """The elements of `keyed` whose key is one of keys (some of the configured fields): a
        question about a few fields of every file of a package looks up only those names."""
        if self._keyed is not None:
            return [(key, value) for key, value in self._keyed if key.text in keys]
        found = self._keyed_by.get(keys)
        if found is None:
            found = self._keyed_by[keys] = list(_keyed_elements(self.file.tree.root_node, self.file.source, keys))
        return found

    def function_of(self, node: Node) -> Function | None:
        index = bisect_right(self.function_starts, node.start_byte) - 1
        if index >= 0 and is_inside(node, self.functions[index].node):
            return self.functions[index]
        return None


@record(eq=False)
class FunctionFacts:
    """What the engine remembers of one function (computed once, asked for at every call)."""

    call_names: frozenset[str] | None = None  # the names it calls
    builds: tuple[int, bool] = (-1, False)  # (project generation, has it a build event)
    holds: dict[tuple[str, int], bool] = field(default_factory=dict)  # (variable, wrappers known) -> can it hold a builder
    call_sinks: tuple[int, list[Sink]] | None = None  # (project generation, the sinks its calls make)


class Fixpoint(Generic[T]):
    """A table inferred pass by pass over function names (wrappers, deploy functions)."""

    def __init__(self) -> None:
        self.table: dict[int, T] = {}  # id of function -> what was inferred
        self.names: set[str] = set()  # names of the functions in the table
        self.seen: set[int] = set()  # functions a pass has already considered
        self.generation = -1  # the project generation the table is settled for


class Demand(Generic[T]):
    """A table inferred on demand: a function's entry is settled with the functions it may call
    (by name), not with every loaded function, so a run pays only for what its files reach."""

    def __init__(self) -> None:
        self.table: dict[int, T] = {}  # id of function -> what was inferred
        self.settled: dict[int, int] = {}  # id of function -> the project generation its entry is final for
        self.updated: dict[int, int] = {}  # id of function -> the tick it was last inferred at
        self.changed: dict[str, int] = {}  # function name -> the tick an entry of that name last changed
        self.tick = 0
        self.by_name: tuple[int, dict[str, list[Function]]] = (-1, {})  # (generation, loaded functions by name)


class FlowRun:
    """What one run remembers: per-file facts, the two fixpoints and the memos that cross functions.

    Results that depend on the loaded functions carry the project generation they were made at;
    `inferring` is set while a fixpoint runs, when answers come from the table being built.
    """

    def __init__(self, project: Project, flow: ImageFlow) -> None:
        self.project = project
        self.flow = flow
        self.producers = {p.name: p for p in flow.producers}
        self.consumers = {c.name: c for c in flow.consumers}
        self.keyed_fields = tuple(sorted({f.encode() for f in (*flow.image_fields, *flow.build_name_fields)}))
        self.files: dict[int, FileFacts] = {}
        self.wrappers: Fixpoint[ProducerRef] = Fixpoint()
        self.deploys: Demand[frozenset[int]] = Demand()
        self.inferring = False
        self.functions: dict[int, FunctionFacts] = {}  # id of function -> what is known of it
        self.producer_calls: dict[Node, tuple[int, ProducerRef | None]] = {}  # by call
        self.origins: dict[tuple[Node, int], tuple[int, Origin]] = {}  # (expression, id of function) -> (generation, origin)
        self.built_repositories: tuple[int, frozenset[str]] = (-1, frozenset())  # (generation, names)
        self.loaded_images: frozenset[str] | None = None
        self.calls_of: dict[int, tuple[int, dict[str, dict[int, int]]]] = {}  # id of package -> called name -> calls per function
        self.rule_cache: dict[tuple[str, int], object] = {}  # the rule helpers' per-run results
        self.container_entries: list[tuple[str, str]] | None = None  # container-types as (path, name)
        self.container_structs: dict[tuple[str, str], bool] = {}  # (package directory, type) -> its Image deploys
        # package -> (files indexed, struct name -> the types it embeds, with their file)
        self.embedded_types: dict[PackageKey, tuple[int, dict[str, list[tuple[SourceFile, Node]]]]] = {}
        self.declared_types: dict[tuple[int, bytes], tuple[list[int], list[Node]]] = {}  # (`node_key` of the function, name) -> typed declarations
        self.generated_made: tuple[int, dict[str, tuple[str, str]]] = (-1, {})  # (generation, what generators make)
        # (generation, generators called, their arguments' fixed text) -> the reference they make
        self.generated_by_call: dict[tuple[int, tuple[int, ...], tuple[str | None, ...]], str | None] = {}
        self.generator_names: dict[str, bool] = {}  # called name -> is it an image-name generator
        self.commands: CommandFacts | None = None  # build and load helpers inferred from their commands


def facts(run: FlowRun, file: SourceFile) -> FileFacts:
    found = run.files.get(id(file))
    if found is None:
        functions = run.project.file_functions.get(id(file), [])
        found = run.files[id(file)] = FileFacts(file, run.keyed_fields, functions)
    return found


def per_generation(run: FlowRun, key: tuple[str, int], compute: Callable[[], T]) -> T:
    """compute(), kept for the project generation it started in: a file loaded since asks again
    (for what every drop of a function asks of the whole function, say)."""
    generation = run.project.generation
    cached = run.rule_cache.get(key)
    if isinstance(cached, tuple) and cached[0] == generation:
        return cached[1]  # type: ignore[no-any-return]
    found = compute()
    run.rule_cache[key] = (generation, found)
    return found


def calls_in(run: FlowRun, function: Function) -> list[Node]:
    file_facts = facts(run, function.file)
    first, last = _call_range(file_facts, function)
    return file_facts.calls[first:last]


def named_calls_in(run: FlowRun, function: Function) -> Iterator[tuple[Node, tuple[str | None, str]]]:
    """The function's calls with their (qualifier, name), read once per file: a question that
    only concerns some names skips the other calls by a set lookup."""
    file_facts = facts(run, function.file)
    first, last = _call_range(file_facts, function)
    return zip(file_facts.calls[first:last], file_facts.callees[first:last])


def _call_range(file_facts: FileFacts, function: Function) -> tuple[int, int]:
    starts = file_facts.call_starts
    return bisect_right(starts, function.node.start_byte - 1), bisect_right(starts, function.node.end_byte - 1)


def function_facts(run: FlowRun, function: Function) -> FunctionFacts:
    found = run.functions.get(id(function))
    if found is None:
        found = run.functions[id(function)] = FunctionFacts()
    return found


def call_names(run: FlowRun, function: Function) -> frozenset[str]:
    memo = function_facts(run, function)
    if memo.call_names is None:
        if facts(run, function.file).read_calls or function.node.type == "func_literal":
            memo.call_names = frozenset(name for _, (_, name) in named_calls_in(run, function))
        else:  # a fixpoint asks of a few functions of a file whose calls nothing else reads yet
            memo.call_names = frozenset(callee(call)[1] for call in call_expressions(function.node, function.file.source))
    return memo.call_names


def call_count(run: FlowRun, target: Function) -> int:
    """How many calls in its package may run target (counted for every function of its name at
    once: a call runs only functions of its name, so the calls of other names are not resolved)."""
    package = run.project.complete_package(target.file)  # its unread files' calls count too
    # and those of the files the prefilter passed over (`TestMain` calling `buildOrders()`)
    run.project.load_mentioning(target.file.directory, target.name)
    generation, by_name = run.calls_of.get(id(package), (-1, {}))
    if generation != run.project.generation:
        generation, by_name = run.project.generation, {}
        run.calls_of[id(package)] = (generation, by_name)
    counts = by_name.get(target.name)
    if counts is None:
        counts = by_name[target.name] = {}
        for file in package.files:
            file_facts = facts(run, file)
            for call, (_, name) in zip(file_facts.calls, file_facts.callees):
                if name != target.name:
                    continue
                for called in {id(f) for f in run.project.resolve_call(call, file)}:
                    counts[called] = counts.get(called, 0) + 1
    return counts.get(id(target), 0)


def mentions(function: Function, names: list[bytes]) -> bool:
    source, start, end = function.file.source, function.node.start_byte, function.node.end_byte
    return any(source.find(name, start, end) != -1 for name in names)


def settle(
    run: FlowRun,
    fixpoint: Fixpoint[T],
    candidate: Callable[[Function], bool],
    seeds: list[bytes],
    update: Callable[[Function], bool],
    revisit_known: bool,
) -> None:
    """Settle a fixpoint over the loaded functions.

    A function can only wrap (or pass on to) something it names: the first pass looks at the
    functions whose text names a seed, each later pass at those calling a function the pass before
    added. `update` infers one function and says whether its table entry changed. No recursion, so
    chains of any depth and recursive functions are fine. Lazy loads add functions: a generation
    change starts over with the new ones.
    """
    run.inferring = True
    try:
        while fixpoint.generation != run.project.generation:
            generation = run.project.generation
            pool = [f for f in run.project.functions() if candidate(f)]
            fresh = [f for f in pool if id(f) not in fixpoint.seen]
            fixpoint.seen.update(id(f) for f in fresh)
            pending = [f for f in fresh if mentions(f, seeds)]  # calls, or names as values
            while pending:
                found = set()
                for function in pending:
                    if update(function):
                        fixpoint.names.add(function.name)
                        found.add(function.name)
                table = fixpoint.table
                named = [name.encode() for name in found]  # a call names its function: bytes first
                pending = [
                    f for f in pool
                    if (revisit_known or id(f) not in table) and mentions(f, named) and call_names(run, f) & found
                ]
            fixpoint.generation = generation
    finally:
        run.inferring = False


def settle_on_demand(
    run: FlowRun,
    demand: Demand[T],
    start: Function,
    candidate: Callable[[Function], bool],
    seeds: list[bytes],
    update: Callable[[Function], bool],
) -> None:
    """Settle start's entry of an on-demand table, and those of the functions it may call.

    Those are the loaded candidates named by its calls, their calls, and so on (a call runs only
    a function of its name). A function is inferred when it names a seed, and again whenever an
    entry of a name it calls has changed since; `update` infers one function and says whether its
    entry changed. The same answers as `settle` over every loaded function, for a fraction of
    them. Lazy loads add functions: a generation change takes in the new ones.
    """
    if run.inferring or demand.settled.get(id(start)) == run.project.generation:
        return
    run.inferring = True
    try:
        while True:
            generation = run.project.generation
            closure = _callee_closure(run, demand, start, candidate)
            pending = [f for f in closure if _due(run, demand, f, seeds)]
            while pending and run.project.generation == generation:
                for function in pending:
                    demand.updated[id(function)] = demand.tick
                    if update(function):
                        demand.tick += 1
                        demand.changed[function.name] = demand.tick
                pending = [f for f in closure if _due(run, demand, f, seeds)]
            if run.project.generation == generation:
                for function in closure:
                    demand.settled[id(function)] = generation
                return
    finally:
        run.inferring = False


def _due(run: FlowRun, demand: Demand[T], function: Function, seeds: list[bytes]) -> bool:
    """Must the function be inferred (again): never inferred and naming a seed, or calling a name
    whose entry changed since it was last inferred?"""
    last = demand.updated.get(id(function))
    if last is None and mentions(function, seeds):
        return True
    last = -1 if last is None else last
    changed = demand.changed
    return any(changed.get(name, -1) > last for name in call_names(run, function))


def _callee_closure(
    run: FlowRun, demand: Demand[T], start: Function, candidate: Callable[[Function], bool]
) -> list[Function]:
    """start and the candidates it may reach through calls, by name, whose entries are not
    final yet (a final entry's callees are final too)."""
    generation = run.project.generation
    if demand.by_name[0] != generation:
        by_name: dict[str, list[Function]] = {}
        for function in run.project.functions():
            by_name.setdefault(function.name, []).append(function)
        demand.by_name = (generation, by_name)
    functions = demand.by_name[1]
    if not candidate(start) or not any(f is start for f in functions.get(start.name, ())):
        return []  # not a loaded function (a spec closure) or never a candidate: no entry
    found = [start]
    reached = {id(start)}
    stack = [start]
    while stack:
        for name in call_names(run, stack.pop()):
            for function in functions.get(name, ()):
                if id(function) in reached or demand.settled.get(id(function)) == generation or not candidate(function):
                    continue
                reached.add(id(function))
                found.append(function)
                stack.append(function)
    return found


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
    offsets = word_offsets(source, keys)
    # many keys deep in a tree (nested composite literals): look them up in the tree's parent map
    deep = deep_ancestry(root, [start for start, _ in offsets]) if len(offsets) >= _MANY_KEYS else None
    for start, end in offsets:
        colon = _skip_blanks(source, end)
        if source[colon : colon + 1] != b":" or source[colon + 1 : colon + 2] == b"=":
            continue
        key = deep.identifiers.get((start, end)) if deep is not None else root.descendant_for_byte_range(start, end)
        if key is None or key.type != "identifier" or key.start_byte != start or key.end_byte != end:
            continue
        element = parent(key)
        keyed = parent(element) if element is not None else None
        if element is None or keyed is None or element.type != "literal_element" or keyed.type != "keyed_element":
            continue
        value = keyed.child_by_field_name("value")
        if value is not None and keyed.child_by_field_name("key") == element:
            yield key, value
