"""Build and load helpers inferred from their bodies: the container commands they run.

A function that runs `exec.Command(<podman|docker|buildah|nerdctl|a variable>, "build", ..., "-t",
X)` (also `buildx build`, `image build`, buildah's `bud`, `--tag X`, `--tag=X`, `-t=X`, `-tX`)
builds X, and every other tag of that command too: each `-t` of one build names the same image.
`podman tag SRC DST` makes DST a name of an image that exists here, as a build does. One that
runs `kind load docker-image X [Y...]` or `podman save X` (`docker save`) loads it. When X is a
parameter, the function is a build or load helper like a configured consumer
(`buildWithTag(img)`); when X is fixed text, the function makes a *raw build* of that reference
(`exec.Command("podman", "build", "-t", "localhost/api:cov", ".")`), which counts as a local
build of its repository.
"""

from __future__ import annotations

import re

from imagetag_lint.engine.run import FlowRun, facts, mentions
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
from imagetag_lint.record import field, record
from imagetag_lint.rules import Consumer
from imagetag_lint.shell import unquoted

_TOOLS = ("podman", "docker", "buildah", "nerdctl")
_BUILD_VERBS = (["build"], ["buildx", "build"], ["image", "build"], ["bud"])  # `bud`: buildah's older name
_TAG_VERBS = (["tag"], ["image", "tag"])  # `podman tag SRC DST...`
_TAG_FLAGS = ("-t", "--tag")
_TAG_PREFIXES = ("--tag=", "-t=", "-t")  # a flag and its value in one word; the longest first
_KIND_LOAD_FLAGS = ("--name", "--nodes")  # flags of `kind load docker-image` that take a value
_OUTPUT_FLAGS = ("-o", "--output")


@record(frozen=True)
class Command:
    """What an `exec.Command` builds or loads: the image arguments (`"-t", X`, `"--tag="+X`), and
    the fixed references written inside one word with their flag (`"--tag=localhost/api:e2e"`)."""

    kind: ConsumerKind
    images: tuple[Node, ...]
    embedded: tuple[str, ...] = ()


@record(frozen=True)
class RawBuild:
    """A container build of a fixed reference run through `exec.Command`."""

    function: Function
    call: Node
    image: str


# What `_read` keeps of an exec call's command: its kind, its embedded references, and for each
# image its value when it is a string and its name when it is an identifier
Words = tuple[ConsumerKind, tuple[str, ...], tuple[tuple[str | None, str | None], ...]]


@record(eq=False)
class CommandFacts:
    """The helpers found so far, and the functions already read (lazy loads add functions)."""

    consumers: dict[str, Consumer]
    raw_builds: list[RawBuild]
    seen: set[int]
    generation: int = -1
    by_text: dict[bytes, Words | None] = field(default_factory=dict)  # `_read`'s words, by the call's text


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
    return command_facts(run).consumers.get(name)


def raw_builds(run: FlowRun) -> list[RawBuild]:
    return command_facts(run).raw_builds


def raw_builds_in(run: FlowRun, function: Function) -> list[RawBuild]:
    return [b for b in raw_builds(run) if b.function is function]


def _read(run: FlowRun, function: Function, found: CommandFacts) -> None:
    source = function.file.source
    for call in exec_calls(function):
        words = _words(call, function, source, found.by_text)
        if words is None:
            continue
        kind, embedded, images = words
        if kind is ConsumerKind.BUILD:
            found.raw_builds.extend(RawBuild(function, call, value) for value in embedded if value)
        for value, name in images:
            if value is not None:
                if kind is ConsumerKind.BUILD and value:
                    found.raw_builds.append(RawBuild(function, call, value))
                continue
            index = _parameter_named(function, name) if name is not None else None
            if index is not None and function.name not in run.consumers:
                found.consumers.setdefault(function.name, Consumer(function.name, kind, index))


def _words(call: Node, function: Function, source: bytes, by_text: dict[bytes, Words | None]) -> Words | None:
    """What `_read` needs of an exec call's command, read once per text: a setup step's command
    is written alike in many functions, and the same text parses alike (a call with a syntax
    error, or that spreads a slice its function declares, is read on its own)."""
    text_of_call = source[call.start_byte : call.end_byte]
    if text_of_call in by_text:
        return by_text[text_of_call]
    command = _command_words(call, function)
    words: Words | None = None
    if command is not None:
        images = tuple(
            (string_value(image), None) if image.type in STRING_TYPES else (None, text(image) if image.type == "identifier" else None)
            for image in command.images
        )
        words = (command.kind, command.embedded, images)
    if b"..." not in text_of_call and not call.has_error:
        by_text[text_of_call] = words
    return words


def exec_calls(function: Function) -> list[Node]:
    """The calls in the function whose callee is a selector on `exec` (`exec.Command(...)`), in
    source order: found from the bytes, without reading the file's other calls."""
    source, root = function.file.source, function.file.tree.root_node
    found = []
    position = source.find(b"exec", function.node.start_byte, function.node.end_byte)
    while position != -1:
        call = _exec_call_at(root, position)
        if call is not None:
            found.append(call)
        position = source.find(b"exec", position + 4, function.node.end_byte)
    return found


def _exec_call_at(root: Node, position: int) -> Node | None:
    """The call whose callee is the selector on the `exec` identifier at position, or None. The
    selector is the smallest node that holds `exec` and the byte after it, and the call the
    smallest that holds the selector and the byte after it (no `parent`, which costs a walk down
    from the root)."""
    selector = root.descendant_for_byte_range(position, position + 5)
    if selector is None or selector.type != "selector_expression":
        return None
    operand = selector.child_by_field_name("operand")
    if operand is None or operand.type != "identifier" or operand.byte_range != (position, position + 4):
        return None
    call = root.descendant_for_byte_range(position, selector.end_byte + 1)
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != selector:
        return None
    return call


def command_image(call: Node, function: Function) -> Command | None:
    """What an `exec.Command` that builds, tags, saves or loads builds or loads, or None."""
    return _command_words(call, function)


def run_command_image(run: FlowRun, call: Node, function: Function) -> Command | None:
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


def _command_words(call: Node, function: Function) -> Command | None:
    """What an `exec.Command` that builds, tags, saves or loads builds or loads; the command
    may also be a shell line handed to `sh -c` (`fmt.Sprintf("podman build -t %s .", img)`)."""
    args = exec_arguments(call, function)
    return command_words(args) if args else None


def command_words(args: list[Node]) -> Command | None:
    """What a command given as its words (the tool first) builds, tags, saves or loads; the
    command may also be a shell line handed to `sh -c`."""
    words: list[str | None] = []
    rest: list[Node | None] = []
    for arg in args:
        kind = arg.type
        words.append(string_value(arg) if kind in STRING_TYPES else None)
        rest.append(unparen(arg) if kind == "parenthesized_expression" else arg)
    if words[0] in _SHELLS and words[1:2] == ["-c"] and len(rest) > 2 and (line := rest[2]) is not None:
        split = shell_words(line)
        if split is None:
            return None
        words, rest = split
    if not words:
        return None
    tool, words, rest = words[0], words[1:], rest[1:]
    program = tool.rsplit("/", 1)[-1] if tool is not None else None  # by name or by path
    if program == "kind":
        if words[:2] == ["load", "docker-image"]:
            return _loaded(words[2:], rest[2:])
        return None
    if program is not None and program not in _TOOLS:
        return None  # a variable or a call may hold podman or docker; any other literal does not
    if any(words[: len(verb)] == verb for verb in _BUILD_VERBS):
        return _tags(words, rest)
    for verb in _TAG_VERBS:
        if words[: len(verb)] == verb:  # `tag SRC DST...`: every DST names what SRC is
            names = [a for a, w in zip(rest[len(verb) :], words[len(verb) :]) if w is None or not w.startswith("-")]
            targets = tuple(a for a in names[1:] if a is not None)
            return Command(ConsumerKind.BUILD, targets) if targets else None
    if words[:1] == ["save"]:
        for position in range(1, len(rest)):
            image = rest[position]
            if words[position] is None and words[position - 1] not in _OUTPUT_FLAGS and image is not None:
                return Command(ConsumerKind.LOAD, (image,))
    return None


def _tags(words: list[str | None], args: list[Node | None]) -> Command | None:
    """Every tag of a build command: `"-t", X`, `"--tag", X`, `"--tag=..."`, `"-t=..."`, `"-t..."`,
    `"--tag="+X` and `fmt.Sprintf("--tag=%s", X)`; a look-alike (`--tags`, `--target`) is none."""
    images: list[Node] = []
    embedded: list[str] = []
    for position, (word, arg) in enumerate(zip(words, args)):
        if word in _TAG_FLAGS:
            value = args[position + 1] if position + 1 < len(args) else None
            text_value = words[position + 1] if position + 1 < len(words) else None
            if value is not None:
                images.append(value)
            elif text_value:  # fixed text in a shell line
                embedded.append(text_value)
        elif word is not None:
            prefix = _tag_prefix(word)
            if prefix is not None and (position == 0 or words[position - 1] not in _TAG_FLAGS):
                embedded.append(word[len(prefix) :])
        elif arg is not None and (value := _joined_tag(arg)) is not None:
            images.append(value)
    if not images and not embedded:
        return None
    return Command(ConsumerKind.BUILD, tuple(images), tuple(embedded))


def _tag_prefix(word: str) -> str | None:
    """The tag flag a word begins with and holds its value after (`--tag=`, `-t=`, `-t`), if any."""
    if not word.startswith("-"):
        return None  # no flag (most words)
    if word.startswith("--"):
        return "--tag=" if word.startswith("--tag=") else None  # `--tags`, `--target`: other flags
    return next((p for p in _TAG_PREFIXES[1:] if word.startswith(p) and len(word) > len(p)), None)


def _joined_tag(arg: Node) -> Node | None:
    """X of `"--tag="+X` (`"-t="+X`, `"-t"+X`) or `fmt.Sprintf("--tag=%s", X)`."""
    if arg.type == "binary_expression":
        left, operator, right = arg.child_by_field_name("left"), arg.child_by_field_name("operator"), arg.child_by_field_name("right")
        if left is None or right is None or operator is None or text(operator) != "+" or left.type not in STRING_TYPES:
            return None
        return unparen(right) if string_value(left) in _TAG_PREFIXES else None
    if arg.type == "call_expression" and callee(arg) == ("fmt", "Sprintf"):
        parts = arguments(arg)
        layout = string_value(parts[0]) if parts and parts[0].type in STRING_TYPES else None
        if len(parts) == 2 and layout is not None and layout.endswith("%s") and layout[:-2] in _TAG_PREFIXES:
            return unparen(parts[1])
    return None


def _loaded(words: list[str | None], args: list[Node | None]) -> Command | None:
    """The images of `kind load docker-image A [B...]`: the words that are no flag or flag value."""
    images = []
    position = 0
    while position < len(args):
        word, image = words[position], args[position]
        if word is not None and word.startswith("-"):
            position += 2 if word in _KIND_LOAD_FLAGS else 1
            continue
        if image is not None:
            images.append(image)
        position += 1
    return Command(ConsumerKind.LOAD, tuple(images)) if images else None


_SHELLS = ("sh", "bash", "/bin/sh", "/bin/bash")
_FORMAT_VERB = re.compile(r"%[sv]|%%")


def shell_words(line: Node) -> tuple[list[str | None], list[Node | None]] | None:
    """The words of a shell line (a string, a `+` of strings and expressions, or a
    `fmt.Sprintf` of `%s`/`%v` verbs): each its text, or the expression it is alone; a word of
    text and an expression together has neither, and a tag flag joined to its expression
    (`--tag=%s`) is two words. None for a line of any other shape."""
    pieces = _pieces(line, 0)
    if pieces is None:
        return None
    grouped: list[list[str | Node]] = [[]]
    for piece in pieces:
        if not isinstance(piece, str):
            grouped[-1].append(piece)
            continue
        for index, part in enumerate(re.split(r"(\s+)", piece)):
            if index % 2:
                grouped.append([])
            elif part:
                grouped[-1].append(part)
    words: list[str | None] = []
    nodes: list[Node | None] = []
    for group in grouped:
        if not group:
            continue
        group = unquoted(group)
        head = group[0]
        if len(group) == 2 and isinstance(head, str) and not isinstance(group[1], str) and head in _TAG_PREFIXES:
            words += ["--tag", None]
            nodes += [None, group[1]]
        elif all(isinstance(g, str) for g in group):
            words.append("".join(g for g in group if isinstance(g, str)))
            nodes.append(None)
        else:
            words.append(None)
            nodes.append(group[0] if len(group) == 1 and not isinstance(group[0], str) else None)
    return words, nodes


def _pieces(node: Node, depth: int) -> list[str | Node] | None:
    """Literal text and the expressions between it, in order."""
    node = unparen(node)
    if depth > 32:
        return None
    if node.type in STRING_TYPES:
        value = string_value(node)
        return [value] if value is not None else None
    if node.type == "binary_expression":
        left, operator, right = node.child_by_field_name("left"), node.child_by_field_name("operator"), node.child_by_field_name("right")
        if left is None or right is None or operator is None or text(operator) != "+":
            return None
        before, after = _pieces(left, depth + 1), _pieces(right, depth + 1)
        return before + after if before is not None and after is not None else None
    if node.type == "call_expression" and callee(node) == ("fmt", "Sprintf"):
        parts = arguments(node)
        layout = string_value(parts[0]) if parts and parts[0].type in STRING_TYPES else None
        if layout is None or "%" in _FORMAT_VERB.sub("", layout):
            return None  # a verb other than %s and %v: its text is not the argument's
        found: list[str | Node] = []
        values = iter(parts[1:])
        verbs = _FORMAT_VERB.findall(layout)
        for index, part in enumerate(_FORMAT_VERB.split(layout)):
            found.append(part)
            if index == len(verbs):
                break
            if verbs[index] == "%%":
                found.append("%")
                continue
            argument = next(values, None)
            if argument is None:
                return None
            found.append(unparen(argument))
        return found if next(values, None) is None else None
    if node.type in ("identifier", "selector_expression", "call_expression", "index_expression"):
        return [node]
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


def _parameter_named(function: Function, name: str) -> int | None:
    """The index of the parameter of that name, if the body never writes it."""
    body = function.body
    param = function.param(name)
    if body is None or param is None or any(is_write(use) for use in identifiers(body, param.name)):
        return None
    return param.index

