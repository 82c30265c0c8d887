"""Deployments that get another reference than the one built (the IMG003 facts).

The IMG003 rule reports them; the repair of a dropped build in the same function rewrites them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.analysis.deployments import FixedSite, sites_in
from imagetag_lint.analysis.discards import Discard, find_discards
from imagetag_lint.analysis.image_flow import ImageFlowIndex, Origin, Sink, repository
from imagetag_lint.analysis.overwrites import overwrite_before
from imagetag_lint.analysis.steps import call_name
from imagetag_lint.engine.locality import loaded_names
from imagetag_lint.engine.model import SinkKind
from imagetag_lint.engine.ranges import ranged_elements
from imagetag_lint.enums import ConsumerKind
from imagetag_lint.golang.model import Function, Param, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    identifiers,
    is_blank_read,
    is_write,
    right_values,
    unparen,
)
from imagetag_lint.record import record

# imageName, gatewayImage, image, img, imageRef: not imagePullSecret or imagePullPolicy
_IMAGE_PARAM = re.compile(r"(?i)(?:^img$|image(?:name|ref|reference|tag)?$)")


@record(frozen=True)
class Mismatch:
    """A deployment that uses another reference than the image its function built."""

    sink: Sink
    origin: Origin
    how: str


@record(frozen=True)
class BuildingFunction:
    """A function that builds an image: its dropped builds, what it built, and its mismatches."""

    function: Function
    discards: list[Discard]
    built: dict[object, str]
    mismatches: list[Mismatch]


def building_functions(index: ImageFlowIndex, file: SourceFile) -> list[BuildingFunction]:
    """Every function of the file that builds, with its mismatches (computed once per run)."""
    return index.per_file("building-functions", file, lambda: _building_functions(index, file))


def _building_functions(index: ImageFlowIndex, file: SourceFile) -> list[BuildingFunction]:
    discards = find_discards(index, file)
    found = []
    for function in index.facts(file).functions:
        if index.builds(function) or _runs_a_build(index, function):
            mine = [d for d in discards if d.function is function]
            built = _built_values(index, function, mine)
            found.append(BuildingFunction(function, mine, built, flow_mismatches(index, function, mine, built)))
    return found


def _runs_a_build(index: ImageFlowIndex, function: Function) -> bool:
    """Does the function run a container build itself (`exec.Command("podman", "build", "-t", X)`)?
    Its fresh generator calls at a deployment are as untracked as those beside a builder call."""
    if not index.may_run_commands(function):
        return False
    return any(
        (command := index.command_image(call, function)) is not None and command.kind is ConsumerKind.BUILD
        for call in index.calls_in(function)
    )


def _command_loads(index: ImageFlowIndex, function: Function) -> Iterator[Sink]:
    """The images the function loads into the cluster itself (`exec.Command("kind", "load",
    "docker-image", X)`): X reaches the cluster as surely as through a loader function."""
    if not index.may_run_commands(function):
        return
    for call in index.calls_in(function):
        command = index.command_image(call, function)
        if command is not None and command.kind is ConsumerKind.LOAD:
            for image in command.images:  # `kind load docker-image A B` loads each
                yield Sink(SinkKind.LOAD_ARG, image, function.file, function, call=call)


def mismatches_of(index: ImageFlowIndex, function: Function) -> list[Mismatch]:
    """The function's stale deployments that its dropped builds answer for: not those that
    belong to a build whose name the function keeps (see `kept_build_of`)."""
    for building in building_functions(index, function.file):
        if building.function is function:
            return [m for m in building.mismatches if not building.discards or kept_build_of(index, function, m) is None]
    return []


def kept_build_of(index: ImageFlowIndex, function: Function, mismatch: Mismatch) -> Node | None:
    """The variable of a captured build that a deployment of a separate generator call's name
    means, by the repository both make (`images["audit"] = GenerateImageName("audit")` beside
    `auditImage, err := Build(...{ServiceName: "audit"})`): that deployment is this build's
    IMG003, never a stale deployment of another build the function drops."""
    if mismatch.origin.kind != "generated" or mismatch.origin.node is None:
        return None
    candidates = built_variables(index, function, mismatch.sink.expr)
    same = _same_repository(index, function, mismatch.origin.node, candidates)
    if len({text(c) for c in same}) != 1:
        return None
    kept = same[-1]
    if overwrite_before(index, function, kept, mismatch.sink.expr) is not None and any(
        d.target is not None and d.target.id == kept.id for d in find_discards(index, function.file)
    ):
        return None  # overwritten before anything read it: the build's own drop answers for the deployment
    return kept


def _built_values(index: ImageFlowIndex, function: Function, discards: list[Discard]) -> dict[object, str]:
    """Origin keys of the values this function built or tagged, with a name for messages."""
    dropped = {d.call.id for d in discards}
    built: dict[object, str] = {}
    for call in index.calls_in(function):
        consumer = index.consumer(call)
        command = index.command_image(call, function)  # `podman build -t X -t Y` run here builds X and Y too
        if command is not None and command.kind is ConsumerKind.BUILD:
            for tag in command.images:
                origin = index.origin(tag, function.file, function)
                if origin.key is not None:
                    built[origin.key] = text(tag)
        elif consumer is not None and consumer.kind == "build" and consumer.image_arg < len(args := arguments(call)):
            origin = index.origin(args[consumer.image_arg], function.file, function)
            if origin.key is not None:
                built[origin.key] = text(args[consumer.image_arg])
        elif call.id not in dropped and index.producer(call, function.file) is not None:
            built[("built", call.id)] = call_name(call)
    return built


def flow_mismatches(
    index: ImageFlowIndex, function: Function, discards: list[Discard], built: dict[object, str] | None = None
) -> list[Mismatch]:
    """Deploy sinks of a building function that receive something other than the built value."""
    built = _built_values(index, function, discards) if built is None else built
    sinks: list[Sink] = list(index.image_field_sinks_in(function))
    sinks.extend(index.call_sinks(function))
    sinks.extend(_command_loads(index, function))
    origins = [(sink, index.origin(sink.expr, function.file, function)) for sink in sinks]
    # a captured name that is only logged is as lost as a dropped one
    captured = [c for c in index.calls_in(function) if ("built", c.id) in built]
    lost = bool(discards) or (bool(captured) and all(_only_logged(index, function, c) for c in captured))
    found = []
    for sink, origin in origins:
        if origin.kind == "built" or origin.key in built:
            continue
        if origin.kind == "literal":
            how = _fixed_instead(index, sink, origin, built) if lost and not discards else None
        elif origin.kind == "unknown" and (elements := ranged_elements(index, sink.expr, function)):
            how = _ranged_instead(index, function, sink, origin, elements, (built, discards, lost))
        else:
            how = _mismatch(origin, sink, built, discards, lost)
        if how is None:
            continue
        found.append(Mismatch(sink, origin, how))
    return found


_LOGGERS = re.compile(r"^(?:Print|Fprint|Log|Info|Debug|Warn|Error|Trace|Sprint)|^(?:By|Logf)$")


def _only_logged(index: ImageFlowIndex, function: Function, call: Node) -> bool:
    """Is the variable a producer call's image went into read only by log lines (or `_ =`)?"""
    parent = call.parent
    statement = parent.parent if parent is not None else None
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return False
    producer = index.producer(call, function.file)
    left = statement.child_by_field_name("left")
    targets = left.named_children if left is not None else []
    if producer is None or producer.image_result >= len(targets):
        return False
    target = targets[producer.image_result]
    if target.type != "identifier" or function.body is None:
        return False
    for use in identifiers(function.body, text(target)):
        if use.start_byte <= target.start_byte or is_write(use) or is_blank_read(use):
            continue
        holder = use.parent
        outer = holder.parent if holder is not None and holder.type == "argument_list" else None
        if outer is None or not _LOGGERS.search(callee(outer)[1]):
            return False
    return True

def _fixed_instead(index: ImageFlowIndex, sink: Sink, origin: Origin, built: dict[object, str]) -> str | None:
    """A registry reference deployed while the captured built name reaches only log lines: the
    deployment gets fixed text instead of the build. A local one is IMG002's; one loaded under
    that very name is a preloaded image, deployed on purpose."""
    if sink.kind == "load-arg" or index.is_local_image(origin.text) or origin.text in loaded_names(index):
        return None
    names = _names(built)
    return f"fixed text `{origin.text}`, while the built name ({names}) reaches no deployment"


def _ranged_instead(
    index: ImageFlowIndex,
    function: Function,
    sink: Sink,
    origin: Origin,
    elements: list[Node],
    evidence: tuple[dict[object, str], list[Discard], bool],
) -> str | None:
    """A loop variable of a `range` over a written list: the list is read, so the deployment gets
    its elements. A local one among them is that element's IMG002 (one finding for one defect);
    registry ones beside a build read only by log lines are fixed text instead of the build."""
    built, discards, lost = evidence
    if discards or not lost or sink.kind == "load-arg":
        return None
    values = [index.origin(e, function.file, function) for e in elements]
    if any(v.kind != "literal" for v in values):
        return _mismatch(origin, sink, built, discards, lost)
    if any(index.is_local_image(v.text) or v.text in loaded_names(index) for v in values):
        return None
    listed = ", ".join(f"`{v.text}`" for v in values)
    return f"fixed text ({listed}: the list a `range` loop hands to it), while the built name ({_names(built)}) reaches no deployment"


def _names(built: dict[object, str]) -> str:
    """The builds' names for a message, each once (two calls of one builder name it once)."""
    return ", ".join(f"`{n}`" for n in dict.fromkeys(built.values()))


def _mismatch(origin: Origin, sink: Sink, built: dict[object, str], discards: list[Discard], lost: bool) -> str | None:
    if origin.kind == "generated":
        fresh = unparen(sink.expr).type == "call_expression"
        if fresh:
            where = "the load" if sink.kind == "load-arg" else "the deploy site"
            return f"a fresh call of `{callee(unparen(sink.expr))[1]}` at {where}, which makes a new name that no build here used"
        if built:
            names = _names(built)
            return f"a name made by a separate generator call, not the name the build used ({names})"
        if discards:
            return f"a name made by a separate generator call, while the name `{call_name(discards[0].call)}` returns is dropped"
        return None
    if not lost:
        return None
    why = (
        f"the name `{call_name(discards[0].call)}` returns is dropped"
        if discards
        else f"the built name ({_names(built)}) reaches no deployment"
    )
    if origin.kind == "param":
        return f"a parameter of the function, while {why}"
    if origin.kind == "computed":
        return f"a reference put together from its parts, while {why}"
    if origin.kind == "unknown" and not discards:
        # the evidence is the captured name that only reaches log lines, not the value deployed
        # (with a drop, the IMG001 finding is the defect and an unknown value adds nothing)
        return f"a value the analysis does not trace to the build, while {why}"
    return None



def ignored_image_params(index: ImageFlowIndex, function: Function) -> list[tuple[Param, FixedSite]]:
    """String parameters named like an image that the body never reads while it deploys fixed text."""
    body = function.body
    if body is None:
        return []
    found = []
    for param in function.params:
        if not param.name or param.name == "_" or param.type_text != "string" or not _IMAGE_PARAM.search(param.name):
            continue
        if identifiers(body, param.name):
            continue
        sites = [site for site in sites_in(index, function) if site.local]
        if sites:
            found.append((param, sites[0]))
    return found



def built_variables(index: ImageFlowIndex, function: Function, before: Node) -> list[Node]:
    """The variables that hold a name this function built, in order, before a place: the value
    tagged by a build (`-t imageName`, `BuildImageWithTag(img, ...)`) and a producer's captured
    result (`img, err := BuildAndLoadImageToKind(...)`)."""
    found: list[Node] = []
    for call in index.calls_in(function):
        if call.start_byte >= before.start_byte:
            break
        consumer = index.consumer(call)
        args = arguments(call)
        command = index.command_image(call, function)
        candidate: Node | None = None
        if command is not None and command.kind is ConsumerKind.BUILD:
            found.extend(t for t in command.images if t.type == "identifier" and text(t) != "_")
        elif consumer is not None and consumer.kind == ConsumerKind.BUILD and consumer.image_arg < len(args):
            candidate = unparen(args[consumer.image_arg])
        elif consumer is None and (producer := index.producer(call, function.file)) is not None:
            candidate = captured(call, producer.image_result)
        if candidate is not None and candidate.type == "identifier" and text(candidate) != "_":
            found.append(candidate)
    return found


def meant_name(index: ImageFlowIndex, function: Function, mismatch: Mismatch) -> Node | None:
    """The built variable a mismatched deployment means: the one made by the same generator call
    (`GenerateImageName("catalog")` at the deploy, `catalogImage := GenerateImageName("catalog")`
    built), else the function's only built variable. None when the code does not say which."""
    candidates = built_variables(index, function, mismatch.sink.expr)
    if mismatch.origin.kind == "generated" and mismatch.origin.node is not None:
        made = text(mismatch.origin.node)
        generated = {id(c): index.origin(c, function.file, function) for c in candidates}
        same = [c for c in candidates if (o := generated[id(c)]).node is not None and text(o.node) == made]
        if same:
            return same[-1]
        # a name another generator call made is another service's, and so is a build's name
        # whose config names another repository (the gateway's name never goes to the scheduler)
        candidates = [c for c in candidates if generated[id(c)].kind != "generated"]
        candidates = _not_other_repository(index, function, mismatch.origin.node, candidates)
        if len({text(c) for c in candidates}) > 1:
            candidates = _same_repository(index, function, mismatch.origin.node, candidates) or candidates
    if mismatch.origin.kind == "unknown" and unparen(mismatch.sink.expr).type == "index_expression":
        return None  # a map entry the analysis cannot know may hold any service's name: never replaced
    if len({text(c) for c in candidates}) == 1:
        return candidates[-1]
    return None


def _same_repository(index: ImageFlowIndex, function: Function, generated: Node, candidates: list[Node]) -> list[Node]:
    """The built variables whose build makes the repository the deployment's generator call makes
    (`GenerateImageName("audit")` and the build of `ServiceName: "audit"`)."""
    from imagetag_lint.engine.locality import generated_reference

    made = generated_reference(index, generated, function.file)
    if made is None:
        return []
    return [c for c in candidates if (name := _build_name(index, function, c)) is not None and repository(name) == repository(made)]


def _not_other_repository(index: ImageFlowIndex, function: Function, generated: Node, candidates: list[Node]) -> list[Node]:
    """The built variables whose build may make the repository the generator call makes: all but
    those whose build is known to make another one."""
    from imagetag_lint.engine.locality import generated_reference

    made = generated_reference(index, generated, function.file)
    if made is None:
        return candidates
    return [c for c in candidates if (name := _build_name(index, function, c)) is None or repository(name) == repository(made)]


def _build_name(index: ImageFlowIndex, function: Function, candidate: Node) -> str | None:
    """What the build a built variable holds names (`auditImage, err := Build(...)`), if known."""
    from imagetag_lint.analysis.pairing import build_name_of

    holder = candidate.parent
    statement = holder.parent if holder is not None else None
    values = right_values(statement) if statement is not None else []
    call = unparen(values[0]) if len(values) == 1 else None
    if call is None or call.type != "call_expression":
        return None
    return build_name_of(index, call, function.file, function)


def captured(call: Node, image_result: int) -> Node | None:
    """The variable a call's image result is assigned to (`img, err := F()`), if any."""
    holder = call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left = statement.child_by_field_name("left")
    targets = left.named_children if left is not None else []
    return targets[image_result] if image_result < len(targets) else None
