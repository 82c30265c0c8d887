"""The four steps of the fix (capture, pass, parameter, use), worded with the names found in the
code: a finding's `steps`. (`--explain` renders a rule's docs, in `report/docs.py`.)"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from imagetag_lint.analysis.deployments import DeployCall, FixedSite
from imagetag_lint.analysis.discards import (
    DEFERRED_CLEAR,
    Discard,
    checking_wrapper,
    deferred_clear,
    overwrites,
    value_wrapper,
    wrapper_name,
)
from imagetag_lint.analysis.overwrites import overwrite_words
from imagetag_lint.engine.values import ranging_loop
from imagetag_lint.enums import SiteKind
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    STRING_TYPES,
    arguments,
    call_expressions,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    unparen,
)

if TYPE_CHECKING:
    from imagetag_lint.analysis.image_flow import ImageFlowIndex
    from imagetag_lint.analysis.mismatches import Mismatch


def call_name(call: Node) -> str:
    qualifier, name = callee(call)
    return f"{qualifier}.{name}" if qualifier else name


def called(call: Node) -> str:
    """The callee as a step quotes it in the call to write: `call_name`, with the type arguments the
    code gives it (`deploy.Build[svcOpts]`), which Go may not be able to infer."""
    written = wrapper_name(call)
    return written if written.endswith("]") else call_name(call)


def variable_for(build_name: str | None, target: Function | None) -> str:
    """`acme/data-storage` -> `dataStorageImage`; a deploy target `deployDataStorage` -> same."""
    base = ""
    if build_name:
        base = build_name.rsplit("/", 1)[-1].split(":", 1)[0]
    elif target is not None:
        base = re.sub(r"^(?:[Dd]eploy|[Cc]reate|[Aa]pply|[Ss]etup)", "", target.name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", base) if w]
    if not words or not words[0][0].isalpha():
        return "imageName"
    head, *tail = words
    return head.lower() + "".join(w[:1].upper() + w[1:].lower() for w in tail) + "Image"


def capture_step(
    variable: str,
    call: Node,
    how: str,
    in_goroutine: bool,
    carried: str | None = None,
    results: tuple[int, int] = (2, 0),
    kept: bool = False,
    own_if_error: bool = False,
) -> str:
    """`carried` is the outer variable a goroutine's name is handed out in (`<variable>Built`);
    `results` the builder's result count and which one is the image."""
    name = call_name(call)
    if kept and not in_goroutine:
        return f"capture: `{variable}` already holds the name `{name}` returns; deploy it instead of leaving it unread"
    if in_goroutine:
        written = _written_capture(variable, call, results)
        if goroutine_in_loop(call):
            return (
                f"capture: {written} inside the goroutine and send it in the "
                "result it reports (add a field to the result, set it at the send, read it at the "
                "receive): the goroutine is started in a loop, so one outer variable would keep only "
                "the last name written"
            )
        from imagetag_lint.repair.goroutine import closed_only

        channel = closed_only(call)
        reports = f"closes `{channel}`" if channel is not None else "sends its result (or calls `Done()`)"
        return (
            f"capture: {written} inside the goroutine and assign it to an outer "
            f"`var {carried or variable + 'Built'} string` declared before the `go` statement, before the goroutine "
            f"{reports}; read it only after the receive (or `Wait()`)"
        )
    wrapper = value_wrapper(call)
    if wrapper is not None and wrapper.parent is not None and wrapper.parent.type == "expression_statement":
        return (
            f"capture: `{variable} := {wrapper_name(wrapper)}({called(call)}(...))` instead of dropping the name "
            f"(`{wrapper_name(wrapper)}` still checks the error and returns the name)"
        )
    holder = call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if "`if` init" in how and statement is not None and statement.type == "assignment_statement":
        kept_form = _kept_assignment(statement, call, variable, results)
        return f"capture: `var {variable} string` before the `if`, then `{kept_form}` (it keeps its `=` and its condition)"
    context = statement.parent if statement is not None else None
    condition = context.child_by_field_name("condition") if context is not None and context.type == "if_statement" else None
    # the `if` keeps its own condition: quoted whole (it is what to write), on one line
    checked = excerpt(condition, width=len(condition.text or b"")) if condition is not None else "err != nil"
    if "`if` init" in how and own_if_error:  # the rest of the block has an `err` of its own
        return f"capture: hoist the call out of the `if`: `{variable}, buildErr := {called(call)}(...)`, then `if err := buildErr; {checked} {{`"
    if "`if` init" in how:
        return f"capture: hoist the call out of the `if`: `{variable}, err := {called(call)}(...)`, then `if {checked} {{`"
    holder = call.parent
    if holder is not None and holder.type == "expression_statement":
        # the repair names the image result and keeps ignoring the rest, as the statement did
        count, image = results
        targets = ["_"] * count
        targets[image if image < count else 0] = variable
        ignored = " (its other results stay ignored, as before)" if count > 1 else ""
        return f"capture: `{', '.join(targets)} := {called(call)}(...)` instead of dropping the name{ignored}"
    return f"capture: {_written_capture(variable, call, results)} instead of dropping the name"


def wrapped_capture(variable: str, call: Node, declare: str = ":=") -> str | None:
    """The capture of a build a statement hands whole to a helper that checks its error: the helper
    stays (it is the only error check), `name := must(Build(...))` when it returns the name, else
    `name, err := Build(...)` and then `check(name, err)`; None for a build not so wrapped."""
    wrapper = value_wrapper(call)
    if wrapper is not None and wrapper.parent is not None and wrapper.parent.type == "expression_statement":
        return f"`{variable} {declare} {wrapper_name(wrapper)}({called(call)}(...))`"
    checker = checking_wrapper(call)
    if checker is not None:
        return f"`{variable}, err := {called(call)}(...)`, then `{wrapper_name(checker)}({variable}, err)` in place of the statement (the error is still checked)"
    return None


def _written_capture(variable: str, call: Node, results: tuple[int, int]) -> str:
    """The capture as the repair writes it: the statement's own names, with the image's `_` named
    (`buildErr` stays `buildErr`); an assignment (`=`) gets the variable declared before it."""
    wrapped = wrapped_capture(variable, call)
    if wrapped is not None:
        return wrapped
    holder = call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    left = statement.child_by_field_name("left") if statement is not None else None
    if statement is None or left is None or statement.type not in ("assignment_statement", "short_var_declaration"):
        if holder is not None and holder.type == "expression_statement":
            count, image = results
            targets = ["_"] * count
            targets[image if image < count else 0] = variable
            return f"`{', '.join(targets)} := {called(call)}(...)`"
        return f"`{variable}, err := {called(call)}(...)`"
    targets = [text(n) for n in left.named_children]
    image = results[1] if results[1] < len(targets) else 0
    if targets[image] != "_":  # the name is kept (or overwritten): the capture is worded elsewhere
        return f"`{variable}, err := {called(call)}(...)`"
    targets[image] = variable
    if statement.type == "short_var_declaration":
        return f"`{', '.join(targets)} := {called(call)}(...)`"
    return f"`var {variable} string`, then `{', '.join(targets)} = {called(call)}(...)`"


def overwrite_of(index: ImageFlowIndex, discard: Discard) -> Node | None:
    """The assignment that overwrites the built name before any read with fixed text or a
    generated name (`img = "localhost/x:e2e"`, `img = GenerateImageName("x")`): the name is
    already kept; that line is what loses it."""
    function, target, statement = discard.function, discard.target, discard.statement
    if "overwritten" not in discard.how or function is None or function.body is None or target is None or statement is None:
        return None
    cleared = deferred_clear(target, statement) if discard.how == DEFERRED_CLEAR.format(name=text(target)) else None
    if cleared is not None:
        return cleared if overwrite_words(index, cleared) is not None else None
    for occurrence in identifiers(function.body, text(target)):
        if occurrence.start_byte < statement.end_byte or not is_write(occurrence) or not overwrites(occurrence, target, statement):
            continue
        holder = occurrence.parent
        write = holder.parent if holder is not None and holder.type == "expression_list" else None
        right = write.child_by_field_name("right") if write is not None else None
        if write is None or write.type != "assignment_statement" or right is None or holder is None:
            return None
        if holder.named_child_count != 1 or right.named_child_count != 1 or overwrite_words(index, write) is None:
            return None  # overwritten by another call (a second build): a new variable is right
        return write
    return None


def overwritten_steps(
    index: ImageFlowIndex,
    discard: Discard,
    deploy: DeployCall | None,
    here: tuple[FixedSite, ...],
    callers: int,
    parameter: str = "imageName",
) -> tuple[str, str, str, str] | None:
    """The steps when the built name is kept and then overwritten with fixed text or a generated
    name: delete the overwrite, and the deployment that reads the variable gets the built name."""
    write = overwrite_of(index, discard)
    if write is None or discard.target is None:
        return None
    name = text(discard.target)
    if discard.how == DEFERRED_CLEAR.format(name=name):
        owner = enclosing(write, ("function_declaration", "method_declaration"))
        declared = owner.child_by_field_name("name") if owner is not None else None
        returned_by = f"`{text(declared)}` returns" if declared is not None else "the function returns"
        return (
            (
                f"capture: the result `{name}` already gets the name `{call_name(discard.call)}` returns; delete "
                f"`{excerpt(write)}` (line {write.start_point.row + 1}), which a deferred closure runs after `return`, "
                f"overwriting the result with {overwrite_words(index, write)}"
            ),
            f"pass: {returned_by} `{name}` to its callers; step 1 leaves the built name in it",
            "parameter: none needed",
            "use: nothing to change in the callers: the result they get then holds the built name",
        )
    site = here[0] if here else None
    reads = site is not None and text(site.node) == name or deploy is not None and any(
        text(arg) == name for arg in arguments(deploy.call)
    )
    use = (
        f"use: nothing to change where `{name}` is deployed: it then holds the built name"
        if reads
        else use_step(deploy, site, name)
    )
    capture = (
        f"capture: `{name}` already holds the name `{call_name(discard.call)}` returns; delete "
        f"`{excerpt(write)}` (line {write.start_point.row + 1}), which overwrites it with {overwrite_words(index, write)}"
    )
    return (
        capture,
        pass_step(name, deploy, bool(here)),
        parameter_step(deploy, callers, bool(here), parameter),
        use,
    )


def goroutine_in_loop(call: Node) -> bool:
    """Is the call in a goroutine that its function starts inside a loop (one `go` per item)?"""
    go = enclosing(call, ("go_statement",))
    if go is None:
        return False
    owner = enclosing(go, FUNCTION_TYPES)
    loop = enclosing(go, ("for_statement",))
    return loop is not None and (owner is None or is_inside(loop, owner))


def pass_step(
    variable: str, deploy: DeployCall | None, deployed_here: bool = False, positions: Sequence[int] | None = None,
    build: Node | None = None,
) -> str:
    """positions: the image arguments the built name belongs in (`deployments.image_arguments`);
    build: the dropped build call, when the step is a drop's."""
    if deployed_here:
        return "pass: nothing to pass: this function deploys the image itself"
    if deploy is None:
        return f"pass: give `{variable}` to what deploys the image (no deployment of it was found: a deploy function, a manifest, a `helm --set`)"
    args = arguments(deploy.call)
    if positions is not None and not positions and sum(i < len(args) for i in deploy.image_params) > 1:
        return f"pass: call `{call_name(deploy.call)}` with `{variable}` for the image of the container that runs the build (it takes several)"
    for index in sorted(deploy.image_params) if positions is None else positions:
        if index < len(args):
            if text(args[index]) == variable:  # the stale local is reused: it will hold the built name
                return f"pass: `{call_name(deploy.call)}` already gets `{variable}`; step 1 makes it the built name"
            loop, passed = lookup_loop(args[index], deploy.function, build), excerpt(args[index])
            if loop is not None:
                return (
                    f"pass: `{call_name(deploy.call)}` gets `{passed}`, a lookup that serves every key the loop at line "
                    f"{loop.start_point.row + 1} walks: put `{variable}` in the entry of this build's service, never in place of `{passed}`"
                )
            return f"pass: call `{call_name(deploy.call)}` with `{variable}` instead of `{passed}`"
    return f"pass: call `{call_name(deploy.call)}(..., {variable})`"


def lookup_loop(argument: Node, function: Function, build: Node | None) -> Node | None:
    """The `range` loop whose variable keys the lookup an argument is (`images[svc]`), when the
    build runs outside it: one call there deploys every service the loop walks."""
    argument = unparen(argument)
    key = argument.child_by_field_name("index") if argument.type == "index_expression" else None
    key = unparen(key) if key is not None else None
    if build is None or key is None or key.type != "identifier":
        return None
    loop = ranging_loop(key, function)
    return loop if loop is not None and not is_inside(build, loop) else None


def new_parameter(index: ImageFlowIndex, target: Function, taken: set[str] | None = None) -> str:
    """The image parameter the repair adds to a deploy function: `imageName`, unless the function
    or its package already uses that name, or taken holds it (then `imageName2`, as the fix
    writes)."""
    from imagetag_lint.repair.names import fresh_name
    from imagetag_lint.repair.plan import CannotFix

    try:
        return fresh_name(index, "imageName", target, taken)
    except CannotFix:
        return "imageName"


def parameter_step(
    deploy: DeployCall | None, callers: int, deployed_here: bool = False, name: str = "imageName", others: Sequence[Function] = ()
) -> str:
    """`name` is the parameter the fix adds (`imageName`, or `imageName2` where that is taken);
    `others` the target's other definitions (one per build constraint), which take it too."""
    if deployed_here:
        return "parameter: none needed"
    if deploy is None:
        return "parameter: if a function of yours deploys it, add an `imageName string` parameter to it and update every caller"
    target = deploy.target
    if deploy.image_params:
        names = ", ".join(f"`{p.name}`" for p in target.params if p.index in deploy.image_params)
        return f"parameter: `{target.name}` already takes the image ({names}); keep it"
    where = ", ".join(f"{f.file.filename}:{f.node.start_point.row + 1}" for f in (target, *others))
    # an exported function's callers in other packages are not counted
    sites = "every call site" if target.exported else "its call site" if callers == 1 else f"all {callers} call sites"
    each = f"each definition of `{target.name}` (one per build constraint: {where})" if others else f"`{target.name}` ({where})"
    return f"parameter: add `{name} string` to {each} and update {sites}"


def other_definitions(index: ImageFlowIndex, target: Function) -> list[Function]:
    """The other definitions of a function in its package: one per build constraint or
    `_linux.go` suffix (Go compiles one of them; the linter reads them all)."""
    package = index.project.complete_package(target.file)
    kind = _receiver_type(target)
    return [f for f in package.functions.get(target.name, []) if f is not target and _receiver_type(f) == kind]


def receiver_of(function: Function) -> tuple[str, str] | None:
    """(name, type) of a method's receiver (`(s *Suite)` gives `s`, `Suite`); None for a function."""
    found = _RECEIVER.match(function.receiver or "")
    return (found.group(1), found.group(2)) if found is not None else None


def _receiver_type(function: Function) -> str | None:
    """The type a method is declared on (`(s *T)` and `(c T)` both give `T`); None for a function."""
    if function.receiver is None:
        return None
    found = _RECEIVER.match(function.receiver)
    return found.group(2) if found is not None else function.receiver


def use_step(deploy: DeployCall | None, site: FixedSite | None, name: str = "imageName") -> str:
    if site is None and deploy is not None and len({s.image for s in deploy.fixed if s.local}) > 1:
        return (
            f"use: `Image: {name}` in the container of `{deploy.target.name}` that runs the built image "
            "(it deploys several fixed images; the others are not this build's)"
        )
    if site is None and deploy is not None and deploy.fixed:
        site = deploy.fixed[0]
    if site is None:
        if deploy is not None and deploy.image_params:
            return f"use: `{deploy.target.name}` already deploys its image parameter"
        return "use: deploy that name (`Image: imageName`, a manifest's `image:` line, a chart value) in place of the fixed image"
    if site.kind is SiteKind.YAML and site.function is None:  # a package-level constant holds the manifest
        return f"use: make the manifest a template (`image: %s`) and format {name} into it instead of `{site.image}`"
    if site.kind is SiteKind.YAML:
        return f"use: put {name} on the manifest's `image:` line instead of `{site.image}`"
    if site.kind is SiteKind.DEPLOY_ARG:
        return f"use: pass `{name}` instead of `{excerpt(site.node)}`"
    if site.kind is SiteKind.COMMAND_ARG:
        return f"use: put `{name}` in the command instead of `{site.image}`"
    return f"use: `Image: {name}` instead of `{excerpt(site.node)}`"


def stale_steps(stale: Sequence[Mismatch], variable: str) -> tuple[str, str, str]:
    """The pass, parameter and use steps of a drop whose own function deploys another reference
    (a parameter, a fresh generator call): the fix deploys the captured name there."""
    first = stale[0].sink
    old = excerpt(first.expr)
    more = f" (and in the {len(stale) - 1} other places it deploys another reference)" if len(stale) > 1 else ""
    if first.kind == "field":
        use = f"use: `Image: {variable}` instead of `{old}`{more}"
    elif first.kind == "load-arg":
        use = f"use: load `{variable}` instead of `{old}`{more}"
    else:
        use = f"use: pass `{variable}` instead of `{old}`{more}"
    unread = f"; `{old}` is then no longer deployed" if first.expr.type == "identifier" else ""
    return (
        "pass: nothing to pass: this function deploys the image itself",
        f"parameter: none needed{unread}",
        use,
    )


BLOCKS = ("block", "statement_list")


def _capture_scope(discard: Discard) -> tuple[Node, Node] | None:
    """(statement, block): where the name a capture in place declares is readable, from the
    statement on inside its block; None when no capture in place can be read after it (a build
    in an `else if` init, which cannot be hoisted: it runs only when the branches before it are
    not taken)."""
    statement = discard.statement or enclosing(discard.call, ("expression_statement",))
    if statement is None:
        return None
    if statement.parent is not None and statement.parent.type == "if_statement":
        statement = statement.parent  # the `if` a capture hoists its init out of
        if statement.parent is not None and statement.parent.type == "if_statement":
            return None
    block = statement.parent
    if block is None or block.type not in BLOCKS:
        return None
    return statement, block


def out_of_reach(discard: Discard, site: FixedSite) -> Node | None:
    """The statement, in the innermost block that holds both the build and the deployment,
    before which a variable must be declared for the deployment to read the built name, when
    a capture in place is out of the deployment's scope (a build in one setup closure and the
    deployment in the next, in an `else if` init, in a block the deployment comes after);
    None when the capture reaches it."""
    return out_of_reach_of(discard, site.node)


def out_of_reach_of(discard: Discard, deployment: Node) -> Node | None:
    """`out_of_reach` for any node that deploys (a deploy call after an errgroup's `g.Wait()`)."""
    scope = _capture_scope(discard)
    if scope is not None:
        statement, block = scope
        if is_inside(deployment, block) and deployment.start_byte >= statement.start_byte:
            return None
    node: Node | None = discard.call
    while node is not None and node.parent is not None:
        holder = node.parent
        if holder.type in ("function_declaration", "method_declaration"):
            return None  # nothing holds both (closures are crossed: a variable around them is shared)
        if holder.type in BLOCKS and is_inside(deployment, holder):
            return node if node.start_byte < deployment.start_byte else None
        node = holder
    return None


def reassigned_fixed(discard: Discard, site: FixedSite) -> Node | None:
    """The assignment `img = "localhost/x:e2e"` after the build, where a capture in place reaches,
    that gives the local the deployment reads its fixed text (the fallback of an environment
    variable: `img := os.Getenv(...)`, `if img == "" { build; img = "..." }`)."""
    function, scope = discard.function, _capture_scope(discard)
    if function is None or function.body is None or scope is None or site.node.type != "identifier":
        return None
    statement, block = scope
    for occurrence in identifiers(function.body, text(site.node)):
        write = occurrence.parent.parent if occurrence.parent is not None else None
        if not is_write(occurrence) or write is None or write.type != "assignment_statement":
            continue
        if not is_inside(write, block) or write.start_byte < statement.end_byte or write.start_byte > site.node.start_byte:
            continue
        right = write.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(values) == 1 and values[0].type in STRING_TYPES and text(values[0]).strip("\"`") == site.image:
            return values[0]
    return None


def reach_steps(discard: Discard, site: FixedSite, variable: str) -> tuple[str, str, str, str] | None:
    """The steps of a drop whose deployment a name captured in place could not reach (a result
    dropped to `_` or by a bare call: a kept name overwritten has steps of its own)."""
    if discard.target is not None and text(discard.target) != "_":
        return None
    fixed = reassigned_fixed(discard, site)
    if fixed is not None:
        local = text(site.node)
        return (
            capture_step(variable, discard.call, discard.how, False),
            f"pass: nothing to pass: the deployment reads `{local}`",
            "parameter: none needed",
            (
                f"use: `{local} = {variable}` instead of `{local} = {text(fixed)}` (line {fixed.start_point.row + 1}), "
                f"so `{local}` keeps any value it had before"
            ),
        )
    holder = out_of_reach(discard, site)
    if holder is None and _capture_scope(discard) is not None:
        return None
    line = (holder or discard.call).start_point.row + 1
    where = f"line {site.node.start_point.row + 1}"
    if _capture_scope(discard) is None:  # an `else if`
        capture = (
            f"capture: declare `var {variable} string` before the `if` chain at line {line}; the `else if` "
            f"cannot be hoisted (its build runs only when the branches before it are not taken): name the "
            f"result there (`built, err := {called(discard.call)}(...)`) and set `{variable} = built` in an `else` branch of it (where `err` is nil)"
        )
        use = f"{use_step(None, site, variable)}; where the build does not run, set `{variable}` to the image to deploy there"
    else:
        capture = (
            f"capture: declare `var {variable} string` before line {line}, where both the build and the "
            f"deployment at {where} can read it, and assign the builder's result to it at the build"
        )
        use = use_step(None, site, variable)
    return (capture, f"pass: nothing to pass: the deployment reads `{variable}`", "parameter: none needed", use)


def group_launch(call: Node) -> Node | None:
    """The statement `g.Go(func() error {...})` whose closure (the innermost function around the
    call) runs it: an errgroup's fan-out, whose `g.Wait()` returns after every closure returned."""
    closure = enclosing(call, FUNCTION_TYPES)
    arguments_node = closure.parent if closure is not None and closure.type == "func_literal" else None
    launch = arguments_node.parent if arguments_node is not None and arguments_node.type == "argument_list" else None
    if launch is None or launch.type != "call_expression" or callee(launch)[1] != "Go" or callee(launch)[0] is None:
        return None
    statement = launch.parent
    return statement if statement is not None and statement.type == "expression_statement" else None


def grouped_launch(discard: Discard, deployment: Node) -> Node | None:
    """The `g.Go(...)` statement of the build's closure, when it is what keeps a name captured in
    place from the deployment after it (read after `g.Wait()`)."""
    holder = out_of_reach_of(discard, deployment)
    launch = group_launch(discard.call) if holder is not None else None
    if launch is None or holder is None or (launch.start_byte, launch.end_byte) != (holder.start_byte, holder.end_byte):
        return None
    return launch


def group_capture_step(variable: str, carried: str, call: Node, results: tuple[int, int], launch: Node, wait: str | None) -> str:
    """The capture of a build in an errgroup closure whose deployment comes after `g.Wait()`."""
    after = f"`{wait}`" if wait else "the group's `Wait()`"
    return (
        f"capture: {_written_capture(variable, call, results)} inside the closure and assign it to an outer "
        f"`var {carried} string` declared before the `{call_name(launch.named_children[0])}` at line "
        f"{launch.start_point.row + 1}, before the closure returns; read it only after {after}"
    )


def closure_out_of_reach(discard: Discard, deploy: DeployCall | None) -> Node | None:
    """The statement before which the name must be declared when the build is in a closure handed
    to a call (`g.Go(func() error {...})`, a step of a runner) and the deploy call comes after it,
    out of the closure's reach."""
    closure = enclosing(discard.call, FUNCTION_TYPES)
    if deploy is None or closure is None or closure.type != "func_literal" or is_inside(deploy.call, closure):
        return None
    if closure.parent is None or closure.parent.type != "argument_list":
        return None  # a closure held in a variable may run many times: one outer name keeps the last
    return out_of_reach_of(discard, deploy.call)


def declared_before_step(discard: Discard, holder: Node, deployment: Node, variable: str) -> str:
    """The capture step of a build in a closure whose deployment comes after the statement that
    holds the closure (`g.Go(func() error {...})`, then `g.Wait()` and the deploy call)."""
    line, where = holder.start_point.row + 1, deployment.start_point.row + 1
    waited = waited_for(holder, deployment)
    after = f"; the deployment reads it after `{waited}`, which waits for the closure" if waited else ""
    return (
        f"capture: declare `var {variable} string` before line {line}, where both the build and the "
        f"deployment at line {where} can read it, and assign the builder's result to it at the build "
        f"(`{variable}, err = {called(discard.call)}(...)`, with `err` declared there){after}"
    )


def nested_holder(discard: Discard, deployment: Node) -> Node | None:
    """The statement (a `for`, an `if`) around a dropped build that keeps a name captured at the
    build from the deployment after it, in the same function: the name is declared before it."""
    if discard.target is not None and text(discard.target) != "_":
        return None  # a kept name: its own steps
    if enclosing(discard.call, FUNCTION_TYPES) != enclosing(deployment, FUNCTION_TYPES):
        return None  # a closure's build: the closure steps say where the name goes
    return out_of_reach_of(discard, deployment)


def nested_out_of_reach(discard: Discard, deployment: Node) -> Node | None:
    """`nested_holder` for a build assigned with `=`, which the repair can name in place: the
    assignment keeps `=` (a `:=` there would declare an `err` that hides the one read after)."""
    statement = discard.statement
    if statement is None or statement.type != "assignment_statement":
        return None
    return nested_holder(discard, deployment)


def reads_the_capture(index: ImageFlowIndex, discard: Discard, deploy: DeployCall, call: Node) -> bool:
    """Is call, another call of the helper the drop's deploy call calls, one that can read the
    name captured at the build as that deploy call does: after the build's statement, in the
    block a capture in place declares the name in (`go deploy(...)`, then `return deploy(...)`)?
    The parameter step hands it the built name, not the fixed text. Not when the name leaves a
    goroutine, a closure or a loop around the build (it is declared before them and set later),
    when a kept name lives only in its `if`, nor for another drop's deploy call (its own fix
    passes its own name)."""
    from imagetag_lint.analysis.defects import dropped_builds
    from imagetag_lint.analysis.pairing import in_goroutine

    scope = _capture_scope(discard)
    if scope is None or in_goroutine(discard.call) or closure_out_of_reach(discard, deploy) is not None:
        return False
    if grouped_launch(discard, deploy.call) is not None or nested_holder(discard, deploy.call) is not None:
        return False
    statement, block = scope
    kept = discard.target is not None and text(discard.target) != "_"
    if kept and statement.type == "if_statement":
        return False  # `if img, err := build(); ...`: `img` ends with the `if`
    if not is_inside(call, block) or call.start_byte < statement.end_byte:
        return False
    return not any(d.discard is not discard and d.deploy is not None and d.deploy.call.id == call.id for d in dropped_builds(index, discard.file))


def build_runs_in_loop(discard: Discard, holder: Node, bare: bool = False) -> bool:
    """Does the loop `holder` run the build before it ends: a loop that runs at least once (`for {`,
    `for i := 0; i < 3; i++`), with the build's statement in its body after nothing that can skip
    it (`break`, `continue`, `goto`)? Then the name declared before it is set after it. `bare`
    counts a build that is a statement of its own (`must(F())`), which only the steps set by hand."""
    statement = discard.statement or (enclosing(discard.call, ("expression_statement",)) if bare else None)
    if holder.type != "for_statement" or statement is None or not _runs_at_least_once(holder):
        return False
    if statement.parent is not None and statement.parent.type == "if_statement":
        statement = statement.parent
    body = holder.child_by_field_name("body")
    block = statement.parent
    if block is None or body is None or (block != body and block.parent != body):
        return False
    earlier = [n for n in block.named_children if n.end_byte <= statement.start_byte]
    return not any(re.search(r"\b(?:break|continue|goto)\b", text(n)) for n in earlier)


def _runs_at_least_once(loop: Node) -> bool:
    """`for {`, `for i := 0; i < 3; i++` (literal bounds), `for range 3` (Go 1.22) or a `range`
    over a list literal with elements written in the `for`: the body runs at least once."""
    body = loop.child_by_field_name("body")
    header = [n for n in loop.named_children if n != body and n.type != "comment"]
    if not header:
        return True
    clause = header[0]
    if clause.type == "range_clause":
        return _nonempty_range(clause.child_by_field_name("right"))
    init, condition = clause.child_by_field_name("initializer"), clause.child_by_field_name("condition")
    if clause.type != "for_clause" or init is None or condition is None:
        return False
    start = re.fullmatch(r"(\w+)\s*:=\s*(\d+)", text(init))
    end = re.fullmatch(r"(\w+)\s*(<=?)\s*(\d+)", text(condition))
    if start is None or end is None or start.group(1) != end.group(1):
        return False
    first, last = int(start.group(2)), int(end.group(3))
    return first < last or end.group(2) == "<=" and first == last


def _nonempty_range(ranged: Node | None) -> bool:
    """`3` (a positive integer literal), `[]string{"a"}` (a slice or array literal with an element)."""
    if ranged is None:
        return False
    if ranged.type == "int_literal":
        try:
            return int(text(ranged), 0) > 0  # Python reads Go's integer literals but an old-style octal
        except ValueError:
            return False
    kind = ranged.child_by_field_name("type") if ranged.type == "composite_literal" else None
    elements = ranged.child_by_field_name("body") if kind is not None and kind.type in ("slice_type", "array_type", "implicit_length_array_type") else None
    return elements is not None and any(e.type in ("literal_element", "keyed_element") for e in elements.named_children)


def construct(statement: Node) -> str:
    """`the `for` at line 23`: how the steps name the statement a name is declared before."""
    keyword = {"for_statement": "for", "if_statement": "if", "expression_switch_statement": "switch", "select_statement": "select"}
    word = keyword.get(statement.type)
    where = f"line {statement.start_point.row + 1}"
    return f"the `{word}` at {where}" if word else where


def nested_capture_step(discard: Discard, holder: Node, deployment: Node, variable: str, results: tuple[int, int]) -> str:
    """The capture of a build assigned with `=` inside a loop or a branch (a retry loop), whose
    deployment comes after it: the name is declared before that statement, and the assignment
    keeps its `=` and its `if` keeps its condition, so the error read after it is still the one set."""
    statement = discard.statement
    unset = "" if build_runs_in_loop(discard, holder, bare=True) else (
        f"; {construct(holder)} can reach the deployment without running this build: set `{variable}` on those paths too"
    )
    declared = (
        f"capture: declare `var {variable} string` before {construct(holder)}, where the deployment at line "
        f"{deployment.start_point.row + 1} can read it"
    )
    wrapped = wrapped_capture(variable, discard.call, declare="=")
    if statement is None and wrapped is not None and value_wrapper(discard.call) is not None:
        return f"{declared}, and set it at the build: {wrapped}{unset}"
    if statement is None and wrapped is not None:  # a helper that checks the error and returns nothing
        wrapped = wrapped_capture("built", discard.call)
        return f"{declared}, and set it at the build: {wrapped}, and write `{variable} = built` after it{unset}"
    if statement is None or statement.type != "assignment_statement":  # `:=` or a bare call: a new name there
        return (
            f"{declared}, and set it at the build: name the result there (`built, err := {called(discard.call)}(...)`) "
            f"and write `{variable} = built` where `err` is nil (`{variable}, err := ...` there would declare another "
            f"`{variable}` inside {construct(holder)}){unset}"
        )
    return (
        f"{declared}, and keep the assignment as it is: `{_kept_assignment(statement, discard.call, variable, results)}` "
        f"(`=`, not `:=`, which would declare names that hide the ones read after it){unset}"
    )


def _kept_assignment(statement: Node, call: Node, variable: str, results: tuple[int, int]) -> str:
    """`if name, err = F(...); err == nil {`: an assignment (`=`) with the image's `_` named, and
    the condition of the `if` whose init it is."""
    left = statement.child_by_field_name("left")
    targets = [text(n) for n in left.named_children] if left is not None else []
    image = results[1] if results[1] < len(targets) else 0
    if targets:
        targets[image] = variable
    written = f"{', '.join(targets)} = {called(call)}(...)"
    context = statement.parent
    condition = context.child_by_field_name("condition") if context is not None and context.type == "if_statement" else None
    return f"if {written}; {text(condition)} {{" if condition is not None else written


def waited_for(holder: Node, deployment: Node) -> str | None:
    """The `g.Wait()` between the statement that starts the closure (`g.Go(...)`) and the deployment."""
    call = holder.named_children[0] if holder.type == "expression_statement" and holder.named_child_count else None
    if call is None or call.type != "call_expression" or callee(call)[1] != "Go":
        return None
    block = holder.parent
    for statement in block.named_children if block is not None else ():
        if holder.end_byte <= statement.start_byte < deployment.start_byte:
            for node in _calls_outside_closures(statement):
                if callee(node)[1] == "Wait":
                    return text(node)
    return None


def _calls_outside_closures(node: Node) -> list[Node]:
    """The calls in a node, closures excluded, in source order."""
    found: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "func_literal":
            continue
        if current.type == "call_expression":
            found.append(current)
        stack.extend(reversed(current.named_children))
    return found


def reach_reason(discard: Discard, site: FixedSite, variable: str) -> str | None:
    """Why the repair leaves such a drop to a person, in the words of its steps."""
    steps = reach_steps(discard, site, variable)
    if steps is None:
        return None
    return f"the deployment at line {site.node.start_point.row + 1} cannot read a name captured at the build; " + "; then ".join(
        step.split(": ", 1)[1] for step in (steps[0], steps[3])
    )


_RECEIVER = re.compile(r"\(\s*(\w+)\s+\*?\s*(\w+)")


def suite_method_steps(index: ImageFlowIndex, site: FixedSite, repository: str) -> tuple[str, str, str, str] | None:
    """The steps for a testify suite's `Test...` method (a method of a struct that embeds
    `suite.Suite`): `suite.Run` calls it by reflection, so it has no callers in the code and can
    take no parameter; it reads the name from a field of the suite, which `SetupSuite` sets."""
    function = site.function
    receiver = _RECEIVER.match(function.receiver or "") if function is not None else None
    if function is None or receiver is None or not function.name.startswith("Test"):
        return None
    variable, type_name = receiver.groups()
    if not _is_suite(index, function, type_name):
        return None
    kept = _suite_field(index, index.project.complete_package(function.file).functions.values(), type_name)
    no_parameter = f"parameter: none (testify calls `{function.name}` by reflection: it takes no parameters)"
    if kept is not None:
        setter, field = kept
        return (
            f"capture: `{setter}` already keeps the built name in the suite field `{variable}.{field}`",
            f"pass: nothing to pass: `{function.name}` reads `{variable}.{field}`",
            no_parameter,
            f"use: `Image: {variable}.{field}` instead of `{excerpt(site.node)}`",
        )
    name = _free_field(index, function, type_name, "builtImage")
    return (
        (
            f"capture: keep the name the builder returns for `{repository}` on the suite: a new field "
            f"(`{variable}.{name}`) that `SetupSuite` sets from the build"
        ),
        f"pass: nothing to pass: `{function.name}` reads `{variable}.{name}`",
        no_parameter,
        f"use: `Image: {variable}.{name}` instead of `{excerpt(site.node)}`",
    )


def _free_field(index: ImageFlowIndex, function: Function, type_name: str, fallback: str) -> str:
    """`image`, the field name the steps suggest for the built name, unless the suite's struct
    already has a field of that name (holding another image, perhaps): then fallback."""
    body = re.compile(rb"type\s+" + type_name.encode() + rb"\s+struct\s*\{([^}]*)\}")
    for file in index.project.complete_package(function.file).files:
        found = body.search(file.source)
        if found is not None and re.search(rb"(?m)^\s*(?:\w+\s*,\s*)*image\b", found.group(1)):
            return fallback
    return "image"


def _is_suite(index: ImageFlowIndex, function: Function, type_name: str) -> bool:
    """Is the type a testify suite (a struct of the function's package that embeds `suite.Suite`)?"""
    embeds = re.compile(rb"type\s+" + type_name.encode() + rb"\s+struct\s*\{[^}]*\bsuite\.Suite\b")
    return any(embeds.search(file.source) for file in index.project.complete_package(function.file).files)


def suite_drop_steps(index: ImageFlowIndex, function: Function | None, variable: str) -> tuple[str, str, str] | None:
    """The pass, parameter and use steps of a drop in a testify suite's method (`SetupSuite`)
    that deploys nothing itself: the suite's test methods, called by reflection, read the name
    from a field of the suite."""
    receiver = _RECEIVER.match(function.receiver or "") if function is not None else None
    if function is None or receiver is None or not _is_suite(index, function, receiver.group(2)):
        return None
    field = f"{receiver.group(1)}.{_free_field(index, function, receiver.group(2), variable)}"
    return (
        f"pass: keep it on the suite: `{field} = {variable}` (add it as a `string` field of `{receiver.group(2)}`)",
        "parameter: none (testify calls the suite's methods by reflection: they take no parameters)",
        f"use: `Image: {field}` in the test methods that deploy the image",
    )


def suite_tests(index: ImageFlowIndex, function: Function) -> list[Function]:
    """The `Test...` methods of the testify suite a method (`SetupSuite`) belongs to, else none."""
    receiver = _RECEIVER.match(function.receiver or "")
    if receiver is None or not _is_suite(index, function, receiver.group(2)):
        return []
    package = index.project.complete_package(function.file)
    return [
        method for group in package.functions.values() for method in group
        if method.name.startswith("Test") and _receiver_type(method) == receiver.group(2)
    ]


def _suite_field(index: ImageFlowIndex, groups: Iterable[list[Function]], type_name: str) -> tuple[str, str] | None:
    """(method, field) where a method of the suite type that builds stores a name in a field."""
    for group in groups:
        for method in group:
            receiver = _RECEIVER.match(method.receiver or "")
            if receiver is None or receiver.group(2) != type_name or method.body is None or not index.builds(method):
                continue
            body = text(method.body)
            for name in _built_names(index, method):
                stored = re.search(rf"\b{receiver.group(1)}\.(\w+)\s*=\s*{name}\s*$", body, re.MULTILINE)
                if stored is not None:
                    return method.name, stored.group(1)
    return None


def _built_names(index: ImageFlowIndex, function: Function) -> list[str]:
    """The locals a function's builds assign their results to (`img, err := Build(...)`)."""
    names: list[str] = []
    for call in index.calls_in(function):
        if index.producer(call, function.file) is None or call.parent is None or call.parent.type != "expression_list":
            continue
        statement = call.parent.parent
        left = statement.child_by_field_name("left") if statement is not None else None
        names.extend(text(n) for n in (left.named_children if left is not None else []) if n.type == "identifier" and text(n) not in ("_", "err"))
    return names


def named(function: Function) -> str:
    """A function as the steps name it: `Setup`, or the `BeforeSuite` closure at line 15."""
    label, at, line = function.name.partition(" at line ")
    return f"the `{label}` closure at line {line}" if function.node.type == "func_literal" and at else f"`{function.name}`"


def run_by_go_test(function: Function) -> bool:
    """Is the function a test `go test` calls (`func TestX(t *testing.T)` in a `_test.go` file)?
    It has no callers in the code, so no step gives it a parameter."""
    if function.receiver is not None or function.node.type != "function_declaration":
        return False
    if not function.file.filename.endswith("_test.go") or not function.name.startswith("Test") or function.name == "TestMain":
        return False
    parameters = function.node.child_by_field_name("parameters")
    return parameters is not None and b"*testing.T" in (parameters.text or b"")


def before_the_tests(setter: Function, build: Node) -> bool:
    """Is the build in `TestMain`, before its `m.Run()` (which runs the tests), outside any closure?"""
    if setter.name != "TestMain" or setter.receiver is not None or setter.body is None:
        return False
    if enclosing(build, FUNCTION_TYPES) != setter.node:
        return False
    runs = [call for call in call_expressions(setter.body, setter.file.source) if callee(call)[1] == "Run" and callee(call)[0] is not None]
    return bool(runs) and all(build.end_byte <= run.start_byte for run in runs)


# Ginkgo's nodes that run once before the specs, those that run before each spec of their
# container, and the spec bodies that run after them
_SUITE_SETUP = frozenset({"BeforeSuite", "SynchronizedBeforeSuite", "BeforeAll"})
_EACH_SETUP = frozenset({"BeforeEach", "JustBeforeEach"})
_SPECS = frozenset({"It", "FIt", "Specify", "FSpecify", "Entry", "FEntry", "DescribeTable", "BeforeEach", "JustBeforeEach"})


def _node_label(function: Function) -> str | None:
    """`It` for the closure of `It("...", func() {...})` (also `ginkgo.It`); None for a declaration."""
    if function.node.type != "func_literal":
        return None
    label, at, _ = function.name.partition(" at line ")
    return label.rsplit(".", 1)[-1] if at else None


def is_suite_setup(function: Function) -> bool:
    """Does the closure run before specs: a suite node (`BeforeSuite`, `BeforeAll`), or a
    `BeforeEach` (`JustBeforeEach`), before each spec of its container?"""
    label = _node_label(function)
    return label in _SUITE_SETUP or label in _EACH_SETUP


def setup_reach(function: Function) -> Node | None:
    """The container whose specs a `BeforeEach` runs before (the closure of the `Describe` around
    it); None for a suite node, or a `BeforeEach` at the top of the file: every spec of the package."""
    if _node_label(function) not in _EACH_SETUP or function.node.parent is None:
        return None
    return enclosing(function.node.parent, ("func_literal",))


def setup_label(function: Function) -> str:
    """`BeforeSuite`, `BeforeEach`...: the Ginkgo node a setup closure is the body of."""
    return _node_label(function) or function.name


def is_spec(function: Function) -> bool:
    return _node_label(function) in _SPECS


def on_process_one_only(function: Function) -> bool:
    """Is the closure the first function of `SynchronizedBeforeSuite`? Under `ginkgo -p` it runs on
    process 1 alone: a package variable it sets stays "" on the other processes."""
    arguments = function.node.parent
    return (
        _node_label(function) == "SynchronizedBeforeSuite" and arguments is not None
        and arguments.type == "argument_list" and arguments.named_children[:1] == [function.node]
    )


PROCESS_ONE = (
    "the first function of `SynchronizedBeforeSuite` runs on process 1 alone (`ginkgo -p`): "
    "a package variable it sets is empty on the other processes"
)


def _returned(function: Node) -> list[Node]:
    """The values a function's own `return` statements return (its closures' aside), `nil` aside."""
    found: list[Node] = []
    body = function.child_by_field_name("body")
    stack = [body] if body is not None else []
    while stack:
        current = stack.pop()
        if current.type == "func_literal":
            continue
        if current.type == "return_statement":
            found.extend(v for n in current.named_children for v in (n.named_children if n.type == "expression_list" else [n]) if text(v) != "nil")
            continue
        stack.extend(reversed(current.named_children))
    return found


def _encoded(value: Node, function: Node) -> tuple[str, bool] | None:
    """(`built`, is it a map) when the returned value is a local set by `json.Marshal(built)`."""
    if value.type != "identifier":
        return None
    source = text(function)
    marshal = re.search(rf"\b{re.escape(text(value))}\s*,\s*\w+\s*:?=\s*json\.Marshal\(\s*(\w+)\s*\)", source)
    if marshal is None:
        return None
    encoded = marshal.group(1)
    is_map = re.search(rf"\b{re.escape(encoded)}\s*:?=\s*(?:make\(\s*)?map\[", source) is not None
    return encoded, is_map


def _closure_hand_off(discard: Discard, function: Function, variable: str) -> tuple[str, str]:
    """(what the steps add, the local that carries the name) when the build runs in a closure
    inside the setup function (a `g.Go` closure): the name must be carried out of it first."""
    closure = enclosing(discard.call, FUNCTION_TYPES)
    if closure is None or closure == function.node:
        return "", variable
    local = variable + "Built"
    launch = group_launch(discard.call)
    if launch is not None:
        statements = [function.node.child_by_field_name("body")]
        while statements[-1] is not None and statements[-1].type in BLOCKS and statements[-1].named_child_count:
            statements.append(statements[-1].named_children[-1])
        last = statements[-1] or launch
        wait = waited_for(launch, last)
        after = f"`{wait}`" if wait else "the group's `Wait()`"
        return (
            f"; the build runs in the closure handed to `{call_name(launch.named_children[0])}` at line "
            f"{launch.start_point.row + 1}: assign the name there to a `var {local} string` of the function declared "
            f"before that line, and read it only after {after}"
        ), local
    return (
        f"; the build runs in the closure at line {closure.start_point.row + 1}: assign the name there to a "
        f"`var {local} string` declared before it, and read it only once the closure has run"
    ), local


def _process_one_steps(
    discard: Discard, function: Function, spec: Function, site: FixedSite, variable: str, key: str | None
) -> tuple[str, str, str, str]:
    """The steps of a drop in the first function of `SynchronizedBeforeSuite`: the name reaches the
    other processes only through the bytes it returns. When it already returns data (the JSON of
    the other images), the name goes into that data, never in place of it."""
    carried, local = _closure_hand_off(discard, function, variable)
    returned = _returned(function.node)
    declared = f"declare `var {variable} string` at package level and set it in the second function, which every process runs"
    if not returned:
        return (
            f"capture: return the name from {named(function)}: `return []byte({local})` ({PROCESS_ONE}){carried}",
            f"pass: {declared}: `{variable} = string(data)`; {named(spec)} reads it",
            "parameter: none needed (a closure has no callers)",
            use_step(None, site, variable),
        )
    value = returned[0]
    encoded = _encoded(value, function.node)
    if encoded is not None:
        holder, is_map = encoded
        entry = f' (`{holder}["{key}"] = {local}`)' if is_map and key else ""
        into = f"add the name to `{holder}` before it is encoded into `{excerpt(value)}`{entry}"
    else:
        into = "make it carry this name beside what it carries now (a JSON object of the names, say)"
    return (
        (
            f"capture: {named(function)} already returns `{excerpt(value)}` (line {value.start_point.row + 1}) to the "
            f"second function: keep that return and {into}, rather than return the name in its place, which would "
            f"lose what it hands on now ({PROCESS_ONE}){carried}"
        ),
        f"pass: {declared}, from what it reads out of `data`; {named(spec)} reads it",
        "parameter: none needed (a closure has no callers)",
        use_step(None, site, variable),
    )


def spec_drop_steps(
    discard: Discard, site: FixedSite, variable: str, results: tuple[int, int], key: str | None = None
) -> tuple[str, str, str, str] | None:
    """The steps of a drop in `BeforeSuite` whose build a spec closure (`It`) deploys as fixed text:
    the closures share no scope but the package, so the name goes in a package variable that
    `BeforeSuite` sets and the spec reads; a closure has no callers to take a parameter."""
    function, spec = discard.function, site.function
    if function is None or spec is None:
        return None
    for_tests = before_the_tests(function, discard.call) and run_by_go_test(spec)  # `TestMain`, then `m.Run()`
    if not for_tests and before_the_tests(function, discard.call):
        return _test_helper_steps(discard, function, spec, site, variable)
    if not for_tests and (not is_suite_setup(function) or not is_spec(spec)):
        return None
    # a test of the directory's `x_test` package (the same test binary) reads only what `x` exports
    external = spec.file.package != function.file.package
    read = variable
    if external:
        variable = variable[:1].upper() + variable[1:]
        read = f"{function.file.package}.{variable}"
    holder = discard.call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    left = statement.child_by_field_name("left") if statement is not None else None
    targets = [text(n) for n in left.named_children] if left is not None else []
    if targets and results[1] < len(targets):
        targets[results[1]] = variable
    if not targets:  # a call statement of its own: every result needs a place
        targets = ["_"] * results[0]
        targets[results[1]] = variable
    assign = f"`{', '.join(targets)} = {called(discard.call)}(...)`"
    declared = (
        " (declare the others before it: `:=` would make a local that hides the package variable)"
        if statement is not None and statement.type == "short_var_declaration" else ""
    )
    if on_process_one_only(function):
        repository = key.rsplit("/", 1)[-1].split(":", 1)[0] if key else None  # the build's `ImageName`
        return _process_one_steps(discard, function, spec, site, variable, repository)
    before = " before `m.Run()`" if for_tests else ""
    entry = not is_inside(site.node, spec.node)  # an `Entry` argument of a `DescribeTable`
    return (
        (
            f"capture: keep the name in a package variable that {named(function)} sets{before}: declare "
            f"`var {variable} string` at package level and write {assign}{declared} instead of dropping the name"
        ),
        f"pass: nothing to pass: {named(spec)} reads `{read}` itself" + (
            f" (an `Entry` argument is evaluated when the spec tree is built, before {named(function)} runs: it cannot carry the name)"
            if entry else ""
        ) + (
            f" ({named(spec)} is in package `{spec.file.package}`, which sees only what `{function.file.package}` exports: "
            f"import `{function.file.package}` there, or move {named(function)} to `{spec.file.package}` and keep the variable unexported)"
            if external else ""
        ),
        f"parameter: none needed (`go test` calls {named(spec)})" if for_tests else "parameter: none needed (a closure has no callers)",
        f"use: deploy `{read}` in {named(spec)} where it deploys the parameter that `{excerpt(site.node)}` fills, and drop that argument from the `Entry`"
        if entry else use_step(None, site, read),
    )


def _test_helper_steps(
    discard: Discard, function: Function, helper: Function, site: FixedSite, variable: str
) -> tuple[str, str, str, str]:
    """The steps of a `TestMain` drop whose tests deploy through a helper of the package
    (`StartWorker(ctx, c)`): the tests read the package variable `TestMain` sets and hand it to
    the helper, which a non-test file could not read itself."""
    return (
        (
            f"capture: keep the name in a package variable that {named(function)} sets before `m.Run()`: declare "
            f"`var {variable} string` at package level of a `_test.go` file and assign it the name "
            f"`{called(discard.call)}(...)` returns (with `=`: `:=` would make a local that hides it) instead of dropping the name"
        ),
        f"pass: the tests that call {named(helper)} pass it `{variable}`",
        f"parameter: add an `imageName string` parameter to {named(helper)} and update every caller",
        use_step(None, site, "imageName"),
    )


def keeps_for_tests(function: Function) -> bool:
    """Does the function set up what other functions of its package read, run before them by the
    framework: a Ginkgo setup node, or `TestMain` (before `m.Run()`)?"""
    return is_suite_setup(function) or function.name == "TestMain" and function.receiver is None
