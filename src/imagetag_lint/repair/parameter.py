"""Steps 2 to 4 across a function boundary: pass the name to the deploy function, give that
function an image parameter (updating every call site), and use it where the fixed text was."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from imagetag_lint.analysis.deployments import (
    DeployCall,
    FixedSite,
    image_arguments,
    needs_own_parameter,
    sites_in,
)
from imagetag_lint.analysis.discards import Discard
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.steps import other_definitions, reads_the_capture
from imagetag_lint.enums import SiteKind
from imagetag_lint.findings import Edit
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, captures, text
from imagetag_lint.golang.syntax import (
    arguments,
    called_function,
    callee,
    enclosing,
    identifiers,
    unparen,
)
from imagetag_lint.repair.names import fresh_name
from imagetag_lint.repair.orphan import drop_orphan
from imagetag_lint.repair.plan import CannotFix, Plan


def pass_to(
    index: ImageFlowIndex, deploy: DeployCall, variable: str, plan: Plan, build_name: str | None = None,
    discard: Discard | None = None, build: Node | None = None,
) -> bool:
    """Steps 2-4 for a deploy function: pass the name (adding the parameter if needed). discard,
    the drop whose name is captured in place: the helper's other calls that read the capture
    (`analysis.steps.reads_the_capture`) get the name too. build, the dropped build call: image
    parameters that take other builds' names are theirs, and the build's fixed image beside
    them gets a parameter of its own (`deployments.needs_own_parameter`)."""
    file = deploy.function.file
    args = arguments(deploy.call)
    if deploy.image_params and not (build is not None and needs_own_parameter(index, deploy, build)):
        positions = image_arguments(index, deploy, build_name)
        if not positions and sum(p < len(args) for p in deploy.image_params) > 1:
            raise CannotFix(several_parameters(deploy, variable))
        for position in positions:
            if position < len(args):
                if text(unparen(args[position])) == variable:
                    return True  # it reads the name already (a stale local reused for the built name)
                if index.origin(args[position], file, deploy.function).kind in ("built", "unknown"):
                    return False  # it deploys a built name (another build's, maybe) or one not known here
                edit = E.replace(file, args[position], variable)
                if not any(E.overlaps(edit, e) for e in plan.edits):
                    plan.edits.append(edit)
                    plan.rewrites.add((file.filename, args[position].start_byte))
                    drop_orphan(index, deploy.function, args[position], plan)  # `ref := "..."` read only here
                return True
        return False
    return _add_parameter(index, deploy, variable, plan, discard)


def _add_parameter(index: ImageFlowIndex, deploy: DeployCall, variable: str, plan: Plan, discard: Discard | None) -> bool:
    target = deploy.target
    sites = sites_for_build(deploy.fixed)
    images = sorted({site.image for site in deploy.fixed if site.local})
    if len(images) > 1:
        raise CannotFix(several_images(target.name, images))
    if not sites:
        return False
    _check_method(index, target)
    parameter = fresh_name(index, "imageName", target)
    callers = call_sites(index, target)
    if isinstance(callers, NameUse):  # names decide it: a local of the same name looks the same
        where = f"{callers.file.filename}:{callers.node.start_point.row + 1}"
        raise CannotFix(
            f"the name `{target.name}` appears other than in a call (at {where}); add an `imageName string` "
            "parameter to it and update its uses by hand"
        )
    unlinted = next((f for f, _ in callers if not f.reported), None)
    if unlinted is not None:
        raise CannotFix(
            f"`{target.name}` is also called in {unlinted.filename}, which this run does not lint; add an "
            "`imageName string` parameter to it and update every call by hand"
        )
    variants = _variants(index, target, sites)
    if target.exported:
        plan.unsafe.append(f"the signature of the exported `{target.name}` changes")
    edit, position = _parameter_edit(target, parameter)
    plan.edits.append(edit)
    for variant, variant_sites in variants:
        variant_edit, variant_position = _parameter_edit(variant, parameter)
        assert variant_position == position  # _variants checked that the parameters are the same
        plan.edits.append(variant_edit)
        sites = sites + variant_sites
    for site in sites:
        plan.edits.extend(use_in_site(site, parameter))
        plan.rewrites.add((site.file.filename, site.start))
    for site in sites:
        if site.function is not None:
            drop_orphan(index, site.function, site.node, plan)  # `ref := "..."` read only at the sites
    old_value = _go_literal(index, sites[0])
    for caller_file, call in callers:
        paired = call.id == deploy.call.id and caller_file is deploy.function.file
        reads = discard is not None and caller_file is discard.file and reads_the_capture(index, discard, deploy, call)
        value = variable if paired or reads else kept_at(index, caller_file, call, sites[0].image) or old_value(caller_file, target.file)
        plan.edits.append(_insert_argument(index, caller_file, call, position, value, target))
    return True


def kept_at(index: ImageFlowIndex, file: SourceFile, call: Node, image: str) -> str | None:
    """The name a build of the image's service keeps in the function of a call of the deploy
    helper, when the call can read it: the parameter step passes that name, not the fixed text
    (the function deploys what it built, as the next round's IMG002 would have it)."""
    from imagetag_lint.repair.use import kept_build_name

    function = index.facts(file).function_of(call)
    kept = kept_build_name(index, function, call, image) if function is not None else None
    return text(kept) if kept is not None else None


def several_parameters(deploy: DeployCall, variable: str) -> str:
    """Why a call of a deploy function that takes several images (an app and a sidecar), none of
    whose arguments is the build's fixed image, gets no edit: which one runs the built image is
    not in the code."""
    names = ", ".join(f"`{p.name}`" for p in deploy.target.params if p.index in deploy.image_params)
    return (
        f"`{deploy.target.name}` takes several images ({names}) and no argument of the call at line "
        f"{deploy.call.start_point.row + 1} is this build's fixed image: pass `{variable}` for the one "
        "that runs the built image by hand"
    )


def several_images(helper: str, images: list[str]) -> str:
    """Why a helper that deploys several fixed images, none or several of them of the built
    service, gets no parameter from the fix."""
    listed = ", ".join(f"`{image}`" for image in images)
    return (
        f"`{helper}` deploys several fixed images ({listed}), and not exactly one of them names the "
        "service the build makes; add an `imageName string` parameter to it for the container that "
        "runs the built image, and update every call, by hand"
    )


def _variants(index: ImageFlowIndex, target: Function, sites: list[FixedSite]) -> list[tuple[Function, list[FixedSite]]]:
    """The other definitions of target in its package (one per build constraint or `_linux.go`
    suffix) and the sites each would change. A call compiles against whichever one the build
    selects, so each gets the parameter, or none does: each must take the same parameters and
    deploy the same fixed image, else the fix is by hand."""
    others = other_definitions(index, target)
    found = []
    for other in others:
        where = f"{other.file.filename}:{other.file.position(other.node.start_byte).row}"
        other_sites = sites_for_build(tuple(s for s in sites_in(index, other) if s.local))
        if _parameters_text(other) != _parameters_text(target) or index.deploy_params(other):
            reason = "with other parameters"
        elif not other_sites:
            reason = "that deploys no fixed image of its own"
        elif other_sites[0].image != sites[0].image:
            reason = f"that deploys `{other_sites[0].image}`"
        else:
            _check_method(index, other)
            found.append((other, other_sites))
            continue
        raise CannotFix(
            f"`{target.name}` is defined again at {where} (for other build constraints), {reason}; "
            "add an `imageName string` parameter to every definition and update every call by hand"
        )
    return found


def _parameters_text(function: Function) -> str:
    parameters = function.node.child_by_field_name("parameters")
    return " ".join((parameters.text or b"").decode().split()) if parameters is not None else ""


def _check_method(index: ImageFlowIndex, target: Function) -> None:
    """A method whose signature changes may stop satisfying an interface, and Go then refuses
    the type wherever it is used as one. An exported method may satisfy an interface of any
    package, in this module or not, and its callers in other packages are not resolved: it is
    left to a person. An unexported one can only satisfy an interface of its own package, whose
    files are all read here: it is changed only when no interface there has a method of its name
    (nor another type a method, or a struct a field, that calls of the name could mean)."""
    if target.receiver is None:
        return
    if target.exported:
        raise CannotFix(
            f"`{target.name}` is an exported method, which may implement an interface; add an "
            "`imageName string` parameter to it and update its calls by hand"
        )
    index.project.load_mentioning(target.file.directory, target.name)  # every file of the package
    variants = {(f.file.filename, f.node.start_byte) for f in (target, *other_definitions(index, target))}  # its own definitions
    for file in list(index.project.package_of(target.file).files):
        if target.name.encode() not in file.source:
            continue
        for node in captures(_SAME_NAMED, file.tree.root_node).get("name", []):
            if text(node) != target.name or node.parent is None or (file.filename, node.parent.start_byte) in variants:
                continue
            where = f"{file.filename}:{file.position(node.start_byte).row}"
            raise CannotFix(_SAME_NAMED_REASONS.get(node.parent.type, _OTHER_METHOD).format(name=target.name, where=where))


_SAME_NAMED_REASONS = {
    "method_elem": (
        "`{name}` may implement an interface (the one at {where} has a method of that name); add an "
        "`imageName string` parameter to it, to the interface's method and to every call by hand"
    ),
    "field_declaration": (
        "the struct field at {where} is also called `{name}`, and a call of that name may be either; "
        "add an `imageName string` parameter to the method and update its calls by hand"
    ),
}
_OTHER_METHOD = (
    "the method at {where} is also called `{name}`, and a call of that name may be either; add an "
    "`imageName string` parameter to the method and update its calls by hand"
)
_SAME_NAMED = """
(method_elem name: (field_identifier) @name)
(field_declaration name: (field_identifier) @name)
(method_declaration name: (field_identifier) @name)
"""


def sites_for_build(sites: tuple[FixedSite, ...]) -> list[FixedSite]:
    """The fixed sites that deploy one image (all of them when they name the same image)."""
    local = [s for s in sites if s.local]
    if not local:
        return []
    images = {s.image for s in local}
    return local if len(images) == 1 else []


class NameUse(NamedTuple):
    """Where target's name appears other than as a call's callee (`f := deploy`, or a local
    function of the same name: uses are told apart by name only)."""

    file: SourceFile
    node: Node


def call_sites(index: ImageFlowIndex, target: Function) -> list[tuple[SourceFile, Node]] | NameUse:
    """Every call of target in the code the run reads (a caller in a file it does not lint
    included: the caller decides); a NameUse when its name also appears other than in a call,
    where it may be used as a value. CannotFix when it is named where calls are not followed
    (through a dot import)."""
    found = []
    home = (target.file.directory, target.file.package)
    index.project.load_mentioning(target.file.directory, target.name, target.exported)  # callers in unparsed files
    users = index.project.other_module_users(target.file.directory, target.name) if target.exported else []
    if users:
        user, linted = users[0]
        where = "in another Go module of the run" if linted else "in another Go module (a file this run does not lint)"
        raise CannotFix(
            f"{user}, {where}, imports `{target.name}`'s package and names it; calls across modules are "
            "not followed: add an `imageName string` parameter and update its calls by hand"
        )
    for file in list(index.project.files()):
        if target.name.encode() not in file.source:
            continue
        same_package = (file.directory, file.package) == home
        if not same_package and not target.exported:
            continue
        if not same_package and _imports(index, file, ".", target):  # `Name(...)`: not resolved as target
            raise CannotFix(
                f"{file.filename} imports `{target.name}`'s package with a dot; add an `imageName string` "
                "parameter to it and update its uses by hand"
            )
        calls = {called.id: c for c in index.facts(file).calls if (called := called_function(c)) is not None}
        for ident in _name_uses(file.tree.root_node, target.name):
            function_node = ident if ident.parent is None or ident.parent.type != "selector_expression" else ident.parent
            call = calls.get(function_node.id)
            if call is None:
                if ident.parent is not None and ident.parent.type in ("function_declaration", "method_declaration"):
                    continue
                if _names_target(index, file, function_node, target, same_package):
                    return NameUse(file, function_node)
                continue
            if any(f is target for f in index.project.resolve_call(call, file)):
                found.append((file, call))
    return found


def _names_target(index: ImageFlowIndex, file: SourceFile, used: Node, target: Function, same_package: bool) -> bool:
    """May a use of target's name that is not a call's callee be target as a value? A bare name
    in its package; for a method, any `x.name` of its package (a method value or expression);
    for a function, `pkg.Name` where pkg is its package."""
    if used.type == "identifier":
        return same_package and target.receiver is None
    operand = used.child_by_field_name("operand")
    if target.receiver is not None:
        return same_package
    return (
        not same_package
        and operand is not None
        and operand.type in ("identifier", "package_identifier")
        and _imports(index, file, text(operand), target)
    )


def _imports(index: ImageFlowIndex, file: SourceFile, qualifier: str, target: Function) -> bool:
    """Does file import target's package under qualifier?"""
    return qualifier in file.imports and index.project.import_directory(file, qualifier) == target.file.directory


def _parameter_edit(target: Function, parameter: str) -> tuple[Edit, int]:
    """The edit that declares the parameter, and the position of the argument it takes: last,
    or before a variadic parameter (which must stay last)."""
    file = target.file
    parameters = target.node.child_by_field_name("parameters")
    assert parameters is not None
    declarations = [p for p in parameters.named_children if p.type.endswith("parameter_declaration")]
    if not declarations:
        return E.edit(file, parameters.start_byte + 1, parameters.end_byte - 1, f"{parameter} string"), 0
    last = declarations[-1]
    fixed = declarations[:-1] if last.type == "variadic_parameter_declaration" else declarations
    position = sum(max(1, len(p.children_by_field_name("name"))) for p in fixed)  # `a, b string` takes two
    return E.insert_item(file, parameters, declarations, len(fixed), f"{parameter} string"), position


def use_in_site(site: FixedSite, name: str) -> list[Edit]:
    """Step 4: the deployment uses the name where it had fixed text."""
    if site.kind in (SiteKind.FIELD, SiteKind.DEPLOY_ARG, SiteKind.FORMAT_ARG):
        return [E.edit(site.file, site.start, site.end, name)]
    if site.kind is SiteKind.COMMAND_ARG:
        return [_command_edit(site, name)]
    return _splice_yaml(site, name)


def _command_edit(site: FixedSite, name: str) -> Edit:
    """The name in a `kubectl` command: the whole argument, or the rest of `"api=..."` after its
    `=`, which becomes `"api=" + name` (the image ends the literal)."""
    node = site.node
    if site.start == node.start_byte and site.end == node.end_byte:
        return E.edit(site.file, site.start, site.end, name)
    quote = chr(site.file.source[node.start_byte])
    return E.edit(site.file, site.start, node.end_byte, f"{quote}{_concat_operator(node)}{name}")


def _splice_yaml(site: FixedSite, value: str) -> list[Edit]:
    file = site.file
    string = site.node
    if enclosing(string, ("const_declaration",)) is not None or site.function is None:
        raise CannotFix("the manifest is a constant; format the image name into it by hand")
    call = string.parent.parent if string.parent is not None else None
    if call is not None and call.type == "call_expression" and string.parent is not None and string.parent.type == "argument_list":
        qualifier, name = callee(call)
        args = arguments(call)
        position = {"Sprintf": 0, "Fprintf": 1, "Printf": 0}.get(name)
        if qualifier == "fmt" and position is not None and position < len(args) and args[position].id == string.id:
            template = (string.text or b"").decode()
            if re.search(r"%\[\d+\]", template):
                raise CannotFix("the manifest uses indexed verbs; add the image argument by hand")
            before = (file.source[string.start_byte : site.start]).decode()
            verbs_before = len([m for m in re.finditer(r"%[-+# 0]*\d*(?:\.\d*)?[a-zA-Z%]", before) if not m.group(0).endswith("%")])
            insert_at = position + 1 + verbs_before
            listing = call.child_by_field_name("arguments")
            assert listing is not None
            return [E.edit(file, site.start, site.end, "%s"), E.insert_item(file, listing, args, min(insert_at, len(args)), value)]
    quote = chr(file.source[string.start_byte])
    plus = _concat_operator(string)
    return [E.edit(file, site.start, site.end, f"{quote}{plus}{value}{plus}{quote}")]


def _go_literal(index: ImageFlowIndex, site: FixedSite) -> Callable[[SourceFile, SourceFile], str]:
    """The expression a caller passes to keep its old behaviour: the literal, the package's
    constant, or else the image as a Go string (a YAML line or a format argument has no
    expression of its own, and a local variable of the deploy function is not in the caller's
    scope)."""
    node = unparen(site.node)
    spelled = (node.text or b"").decode()
    if site.kind not in (SiteKind.FIELD, SiteKind.DEPLOY_ARG):
        node, spelled = site.node, ""
    constant = node.type == "identifier" and site.function is not None and index.project.resolve_const(site.file, spelled) is not None

    def value(caller: SourceFile, defining: SourceFile) -> str:
        if spelled and node.type in ("interpreted_string_literal", "raw_string_literal"):
            return spelled
        if constant and caller.directory == defining.directory and caller.package == defining.package:
            return spelled
        return json.dumps(site.image)

    return value


def _concat_operator(string: Node) -> str:
    """`+` spaced as gofmt prints it: bare inside the arguments of a call with several."""
    node = string
    while node.parent is not None:
        parent = node.parent
        if parent.type in ("literal_value", "block", "statement_list") or parent.type.endswith("_statement"):
            return " + "
        if parent.type == "argument_list" and len(arguments(parent.parent)) > 1 if parent.parent is not None else False:
            return "+"
        node = parent
    return " + "


def _insert_argument(
    index: ImageFlowIndex, file: SourceFile, call: Node, position: int, value: str, target: Function
) -> Edit:
    """The argument at the new parameter's position: before the variadic arguments (or a
    `slice...` spread), else last. A call whose arguments do not line up with the parameters
    (`f(g())` with g returning several values) has no place for it."""
    args = arguments(call)
    variadic = position < _parameter_count(target)
    if len(args) < position or (not variadic and len(args) != position) or _spreads_results(index, file, args, variadic):
        raise CannotFix(
            f"a call of `{target.name}` at {file.filename}:{file.position(call.start_byte).row} passes "
            "several results of one call; add the `imageName string` parameter and its arguments by hand"
        )
    listing = call.child_by_field_name("arguments")
    assert listing is not None
    return E.insert_item(file, listing, args, position, value)


def _spreads_results(index: ImageFlowIndex, file: SourceFile, args: list[Node], variadic: bool) -> bool:
    """`f(g())` where g, a function of the linted code, returns several results: they fill the
    variadic helper's fixed parameters and its variadic ones at once (a function of another
    module is taken to return one)."""
    if not variadic or len(args) != 1 or unparen(args[0]).type != "call_expression":
        return False
    return any(f.result_count > 1 for f in index.project.resolve_call(unparen(args[0]), file))


def _parameter_count(target: Function) -> int:
    parameters = target.node.child_by_field_name("parameters")
    if parameters is None:
        return 0
    return sum(
        max(1, len(p.children_by_field_name("name")))
        for p in parameters.named_children
        if p.type.endswith("parameter_declaration")
    )


def _name_uses(root: Node, name: str) -> Iterator[Node]:
    yield from identifiers(root, name)
    source, base, encoded = root.text or b"", root.start_byte, name.encode()
    position = source.find(encoded)
    while position != -1:
        end = position + len(encoded)
        before = position
        while before > 0 and source[before - 1] in b" \t\r\n":
            before -= 1
        if before > 0 and source[before - 1] == 0x2E:  # a selector: x.name (gofmt allows a line break)
            hit = root.descendant_for_byte_range(base + position, base + end)
            if (
                hit is not None
                and hit.type == "field_identifier"
                and hit.start_byte == base + position
                and hit.end_byte == base + end
                and hit.parent is not None
                and hit.parent.type == "selector_expression"
            ):
                yield hit
        position = source.find(encoded, end)
