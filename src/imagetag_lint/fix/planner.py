"""Planning the four steps as edits: capture, pass, parameter, use.

A plan is made per dropped build (IMG001) and covers the findings the same repair resolves
(the IMG002 fixed text in the deploy helper, the IMG003 stale argument). Findings no repair
covers get a local fix (IMG003: use the built variable; an ignored parameter: deploy it) or a
display-only fix that says what to do by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from imagetag_lint.analysis.deployments import (
    DeployCall,
    FixedSite,
    deploy_calls,
    fixed_sites,
)
from imagetag_lint.analysis.discarded_image_name import Discard, find_discards
from imagetag_lint.analysis.explain import variable_for
from imagetag_lint.analysis.image_flow import ImageFlowIndex, Sink
from imagetag_lint.analysis.pairing import (
    build_name_of,
    in_goroutine,
    names_service,
    pair,
)
from imagetag_lint.analysis.untracked_image_reference import (
    Mismatch,
    flow_mismatches,
    ignored_image_params,
)
from imagetag_lint.findings import Edit, Fix
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, captures, parse, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    enclosing,
    identifiers,
    is_inside,
    is_write,
    unparen,
)
from imagetag_lint.record import field, record

FindingKey = tuple[str, str, int]  # (code, filename, start byte)


class CannotFix(Exception):
    """No sound edit exists; the message says what to do by hand."""


@record
class Plan:
    """The edits that fix one finding, gathered before they are checked and applied."""

    edits: list[Edit] = field(default_factory=list)
    covers: set[FindingKey] = field(default_factory=set)
    unsafe: list[str] = field(default_factory=list)  # why it is unsafe, if it is
    message: str = ""

    def fix(self) -> Fix:
        applicability = "unsafe" if self.unsafe else "safe"
        message = self.message + (f" (unsafe: {'; '.join(self.unsafe)})" if self.unsafe else "")
        return Fix(applicability, message, tuple(self.edits))


def plan_fixes(index: ImageFlowIndex, files: list[SourceFile]) -> dict[FindingKey, Fix]:
    """A fix for every finding the repairs can reach, keyed by (code, filename, start byte)."""
    planner = Planner(index)
    fixes: dict[FindingKey, Fix] = {}
    fallbacks: list[tuple[FindingKey, Fix]] = []
    for file in files:
        for key, fix in planner.plan_file(file):
            if fix.applicability == "display-only":
                fallbacks.append((key, fix))
            else:
                fixes.setdefault(key, fix)
    for key, fix in fallbacks:  # a repair planned from another file may cover the finding
        fixes.setdefault(key, fix)
    return fixes


class Planner:
    def __init__(self, index: ImageFlowIndex) -> None:
        self.index = index

    def plan_file(self, file: SourceFile) -> Iterator[tuple[FindingKey, Fix]]:
        index = self.index
        discards = list(find_discards(index, file))
        for unit in index.facts(file).units:
            unit_discards = [d for d in discards if d.unit is unit]
            mismatches = flow_mismatches(index, unit, unit_discards) if index.builds(unit) else []
            deploys = deploy_calls(index, unit)
            for position, discard in enumerate(unit_discards):
                key = ("IMG001", file.filename, discard.call.start_byte)
                try:
                    plan = self.plan_repair(discard, position, deploys, mismatches)
                except CannotFix as reason:
                    yield key, Fix("display-only", str(reason))
                    continue
                fix = self.finish(plan)
                yield key, fix
                for covered in plan.covers:
                    yield covered, fix
            if not unit_discards:
                for mismatch in mismatches:
                    key = ("IMG003", file.filename, mismatch.sink.expr.start_byte)
                    yield key, self._guarded(self.plan_use_built, unit, mismatch)
                yield from self._captured_literals(unit)
            for param, site in ignored_image_params(index, unit):
                key = ("IMG003", file.filename, param.node.start_byte)
                yield key, self._guarded(self.plan_use_param, unit, param.name, site)
        for site in fixed_sites(index, file):
            if site.local:
                yield ("IMG002", file.filename, site.start), Fix(
                    "display-only",
                    "pass the name the builder returns to this deployment and use it here "
                    "(no fix of a dropped build covers this deployment)",
                )

    def _guarded(self, make: Callable[..., Plan], *args: object) -> Fix:
        try:
            return self.finish(make(*args))
        except CannotFix as reason:
            return Fix("display-only", str(reason))

    def finish(self, plan: Plan) -> Fix:
        """Remove imports the edits leave unused (Go refuses to compile them), then seal the fix."""
        files = {f.filename: f for f in self.index.project.files()}
        for filename in sorted({e.filename for e in plan.edits}):
            file = files.get(filename)
            if file is None:
                continue
            after = E.apply_edits(file.source, [e for e in plan.edits if e.filename == filename])
            unused = _qualifiers(file.tree.root_node) - _qualifiers(parse(after).root_node)
            for spec in _import_specs(file.tree.root_node):
                if _import_name(spec) in unused:
                    plan.edits.append(_remove_import(file, spec))
        return plan.fix()

    # -- IMG001: the whole repair ---------------------------------------------------------

    def plan_repair(
        self, discard: Discard, position: int, deploys: list[DeployCall], mismatches: list[Mismatch]
    ) -> Plan:
        unit = discard.unit
        if unit is None or unit.body is None:
            raise CannotFix("the build is outside a function; capture its result by hand")
        file = discard.file
        index = self.index
        build_name = build_name_of(index, discard.call, file, unit)
        deploy = pair(build_name, position, deploys)
        plan = Plan()
        variable = self.fresh_name(variable_for(build_name, deploy.target if deploy else None), unit)
        capture = self.capture(discard, variable, plan)
        if isinstance(capture, _ExistingName):
            variable = capture.name
        goroutine = in_goroutine(discard.call)
        if goroutine:
            variable = self.carry_out_of_goroutine(discard, capture, variable, deploy, plan)
            go_statement = _go_statement(discard.call)
            capture = _OuterScope(enclosing(go_statement, ("block",)) if go_statement is not None else None)
        passed = False
        go = _go_statement(discard.call) if goroutine else None
        for mismatch in mismatches:
            if go is not None and not _synchronised_between(unit, go, mismatch.sink.expr):
                continue
            if capture.reaches(mismatch.sink.expr):
                plan.edits.append(E.replace(file, mismatch.sink.expr, variable))
                plan.covers.add(("IMG003", file.filename, mismatch.sink.expr.start_byte))
                self.drop_orphan(unit, mismatch.sink.expr, plan)
                passed = True
        if deploy is not None and capture.reaches(deploy.call):
            passed = self.pass_to(deploy, variable, plan) or passed
        if not passed:
            passed = self.use_in_unit(unit, variable, capture, plan, build_name)
        if not passed:
            raise CannotFix(
                "no deployment in this function can take the captured name; capture it and pass it "
                "to the function that deploys the image by hand"
            )
        plan.message = f"capture the image name in `{variable}` and deploy it"
        return plan

    def capture(self, discard: Discard, variable: str, plan: Plan) -> _Scope:
        """Step 1: give the result a name; returns where that name can be read."""
        file, statement, call = discard.file, discard.statement, discard.call
        parent = call.parent
        if parent is not None and parent.type in ("go_statement", "defer_statement"):
            raise CannotFix(
                f"the result of a `{parent.type[:-10]}` call cannot be read; call the builder "
                "directly, capture the name and pass it to the deployment"
            )
        if parent is not None and parent.type == "expression_statement":
            targets = ["_"] * discard.producer.results
            targets[discard.producer.image_result] = variable
            plan.edits.append(E.insert(file, call.start_byte, ", ".join(targets) + " := "))
            return _BlockScope(parent)
        if statement is None or discard.target is None:
            raise CannotFix("capture the image name by hand")
        if text(discard.target) != "_":
            if "overwritten" in discard.how:
                raise CannotFix(
                    f"`{text(discard.target)}` is overwritten before it is read; keep the built "
                    "name in its own variable and pass it to the deployment"
                )
            return _ExistingName(statement, text(discard.target))
        context = statement.parent
        if context is not None and context.type == "if_statement" and statement.type == "short_var_declaration":
            return self.hoist_if_init(discard, context, variable, plan)
        if context is not None and context.type in ("for_clause", "expression_switch_statement", "type_switch_statement"):
            raise CannotFix("move the build out of the init statement, capture the name and pass it on")
        if statement.type == "assignment_statement":
            indent = E.line_indent(file, statement.start_byte)
            type_name = self.result_type(discard)
            plan.edits.append(E.insert(file, statement.start_byte, f"var {variable} {type_name}\n{indent}"))
        plan.edits.append(E.replace(file, discard.target, variable))
        return _BlockScope(_statement_of(statement))

    def hoist_if_init(self, discard: Discard, if_statement: Node, variable: str, plan: Plan) -> _Scope:
        """`if _, err := F(); err != nil {` -> `name, err := F()` and `if err != nil {`."""
        file = discard.file
        statement = discard.statement
        assert statement is not None and discard.target is not None
        condition = if_statement.child_by_field_name("condition")
        block = if_statement.parent
        if condition is None or block is None or block.type not in ("statement_list", "block"):
            raise CannotFix("move the build out of the `if` statement by hand")
        others = [text(n) for n in _left_names(statement) if text(n) not in ("_",)]
        for name in others:
            if _declared_in_block(block, name, if_statement):
                raise CannotFix(
                    f"hoisting the call out of the `if` would reuse the `{name}` declared before it; "
                    "capture the name in a variable of its own by hand"
                )
        indent = E.line_indent(file, if_statement.start_byte)
        plan.edits.append(E.edit(file, if_statement.start_byte, statement.start_byte, ""))
        plan.edits.append(E.replace(file, discard.target, variable))
        plan.edits.append(E.edit(file, statement.end_byte, condition.start_byte, f"\n{indent}if "))
        for later in _later_redeclarations(block, if_statement, set(others)):
            operator = next((c for c in later.children if c.type == ":="), None)
            if operator is not None:
                plan.edits.append(E.replace(file, operator, "="))
        return _BlockScope(if_statement)

    def result_type(self, discard: Discard) -> str:
        wrapper = discard.producer.wrapper
        if wrapper is None:
            return "string"
        result = wrapper.node.child_by_field_name("result")
        if result is None or result.type != "parameter_list":
            return "string"
        types = []
        for declaration in result.named_children:
            type_node = declaration.child_by_field_name("type")
            count = max(1, len(declaration.children_by_field_name("name")))
            types += [text(type_node) if type_node is not None else "string"] * count
        index = discard.producer.image_result
        return types[index] if index < len(types) else "string"

    def carry_out_of_goroutine(
        self, discard: Discard, capture: _Scope, variable: str, deploy: DeployCall | None, plan: Plan
    ) -> str:
        """Assign an outer variable before the goroutine reports; read it after the receive."""
        file = discard.file
        go = _go_statement(discard.call)
        unit = discard.unit
        assert unit is not None
        loop = enclosing(go, ("for_statement",)) if go is not None else None
        if go is None or (loop is not None and is_inside(loop, unit.node)):
            raise CannotFix(
                "the goroutine is started in a loop: carry each name out in the result struct sent on "
                "the channel and read it after the receive"
            )
        closure = enclosing(discard.call, ("func_literal",))
        after = capture.statement_end()
        report = _first_report(closure, after) if closure is not None else None
        if report is None:
            raise CannotFix("carry the name out of the goroutine with the result it reports on the channel")
        if deploy is None or not _synchronised_between(unit, go, deploy.call):
            raise CannotFix(
                "read the name only after a receive (or Wait) that orders it after the goroutine's send"
            )
        outer = self.fresh_name(variable + "Built", unit, {variable})
        indent = E.line_indent(file, go.start_byte)
        plan.edits.append(E.insert(file, go.start_byte, f"var {outer} string\n{indent}"))
        inner_indent = E.line_indent(file, after)
        hoisted = isinstance(capture, _BlockScope) and capture.statement.type == "if_statement"
        line_end = file.source.find(b"\n", after)
        if hoisted or line_end == -1:
            plan.edits.append(E.insert(file, after, f"\n{inner_indent}{outer} = {variable}"))
        else:  # after the statement's line, so a trailing comment stays where it was
            plan.edits.append(E.insert(file, line_end + 1, f"{inner_indent}{outer} = {variable}\n"))
        plan.unsafe.append("the name now crosses goroutines through a variable ordered by the channel receive")
        return outer

    def pass_to(self, deploy: DeployCall, variable: str, plan: Plan) -> bool:
        """Steps 2-4 for a deploy function: pass the name (adding the parameter if needed)."""
        file = deploy.unit.file
        args = arguments(deploy.call)
        if deploy.image_params:
            for position in sorted(deploy.image_params):
                if position < len(args):
                    if self.index.origin(args[position], file, deploy.unit).kind == "built":
                        return False  # it already deploys a built name (another build's, maybe)
                    edit = E.replace(file, args[position], variable)
                    if not any(E.overlaps(edit, e) for e in plan.edits):
                        plan.edits.append(edit)
                        self._cover_argument(deploy, args[position], plan)
                    return True
            return False
        return self.add_parameter(deploy, variable, plan)

    def _cover_argument(self, deploy: DeployCall, argument: Node, plan: Plan) -> None:
        filename = deploy.unit.file.filename
        plan.covers.add(("IMG002", filename, argument.start_byte))
        plan.covers.add(("IMG003", filename, argument.start_byte))

    def add_parameter(self, deploy: DeployCall, variable: str, plan: Plan) -> bool:
        target = deploy.target
        sites = _sites_for_build(deploy.fixed)
        if not sites:
            return False
        parameter = self.fresh_name("imageName", target)
        callers = self.call_sites(target)
        if callers is None:
            raise CannotFix(
                f"`{target.name}` is used as a value; add an `imageName string` parameter to it and "
                "update its uses by hand"
            )
        if target.exported:
            plan.unsafe.append(f"the signature of the exported `{target.name}` changes")
        plan.edits.append(self.parameter_edit(target, parameter))
        for site in sites:
            plan.edits.extend(self.use_parameter(site, parameter))
            plan.covers.add(("IMG002", site.file.filename, site.start))
        old_value = _go_literal(sites[0])
        for caller_file, call in callers:
            value = variable if call.id == deploy.call.id and caller_file is deploy.unit.file else old_value(caller_file, target.file)
            plan.edits.append(_append_argument(caller_file, call, value))
        return True

    def call_sites(self, target: Function) -> list[tuple[SourceFile, Node]] | None:
        """Every call of target in the linted code; None when it is also used as a value."""
        found = []
        home = (target.file.directory, target.file.package)
        for file in list(self.index.project.files()):
            if target.name.encode() not in file.source:
                continue
            same_package = (file.directory, file.package) == home
            if not same_package and not target.exported:
                continue
            calls = {c.child_by_field_name("function").id: c for c in self.index.facts(file).calls if c.child_by_field_name("function") is not None}  # type: ignore[union-attr]
            for ident in _name_uses(file.tree.root_node, target.name):
                function_node = ident if ident.parent is None or ident.parent.type != "selector_expression" else ident.parent
                call = calls.get(function_node.id)
                if call is None:
                    if ident.parent is not None and ident.parent.type in ("function_declaration", "method_declaration"):
                        continue
                    if same_package and function_node is ident:
                        return None
                    continue
                if any(f is target for f in self.index.project.resolve_call(call, file)):
                    found.append((file, call))
        return found

    def parameter_edit(self, target: Function, parameter: str) -> Edit:
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

    def use_parameter(self, site: FixedSite, parameter: str) -> list[Edit]:
        """Step 4: the deployment uses the parameter where it had fixed text."""
        file = site.file
        if site.kind in ("field", "deploy-arg", "format-arg"):
            return [E.edit(file, site.start, site.end, parameter)]
        return self.splice_yaml(site, parameter)

    def splice_yaml(self, site: FixedSite, value: str) -> list[Edit]:
        file = site.file
        string = site.node
        if enclosing(string, ("const_declaration",)) is not None or site.unit is None:
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

    def use_in_unit(self, unit: Function, variable: str, capture: _Scope, plan: Plan, build_name: str | None) -> bool:
        """No deploy call: the build's own function deploys fixed text; use the name there."""
        sites = [
            s for s in fixed_sites(self.index, unit.file)
            if s.unit is unit and s.local and capture.reaches(s.node)
            and (build_name is None or names_service(build_name, s.image))
        ]
        sites = _sites_for_build(tuple(sites))
        for site in sites:
            plan.edits.extend(self.use_parameter(site, variable))
            plan.covers.add(("IMG002", site.file.filename, site.start))
        return bool(sites)

    def drop_orphan(self, unit: Function, replaced: Node, plan: Plan) -> None:
        """`name := Generate...()` whose only read was replaced would not compile: remove it."""
        expr = unparen(replaced)
        if expr.type != "identifier" or unit.body is None:
            return
        name = text(expr)
        definition = self.index.reaching_definition(expr, unit)
        if definition is None:
            return
        statement, _ = definition
        reads = [
            i for i in identifiers(unit.body, name)
            if not is_write(i) and i.id != expr.id and not any(e.start_byte <= i.start_byte < e.end_byte for e in plan.edits if e.filename == unit.file.filename)
        ]
        if reads:
            return
        if statement.type != "short_var_declaration" or len(_left_names(statement)) != 1:
            raise CannotFix(f"`{name}` would be left unused; remove it by hand")
        file = unit.file
        start = E.line_start(file, statement.start_byte)
        end = file.source.find(b"\n", statement.end_byte)
        plan.edits.append(E.edit(file, start, end + 1 if end != -1 else statement.end_byte, ""))

    # -- IMG003 and IMG002 without a dropped build ----------------------------------------

    def plan_use_built(self, unit: Function, mismatch: Mismatch) -> Plan:
        """A recomputed name where the built one is in a variable: use the variable."""
        built = self.built_variable(unit, mismatch.sink)
        if built is None:
            raise CannotFix("pass the variable the build used instead of recomputing the name")
        plan = Plan(message=f"use `{built}`, the name the build used")
        plan.edits.append(E.replace(unit.file, mismatch.sink.expr, built))
        self.drop_orphan(unit, mismatch.sink.expr, plan)
        return plan

    def built_variable(self, unit: Function, sink: Sink) -> str | None:
        """A variable holding the built name, declared before the sink in a scope around it."""
        index = self.index
        for call in index.calls_in(unit):
            if call.start_byte >= sink.expr.start_byte:
                break
            consumer = index.consumer(call)
            args = arguments(call)
            candidate: Node | None = None
            if consumer is not None and consumer.kind == "build" and consumer.image_arg < len(args):
                candidate = unparen(args[consumer.image_arg])
            elif consumer is None and (producer := index.producer(call, unit.file)) is not None:
                candidate = _captured_target(call, producer.image_result)
            if candidate is not None and candidate.type == "identifier" and _visible_at(index, unit, candidate, sink.expr):
                return text(candidate)
        return None

    def _captured_literals(self, unit: Function) -> Iterator[tuple[FindingKey, Fix]]:
        """IMG002 in a function whose build result is captured: deploy that variable instead."""
        for site in fixed_sites(self.index, unit.file):
            if site.unit is not unit or not site.local or site.kind not in ("field", "deploy-arg"):
                continue
            for call in self.index.calls_in(unit):
                producer = self.index.producer(call, unit.file)
                if producer is None or call.start_byte > site.start:
                    continue
                target = _captured_target(call, producer.image_result)
                build_name = build_name_of(self.index, call, unit.file, unit)
                if build_name is not None and not names_service(build_name, site.image):
                    continue
                if target is not None and target.type == "identifier" and text(target) != "_" and _visible_at(self.index, unit, target, site.node):
                    plan = Plan(message=f"deploy `{text(target)}`, the name the build returned")
                    plan.edits.append(E.edit(unit.file, site.start, site.end, text(target)))
                    yield ("IMG002", unit.file.filename, site.start), self.finish(plan)
                    break

    def plan_use_param(self, unit: Function, parameter: str, site: FixedSite) -> Plan:
        plan = Plan(message=f"deploy the `{parameter}` parameter instead of `{site.image}`")
        plan.edits.extend(self.use_parameter(site, parameter))
        plan.covers.add(("IMG002", site.file.filename, site.start))
        return plan

    # -- names ----------------------------------------------------------------------------

    def fresh_name(self, base: str, unit: Function, taken: set[str] | None = None) -> str:
        """base, or base2, base3...: a name the function and the package's top level do not use."""
        used = (taken or set()) | self.top_level_names(unit)
        body = (unit.node.text or b"")
        for number in range(1, 100):
            name = base if number == 1 else f"{base}{number}"
            if name in used or re.search(rb"\b" + name.encode() + rb"\b", body):
                continue
            return name
        raise CannotFix("no fresh variable name is free")

    def top_level_names(self, unit: Function) -> set[str]:
        package = self.index.project.package_of(unit.file)
        key = ("top-level-names", id(package))
        names = self.index.cache.get(key)
        if names is None:
            found: set[str] = set()
            for file in package.files:
                found.update(file.imports)
                for node in file.tree.root_node.named_children:
                    if node.type not in ("type_declaration", "var_declaration", "const_declaration"):
                        continue
                    specs = list(node.named_children)
                    specs.extend(c for s in list(specs) if s.type.endswith("_spec_list") for c in s.named_children)
                    for spec in specs:
                        found.update(text(name) for name in spec.children_by_field_name("name"))
            found.update(package.functions)
            names = self.index.cache[key] = found
        return names  # type: ignore[return-value]


# -- scopes: where the captured name can be read ------------------------------------------


class _Scope:
    def reaches(self, node: Node) -> bool:
        raise NotImplementedError

    def statement_end(self) -> int:
        raise NotImplementedError


class _BlockScope(_Scope):
    """A name declared by a statement is readable after it, inside the statement's block."""

    def __init__(self, statement: Node) -> None:
        self.statement = statement
        self.block = statement.parent

    def reaches(self, node: Node) -> bool:
        return self.block is not None and is_inside(node, self.block) and node.start_byte >= self.statement.end_byte

    def statement_end(self) -> int:
        if self.statement.type == "if_statement":
            initializer = self.statement.child_by_field_name("initializer")
            return initializer.end_byte if initializer is not None else self.statement.end_byte
        return self.statement.end_byte


class _ExistingName(_BlockScope):
    """The name already exists (only `_ = name` read it)."""

    def __init__(self, statement: Node, name: str) -> None:
        super().__init__(statement)
        self.name = name


class _OuterScope(_Scope):
    def __init__(self, block: Node | None) -> None:
        self.block = block

    def reaches(self, node: Node) -> bool:
        return self.block is not None and is_inside(node, self.block)

    def statement_end(self) -> int:
        return self.block.end_byte if self.block is not None else 0


# -- syntax helpers -----------------------------------------------------------------------


def _statement_of(node: Node) -> Node:
    """The statement (a child of a statement list) that holds node."""
    while node.parent is not None and node.parent.type not in ("statement_list", "block", "source_file"):
        node = node.parent
    return node


def _left_names(statement: Node) -> list[Node]:
    left = statement.child_by_field_name("left")
    return list(left.named_children) if left is not None else []


def _declared_in_block(block: Node, name: str, before: Node) -> bool:
    for statement in block.named_children:
        if statement.start_byte >= before.start_byte:
            return False
        if statement.type == "short_var_declaration" and any(text(n) == name for n in _left_names(statement)):
            return True
        if statement.type == "var_declaration" and re.search(rf"\b{re.escape(name)}\b", text(statement).split("=")[0]):
            return True
    return False


def _later_redeclarations(block: Node, after: Node, names: set[str]) -> Iterator[Node]:
    """`err := x()` later in the block would declare no new name once `err` is hoisted."""
    for statement in block.named_children:
        if statement.start_byte <= after.start_byte or statement.type != "short_var_declaration":
            continue
        left = {text(n) for n in _left_names(statement)} - {"_"}
        if left and left <= names:
            yield statement


def _go_statement(call: Node) -> Node | None:
    return enclosing(call, ("go_statement",))


def _first_report(closure: Node, after: int) -> Node | None:
    """The first send or `Done()` in the goroutine after the capture."""
    body = closure.child_by_field_name("body")
    stack = [body] if body is not None else []
    found: list[Node] = []
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES and node is not body:
            continue
        if node.start_byte >= after and (node.type == "send_statement" or (node.type == "call_expression" and callee(node)[1] == "Done")):
            found.append(node)
        stack.extend(node.named_children)
    return min(found, key=lambda n: n.start_byte) if found else None


def _synchronised_between(unit: Function, go: Node, deploy_call: Node) -> bool:
    """A receive or a Wait() in the launching function between the go statement and the deploy."""
    body = unit.body
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "func_literal":
            continue
        if go.end_byte <= node.start_byte < deploy_call.start_byte:
            if node.type == "unary_expression" and text(node).startswith("<-"):
                return True
            if node.type == "call_expression" and callee(node)[1] == "Wait":
                return True
        stack.extend(node.named_children)
    return False


def _sites_for_build(sites: tuple[FixedSite, ...]) -> list[FixedSite]:
    """The fixed sites that deploy one image (all of them when they name the same image)."""
    local = [s for s in sites if s.local]
    if not local:
        return []
    images = {s.image for s in local}
    return local if len(images) == 1 else []


def _go_literal(site: FixedSite):  # type: ignore[no-untyped-def]
    """The expression a caller passes to keep its old behaviour: the literal or the constant."""
    original = (site.node.text or b"").decode() if site.kind in ("field", "deploy-arg") else ""

    def value(caller: SourceFile, defining: SourceFile) -> str:
        node = unparen(site.node)
        if node.type in ("interpreted_string_literal", "raw_string_literal"):
            return original
        if node.type == "identifier" and caller.directory == defining.directory and caller.package == defining.package:
            return original
        return json.dumps(site.image)

    return value


_QUALIFIERS = "[(selector_expression operand: (identifier) @q) (qualified_type package: (package_identifier) @q)]"


def _qualifiers(root: Node) -> set[str]:
    return {text(n) for n in captures(_QUALIFIERS, root).get("q", [])}


def _import_specs(root: Node) -> list[Node]:
    return captures("(import_spec) @spec", root).get("spec", [])


def _import_name(spec: Node) -> str:
    alias = spec.child_by_field_name("name")
    path = spec.child_by_field_name("path")
    if alias is not None:
        return text(alias)
    return text(path).strip('"`').rsplit("/", 1)[-1] if path is not None else ""


def _remove_import(file: SourceFile, spec: Node) -> Edit:
    node = spec if spec.parent is None or spec.parent.type == "import_spec_list" else spec.parent
    start = E.line_start(file, node.start_byte)
    end = file.source.find(b"\n", node.end_byte)
    return E.edit(file, start, end + 1 if end != -1 else node.end_byte, "")


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
                and hit.type == "field_hitifier"
                and hit.start_byte == base + position
                and hit.end_byte == base + end
                and hit.parent is not None
                and hit.parent.type == "selector_expression"
            ):
                yield hit
        position = source.find(encoded, end)


def _captured_target(call: Node, image_result: int) -> Node | None:
    parent = call.parent
    if parent is None or parent.type != "expression_list":
        return None
    statement = parent.parent
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left = _left_names(statement)
    return left[image_result] if image_result < len(left) else None


def _visible_at(index: ImageFlowIndex, unit: Function, variable: Node, use: Node) -> bool:
    """Is the variable declared in a block that also holds `use` (so the name resolves there)?"""
    statement = variable.parent.parent if variable.parent is not None else None
    if statement is None:
        return False
    if statement.type == "short_var_declaration":
        block = statement.parent
        if block is not None and block.type in ("if_statement", "for_clause", "expression_switch_statement"):
            block = block.parent
        return block is not None and is_inside(use, block) and use.start_byte > variable.end_byte
    return use.start_byte > variable.end_byte
