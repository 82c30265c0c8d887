"""Sinks: where an image reference is deployed, loaded or passed on.

An `Image:` field (in a composite literal or assigned), a loader's image argument, an image verb
of a format call that writes a manifest, the image of a `kubectl set image` or `kubectl run
--image` command, and the image arguments of deploy functions: functions
inferred, by a fixpoint over names, to pass a parameter on to a sink.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.engine import (
    commands,
    containers,
    kubectl,
    producers,
    templates,
    values,
)
from imagetag_lint.engine.deletions import never_deployed
from imagetag_lint.engine.formats import FORMAT_FUNCS, image_verbs
from imagetag_lint.engine.manifests import looks_like_manifest, piece_of_manifest
from imagetag_lint.engine.model import OriginKind, Sink, SinkKind
from imagetag_lint.engine.run import (
    FlowRun,
    facts,
    function_facts,
    mentions,
    named_calls_in,
    settle_on_demand,
)
from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    identifiers,
    is_write,
    unparen,
)


def image_field_sinks(run: FlowRun, file: SourceFile) -> list[Sink]:
    """`Image: value` elements of composite literals in the file (cached)."""
    file_facts = facts(run, file)
    if file_facts.field_sinks is None:
        fields = {name.encode() for name in run.flow.image_fields}
        found = file_facts.field_sinks = []
        for key, value in file_facts.keyed:
            if key.text in fields and value.named_child_count == 1:
                expr = value.named_children[0]
                if expr.type != "literal_value" and containers.literal_deploys(run, key, file) and not never_deployed(expr, file.source):
                    found.append(Sink(SinkKind.FIELD, expr, file, file_facts.function_of(key), key=key))
        if any(file.source.find(b"." + name) != -1 for name in fields):
            found.extend(_assigned_fields(run, file, fields))
        for sink in found:
            if sink.function is not None:
                file_facts.field_sinks_by_function.setdefault(id(sink.function), []).append(sink)
    return file_facts.field_sinks


def _assigned_fields(run: FlowRun, file: SourceFile, fields: set[bytes]) -> Iterator[Sink]:
    """`dep.Spec.Containers[0].Image = ref`: an image field set by assignment."""
    file_facts = facts(run, file)
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
        if not containers.assignment_deploys(run, selector, file):
            continue  # the struct deploys nothing (an options struct, a report row)
        if position < right.named_child_count and left.named_child_count == right.named_child_count:
            yield Sink(SinkKind.FIELD, right.named_children[position], file, file_facts.function_of(statement), key=field_node)


def image_field_sinks_in(run: FlowRun, function: Function) -> list[Sink]:
    image_field_sinks(run, function.file)
    return facts(run, function.file).field_sinks_by_function.get(id(function), [])


def call_sinks(run: FlowRun, function: Function) -> Iterator[Sink]:
    """Loader arguments, deploy-function image arguments and image verbs of format calls.

    Several rules ask for every function: the sinks are replayed while the project generation
    is the one they were found at, unless they were found inside an inference (partial answers)
    or a file was loaded while they were found (before or after the load, as the caller
    interleaved it).
    """
    memo = function_facts(run, function)
    generation = run.project.generation
    if memo.call_sinks is not None and memo.call_sinks[0] == generation and not run.inferring:
        yield from memo.call_sinks[1]
        return
    found = []
    partial = run.inferring
    for sink in _call_sinks(run, function):
        found.append(sink)
        yield sink
        partial = partial or run.inferring
    if not partial and not run.inferring and run.project.generation == generation:
        memo.call_sinks = (generation, found)


def _call_sinks(run: FlowRun, function: Function) -> Iterator[Sink]:
    file = function.file
    kubectl_words = mentions(function, kubectl.KUBECTL_WORDS)  # may call a kubectl helper that deploys
    for call, (qualifier, name) in named_calls_in(run, function):
        consumer = producers.consumer_named(run, name)
        if consumer is not None:
            if consumer.kind == "load":
                args = arguments(call)
                if consumer.image_arg < len(args):
                    yield Sink(SinkKind.LOAD_ARG, args[consumer.image_arg], file, function, call=call)
            continue
        if qualifier == "exec":
            yield from _kubectl_sinks(call, function, None)
            continue
        if qualifier == "fmt" and name in FORMAT_FUNCS:
            indices = format_image_args(run, call, file, function)
            for index in indices if indices and not _shown_only(call, name, function) else ():
                yield Sink(SinkKind.FORMAT_ARG, arguments(call)[index], file, function, call=call)
        if name in templates.TEMPLATE_CALLS:
            yield from _template_sinks(run, call, name, function)
        for target in run.project.resolve_call(call, file):
            helper = kubectl.kubectl_helper(run, target) if kubectl_words else None
            if helper is not None:
                yield from _kubectl_sinks(call, function, helper)
                break
            params = deploy_params(run, target)
            if params and returns_text(target) and only_printed(call, function):
                break  # the text rendered from the image is shown to a person, not deployed
            if params:
                args = arguments(call)
                for index in sorted(params):
                    if index < len(args):
                        yield Sink(SinkKind.DEPLOY_ARG, args[index], file, function, call=call, target=target)
            break


def _kubectl_sinks(call: Node, function: Function, helper: int | None) -> Iterator[Sink]:
    for image in kubectl.kubectl_images(call, function, helper):
        if not image.embedded:  # fixed text after `api=` is no expression of its own
            yield Sink(SinkKind.COMMAND_ARG, image.expr, function.file, function, call=call)


def _template_sinks(run: FlowRun, call: Node, name: str, function: Function) -> Iterator[Sink]:
    """The values a call puts into a manifest template's `image:` line, unless the text it makes
    is only shown to a person (a template executed into the suite's log, a replaced text only
    printed)."""
    args = arguments(call)
    if name in ("Execute", "ExecuteTemplate"):
        if args and _log_writer(args[0], function):
            return
    elif only_printed(call, function):
        return
    fields = {id(sink.expr) for sink in image_field_sinks_in(run, function)}
    for expr in templates.template_image_args(run, call, function.file, function):
        if id(expr) not in fields:  # an `Image:` of a container type is a sink already
            yield Sink(SinkKind.FORMAT_ARG, expr, function.file, function, call=call)


# Calls that show a value to a person: `fmt.Print*`, a logger's `Info`/`Log`..., Ginkgo's `By`,
# and `fmt.Fprint*` to a writer that only logs (see `_log_writer`).
_PRINTERS = re.compile(r"^(?:Print|Log|Info|Debug|Warn|Error|Trace)|^(?:By|Logf)$")
_FPRINTERS = ("Fprint", "Fprintf", "Fprintln")
_LOG_WRITERS = ("os.Stdout", "os.Stderr", "GinkgoWriter", "ginkgo.GinkgoWriter")


def returns_text(function: Function) -> bool:
    """A function whose one result is text (`string`, `[]byte`): it renders, it does not deploy."""
    result = function.node.child_by_field_name("result")
    if result is not None and result.type == "parameter_list" and result.named_child_count == 1:
        result = result.named_children[0].child_by_field_name("type")
    return result is not None and text(result) in ("string", "[]byte")


def only_printed(call: Node, function: Function) -> bool:
    """Is the call's value only shown to a person: an argument of a print or log call, or kept in
    a local that only such calls read? Text that goes anywhere else may still be deployed."""
    if _printed_argument(call, function):
        return True
    holder = call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type not in ("short_var_declaration", "var_spec") or function.body is None:
        return False
    left = statement.child_by_field_name("left") or statement.child_by_field_name("name")
    names = left.named_children if left is not None and left.type == "expression_list" else [left] if left is not None else []
    if len(names) != 1 or names[0].type != "identifier" or holder is None or holder.named_child_count != 1:
        return False
    reads = [u for u in identifiers(function.body, text(names[0])) if u.start_byte > names[0].start_byte]
    return bool(reads) and all(not is_write(u) and _printed_argument(u, function) for u in reads)


def _shown_only(call: Node, name: str, function: Function) -> bool:
    """A format call whose text only a person sees: printed to standard output, written to the
    suite's log writer, or a `Sprintf` whose result goes only to such calls."""
    if name == "Sprintf":
        return only_printed(call, function)
    if name == "Fprintf":
        args = arguments(call)
        return bool(args) and _log_writer(args[0], function)
    return name == "Printf"


def _printed_argument(node: Node, function: Function) -> bool:
    holder = node.parent
    call = holder.parent if holder is not None and holder.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    qualifier, name = callee(call)
    args = arguments(call)
    if qualifier == "fmt":
        if name in _FPRINTERS:
            return bool(args) and args[0].id != node.id and _log_writer(args[0], function)
        return name in ("Print", "Printf", "Println", "Errorf")  # not Sprint*: its text goes on
    return _PRINTERS.search(name) is not None


def _log_writer(writer: Node, function: Function) -> bool:
    """Standard output, Ginkgo's writer, or an `io.Writer` parameter: the suite's log, by the
    convention the builders follow (they take the same `w` for their own output)."""
    if text(writer) in _LOG_WRITERS:
        return True
    param = function.param(text(writer)) if writer.type == "identifier" else None
    return param is not None and param.type_text == "io.Writer"


def format_image_args(run: FlowRun, call: Node, file: SourceFile, function: Function | None) -> list[int]:
    qualifier, name = callee(call)
    position = FORMAT_FUNCS.get(name)
    if qualifier != "fmt" or position is None:
        return []
    args = arguments(call)
    if position >= len(args):
        return []
    template = values.fixed_text(run, args[position], file, function)
    if template is None or "image:" not in template:
        return []
    if not looks_like_manifest(template.encode()) and not piece_of_manifest(call):
        return []  # a log line that mentions `image: %s` deploys nothing
    return [position + 1 + i for i in image_verbs(template) if position + 1 + i < len(args)]


def deploy_params(run: FlowRun, function: Function) -> frozenset[int]:
    """Indices of parameters that the function passes on to a sink (inferred on demand, with the
    functions it may call; inside the inference, what is known so far)."""
    demand = run.deploys
    if not run.inferring and demand.settled.get(id(function)) != run.project.generation:
        producers.wrappers(run)  # deploy sinks ask what is built

        def update(inferred: Function) -> bool:
            params = frozenset(_infer_deploy_params(run, inferred))
            if params and params != demand.table.get(id(inferred)):
                demand.table[id(inferred)] = params
                return True
            return False

        seeds = [n.encode() for n in run.flow.image_fields] + [b"image:", b"Sprintf", b"Fprintf", *kubectl.KUBECTL_WORDS, *templates.SEED_WORDS]
        inferred = commands.command_facts(run).consumers.values()
        seeds += [c.name.encode() for c in (*run.flow.consumers, *inferred) if c.kind == "load"]
        settle_on_demand(run, demand, function, lambda f: bool(f.params) and f.body is not None, seeds, update)
    return demand.table.get(id(function), frozenset())


def closure_deploy_params(run: FlowRun, closure: Function) -> frozenset[int]:
    """The parameters a spec closure (a `DescribeTable` body) passes on to a sink: no call names
    it, so it has no entry in the inferred table; its own sinks answer."""
    return frozenset(_infer_deploy_params(run, closure))


def _infer_deploy_params(run: FlowRun, function: Function) -> Iterator[int]:
    if function.body is None or not function.params:
        return
    sinks = list(image_field_sinks_in(run, function))
    sinks.extend(call_sinks(run, function))
    for sink in sinks:
        expr = unparen(sink.expr)
        if expr.type != "identifier":
            continue
        param = function.param(text(expr))
        if param is None:
            continue
        origin = values.origin(run, expr, function.file, function)
        if origin.kind == OriginKind.PARAM and origin.key == ("param", function.node.id, param.name):
            yield param.index
