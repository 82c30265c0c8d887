"""The four steps as a libcst codemod: capture the dropped name, pass it, add a parameter to a
helper that hardcodes the image (updating its callers), use it. The codemod rewrites the tree;
the fix is the difference between the old and the new text as byte-range edits, so the shared
apply path (and overlap checks, --diff, verification) treats Python like Go."""

from __future__ import annotations

import difflib
import itertools
import posixpath
from collections.abc import Callable
from typing import Any

import libcst as cst

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Edit, Fix
from imagetag_lint.python.collection import fixture_obstacle
from imagetag_lint.python.discards import Discard
from imagetag_lint.python.flow import FIXED, Flow, Sink
from imagetag_lint.python.handoffs import MAPS, STARMAPS, submitted_per_pass
from imagetag_lint.python.loop_builds import loop_around, loop_steps
from imagetag_lint.python.project import Function
from imagetag_lint.python.reach import CONFTEST, pytest_collects
from imagetag_lint.python.source import PythonFile, split_lines
from imagetag_lint.python.syntax import Module, callee_name, string_value
from imagetag_lint.record import record

Change = Callable[[cst.CSTNode], cst.CSTNode]
NO_SPACE = cst.SimpleWhitespace("")
BY_HAND = "no edit can do this soundly; follow the four steps by hand"


@record(frozen=True)
class Plan:
    """The four steps in words, and the fix that carries them out."""

    steps: tuple[str, ...]
    fix: Fix


class _Replace(cst.CSTTransformer):
    def __init__(self, changes: dict[cst.CSTNode, Change]) -> None:
        super().__init__()
        self.changes = changes

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        change = self.changes.get(original_node)
        return change(updated_node) if change is not None else updated_node


# a changed node: its bytes in the file, its new text, and the top-level statement that holds it
Piece = tuple[int, int, str, cst.CSTNode]


def rewrite(module: Module, changes: dict[cst.CSTNode, Change]) -> tuple[Edit, ...] | None:
    """Run the codemod on one module; the edits it makes, or None if the result does not compile.
    A fix costs what its nodes hold, not what the module holds: a module with many findings
    is planned in linear time."""
    try:
        pieces = _changed_pieces(module, changes)
        if pieces is None:  # a changed node whose text libcst does not give back alone
            if not module.round_trips:
                return None
            new = module.tree.visit(_Replace(changes)).code
            compile(new, module.file.filename, "exec", dont_inherit=True)
            return edits_between(module.file, ("\ufeff" if module.bom else "") + new)
        _compile_statements(module, pieces)
    except (SyntaxError, ValueError, RecursionError):
        return None
    edits = [_trimmed(module.file, piece) for piece in pieces]
    return tuple(edit for edit in edits if edit is not None)


def _changed_pieces(module: Module, changes: dict[cst.CSTNode, Change]) -> list[Piece] | None:
    """The outermost changed nodes, transformed alone, in file order (a whole-module transform
    rebuilds and prints every node: most of a fix's cost). None when a node's code printed
    alone is not its text in the file (a node holding an indented block prints its body at
    the wrong depth)."""
    roots = [n for n in changes if not any(a in changes for a in module.ancestors(n))]
    pieces = []
    for root in roots:
        if module.tree.code_for_node(root) != module.code(root):
            return None
        changed = root.visit(_Replace(changes))
        if not isinstance(changed, cst.CSTNode):
            return None
        start, end = module.start(root), module.end(root)
        pieces.append((start, end, module.tree.code_for_node(changed), _top_level(module, root)))
    pieces.sort(key=lambda piece: piece[:2])
    if any(before[1] > after[0] for before, after in itertools.pairwise(pieces)):
        return None  # overlapping roots: cannot happen for outermost nodes, but never splice twice
    return pieces


def _compile_statements(module: Module, pieces: list[Piece]) -> None:
    """Compile the top-level statements the pieces change, each with its pieces spliced in (a
    top-level statement starts at the margin and compiles alone as it does in the module);
    the whole new module when a piece lies outside one (a decorator). Raises SyntaxError."""
    tops: dict[cst.CSTNode, list[Piece]] = {}
    source = module.file.source
    for piece in pieces:
        top = piece[3]
        if top is module.tree or not (module.start(top) <= piece[0] and piece[1] <= module.end(top)):
            tops = {module.tree: pieces}
            break
        tops.setdefault(top, []).append(piece)
    for top, inside in tops.items():
        start, end = (module.bom, len(source)) if top is module.tree else (module.start(top), module.end(top))
        parts, at = [], start
        for piece_start, piece_end, text, _ in inside:
            parts += [source[at:piece_start].decode("utf-8"), text]
            at = piece_end
        parts.append(source[at:end].decode("utf-8"))
        compile("".join(parts), module.file.filename, "exec", dont_inherit=True)


def _top_level(module: Module, node: cst.CSTNode) -> cst.CSTNode:
    """The statement of the module's body that holds the node (the module itself for the module)."""
    top = node
    for ancestor in module.ancestors(node):
        if ancestor is module.tree:
            return top
        top = ancestor
    return module.tree


def _trimmed(file: PythonFile, piece: Piece) -> Edit | None:
    """The piece as an edit of the characters that differ; None when none do."""
    start, end, after, _ = piece
    before = file.source[start:end].decode("utf-8")
    if before == after:
        return None
    head = _common_prefix(before, after)
    tail = _common_prefix(before[head:][::-1], after[head:][::-1])
    return file.edit(start + len(before[:head].encode()), end - len(before[len(before) - tail :].encode()),
                     after[head : len(after) - tail])


def edits_between(file: PythonFile, new: str) -> tuple[Edit, ...]:
    """Minimal byte-range edits that turn the file into `new`: changed line blocks, trimmed to
    the characters that differ."""
    old_lines = split_lines(file.source.decode("utf-8"))
    new_lines = split_lines(new)
    offsets = [0]
    for line in old_lines:
        offsets.append(offsets[-1] + len(line.encode()))
    edits = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:  # the same lines, changed: one edit per line
            blocks = [(i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2))]
        else:
            blocks = [(i1, i2, j1, j2)]
        for a1, a2, b1, b2 in blocks:
            before, after = "".join(old_lines[a1:a2]), "".join(new_lines[b1:b2])
            if before == after:
                continue
            head = _common_prefix(before, after)
            tail = _common_prefix(before[head:][::-1], after[head:][::-1])
            start = offsets[a1] + len(before[:head].encode())
            end = offsets[a2] - len(before[len(before) - tail :].encode())
            edits.append(file.edit(start, end, after[head : len(after) - tail]))
    return tuple(edits)


def _common_prefix(first: str, second: str) -> int:
    size = 0
    for a, b in zip(first, second):
        if a != b:
            break
        size += 1
    return size


# -- the flow of one function -------------------------------------------------------------


def plan_flow(flow: Flow, function: Function, discard: Discard, stale: list[Sink],
              taken: frozenset[str] = frozenset()) -> Plan:
    """The fix of a drop: capture the name, and hand it to the stale deployments paired with it
    (those its build is shown to make, in the function and in helpers only it calls). `taken`
    holds the names the fixes of the function's other drops bind."""
    variable = variable_for(discard, taken)
    value = variable  # what the deployments get: a fixture's tuple gives its image slot
    if discard.kind in ("fixture", "usefixtures") and discard.results > 1:
        value = f"{variable}[{discard.image_result}]"
    if discard.held is not None:
        value = variable + discard.held.access  # the fixture's entry that holds the image
    own = [s for s in stale if s.function is function]
    helpers = _hardcoding_helpers(flow, function, stale)
    steps = _flow_steps(flow, discard, variable, own, helpers, value)
    if discard.kind == "handed":  # the thread or the pool is yours to rework: no edit keeps its concurrency
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"a thread or an executor runs `{discard.producer}`; {BY_HAND}"))
    if not own and not helpers:
        shared = _shared_helper(flow, function, stale)
        if shared is not None:
            return _shared_helper_plan(flow, function, shared, stale, variable, steps[0])
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, "no deployment in reach takes the image name; " + BY_HAND))
    obstacle = fixture_obstacle(function) if discard.kind == "usefixtures" else None
    if obstacle is not None:  # `usefixtures` reaches a unittest test case; a parameter does not
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{obstacle}; {BY_HAND}"))
    if discard.kind in ("fixture", "usefixtures") and not can_request(function, variable):
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{shadowed(function, variable)}; {BY_HAND}"))
    changes: dict[Module, dict[cst.CSTNode, Change]] = {}
    local = changes.setdefault(function.module, {})
    if not _capture(discard, variable, local):
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    for sink in own:
        if not use_name(sink, value, local):
            return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    uses = [s.node for s in own] + [c for helper in helpers for caller, c in flow.project.callers(helper)
                                    if caller is function]
    loop = loop_around(discard, [s.node for s in own])
    if loop is not None and own:
        names = _free_name(function, "images", taken)
        reason = "the loop builds one image a pass, and one variable would keep only the last one's name"
        return Plan(loop_steps(discard, loop, own[0], names, old_text(own[0])),
                    Fix(Applicability.DISPLAY_ONLY, f"{reason}; {BY_HAND}"))
    if not _bound_where_read(discard, uses):
        unbound = f"`{variable}` would be unset where it is deployed (the capture runs only in its own block)"
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{unbound}; {BY_HAND}"))
    safe = True
    for helper, sinks in helpers.items():
        parameter = _free_name(helper, "image")
        helper_changes = changes.setdefault(helper.module, {})
        if not add_parameter(helper, parameter, helper_changes):
            return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{parameter_obstacle(helper)}; {BY_HAND}"))
        for sink in sinks:
            if not use_name(sink, parameter, helper_changes):
                return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
        for call in (c for caller, c in flow.project.callers(helper) if caller is function):
            local[call] = _pass_argument(value, parameter)
        safe = safe and _private(helper)
    edits = _rewrite_all(changes)
    if edits is None:
        return Plan(steps, Fix(Applicability.DISPLAY_ONLY, BY_HAND))
    message = f"name the image `{discard.producer}` returns `{variable}` and deploy it"
    if discard.kind in ("fixture", "usefixtures"):
        message = f"deploy the image of the fixture `{variable}`"
    return Plan(steps, Fix(Applicability.SAFE if safe else Applicability.UNSAFE, message, edits))


_BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite)


def _bound_where_read(discard: Discard, uses: list[cst.CSTNode]) -> bool:
    """Does every read the fix writes run only after the capture ran? The capture binds the
    name in its own block: a read after an `if`, a loop, a `try` or a `with` whose body holds
    the capture may find it unset (UnboundLocalError), so each read must come after the capture
    in the same block, or in a block nested in it. A fixture is a parameter: always set."""
    if discard.kind in ("fixture", "usefixtures") or discard.statement is None:
        return True
    return all(_after_in_block(discard.function.module, discard.statement, use) for use in uses)


def _after_in_block(module: Module, statement: cst.CSTNode, use: cst.CSTNode) -> bool:
    """Does `use` come after the statement, in the statement's block or a block nested in it?"""
    block = next((a for a in module.ancestors(statement) if isinstance(a, _BLOCKS)), None)
    return block is not None and module.start(use) >= module.end(statement) and module.inside(use, block)


# a read under one of these may not run when its statement does
_MAYBE_RUN = (cst.Lambda, cst.IfExp, cst.BooleanOperation, cst.ListComp, cst.SetComp, cst.DictComp,
              cst.GeneratorExp, cst.BaseCompoundStatement)


def set_where_read(function: Function, statement: cst.CSTNode, name: str, use: cst.CSTNode) -> bool:
    """Is the variable the statement binds surely set where `use` reads it? So it is when the
    read comes after the statement in its own block, or after a read of the variable that
    always runs before it: unset, the variable would have failed that read first (`image`
    bound in a `try`, then `kind_load(image)` after it)."""
    module = function.module
    if _after_in_block(module, statement, use):
        return True
    targets = {id(target) for _, target, _ in function.bindings}
    for read in function.names:
        if read.value != name or id(read) in targets or _label(module, read) or module.start(read) < module.end(statement):
            continue
        small = next((a for a in module.ancestors(read) if isinstance(a, (cst.BaseSmallStatement, *_MAYBE_RUN))), None)
        if isinstance(small, cst.BaseSmallStatement) and not isinstance(small, cst.Del) and _after_in_block(module, small, use):
            return True
    return False


def can_request(function: Function, name: str) -> bool:
    """Can the function take the fixture `name` as a parameter and deploy it? Not when it
    assigns that name (the assignment overwrites the fixture's value) nor, when it does not
    request it yet, when it reads another value under that name (a global, an import)."""
    if any(bound == name for bound, _, _ in function.bindings):
        return False
    if name in function.params:
        return True
    module = function.module
    return not any(n.value == name and not _label(module, n) and not isinstance(module.parent(n), cst.Param)
                   for n in function.names)


def shadowed(function: Function, name: str) -> str:
    return f"`{function.name}` has a variable of its own named `{name}`, which the fixture's value would not reach"


def _rewrite_all(changes: dict[Module, dict[cst.CSTNode, Change]]) -> tuple[Edit, ...] | None:
    edits: list[Edit] = []
    for module, module_changes in sorted(changes.items(), key=lambda item: item[0].file.filename):
        if not module_changes:
            continue
        found = rewrite(module, module_changes)
        if found is None:
            return None
        edits.extend(found)
    return tuple(edits) if edits else None


def variable_for(discard: Discard, taken: frozenset[str] = frozenset()) -> str:
    if discard.kind in ("unread", "fixture") and discard.target is not None:
        return discard.target.value
    if discard.kind == "usefixtures":
        return discard.producer  # requested as a parameter, pytest passes it by its name
    return _free_name(discard.function, "image", taken)


def _free_name(function: Function, base: str, also: frozenset[str] = frozenset()) -> str:
    module = function.module
    taken = {n.value for n in function.names if not _label(module, n)} | set(function.params) | also
    for candidate in (base, f"built_{base}", f"{base}_name"):
        if candidate not in taken:
            return candidate
    index = 2
    while f"{base}_{index}" in taken:
        index += 1
    return f"{base}_{index}"


def _label(module: Module, name: cst.Name) -> bool:
    """A keyword argument's or an attribute's name: not a variable."""
    parent = module.parent(name)
    return (isinstance(parent, cst.Arg) and parent.keyword is name) or (
        isinstance(parent, cst.Attribute) and parent.attr is name
    )


def _hardcoding_helpers(flow: Flow, function: Function, stale: list[Sink]) -> dict[Function, list[Sink]]:
    """Helpers this function calls that deploy a fixed reference paired with the drop and are
    called from nowhere else in the linted code: they can take the image instead. (A helper
    that also deploys another service's fixed image keeps that one.)"""
    helpers: dict[Function, list[Sink]] = {}
    for call in function.calls:
        helper = flow.project.resolve(call, function.module)
        if helper is None or helper is function or helper in helpers or flow.image_params.get(helper):
            continue
        sinks = [s for s in stale if s.function is helper and s.deploys and s.value.kind == FIXED]
        if sinks and all(caller is function for caller, _ in flow.project.callers(helper)):
            helpers[helper] = sinks
    return helpers


def _shared_helper(flow: Flow, function: Function, stale: list[Sink]) -> Function | None:
    """A helper this function calls that deploys a fixed reference paired with the drop, but is
    also called from elsewhere: the fix is by hand, and the steps still name it."""
    for call in function.calls:
        helper = flow.project.resolve(call, function.module)
        if helper is None or helper is function or flow.image_params.get(helper):
            continue
        if any(s.function is helper and s.deploys and s.value.kind == FIXED for s in stale):
            return helper
    return None


def _shared_helper_plan(flow: Flow, function: Function, helper: Function, stale: list[Sink], value: str,
                        capture: str) -> Plan:
    sink = next(s for s in stale if s.function is helper)
    where = f"{helper.module.file.filename}:{helper.module.line(helper.node)}"
    others = sorted({caller.name for caller, _ in flow.project.callers(helper) if caller is not function})
    named = ", ".join(f"`{name}`" for name in others[:3]) + (", ..." if len(others) > 3 else "")
    steps = (capture, f"pass: call `{helper.name}` with `{value}`",
             (f"parameter: add an `image` parameter to `{helper.name}` ({where}); its other callers ({named}) "
              "must pass the name of their own build"),
             f"use: `image` instead of `{old_text(sink)}` in `{helper.name}`")
    why = f"`{helper.name}` is also called from {named}, which must pass their own build's name"
    return Plan(steps, Fix(Applicability.DISPLAY_ONLY, f"{why}; {BY_HAND}"))


def _private(helper: Function) -> bool:
    filename = helper.module.file.filename
    return helper.name.startswith("_") or posixpath.basename(filename) == CONFTEST or pytest_collects(filename)


def _flow_steps(flow: Flow, discard: Discard, variable: str, own: list[Sink],
                helpers: dict[Function, list[Sink]], value: str) -> tuple[str, ...]:
    if discard.kind == "fixture":
        capture = f"capture: the test already requests the fixture `{variable}`"
    elif discard.kind == "usefixtures":
        capture = (f"capture: request the fixture `{variable}` as a parameter of `{discard.function.name}` "
                   "(`usefixtures` runs it but gives the test no value)")
    elif discard.kind == "unread":
        capture = f"capture: `{variable}` already holds the image name; read it"
    elif discard.kind == "bare":
        capture = f"capture: `{variable} = {discard.producer}(...)` instead of dropping the name"
    elif discard.kind == "handed":
        capture = f"capture: {_keep_handed(discard, variable)}"
    else:
        capture = f"capture: bind the image name to `{variable}` instead of `_`"
    if own:
        old = old_text(own[0])
        verb = "deploy" if own[0].deploys else "load"
        steps = (capture, f"pass: {verb} `{value}` instead of `{old}`", "parameter: none needed",
                 f"use: `{value}` in place of `{old}`")
        deploy_args = [s for s in own if s.kind == "deploy-arg" and s.target is not None]
        if deploy_args and deploy_args[0].target is not None:
            target = deploy_args[0].target
            steps = (capture, f"pass: call `{target.name}` with `{value}` instead of `{old}`",
                     f"parameter: `{target.name}` already takes the image; keep it",
                     f"use: `{target.name}` already deploys its image parameter")
        return steps
    if helpers:
        helper, sinks = next(iter(helpers.items()))
        where = f"{helper.module.file.filename}:{helper.module.line(helper.node)}"
        count = sum(1 for _ in flow.project.callers(helper))
        sites = "its call site" if count == 1 else f"all {count} call sites"
        return (capture, f"pass: call `{helper.name}` with `{value}`",
                f"parameter: add an `image` parameter to `{helper.name}` ({where}) and update {sites}",
                f"use: `image` instead of `{old_text(sinks[0])}` in `{helper.name}`")
    return (capture, f"pass: give `{value}` to the function that deploys the image",
            "parameter: add an `image` parameter to the deploy function and update every caller",
            "use: deploy `image` in place of the fixed reference")


def _keep_handed(discard: Discard, variable: str) -> str:
    """How to keep the name a thread or an executor gets from the producer it runs."""
    call = discard.node
    assert isinstance(call, cst.Call)
    handed = discard.function.module.code(call.func)
    if callee_name(call) == "submit" and submitted_per_pass(discard.function, call):
        return (f"keep what the `result()` of each future of `{handed}({discard.producer}, ...)` returns (the one that "
                f"builds the deployed service's image gives `{variable}`) instead of dropping it")
    if len(discard.runs) > 1:
        return f"unpack the names `{handed}` returns (`{variable}, ... = {handed}(...)`) instead of dropping them"
    if callee_name(call) in MAPS | STARMAPS:
        return f"keep the names `{handed}` returns (`{variable}, = {handed}(...)`) instead of dropping them"
    if callee_name(call) == "submit":
        return f"`{variable} = {handed}({discard.producer}, ...).result()` instead of dropping the name"
    if callee_name(call) == "run_in_executor":
        return f"`{variable} = await {handed}(..., {discard.producer}, ...)` instead of dropping the name"
    return (f"`{variable} = {discard.producer}(...)`, or an executor's `{variable} = pool.submit({discard.producer}, "
            f"...).result()`, instead of running it as `{handed}`'s target")


def old_text(sink: Sink) -> str:
    if sink.value.kind == FIXED:
        return sink.value.text
    return sink.module.file.source[sink.start : sink.end].decode("utf-8", "replace")


# -- the edits ------------------------------------------------------------------------------


def _capture(discard: Discard, variable: str, changes: dict[cst.CSTNode, Change]) -> bool:
    """Bind the dropped name to `variable`; False when no sound edit can."""
    if discard.kind == "usefixtures":
        return add_parameter(discard.function, variable, changes)
    if discard.kind == "bare" and discard.statement is not None:
        slots = [cst.Name(variable if i == discard.image_result else "_") for i in range(discard.results)]
        target: cst.BaseAssignTargetExpression = (
            slots[0] if discard.results == 1
            else cst.Tuple([cst.Element(s) for s in slots], lpar=[], rpar=[])
        )

        def assign(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Expr)
            return cst.Assign([cst.AssignTarget(target)], node.value, node.semicolon)

        changes[discard.statement] = assign
    elif discard.kind in ("blank", "slot") and discard.target is not None:
        changes[discard.target] = lambda _node: cst.Name(variable)
    return True


def use_name(sink: Sink, name: str, changes: dict[cst.CSTNode, Change]) -> bool:
    """Put `name` where the sink's reference is; False when no sound edit can."""
    if sink.module.in_decorator(sink.node):
        return False  # a `parametrize` row: the test's names are not bound there
    if sink.kind in ("yaml", "command-word") and sink.value.kind == FIXED:
        if sink.node in changes:
            return False
        return _format_into(sink, name, changes)
    if sink.node in changes or (isinstance(sink.node, cst.Name) and sink.node.value == name):
        return False  # a deployment of the name already: the edit would change nothing
    changes[sink.node] = lambda _node: expression(name)
    return True


def expression(text: str) -> cst.BaseExpression:
    """A variable, or a slot of one (`api_build[0]`)."""
    return cst.Name(text) if text.isidentifier() else cst.parse_expression(text)


def _format_into(sink: Sink, name: str, changes: dict[cst.CSTNode, Change]) -> bool:
    """A fixed `image:` line in a plain string: make the string an f-string holding `{name}`."""
    node = sink.node
    if not isinstance(node, cst.SimpleString) or sink.function is None:
        return False
    if sink.function.module.function_of(node) is None:
        return False  # a module constant: other readers would lose their text
    prefix = node.prefix.lower()
    if "b" in prefix or "f" in prefix or "u" in prefix or "{" in node.value or "}" in node.value:
        return False
    if string_value(node) is None or sink.value.text not in node.value:
        return False
    if string_value(node) == sink.value.text:  # the string is the image alone (`.format(image="...")`)
        changes[node] = lambda _node: expression(name)
        return True
    new = "f" + node.value.replace(sink.value.text, "{" + name + "}", 1)
    changes[node] = lambda _node: cst.parse_expression(new)
    return True


def parameter_obstacle(function: Function) -> str:
    """Why `add_parameter` cannot add a parameter to the function."""
    params = function.node.params
    defaults = [p.name.value for p in params.params if p.default is not None]
    if defaults:
        return (f"`{function.name}`'s parameter `{defaults[0]}` has a default value, so a new parameter "
                "cannot follow it without one")
    return f"`{function.name}` takes `*args`, keyword-only parameters or `**kwargs`"


def add_parameter(function: Function, parameter: str, changes: dict[cst.CSTNode, Change]) -> bool:
    params = function.node.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.kwonly_params or params.star_kwarg is not None:
        return False
    if any(p.default is not None for p in params.params):
        return False

    def add(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Parameters)
        return node.with_changes(params=_appended(list(node.params), cst.Param(cst.Name(parameter))))

    changes[params] = add
    return True


def _pass_argument(variable: str, parameter: str) -> Change:
    def add(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        args = list(node.args)
        if any(a.keyword is not None or a.star for a in args):
            new = cst.Arg(expression(variable), keyword=cst.Name(parameter),
                          equal=cst.AssignEqual(whitespace_before=NO_SPACE, whitespace_after=NO_SPACE))
        else:
            new = cst.Arg(expression(variable))
        return node.with_changes(args=_appended(args, new))

    return add


def _appended(items: list[Any], new: Any) -> list[Any]:
    """Append an argument or parameter, keeping a trailing comma and the one-per-line layout."""
    if not items or not isinstance(items[-1].comma, cst.Comma):
        return [*items, new]
    last = items[-1]
    previous = items[-2].comma if len(items) > 1 else None
    spacing = previous.whitespace_after if isinstance(previous, cst.Comma) else cst.SimpleWhitespace(" ")
    assert isinstance(last.comma, cst.Comma)
    closing = last.comma.whitespace_after
    if isinstance(spacing, cst.ParenthesizedWhitespace) and isinstance(closing, cst.ParenthesizedWhitespace):
        # one per line: the last item keeps the comment at its end, and the lines between the
        # previous item and it stay where they are (not copied after it)
        spacing = spacing.with_changes(first_line=closing.first_line, empty_lines=[])
        closing = closing.with_changes(first_line=cst.TrailingWhitespace())
    new = new.with_changes(comma=last.comma.with_changes(whitespace_after=closing))
    last = last.with_changes(comma=last.comma.with_changes(whitespace_after=spacing))
    return [*items[:-1], last, new]
