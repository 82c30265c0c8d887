"""Deletions and dry runs: an object handed only to a call that deletes it, reads it or only
tries it deploys nothing.

`c.Delete(ctx, &corev1.Pod{...})`, `c.DeleteAllOf(...)`, `c.Create(ctx, pod, client.DryRunAll)`
and a manifest piped into `kubectl delete -f -`, `kubectl diff -f -` or `kubectl apply
--dry-run=server -f -` name an image, but no container of it ever starts: such an `Image:` field
or YAML `image:` line is no deployment, directly or through a local that only these calls read.
"""

from __future__ import annotations

from imagetag_lint.engine.kubectl import kubectl_creates_nothing
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    enclosing,
    identifiers,
    is_write,
    parent,
)
from imagetag_lint.shell import KUBECTL_READING_VERBS

DELETE_CALLS = frozenset({"Delete", "DeleteAllOf"})
# controller-runtime's writes, which persist nothing when given the `client.DryRunAll` option
_DRY_RUN_WRITES = frozenset({"Create", "Update", "Patch"})
# the parts of a value around an `Image` field or a manifest's text (`&corev1.Pod{...}`, `a + b`)
_VALUE_PARTS = ("literal_value", "keyed_element", "literal_element", "composite_literal",
                "parenthesized_expression", "binary_expression")
# what makes a command's standard input from text (`cmd.Stdin = strings.NewReader(manifest)`)
_READERS = frozenset({("strings", "NewReader"), ("bytes", "NewBufferString"), ("bytes", "NewReader")})


def never_deployed(value: Node, source: bytes) -> bool:
    """Is the object holding `value` handed only to calls that start no container of it: an
    argument of `Delete`, `DeleteAllOf` or a dry-run write (`client.DryRunAll`), the standard
    input of a `kubectl delete`, `diff` or dry run, or a local that only these read?
    (Asked of the file's source first: a walk up from every image of a deeply nested literal
    would cost the square of its depth.)"""
    if not _mentions_no_deployment(source):
        return False
    holder = _outermost(value)
    if _handed_to_no_deployment(holder):
        return True
    local = _assigned_local(holder)
    function = enclosing(holder, FUNCTION_TYPES)
    body = function.child_by_field_name("body") if function is not None else None
    if local is None or body is None:
        return False
    reads = [use for use in identifiers(body, local) if use.start_byte > holder.end_byte and not is_write(use)]
    return bool(reads) and all(_handed_to_no_deployment(_outermost(use)) for use in reads)


_NO_DEPLOYMENT_WORDS = (b"Delete", b"DryRunAll", b"--dry-run", *(b'"%s"' % verb.encode() for verb in sorted(KUBECTL_READING_VERBS)))
_LAST: list[tuple[bytes, bool]] = []  # the last source asked about: a file's values are asked in a row


def _mentions_no_deployment(source: bytes) -> bool:
    """Does the file name a deletion, a dry run or a reading kubectl verb at all? (Once per file:
    a search of a large file that finds nothing reads all of it, and a file's every image asks.)"""
    if _LAST and _LAST[0][0] is source:
        return _LAST[0][1]
    found = any(source.find(word) != -1 for word in _NO_DEPLOYMENT_WORDS)
    _LAST[:] = [(source, found)]
    return found


def _outermost(value: Node) -> Node:
    node = value
    while (above := parent(node)) is not None:
        if above.type in _VALUE_PARTS or (above.type == "unary_expression" and text(above).startswith("&")):
            node = above
            continue
        if above.type == "call_expression" and callee(above) == (None, "[]byte"):
            node = above  # a conversion keeps the text
            continue
        return node
    return node


def _handed_to_no_deployment(holder: Node) -> bool:
    above = parent(holder)
    call = parent(above) if above is not None and above.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    if callee(call)[1] in DELETE_CALLS:
        return True
    if callee(call)[1] in _DRY_RUN_WRITES:
        return any(_names_dry_run_all(argument) for argument in arguments(call))
    return callee(call) in _READERS and _stdin_of_kubectl_reading(call)


def _names_dry_run_all(argument: Node) -> bool:
    """`client.DryRunAll` (or `DryRunAll` of a dot import)."""
    name = argument.child_by_field_name("field") if argument.type == "selector_expression" else argument
    return name is not None and name.type in ("identifier", "field_identifier") and text(name) == "DryRunAll"


def _stdin_of_kubectl_reading(reader: Node) -> bool:
    """`cmd.Stdin = strings.NewReader(...)` where `cmd := exec.Command("kubectl", "delete", ...)`
    (or `diff`, `get`, a dry run: `kubectl_creates_nothing`)."""
    values = parent(reader)
    statement = parent(values) if values is not None and values.type == "expression_list" else None
    if statement is None or statement.type != "assignment_statement" or values is None or values.named_child_count != 1:
        return False
    left = statement.child_by_field_name("left")
    target = left.named_children[0] if left is not None and left.named_child_count == 1 else None
    operand = target.child_by_field_name("operand") if target is not None and target.type == "selector_expression" else None
    field = target.child_by_field_name("field") if target is not None else None
    if operand is None or field is None or text(field) != "Stdin" or operand.type != "identifier":
        return False
    command = _command_of(operand)
    return command is not None and kubectl_creates_nothing(command)


def _command_of(name: Node) -> Node | None:
    """The `exec.Command` call a local was declared with (`cmd := exec.Command(...)`)."""
    function = enclosing(name, FUNCTION_TYPES)
    body = function.child_by_field_name("body") if function is not None else None
    declared = None
    for use in identifiers(body, text(name)) if body is not None else []:
        if use.start_byte >= name.start_byte:
            break
        holder = parent(use)
        statement = parent(holder) if holder is not None else None
        if statement is None or statement.type != "short_var_declaration" or not is_write(use) or holder is None:
            continue
        right = statement.child_by_field_name("right")
        position = [n.id for n in holder.named_children].index(use.id)
        values = right.named_children if right is not None else []
        declared = values[position] if position < len(values) else None
    if declared is None or declared.type != "call_expression" or callee(declared)[0] != "exec":
        return None
    return declared if arguments(declared) else None


def _assigned_local(holder: Node) -> str | None:
    """`pod := &corev1.Pod{...}`, `var manifest = "..."` -> the local's name."""
    values = parent(holder)
    statement = parent(values) if values is not None and values.type == "expression_list" else None
    if statement is None or values is None or statement.type not in ("short_var_declaration", "var_spec"):
        return None
    names = statement.child_by_field_name("left") if statement.type == "short_var_declaration" else None
    targets = names.named_children if names is not None else statement.children_by_field_name("name")
    position = [n.id for n in values.named_children].index(holder.id)
    if len(targets) != values.named_child_count or targets[position].type != "identifier":
        return None
    return text(targets[position])
