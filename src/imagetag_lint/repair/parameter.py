"""Steps 2 to 4 across a function boundary: pass the name to the deploy function, give that
function an image parameter (updating every call site), and use it where the fixed text was."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from imagetag_lint.analysis.deployments import DeployCall, FixedSite
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.enums import SiteKind
from imagetag_lint.findings import Edit
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    callee,
    enclosing,
    identifiers,
    unparen,
)
from imagetag_lint.repair.names import fresh_name
from imagetag_lint.repair.orphan import drop_orphan
from imagetag_lint.repair.plan import CannotFix, Plan


def pass_to(index: ImageFlowIndex, deploy: DeployCall, variable: str, plan: Plan) -> bool:
    """Steps 2-4 for a deploy function: pass the name (adding the parameter if needed)."""
    file = deploy.function.file
    args = arguments(deploy.call)
    if deploy.image_params:
        for position in sorted(deploy.image_params):
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
    return _add_parameter(index, deploy, variable, plan)


def _add_parameter(index: ImageFlowIndex, deploy: DeployCall, variable: str, plan: Plan) -> bool:
    target = deploy.target
    sites = sites_for_build(deploy.fixed)
    if not sites:
        return False
    parameter = fresh_name(index, "imageName", target)
    callers = _call_sites(index, target)
    if callers is None:
        raise CannotFix(
            f"`{target.name}` is used as a value; add an `imageName string` parameter to it and "
            "update its uses by hand"
        )
    if target.exported:
        plan.unsafe.append(f"the signature of the exported `{target.name}` changes")
    plan.edits.append(_parameter_edit(target, parameter))
    for site in sites:
        plan.edits.extend(use_in_site(site, parameter))
        plan.rewrites.add((site.file.filename, site.start))
    for site in sites:
        if site.function is not None:
            drop_orphan(index, site.function, site.node, plan)  # `ref := "..."` read only at the sites
    old_value = _go_literal(index, sites[0])
    for caller_file, call in callers:
        value = variable if call.id == deploy.call.id and caller_file is deploy.function.file else old_value(caller_file, target.file)
        plan.edits.append(_append_argument(caller_file, call, value))
    return True


def sites_for_build(sites: tuple[FixedSite, ...]) -> list[FixedSite]:
    """The fixed sites that deploy one image (all of them when they name the same image)."""
    local = [s for s in sites if s.local]
    if not local:
        return []
    images = {s.image for s in local}
    return local if len(images) == 1 else []


def _call_sites(index: ImageFlowIndex, target: Function) -> list[tuple[SourceFile, Node]] | None:
    """Every call of target in the linted code; None when it is also used as a value."""
    found = []
    home = (target.file.directory, target.file.package)
    index.project.load_mentioning(target.file.directory, target.name, target.exported)  # callers in unparsed files
    for file in list(index.project.files()):
        if target.name.encode() not in file.source:
            continue
        same_package = (file.directory, file.package) == home
        if not same_package and not target.exported:
            continue
        calls = {c.child_by_field_name("function").id: c for c in index.facts(file).calls if c.child_by_field_name("function") is not None}  # type: ignore[union-attr]
        for ident in _name_uses(file.tree.root_node, target.name):
            function_node = ident if ident.parent is None or ident.parent.type != "selector_expression" else ident.parent
            call = calls.get(function_node.id)
            if call is None:
                if ident.parent is not None and ident.parent.type in ("function_declaration", "method_declaration"):
                    continue
                if same_package and function_node is ident:
                    return None
                continue
            if any(f is target for f in index.project.resolve_call(call, file)):
                found.append((file, call))
    return found


def _parameter_edit(target: Function, parameter: str) -> Edit:
    file = target.file
    parameters = target.node.child_by_field_name("parameters")
    assert parameters is not None
    declarations = [p for p in parameters.named_children if p.type.endswith("parameter_declaration")]
    if not declarations:
        return E.edit(file, parameters.start_byte + 1, parameters.end_byte - 1, f"{parameter} string")
    last = declarations[-1]
    if last.type == "variadic_parameter_declaration":
        return E.insert(file, last.start_byte, f"{parameter} string, ")
    return E.insert(file, last.end_byte, f", {parameter} string")


def use_in_site(site: FixedSite, name: str) -> list[Edit]:
    """Step 4: the deployment uses the name where it had fixed text."""
    if site.kind in (SiteKind.FIELD, SiteKind.DEPLOY_ARG, SiteKind.FORMAT_ARG):
        return [E.edit(site.file, site.start, site.end, name)]
    return _splice_yaml(site, name)


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
            edits = [E.edit(file, site.start, site.end, "%s")]
            if insert_at < len(args):
                edits.append(E.insert(file, args[insert_at].start_byte, f"{value}, "))
            else:
                edits.append(E.insert(file, args[-1].end_byte, f", {value}"))
            return edits
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


def _append_argument(file: SourceFile, call: Node, value: str) -> Edit:
    args = arguments(call)
    if not args:
        argument_list = call.child_by_field_name("arguments")
        assert argument_list is not None
        return E.insert(file, argument_list.start_byte + 1, value)
    last = args[-1]
    return E.insert(file, last.end_byte, f", {value}")


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
