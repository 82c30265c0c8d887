"""Repairs inside one function: deploy the name the build used where a fixed or recomputed
reference stands, and drop a variable the edit leaves unread."""

from __future__ import annotations

from imagetag_lint.analysis.deploying_builders import already_deployed
from imagetag_lint.analysis.deployments import FixedSite, fixed_sites
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.mismatches import Mismatch, meant_name
from imagetag_lint.analysis.pairing import build_name_of, names_service
from imagetag_lint.analysis.received_results import received_result
from imagetag_lint.engine.values import loop_variable
from imagetag_lint.enums import SiteKind
from imagetag_lint.findings import Edit, Fix
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    enclosing,
    identifiers,
    is_inside,
    is_write,
)
from imagetag_lint.repair.capture import BlockScope, Scope, left_names
from imagetag_lint.repair.orphan import drop_orphan
from imagetag_lint.repair.parameter import sites_for_build, use_in_site
from imagetag_lint.repair.plan import CannotFix, Plan, by_hand, seal


def use_in_function(
    index: ImageFlowIndex, function: Function, variable: str, capture: Scope, plan: Plan, build_name: str | None
) -> bool:
    """No deploy call: the build's own function deploys fixed text; use the name there."""
    sites = [
        s for s in fixed_sites(index, function.file)
        if s.function is function and s.local and capture.reaches(s.node)
        and (build_name is None or names_service(build_name, s.image))
    ]
    sites = sites_for_build(tuple(sites))
    for site in sites:
        plan.edits.extend(use_in_site(site, variable))
        plan.rewrites.add((site.file.filename, site.start))
    for site in sites:  # once every site reads the variable: `ref := "..."` may have been read only there
        drop_orphan(index, function, site.node, plan)
    return (
        bool(sites)
        or _set_after_build(index, function, variable, capture, plan, build_name)
        or _set_entry_after_build(index, function, variable, capture, plan, build_name)
    )


def _set_after_build(
    index: ImageFlowIndex, function: Function, variable: str, capture: Scope, plan: Plan, build_name: str | None
) -> bool:
    """A config filled before the build and deployed after it (`api := Service{Image: "..."}`,
    build, `deployService(ctx, api)`): set its field to the name right after the build."""
    from imagetag_lint.analysis.defects import filled_before, looked_up_entry

    if not isinstance(capture, BlockScope) or capture.block is None:
        return False
    statement = capture.statement
    filled = [
        (site, found) for site in fixed_sites(index, function.file)
        if site.function is function and site.local and (build_name is None or names_service(build_name, site.image))
        and (found := filled_before(site, statement)) is not None and looked_up_entry(site) is None  # an entry: set as `images["web"]`
    ]
    if len(filled) != 1:
        return False
    site, filled_in = filled[0]
    same_block = filled_in.statement.parent is not None and filled_in.statement.parent.id == capture.block.id
    removal = _without_element(function.file, site.node) if same_block else None  # another block: the assignment may not reach it
    _move_after_build(plan, site, statement, removal, filled_in.statement, (filled_in.local, filled_in.key), f"{filled_in.local}.{filled_in.key}", variable)
    return True


def plan_use_built(index: ImageFlowIndex, function: Function, mismatch: Mismatch) -> Plan:
    """A recomputed name where the built one is in a variable: use the variable (the one the
    deployment means, when the function builds several)."""
    if loop_variable(mismatch.sink.expr, function) is not None:
        raise CannotFix(
            f"`{excerpt(mismatch.sink.expr)}` takes each element of a `range` list in turn: one built name in its place "
            "would deploy that image once per element and leave the loop variable unused"
        )
    meant = meant_name(index, function, mismatch)
    built = text(meant) if meant is not None and visible_at(meant, mismatch.sink.expr) else None
    received = received_result(function, meant, mismatch.sink.expr) if meant is not None and built is None else None
    if received is not None:  # the goroutine's send happens before the receive that holds the name
        built = received.name
        plan = Plan(message=f"use `{built}`, the name the goroutine's build sends in its result")
    elif built is not None:
        plan = Plan(message=f"use `{built}`, the name the build used")
    else:
        raise CannotFix("pass the variable the build used instead of recomputing the name")
    plan.edits.append(E.replace(function.file, mismatch.sink.expr, built))
    drop_orphan(index, function, mismatch.sink.expr, plan)
    return plan


def captured_name_fix(index: ImageFlowIndex, site: FixedSite) -> Fix | None:
    """Fixed text in a function whose build result is captured: deploy that variable instead."""
    function = site.function
    if function is None or not site.local or site.kind not in (SiteKind.FIELD, SiteKind.DEPLOY_ARG, SiteKind.COMMAND_ARG):
        return None
    target = kept_build_name(index, function, site.node, site.image)
    if target is None:
        return None
    return _deploy_instead(index, function, site, text(target), f"deploy `{excerpt(target)}`, the name the build returned")


def raw_tag_fix(index: ImageFlowIndex, site: FixedSite, tag: Node, build: Node, message: str) -> Fix | None:
    """Fixed text in a function that runs the build itself with a variable as its tag (`podman
    build -t tag`) before it: deploy that variable, a one-token edit, when the deployment can read
    it and the function sets it once (it holds at the deployment what the build tagged)."""
    function = site.function
    body = function.body if function is not None else None
    if function is None or body is None or site.kind not in (SiteKind.FIELD, SiteKind.DEPLOY_ARG, SiteKind.COMMAND_ARG, SiteKind.FORMAT_ARG):
        return None
    writes = sum(is_write(use) for use in identifiers(body, text(tag)))
    set_once = writes == 1 or (writes == 0 and function.param(text(tag)) is not None)
    if build.end_byte > site.start or not set_once or not visible_at(tag, site.node):
        return None
    return _deploy_instead(index, function, site, text(tag), message)


def _deploy_instead(index: ImageFlowIndex, function: Function, site: FixedSite, name: str, message: str) -> Fix:
    """The fix that deploys name in place of the site's fixed text, and drops a local that held
    only that text (`ref := "..."` read only here)."""
    plan = Plan(message=message)
    plan.edits.extend(use_in_site(site, name))
    try:
        drop_orphan(index, function, site.node, plan)
    except CannotFix as reason:
        return by_hand(str(reason))
    return seal(index, plan)


def kept_build_name(index: ImageFlowIndex, function: Function, node: Node, image: str) -> Node | None:
    """The variable in which a build of the image's service in function, before node, keeps the
    name it returns, when node can read it."""
    for call in index.calls_in(function):
        producer = index.producer(call, function.file)
        if producer is None or call.start_byte > node.start_byte:
            continue
        target = _captured_target(call, producer.image_result)
        build_name = build_name_of(index, call, function.file, function)
        if build_name is not None and not names_service(build_name, image):
            continue
        if build_name is None and target is not None and already_deployed(index, function, text(target)):
            continue  # a build of unknown repository whose name is deployed already: this is another image
        if target is not None and target.type == "identifier" and text(target) != "_" and visible_at(target, node):
            return target
    return None


def plan_use_param(parameter: str, site: FixedSite) -> Plan:
    plan = Plan(message=f"deploy the `{parameter}` parameter instead of `{site.image}`")
    plan.edits.extend(use_in_site(site, parameter))
    return plan


def _captured_target(call: Node, image_result: int) -> Node | None:
    parent = call.parent
    if parent is None or parent.type != "expression_list":
        return None
    statement = parent.parent
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left = left_names(statement)
    return left[image_result] if image_result < len(left) else None


def visible_at(variable: Node, use: Node) -> bool:
    """Is the variable declared in a block that also holds `use`, before it (so the name resolves
    there)? A name an `if`, `for` or `switch` init declares ends with that statement."""
    closure = enclosing(variable, ("func_literal",))
    if closure is not None and not is_inside(use, closure) and _declared_in_closure(closure, text(variable)):
        return False  # a goroutine's own local (`img := ...` inside `go func() {...}()`)
    statement = variable.parent.parent if variable.parent is not None else None
    if statement is None:
        return False
    if statement.type == "short_var_declaration":
        block = statement.parent
        if block is not None and block.type == "for_clause":
            block = block.parent
        return block is not None and is_inside(use, block) and use.start_byte > variable.end_byte
    return use.start_byte > variable.end_byte


def _declared_in_closure(closure: Node, name: str) -> bool:
    """Does the closure declare the name itself (a parameter, `:=` or `var`)?"""
    parameters = closure.child_by_field_name("parameters")
    if parameters is not None and any(text(n) == name for p in parameters.named_children for n in p.children_by_field_name("name")):
        return True
    return any(
        is_write(use) and use.parent is not None
        and (use.parent.type == "var_spec" or (use.parent.parent is not None and use.parent.parent.type == "short_var_declaration"))
        for use in identifiers(closure, name)
    )


def _set_entry_after_build(
    index: ImageFlowIndex, function: Function, variable: str, capture: Scope, plan: Plan, build_name: str | None
) -> bool:
    """A map filled before the build whose entry the deployment looks up (`images :=
    map[string]string{"web": "..."}`, build, `deploy(images[svc])`): the entry goes from the
    literal, and `images["web"] = name` is set right after the build."""
    from imagetag_lint.analysis.defects import looked_up_entry

    if not isinstance(capture, BlockScope) or capture.block is None or function.body is None:
        return False
    statement = capture.statement
    looked_up = [
        (site, entry) for site in fixed_sites(index, function.file)
        if site.function is function and site.local and site.start < statement.start_byte
        and (build_name is None or names_service(build_name, site.image)) and (entry := looked_up_entry(site)) is not None
    ]
    if len(looked_up) != 1:
        return False
    site, entry = looked_up[0]
    same_block = entry.statement.parent is not None and entry.statement.parent.id == capture.block.id
    read_after = all(
        use.start_byte >= statement.end_byte or is_inside(use, entry.statement) for use in identifiers(function.body, entry.local)
    )  # a lookup before the build would lose the entry
    removal = _without_element(function.file, site.node) if same_block and read_after else None
    _move_after_build(plan, site, statement, removal, entry.statement, (entry.local, entry.key), f"{entry.local}[{entry.key}]", variable)
    return True


def _move_after_build(
    plan: Plan, site: FixedSite, build: Node, removal: Edit | None, filled: Node, element: tuple[str, str], target: str, variable: str
) -> None:
    """Take the fixed value out of the literal that `filled` makes before the build (`removal`)
    and set `target` (its field or entry) to the built name on the line after the build; by
    hand when the value cannot be taken out there."""
    local, key = element
    if removal is None:
        raise CannotFix(
            f"`{local}` is filled before the build (line {filled.start_point.row + 1}); drop "
            f"`{key}: {excerpt(site.node)}` from it and set `{target} = {variable}` after the build by hand"
        )
    plan.edits.append(removal)
    source = site.file.source
    indent = source[source.rfind(b"\n", 0, build.start_byte) + 1 : build.start_byte].decode()
    line_end = source.find(b"\n", build.end_byte)
    line_end = len(source) if line_end == -1 else line_end
    rest = source[build.end_byte : line_end].strip()
    after = line_end if rest.startswith(b"//") and b"*/" not in rest else build.end_byte  # a trailing comment stays on its line
    plan.edits.append(E.insert(site.file, after, f"\n{indent}{target} = {variable}"))
    plan.rewrites.add((site.file.filename, site.start))


def _without_element(file: SourceFile, value: Node) -> Edit | None:
    """The edit that removes the `Image: "..."` element holding value from its struct literal,
    as gofmt would leave the rest: its own line, or the element and its comma within a line."""
    element = value.parent
    while element is not None and element.type != "keyed_element":
        element = element.parent
    literal = element.parent if element is not None else None
    if element is None or literal is None:
        return None
    source = file.source
    line_start = source.rfind(b"\n", 0, element.start_byte) + 1
    line_end = source.find(b"\n", element.end_byte)
    line_end = len(source) if line_end == -1 else line_end
    before, after = source[line_start : element.start_byte], source[element.end_byte : line_end]
    elements = [child for child in literal.named_children if child.type in ("keyed_element", "literal_element")]
    if len(elements) == 1 and all(child.type != "comment" for child in literal.named_children):
        return E.edit(file, literal.start_byte, literal.end_byte, "{}")  # gofmt's empty literal
    if not before.strip() and after.strip() in (b",", b""):
        if any(_padded(source, other) for other in elements if other.id != element.id):
            return None  # gofmt aligns the values of a block of keys: it may align them anew
        return E.edit(file, line_start, min(line_end + 1, len(source)), "")  # the element's own line
    position = next(i for i, child in enumerate(elements) if child.id == element.id)
    if position + 1 < len(elements) and elements[position + 1].start_point.row == element.start_point.row:
        return E.edit(file, element.start_byte, elements[position + 1].start_byte, "")
    if position > 0 and elements[position - 1].end_point.row == element.start_point.row:
        return E.edit(file, elements[position - 1].end_byte, element.end_byte, "")
    return None


def _padded(source: bytes, element: Node) -> bool:
    """Does gofmt's alignment pad the element's value (`Name:  "api",`)?"""
    if element.type != "keyed_element" or element.named_child_count != 2:
        return False
    key, value = element.named_children
    return len(source[key.end_byte : value.start_byte].strip(b":")) > 1
