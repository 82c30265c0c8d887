"""Build and load helpers inferred from their bodies: the container commands they run.

A function that runs `exec.Command(<podman|docker|a variable>, "build", ..., "-t", X)` (also
`buildx build`, `--tag`) builds X; one that runs `kind load docker-image X` or `podman save X`
(`docker save`) loads X. When X is a parameter, the function is a build or load helper like a
configured consumer (`buildWithTag(img)`); when X is fixed text, the function makes a *raw build*
of that reference (`exec.Command("podman", "build", "-t", "localhost/api:cov", ".")`), which
counts as a local build of its repository.
"""

from __future__ import annotations

from imagetag_lint.engine.run import FlowRun, calls_in, facts, mentions
from imagetag_lint.enums import ConsumerKind
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    STRING_TYPES,
    arguments,
    assigned_names,
    assigned_value,
    callee,
    identifiers,
    is_write,
    string_value,
    unparen,
)
from imagetag_lint.record import record
from imagetag_lint.rules import Consumer

_TOOLS = ("podman", "docker")
_TAG_FLAGS = ("-t", "--tag")
_OUTPUT_FLAGS = ("-o", "--output")


@record(frozen=True)
class RawBuild:
    """A container build of a fixed reference run through `exec.Command`."""

    function: Function
    call: Node
    image: str


@record(eq=False)
class CommandFacts:
    """The helpers found so far, and the functions already read (lazy loads add functions)."""

    consumers: dict[str, Consumer]
    raw_builds: list[RawBuild]
    seen: set[int]
    generation: int = -1


def command_facts(run: FlowRun) -> CommandFacts:
    """The inferred helpers and raw builds among the loaded functions (settled per generation)."""
    found = run.commands
    if found is None:
        found = run.commands = CommandFacts({}, [], set())
    if found.generation != run.project.generation:
        generation = run.project.generation
        for function in list(run.project.functions()):
            if id(function) in found.seen:
                continue
            found.seen.add(id(function))
            if function.body is not None and mentions(function, [b"exec.Command"]):
                _read(run, function, found)
        found.generation = generation
    return found


def inferred_consumer(run: FlowRun, name: str) -> Consumer | None:
    found = run.commands  # asked for every call a consumer may make: settled facts without a call
    if found is None or found.generation != run.project.generation:
        found = command_facts(run)
    return found.consumers.get(name)


def raw_builds(run: FlowRun) -> list[RawBuild]:
    return command_facts(run).raw_builds


def raw_builds_in(run: FlowRun, function: Function) -> list[RawBuild]:
    return [b for b in raw_builds(run) if b.function is function]


def _read(run: FlowRun, function: Function, found: CommandFacts) -> None:
    source = function.file.source
    for call in [c for c in calls_in(run, function) if source.startswith(b"exec", c.start_byte)]:
        command = _command_words(call, function)
        if command is None:
            continue
        kind, image = command
        if image.type in STRING_TYPES:
            value = string_value(image)
            if kind is ConsumerKind.BUILD and value:
                found.raw_builds.append(RawBuild(function, call, value))
            continue
        index = _parameter_index(function, image)
        if index is not None and function.name not in run.consumers:
            found.consumers.setdefault(function.name, Consumer(function.name, kind, index))


def command_image(call: Node, function: Function) -> tuple[ConsumerKind, Node] | None:
    """(build or load, the image argument) of an `exec.Command` that builds, saves or loads."""
    if not function.file.source.startswith(b"exec", call.start_byte):
        return None  # most calls: asked of every call, answered without a lookup (`exec_arguments`)
    return _command_words(call, function)


def run_command_image(run: FlowRun, call: Node, function: Function) -> tuple[ConsumerKind, Node] | None:
    """`command_image`, found once per call in a run: the rules ask it of every call of a function."""
    if not function.file.source.startswith(b"exec", call.start_byte):
        return None
    known = facts(run, function.file).commands
    if call not in known:
        known[call] = _command_words(call, function)
    return known[call]


def exec_arguments(call: Node, function: Function) -> list[Node] | None:
    """The command words of an `exec.Command` or `exec.CommandContext` call (the context left
    out, a trailing `args...` spread), or None for any other call."""
    if not function.file.source.startswith(b"exec", call.start_byte):
        return None  # the call does not start with the package name (most calls: no lookup)
    qualifier, name = callee(call)
    if qualifier != "exec" or name not in ("Command", "CommandContext"):
        return None
    return spread_arguments(arguments(call)[1 if name == "CommandContext" else 0 :], function)


def _command_words(call: Node, function: Function) -> tuple[ConsumerKind, Node] | None:
    """(build or load, the image argument) of an `exec.Command` that builds, saves or loads."""
    args = exec_arguments(call, function)
    return command_words(args) if args else None


def command_words(args: list[Node]) -> tuple[ConsumerKind, Node] | None:
    """(build or load, the image argument) of a command given as its words, the tool first."""
    tool = string_value(args[0]) if args[0].type in STRING_TYPES else None
    words = [string_value(a) if a.type in STRING_TYPES else None for a in args[1:]]
    rest = args[1:]
    if tool == "kind":
        if words[:2] == ["load", "docker-image"] and len(rest) > 2:
            return ConsumerKind.LOAD, unparen(rest[2])
        return None
    if tool is not None and tool not in _TOOLS:
        return None  # a variable or a call may hold podman or docker; any other literal does not
    if words[:1] == ["build"] or words[:2] == ["buildx", "build"]:
        for position, word in enumerate(words[:-1]):
            if word in _TAG_FLAGS:
                return ConsumerKind.BUILD, unparen(rest[position + 1])
        return None
    if words[:1] == ["save"]:
        for position in range(1, len(rest)):
            if words[position] is None and words[position - 1] not in _OUTPUT_FLAGS:
                return ConsumerKind.LOAD, unparen(rest[position])
    return None


def spread_arguments(args: list[Node], function: Function) -> list[Node]:
    """The arguments with a trailing `args...` replaced by the elements of the slice literal that
    defined it (`args := []string{"build", "-t", image}`; what is appended later is not read)."""
    if not args or args[-1].type != "variadic_argument" or not args[-1].named_children:
        return args
    spread = unparen(args[-1].named_children[0])
    value = slice_literal(function, text(spread)) if spread.type == "identifier" else None
    body = value.child_by_field_name("body") if value is not None and value.type == "composite_literal" else None
    if body is None:
        return args[:-1]
    elements = [e.named_children[0] for e in body.named_children if e.type == "literal_element" and e.named_children]
    return args[:-1] + elements


def slice_literal(function: Function, name: str, call: bool = False) -> Node | None:
    """The slice literal a local is declared with (`args := []string{...}`), if it has one (with
    call, also a call: `args := append([]string{...}, more...)`)."""
    if function.body is None:
        return None
    for use in identifiers(function.body, name):
        statement = use.parent.parent if use.parent is not None else None
        if statement is not None and statement.type == "short_var_declaration" and is_write(use):
            names = assigned_names(statement)
            index = next((i for i, n in enumerate(names) if n.id == use.id), None)
            value = assigned_value(statement, index) if index is not None else None
            if value is not None and (value.type == "composite_literal" or (call and value.type == "call_expression")):
                return value
    return None


def _parameter_index(function: Function, image: Node) -> int | None:
    """The index of the parameter image is, if it is one the body never writes."""
    if image.type != "identifier" or function.body is None:
        return None
    param = function.param(text(image))
    if param is None or any(is_write(use) for use in identifiers(function.body, param.name)):
        return None
    return param.index

