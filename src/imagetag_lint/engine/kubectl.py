"""Deployments by kubectl: the image a `kubectl set image`, `kubectl run --image` or `kubectl
create deployment --image` deploys, run through `exec.Command` or through a kubectl helper (a
function that hands its variadic parameter to kubectl whole), as an `Image:` field does.
"""

from __future__ import annotations

import re

from imagetag_lint.engine.commands import (
    exec_arguments,
    slice_literal,
    spread_arguments,
)
from imagetag_lint.engine.run import FlowRun, calls_in, mentions
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    STRING_TYPES,
    arguments,
    callee,
    identifiers,
    is_write,
    string_value,
    unparen,
)
from imagetag_lint.record import record
from imagetag_lint.shell import KUBECTL_READING_VERBS

# global flags of kubectl that take the next word as their value (`-n e2e`, `--context kind-e2e`)
_KUBECTL_VALUE_FLAGS = frozenset((
    "-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server", "--token",
    "--as", "--as-group", "--request-timeout", "--cache-dir", "--certificate-authority", "--client-certificate",
    "--client-key", "--tls-server-name", "-l", "--selector", "-c", "--container",
))
# the words of every kubectl command that deploys an image (`set image`, `--image`)
KUBECTL_WORDS = [b'"image"', b"--image"]
_CREATED = ("deployment", "job", "cronjob")  # `kubectl create deployment NAME --image=...`


@record(frozen=True)
class CommandImage:
    """An image a `kubectl` command deploys: an argument expression, or the part of a string
    literal after its `=` (`"--image=localhost/api:e2e"`, `"api=localhost/api:e2e"`)."""

    call: Node
    command: str  # `kubectl set image`, `kubectl run`, `kubectl create deployment`
    expr: Node  # the image expression, or the string literal that holds it
    start: int
    end: int

    @property
    def embedded(self) -> bool:
        return self.start != self.expr.start_byte or self.end != self.expr.end_byte


def kubectl_images(call: Node, function: Function, helper: int | None = None) -> list[CommandImage]:
    """The images an `exec.Command("kubectl", ...)` deploys, or a call of a kubectl helper whose
    words start at argument `helper` (`kubectl_helper`): the `container=image` pairs of
    `kubectl set image`, the `--image` of `kubectl run`, `kubectl debug` and `kubectl create
    deployment|job|cronjob`.
    Any other kubectl command (`get`, `describe`, `apply -f`) deploys no image of its arguments."""
    if helper is None:
        args = _kubectl_arguments(call, function)
    else:
        args = spread_arguments(arguments(call)[helper:], function)
    if args is None:
        return []
    words = [string_value(a) if a.type in STRING_TYPES else None for a in args]
    verbs = _verb_positions(words)
    if len(verbs) < 2 or _dry_run(words):
        return []
    (verb, at), (noun, after) = verbs[0], verbs[1]
    rest = args[after + 1 :]
    if verb == "set" and noun == "image":
        found = [_assigned_image(call, "kubectl set image", arg, flag=False) for arg in rest[1:]]  # rest[0]: the resource
        return [image for image in found if image is not None]
    if verb in ("run", "debug"):  # `kubectl debug` adds a container of that image to a running pod
        return _image_flags(call, f"kubectl {verb}", args[at + 1 :])
    if verb == "create" and noun in _CREATED:
        return _image_flags(call, f"kubectl create {noun}", args[at + 1 :])
    return []


# kubectl commands that read the objects of a manifest on their standard input and create none


def kubectl_creates_nothing(call: Node) -> bool:
    """Does an `exec.Command("kubectl", ...)` written out in string literals only read or delete
    the objects it is given (`delete`, `diff`, `get`, `describe`, `wait`), or only print them
    (a dry run: `apply --dry-run=server -f -`, `create --dry-run=client -o yaml -f -`)?"""
    qualifier, name = callee(call)
    if qualifier != "exec" or name not in ("Command", "CommandContext"):
        return False
    args = arguments(call)[1 if name == "CommandContext" else 0 :]
    if not args or not _names_kubectl(args[0]):
        return False
    words = [string_value(a) if a.type in STRING_TYPES else None for a in args[1:]]
    verbs = _verb_positions(words)
    return bool(verbs) and (verbs[0][0] in KUBECTL_READING_VERBS or _dry_run(words))


def kubectl_helper(run: FlowRun, function: Function) -> int | None:
    """The position of the variadic parameter a kubectl helper hands to kubectl whole
    (`func kubectl(ctx context.Context, args ...string) error { return exec.CommandContext(ctx,
    "kubectl", args...).Run() }`): its callers' arguments from there on are kubectl's words."""
    last = function.params[-1] if function.params else None
    if last is None or not last.type_text.startswith("...") or function.body is None or not mentions(function, [b'kubectl"']):
        return None
    if any(is_write(use) for use in identifiers(function.body, last.name)):
        return None
    for call in calls_in(run, function):
        qualifier, name = callee(call)
        args = arguments(call)[1 if name == "CommandContext" else 0 :]
        if qualifier != "exec" or name not in ("Command", "CommandContext") or len(args) != 2:
            continue
        spread = args[1].named_children[0] if args[1].type == "variadic_argument" and args[1].named_children else None
        if not _names_kubectl(args[0]) or spread is None or spread.type != "identifier":
            continue
        if text(spread) == last.name or _flags_then(function, text(spread), last.name):
            return last.index
    return None


def _flags_then(function: Function, name: str, param: str) -> bool:
    """Is the local `name := append([]string{"--kubeconfig", path}, param...)`: kubectl's global
    flags, then the words the helper is given (so the verb is among the callers' words)?"""
    value = slice_literal(function, name, call=True)
    call_args = arguments(value) if value is not None and value.type == "call_expression" and callee(value) == (None, "append") else []
    if len(call_args) != 2 or call_args[0].type != "composite_literal" or call_args[1].type != "variadic_argument":
        return False
    spread = call_args[1].named_children[0] if call_args[1].named_children else None
    body = call_args[0].child_by_field_name("body")
    if spread is None or text(spread) != param or body is None:
        return False
    if function.body is None or sum(is_write(use) for use in identifiers(function.body, name)) != 1:
        return False  # words appended later would come after the callers'
    elements = [e.named_children[0] for e in body.named_children if e.type == "literal_element" and e.named_children]
    words = [string_value(e) if e.type in STRING_TYPES else None for e in elements]
    position = 0
    while position < len(words):
        word = words[position]
        if word is None or not word.startswith("-"):
            return False  # a verb, or a word that may be one
        position += 2 if word in _KUBECTL_VALUE_FLAGS else 1
    return position == len(words)  # a value flag's value is not the callers' first word


def _kubectl_arguments(call: Node, function: Function) -> list[Node] | None:
    """The arguments after `kubectl` of an `exec.Command("kubectl", ...)`, or None for any other call."""
    args = exec_arguments(call, function)
    if not args or not _names_kubectl(args[0]):
        return None
    return args[1:]


def _names_kubectl(tool: Node) -> bool:
    """Is the command's first word kubectl, by name or by path (`/usr/local/bin/kubectl`)?"""
    word = string_value(tool) if tool.type in STRING_TYPES else None
    return word is not None and (word == "kubectl" or word.endswith("/kubectl"))


def _dry_run(words: list[str | None]) -> bool:
    """Does the command only print what it would do (`--dry-run=client`, `=server`, a bare
    `--dry-run`), before any `--` that starts the container's own command? `--dry-run=none` runs."""
    for word in words:
        if word == "--":
            return False
        if word == "--dry-run" or (word is not None and word.startswith("--dry-run=") and word != "--dry-run=none"):
            return True
    return False


def _verb_positions(words: list[str | None]) -> list[tuple[str, int]]:
    """The first two words that are not flags or flag values, with their positions; an argument
    whose text is not known there ends the list (it may be a verb or a flag)."""
    found: list[tuple[str, int]] = []
    position = 0
    while position < len(words) and len(found) < 2:
        word = words[position]
        if word is None:
            break
        if word.startswith("-"):
            position += 2 if word in _KUBECTL_VALUE_FLAGS else 1
            continue
        found.append((word, position))
        position += 1
    return found


def _image_flags(call: Node, command: str, args: list[Node]) -> list[CommandImage]:
    """The `--image` values among args: `"--image", X`, `"--image=..."`, `"--image="+X`,
    `fmt.Sprintf("--image=%s", X)`."""
    found = []
    for position, arg in enumerate(args):
        if arg.type in STRING_TYPES and string_value(arg) == "--":
            break  # the container's own command follows
        if arg.type in STRING_TYPES and string_value(arg) == "--image":
            if position + 1 < len(args):
                value = unparen(args[position + 1])
                found.append(CommandImage(call, command, value, value.start_byte, value.end_byte))
            continue
        image = _assigned_image(call, command, arg, flag=True)
        if image is not None:
            found.append(image)
    return found


def _assigned_image(call: Node, command: str, arg: Node, flag: bool) -> CommandImage | None:
    """The image of `NAME=image` (`--image=image` with flag): the rest of a literal after its `=`,
    the right operand of `"NAME=" + X`, or the argument of `fmt.Sprintf("NAME=%s", X)`."""
    arg = unparen(arg)
    if arg.type == "interpreted_string_literal":
        inner = (arg.text or b"")[1:-1]
        cut = inner.find(b"=")
        if b"\\" in inner or cut <= 0 or not _names_the_image(inner[: cut + 1], flag) or cut + 1 == len(inner):
            return None
        return CommandImage(call, command, arg, arg.start_byte + 2 + cut, arg.end_byte - 1)
    if arg.type == "binary_expression":
        left, operator, right = arg.child_by_field_name("left"), arg.child_by_field_name("operator"), arg.child_by_field_name("right")
        if left is None or right is None or operator is None or text(operator) != "+" or not _ends_a_name(left, flag):
            return None
        value = unparen(right)
        return CommandImage(call, command, value, value.start_byte, value.end_byte)
    if arg.type == "call_expression" and callee(arg) == ("fmt", "Sprintf"):
        parts = arguments(arg)
        pattern = string_value(parts[0]) if parts and parts[0].type in STRING_TYPES else None
        # `"api=%s"` (`"--image=%s"`), or `"%s=%s"` of a container's name and the image
        named = pattern is not None and len(parts) == 2 and pattern.endswith("=%s") and _names_the_image(pattern[:-2].encode(), flag)
        if not named and not (pattern == "%s=%s" and len(parts) == 3 and not flag):
            return None
        value = unparen(parts[-1])
        return CommandImage(call, command, value, value.start_byte, value.end_byte)
    return None


def _ends_a_name(left: Node, flag: bool) -> bool:
    """Is the left operand of `... + image` the `NAME=` it is assigned to: `"api="` (`"--image="`
    with flag), or, for a container, `container + "="`?"""
    if left.type in STRING_TYPES:
        return _names_the_image((string_value(left) or "").encode(), flag)
    last = left.child_by_field_name("right") if left.type == "binary_expression" else None
    return not flag and last is not None and last.type in STRING_TYPES and string_value(last) == "="


def _names_the_image(prefix: bytes, flag: bool) -> bool:
    """Is `prefix` (up to its `=`) `--image=` (flag), or a container's `NAME=` (`set image`)?"""
    if flag:
        return prefix == b"--image="
    return not prefix.startswith(b"-") and re.fullmatch(rb"[A-Za-z0-9*][A-Za-z0-9._-]*=", prefix) is not None
