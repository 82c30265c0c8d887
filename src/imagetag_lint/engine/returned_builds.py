"""Hand-written build helpers that return the name they built: producers known from their bodies.

Most suites write their own helper instead of a configured builder:

    func buildAndLoad(t *testing.T, svc string) string {
        tag := "localhost/" + svc + ":e2e-" + runID
        run(t, "docker", "build", "-t", tag, "services/"+svc)
        return tag
    }

A function that builds a value (a raw `docker|podman build -t X`, through `exec.Command` or a
command runner, or a call of a build helper such as `BuildImageWithTag(X)`) and returns that
very variable is a producer of it, like a configured builder: dropping its result loses the name.
When X is the helper's own parameter, its caller may already hold the name (`build(img)` then
`deploy(img)`): such a call drops nothing unless the argument is a value only the call sees.
"""

from __future__ import annotations

from collections.abc import Callable

from imagetag_lint.engine import producers, values
from imagetag_lint.engine.commands import (
    Command,
    command_facts,
    command_words,
    run_command_image,
    spread_arguments,
)
from imagetag_lint.engine.model import ProducerRef
from imagetag_lint.engine.run import FlowRun, calls_in, mentions
from imagetag_lint.enums import ConsumerKind
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    STRING_TYPES,
    arguments,
    assigned_value,
    callee,
    identifiers,
    is_write,
    return_values,
    returns,
    unparen,
)

_NO_IMAGE = frozenset({"err", "nil", "true", "false", "_"})  # returned names that never hold a tag
_RUNNERS = ("command-runners", 0)  # run.rule_cache key: id of function -> its tool parameter, or None
_RUNNER_NAMES = ("command-runner-names", 0)  # run.rule_cache key: (project generation, runners' names)


def returned_build(run: FlowRun, function: Function) -> ProducerRef | None:
    """The producer a function is when one of its `return` statements hands back, as one result,
    the variable a build in its body was tagged with."""
    found = _returned_image(run, function)
    return ProducerRef(function.name, found[0], function.result_count, function) if found is not None else None


def made_name(run: FlowRun, function: Function, text_of: Callable[[Node], str | None]) -> str | None:
    """The reference a hand-written producer builds (`localhost/shop-api` for
    `fmt.Sprintf("localhost/%s:e2e-%d", svc, time.Now().UnixNano())` when text_of gives `svc` the
    caller's `"shop-api"`): the whole text when it is fixed, else the repository when the fixed text
    reaches its tag."""
    found = _returned_image(run, function)
    if found is None:
        return None
    image = found[1]
    definition = values.reaching_definition(image, function)
    made = assigned_value(*definition) if definition is not None else image
    if made is None:
        return None
    prefix, whole = _fixed_prefix(unparen(made), text_of)
    if whole:
        return prefix or None
    last = prefix.rsplit("/", 1)[-1]
    if ":" not in last:
        return None  # the repository itself is not known
    return prefix[: len(prefix) - len(last)] + last.split(":", 1)[0] or None


def _fixed_prefix(made: Node, text_of: Callable[[Node], str | None]) -> tuple[str, bool]:
    """(the fixed text a reference starts with, is that all of it) for fixed text, a `+` of pieces
    or a `fmt.Sprintf` whose verbs take fixed text."""
    fixed = text_of(made)
    if fixed is not None:
        return fixed, True
    if made.type == "binary_expression":
        pieces = values.sum_pieces(made)
    elif made.type == "call_expression" and callee(made) == ("fmt", "Sprintf") and arguments(made):
        return _sprintf_prefix(arguments(made), text_of)
    else:
        return "", False
    prefix = ""
    for piece in pieces:
        part = text_of(piece)
        if part is None:
            return prefix, False
        prefix += part
    return prefix, True


def _sprintf_prefix(args: list[Node], text_of: Callable[[Node], str | None]) -> tuple[str, bool]:
    layout = text_of(args[0])
    if layout is None:
        return "", False
    prefix, rest, given = "", layout, iter(args[1:])
    while "%" in rest:
        before, rest = rest.split("%", 1)
        prefix += before
        verb, rest = rest[:1], rest[1:]
        if verb == "%":
            prefix += "%"
            continue
        argument = next(given, None)
        part = text_of(argument) if argument is not None and verb in ("s", "d", "v") else None
        if part is None:
            return prefix, False
        prefix += part
    return prefix + rest, True


def _returned_image(run: FlowRun, function: Function) -> tuple[int, Node] | None:
    """(the result index, the build's tag) of the variable a `return` hands back as it was built."""
    body = function.body
    if body is None or function.result_count == 0:
        return None
    returned = [
        results for statement in returns(body)
        if len(results := [unparen(v) for v in return_values(statement)]) == function.result_count
    ]
    names = {text(r) for results in returned for r in results if r.type == "identifier"} - _NO_IMAGE
    if not names:
        return None  # `return err`, `return nil`, a call: no variable that could hold a tag (most functions)
    built = [image for image in built_images(run, function) if image.type == "identifier" and text(image) in names]
    if not built:
        return None
    for results in returned:
        for index, result in enumerate(results):
            image = next((i for i in built if result.type == "identifier" and _same_variable(function, i, result)), None)
            if image is not None:
                return index, image
    return None


def returned_parameter(run: FlowRun, producer: ProducerRef, depth: int = 0) -> int | None:
    """The index of the parameter a producer returns as its image name (`build(tag) string`
    returning `tag`, or handing it to such a producer, `return build(tag)`), if it returns one:
    its caller holds the name when it passes a variable."""
    function = producer.wrapper
    if function is None or function.body is None or depth > 8:
        return None
    for statement in returns(function.body):
        results = [unparen(v) for v in return_values(statement)]
        if len(results) == 1 and results[0].type == "call_expression":
            result: Node | None = _passed_on(run, results[0], function, depth)
        else:
            result = results[producer.image_result] if producer.image_result < len(results) else None
        param = function.param(text(result)) if result is not None and result.type == "identifier" else None
        if param is not None and not any(is_write(use) for use in identifiers(function.body, param.name)):
            return param.index
    return None


def _passed_on(run: FlowRun, call: Node, function: Function, depth: int) -> Node | None:
    """The argument a `return inner(...)` hands to the parameter inner returns as its name."""
    inner = producers.producer(run, call, function.file)
    position = returned_parameter(run, inner, depth + 1) if inner is not None else None
    args = arguments(call)
    return unparen(args[position]) if position is not None and position < len(args) else None


def holds_name(argument: Node) -> bool:
    """Does the caller hold what it passes: a variable, a field, fixed text (not a value made in
    the call, such as a generator call or a `+` of parts)?"""
    argument = unparen(argument)
    return argument.type in ("identifier", "selector_expression", *STRING_TYPES)


def repeats_name(argument: Node) -> bool:
    """Is the argument text the caller can write again: a `+` or a `fmt.Sprintf` of fixed text,
    variables and fields (`fmt.Sprintf("gcr.io/acme/debug:%s", version)`), no call that makes a
    new value (a generator, a clock)?"""
    argument = unparen(argument)
    if argument.type == "binary_expression":
        operator = argument.child_by_field_name("operator")
        return operator is not None and text(operator) == "+" and all(holds_name(p) for p in values.sum_pieces(argument))
    if argument.type == "call_expression" and callee(argument) == ("fmt", "Sprintf"):
        args = arguments(argument)
        return bool(args) and unparen(args[0]).type in STRING_TYPES and all(holds_name(a) for a in args[1:])
    return False


def built_images(run: FlowRun, function: Function) -> list[Node]:
    """The image arguments of the builds the function runs: raw build commands, a command
    runner's build words, and the tag of a build helper's call."""
    found: list[Node] = []
    source = function.file.source
    raw = mentions(function, [b"exec.Command"])
    for call in calls_in(run, function):
        if raw and source.startswith(b"exec", call.start_byte):
            command = run_command_image(run, call, function)
        else:
            command = runner_command(run, call, function) or _helper_build(run, call)
        if command is not None and command.kind is ConsumerKind.BUILD:
            found.extend(command.images)
    return found


def seed_names(run: FlowRun) -> list[bytes]:
    """What a function that may return its build names: `exec.Command`, a command runner's
    name, or a build helper's."""
    names = {b"exec.Command", *(n.encode() for n in runner_names(run))}
    helpers = (*run.consumers.values(), *command_facts(run).consumers.values())
    names.update(c.name.encode() for c in helpers if c.kind is ConsumerKind.BUILD)
    return sorted(names)


def runner_names(run: FlowRun) -> frozenset[str]:
    """The names of the loaded command runners (settled per project generation)."""
    cached = run.rule_cache.get(_RUNNER_NAMES)
    if isinstance(cached, tuple) and cached[0] == run.project.generation:
        return cached[1]  # type: ignore[no-any-return]
    names = frozenset(
        f.name for f in list(run.project.functions())
        if f.body is not None and mentions(f, [b"exec.Command"]) and command_runner(run, f) is not None
    )
    run.rule_cache[_RUNNER_NAMES] = (run.project.generation, names)
    return names


def command_runner(run: FlowRun, function: Function) -> int | None:
    """The position of the tool parameter of a command runner: a function that runs
    `exec.Command(name, args...)` with its own `name string` and variadic `args ...string`, neither
    rewritten (`run(t, "docker", "build", "-t", tag)`): its callers' words start there."""
    runners: dict[int, int | None] = run.rule_cache.setdefault(_RUNNERS, {})  # type: ignore[assignment]
    key = id(function)
    if key not in runners:
        runners[key] = _tool_parameter(run, function)
    return runners[key]


def _tool_parameter(run: FlowRun, function: Function) -> int | None:
    last = function.params[-1] if function.params else None
    body = function.body
    if last is None or body is None or not last.type_text.startswith("...") or not mentions(function, [b"exec.Command"]):
        return None
    for call in calls_in(run, function):
        qualifier, name = callee(call)
        if qualifier != "exec" or name not in ("Command", "CommandContext"):
            continue
        args = arguments(call)[1 if name == "CommandContext" else 0 :]
        spread = args[1].named_children[0] if len(args) == 2 and args[1].type == "variadic_argument" and args[1].named_children else None
        tool = function.param(text(args[0])) if args and args[0].type == "identifier" else None
        if spread is None or text(spread) != last.name or tool is None or tool.type_text != "string":
            continue
        if not any(is_write(use) for name_ in (tool.name, last.name) for use in identifiers(body, name_)):
            return tool.index
    return None


def runner_command(run: FlowRun, call: Node, function: Function) -> Command | None:
    """The build or load a call of a command runner runs (`run(t, "docker", "build", "-t", tag)`)."""
    if callee(call)[1] not in runner_names(run):
        return None  # resolving every call would load the packages it names
    for target in run.project.resolve_call(call, function.file):
        position = command_runner(run, target)
        if position is None:
            continue
        words = spread_arguments(arguments(call)[position:], function)
        return command_words(words) if words else None
    return None


def _helper_build(run: FlowRun, call: Node) -> Command | None:
    """The tag a call of a build helper gives its build (`BuildImageWithTag(tag)`, `buildWithTag(tag)`)."""
    helper = producers.consumer(run, call)
    args = arguments(call)
    if helper is None or helper.kind is not ConsumerKind.BUILD or helper.image_arg >= len(args):
        return None
    return Command(ConsumerKind.BUILD, (unparen(args[helper.image_arg]),))


def _same_variable(function: Function, built: Node, returned: Node) -> bool:
    """Is the returned identifier the variable the build was tagged with, holding the same value?"""
    if text(built) != text(returned) or built.start_byte > returned.start_byte:
        return False
    at_build, at_return = values.reaching_definition(built, function), values.reaching_definition(returned, function)
    if at_build is None or at_return is None:  # no write before either: the parameter itself
        param = function.param(text(built))
        return at_build is None and at_return is None and param is not None and function.body is not None and not any(
            is_write(use) for use in identifiers(function.body, param.name)
        )
    return at_build[0].id == at_return[0].id and at_build[1] == at_return[1]


# -- helpers that build or load what their parameters name ------------------------------------

_HELPER_DEPTH = 3  # a chain of helpers over the configured consumers is short; a cycle is not
_HELPERS = ("parameter-build-helpers", 0)  # run.rule_cache key: id of function -> its build, or None

HelperBuild = tuple[ConsumerKind, Node | None]  # (build or load, the image argument of its first build)


def parameter_helper(run: FlowRun, function: Function, depth: int = 0) -> HelperBuild | None:
    """What a function does with an image its parameters name, when it hands a value made of one
    of them to a build or load (a configured consumer, a command helper, or such a helper):

        func BuildAndLoad(svc string, w io.Writer) error {
            if err := infrastructure.BuildImageWithTag(Ref(svc), w); err != nil { return err }
            return infrastructure.LoadImageToKind(Ref(svc), infrastructure.KindClusterName, w)
        }

    Its callers build and load an image: a test that calls it runs against a cluster. A
    function that returns the name it built is a producer instead (`returned_build`)."""
    if depth:  # inside another helper's reading: what the depth left out must not be kept
        return _parameter_helper(run, function, depth)
    helpers: dict[int, HelperBuild | None] = run.rule_cache.setdefault(_HELPERS, {})  # type: ignore[assignment]
    key = id(function)
    if key not in helpers:
        helpers[key] = None  # a recursive helper is no helper while it is being read
        helpers[key] = _parameter_helper(run, function, depth)
    return helpers[key]


def _parameter_helper(run: FlowRun, function: Function, depth: int) -> HelperBuild | None:
    body = function.body
    names = [p.name for p in function.params if p.name and p.name != "_"]
    if body is None or not names or depth > _HELPER_DEPTH or function.name in run.consumers or function.name in run.producers:
        return None
    seeds = [n.encode() for n in (*run.consumers, *(c.name for c in command_facts(run).consumers.values()))]
    if not mentions(function, [*seeds, b"exec.Command"]):
        return None  # a helper names what it hands the image to (and most functions name none)
    found: HelperBuild | None = None
    for call in calls_in(run, function):
        image = _handed_image(run, call, function, depth)
        if image is None or not _made_of_parameters(image[1], function, names):
            continue
        if image[0] is ConsumerKind.BUILD:
            return image
        found = found or (image[0], None)
    return found


def _handed_image(run: FlowRun, call: Node, function: Function, depth: int) -> tuple[ConsumerKind, Node] | None:
    """(build or load, the image argument) of a call of a consumer or of a helper over one."""
    args = arguments(call)
    field = _parameter_field_command(run, call, function)
    if field is not None:
        return field
    consumer = producers.consumer(run, call)
    if consumer is not None:
        if consumer.kind not in (ConsumerKind.BUILD, ConsumerKind.LOAD) or consumer.image_arg >= len(args):
            return None
        return consumer.kind, unparen(args[consumer.image_arg])
    if depth >= _HELPER_DEPTH or not args:
        return None
    for target in run.project.resolve_call(call, function.file):
        inner = parameter_helper(run, target, depth + 1) if target is not function else None
        if inner is not None:
            made = _argument_for(inner[1], target, args) if inner[1] is not None else None
            return (inner[0], made) if made is not None else None
    return None


def _parameter_field_command(run: FlowRun, call: Node, function: Function) -> tuple[ConsumerKind, Node] | None:
    """(build or load, the image) of a command that builds or loads a field of a struct parameter
    (`podman build -t s.Image`, `s ImageSpec`): such a helper takes its image in that field, as
    one that takes `image string` takes it in that parameter."""
    command = run_command_image(run, call, function)
    if command is None or command.kind not in (ConsumerKind.BUILD, ConsumerKind.LOAD):
        return None
    for image in command.images:
        operand = image.child_by_field_name("operand") if image.type == "selector_expression" else None
        if operand is not None and operand.type == "identifier" and function.param(text(operand)) is not None:
            return (command.kind, image) if _field_kept(function, text(operand)) else None
    return None


def _field_kept(function: Function, name: str) -> bool:
    """Does the body leave the struct parameter as its caller gave it: no write of it or of a
    field of it (`s.Image = "..."`), and no `&s` that another function could write through?"""
    for use in identifiers(function.body, name) if function.body is not None else []:
        holder = use.parent
        if is_write(use) or (holder is not None and holder.type == "unary_expression" and text(holder).startswith("&")):
            return False
        target = holder.parent if holder is not None and holder.type == "selector_expression" else None
        statement = target.parent if target is not None and target.type == "expression_list" else None
        if statement is not None and statement.type in ("assignment_statement", "inc_statement", "dec_statement") and statement.child_by_field_name("left") == target:
            return False
    return True


def _argument_for(image: Node, target: Function, args: list[Node]) -> Node | None:
    """The caller's argument for the parameter a helper's image is made of (its first one)."""
    for param in target.params:
        if param.index < len(args) and identifiers(image, param.name):
            return unparen(args[param.index])
    return None


def _made_of_parameters(image: Node, function: Function, names: list[str]) -> bool:
    """Is the image made of a parameter nothing in the body writes (`svc`, `Ref(svc)`)?"""
    body = function.body
    return body is not None and any(
        identifiers(image, name) and not any(is_write(use) for use in identifiers(body, name)) for name in names
    )


def helper_build_name(run: FlowRun, call: Node, function: Function) -> str | None:
    """The name a call of such a helper builds, from the fixed text the caller gives the
    parameters (`BuildAndLoad("basket", w)` over `BuildImageWithTag(Ref(svc))`, `Ref` making
    `fmt.Sprintf("localhost/%s:%s", svc, Tag())`): the whole reference when it is fixed, else
    its repository when the fixed text reaches the tag (`localhost/basket`)."""
    if not arguments(call) or callee(call)[1] in run.consumers:
        return None
    for target in run.project.resolve_call(call, function.file):
        helper = parameter_helper(run, target)
        if helper is None or helper[1] is None:
            continue
        bound = _bound(run, call, function, target, {})
        prefix, whole = _made_prefix(run, helper[1], target, bound, 0)
        if whole:
            return prefix or None
        last = prefix.rsplit("/", 1)[-1]
        return prefix[: len(prefix) - len(last)] + last.split(":", 1)[0] if ":" in last else None
    return None


Bound = dict[str, str | None]  # parameter -> the fixed text the caller gives it


def _bound(run: FlowRun, call: Node, caller: Function, target: Function, outer: Bound) -> Bound:
    args = arguments(call)
    bound: Bound = {}
    for param in target.params:
        if param.index < len(args) and not param.type_text.startswith("..."):
            argument = unparen(args[param.index])
            bound[param.name] = _text_of(run, argument, caller, outer)
            for key, value in _keyed_fields(argument).items():  # `ImageSpec{Image: "..."}` gives `s.Image`
                bound[f"{param.name}.{key}"] = _text_of(run, value, caller, outer)
    return bound


def _keyed_fields(argument: Node) -> dict[str, Node]:
    """The keyed fields of a composite literal argument (`&T{...}` too), by key."""
    if argument.type == "unary_expression" and text(argument).startswith("&") and argument.named_children:
        argument = unparen(argument.named_children[0])
    body = argument.child_by_field_name("body") if argument.type == "composite_literal" else None
    found = {}
    for element in body.named_children if body is not None else []:
        key, value = element.child_by_field_name("key"), element.child_by_field_name("value")
        held = value.named_children[0] if value is not None and value.type == "literal_element" and value.named_children else value
        if element.type == "keyed_element" and key is not None and held is not None:
            found[text(key)] = unparen(held)
    return found


def _text_of(run: FlowRun, node: Node, function: Function, bound: Bound) -> str | None:
    if node.type == "identifier" and text(node) in bound and not values.reaching_definition(node, function):
        return bound[text(node)]
    operand = node.child_by_field_name("operand") if node.type == "selector_expression" else None
    if operand is not None and operand.type == "identifier" and text(node) in bound and not values.reaching_definition(operand, function):
        return bound[text(node)]  # a field of a struct parameter the caller fills (`s.Image`)
    return run_fixed_text(run, node, function)


def run_fixed_text(run: FlowRun, node: Node, function: Function) -> str | None:
    return values.fixed_text(run, node, function.file, function)


def _whole_text(run: FlowRun, node: Node, function: Function, bound: Bound, depth: int) -> str | None:
    prefix, whole = _made_prefix(run, node, function, bound, depth)
    return prefix if whole else None


def _made_prefix(run: FlowRun, made: Node, function: Function, bound: Bound, depth: int) -> tuple[str, bool]:
    """(the fixed text a value starts with, is that all of it), through the caller's texts for
    the parameters, `+`, `fmt.Sprintf` and calls of functions that return one value."""
    made = unparen(made)
    fixed = _text_of(run, made, function, bound)
    if fixed is not None:
        return fixed, True
    if made.type == "identifier":
        definition = values.reaching_definition(made, function)
        value = assigned_value(*definition) if definition is not None else None
        return _made_prefix(run, value, function, bound, depth + 1) if value is not None and depth < 8 else ("", False)
    if made.type == "binary_expression":
        prefix = ""
        for piece in values.sum_pieces(made):
            part, whole = _made_prefix(run, piece, function, bound, depth + 1)
            prefix += part
            if not whole:
                return prefix, False
        return prefix, True
    if made.type != "call_expression" or depth >= 8:
        return "", False
    args = arguments(made)
    if callee(made) == ("fmt", "Sprintf") and args:
        return _sprintf_prefix(args, lambda node: _whole_text(run, node, function, bound, depth + 1))
    targets = run.project.resolve_call(made, function.file)
    if len(targets) != 1 or targets[0].body is None or targets[0].result_count != 1:
        return "", False
    returned = [return_values(s) for s in returns(targets[0].body)]
    if len(returned) != 1 or len(returned[0]) != 1:
        return "", False  # one `return` of one value: the text it makes is the call's
    return _made_prefix(run, returned[0][0], targets[0], _bound(run, made, function, targets[0], bound), depth + 1)
