"""The four steps of the fix (capture, pass, parameter, use), worded with the names found in the
code: a finding's `steps`. (`--explain` renders a rule's docs, in `report/docs.py`.)"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from imagetag_lint.analysis.deployments import DeployCall, FixedSite
from imagetag_lint.analysis.discards import Discard
from imagetag_lint.enums import SiteKind
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    STRING_TYPES,
    arguments,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
)

if TYPE_CHECKING:
    from imagetag_lint.analysis.image_flow import ImageFlowIndex
    from imagetag_lint.analysis.mismatches import Mismatch


def call_name(call: Node) -> str:
    qualifier, name = callee(call)
    return f"{qualifier}.{name}" if qualifier else name


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
        return (
            f"capture: {written} inside the goroutine and assign it to an outer "
            f"`var {carried or variable + 'Built'} string` declared before the `go` statement, before the goroutine "
            "sends its result (or calls `Done()`); read it only after the receive (or `Wait()`)"
        )
    if "`if` init" in how and own_if_error:  # the rest of the block has an `err` of its own
        return f"capture: hoist the call out of the `if`: `{variable}, buildErr := {name}(...)`, then `if err := buildErr; err != nil {{`"
    if "`if` init" in how:
        return f"capture: hoist the call out of the `if`: `{variable}, err := {name}(...)`, then `if err != nil {{`"
    holder = call.parent
    if holder is not None and holder.type == "expression_statement":
        # the repair names the image result and keeps ignoring the rest, as the statement did
        count, image = results
        targets = ["_"] * count
        targets[image if image < count else 0] = variable
        ignored = " (its other results stay ignored, as before)" if count > 1 else ""
        return f"capture: `{', '.join(targets)} := {name}(...)` instead of dropping the name{ignored}"
    return f"capture: {_written_capture(variable, call, results)} instead of dropping the name"


def _written_capture(variable: str, call: Node, results: tuple[int, int]) -> str:
    """The capture as the repair writes it: the statement's own names, with the image's `_` named
    (`buildErr` stays `buildErr`); an assignment (`=`) gets the variable declared before it."""
    name = call_name(call)
    holder = call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    left = statement.child_by_field_name("left") if statement is not None else None
    if statement is None or left is None or statement.type not in ("assignment_statement", "short_var_declaration"):
        if holder is not None and holder.type == "expression_statement":
            count, image = results
            targets = ["_"] * count
            targets[image if image < count else 0] = variable
            return f"`{', '.join(targets)} := {name}(...)`"
        return f"`{variable}, err := {name}(...)`"
    targets = [text(n) for n in left.named_children]
    image = results[1] if results[1] < len(targets) else 0
    if targets[image] != "_":  # the name is kept (or overwritten): the capture is worded elsewhere
        return f"`{variable}, err := {name}(...)`"
    targets[image] = variable
    if statement.type == "short_var_declaration":
        return f"`{', '.join(targets)} := {name}(...)`"
    return f"`var {variable} string`, then `{', '.join(targets)} = {name}(...)`"


def fixed_overwrite(discard: Discard) -> Node | None:
    """The assignment that overwrites the built name with a string literal before any read
    (`img = "localhost/x:e2e"`): the name is already kept; that line is what loses it."""
    function, target, statement = discard.function, discard.target, discard.statement
    if "overwritten" not in discard.how or function is None or function.body is None or target is None or statement is None:
        return None
    for occurrence in identifiers(function.body, text(target)):
        if occurrence.start_byte < statement.end_byte or not is_write(occurrence):
            continue
        holder = occurrence.parent
        write = holder.parent if holder is not None and holder.type == "expression_list" else None
        right = write.child_by_field_name("right") if write is not None else None
        if write is None or write.type != "assignment_statement" or right is None or holder is None:
            return None
        if holder.named_child_count != 1 or right.named_child_count != 1 or right.named_children[0].type not in STRING_TYPES:
            return None  # overwritten by another call (a second build): a new variable is right
        return write
    return None


def overwritten_steps(
    discard: Discard, deploy: DeployCall | None, here: tuple[FixedSite, ...], callers: int, parameter: str = "imageName"
) -> tuple[str, str, str, str] | None:
    """The steps when the built name is kept and then overwritten with fixed text: delete the
    overwrite, and the deployment that reads the variable gets the built name."""
    write = fixed_overwrite(discard)
    if write is None or discard.target is None:
        return None
    name = text(discard.target)
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
        f"`{text(write)}` (line {write.start_point.row + 1}), which overwrites it with fixed text"
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


def pass_step(variable: str, deploy: DeployCall | None, deployed_here: bool = False) -> str:
    if deployed_here:
        return "pass: nothing to pass: this function deploys the image itself"
    if deploy is None:
        return f"pass: give `{variable}` to the function that deploys the image"
    args = arguments(deploy.call)
    for index in sorted(deploy.image_params):
        if index < len(args):
            passed = text(args[index])
            if passed == variable:  # the stale local is reused: it will hold the built name
                return f"pass: `{call_name(deploy.call)}` already gets `{variable}`; step 1 makes it the built name"
            return f"pass: call `{call_name(deploy.call)}` with `{variable}` instead of `{passed}`"
    return f"pass: call `{call_name(deploy.call)}(..., {variable})`"


def new_parameter(index: ImageFlowIndex, target: Function) -> str:
    """The image parameter the repair adds to a deploy function: `imageName`, unless the function
    or its package already uses that name (then `imageName2`, as the fix writes)."""
    from imagetag_lint.repair.names import fresh_name
    from imagetag_lint.repair.plan import CannotFix

    try:
        return fresh_name(index, "imageName", target)
    except CannotFix:
        return "imageName"


def parameter_step(deploy: DeployCall | None, callers: int, deployed_here: bool = False, name: str = "imageName") -> str:
    """`name` is the parameter the fix adds (`imageName`, or `imageName2` where that is taken)."""
    if deployed_here:
        return "parameter: none needed"
    if deploy is None:
        return "parameter: add an `imageName string` parameter to the deploy function and update every caller"
    target = deploy.target
    if deploy.image_params:
        names = ", ".join(f"`{p.name}`" for p in target.params if p.index in deploy.image_params)
        return f"parameter: `{target.name}` already takes the image ({names}); keep it"
    where = f"{target.file.filename}:{target.node.start_point.row + 1}"
    # an exported function's callers in other packages are not counted
    sites = "every call site" if target.exported else "its call site" if callers == 1 else f"all {callers} call sites"
    return f"parameter: add `{name} string` to `{target.name}` ({where}) and update {sites}"


def use_step(deploy: DeployCall | None, site: FixedSite | None, name: str = "imageName") -> str:
    if site is None and deploy is not None and deploy.fixed:
        site = deploy.fixed[0]
    if site is None:
        if deploy is not None and deploy.image_params:
            return f"use: `{deploy.target.name}` already deploys its image parameter"
        return "use: `Image: imageName` in place of the fixed image"
    if site.kind is SiteKind.YAML and site.function is None:  # a package-level constant holds the manifest
        return f"use: make the manifest a template (`image: %s`) and format {name} into it instead of `{site.image}`"
    if site.kind is SiteKind.YAML:
        return f"use: put {name} on the manifest's `image:` line instead of `{site.image}`"
    if site.kind is SiteKind.DEPLOY_ARG:
        return f"use: pass `{name}` instead of `{text(site.node)}`"
    return f"use: `Image: {name}` instead of `{text(site.node)}`"


def stale_steps(stale: Sequence[Mismatch], variable: str) -> tuple[str, str, str]:
    """The pass, parameter and use steps of a drop whose own function deploys another reference
    (a parameter, a fresh generator call): the fix deploys the captured name there."""
    first = stale[0].sink
    old = text(first.expr)
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
