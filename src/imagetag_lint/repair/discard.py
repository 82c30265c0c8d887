"""The whole repair of a dropped build (IMG001): capture, pass, parameter, use.

One repair may resolve other findings too: the IMG003 stale argument it replaces, the IMG002
fixed text it turns into the new parameter. `Repairs` plans each dropped build once per run and
hands the same fix to every finding the repair resolves.
"""

from __future__ import annotations

from imagetag_lint.analysis.defects import dropped_of, stale_of
from imagetag_lint.analysis.deployments import DeployCall, FixedSite
from imagetag_lint.analysis.discards import Discard
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.mismatches import Mismatch
from imagetag_lint.analysis.pairing import in_goroutine
from imagetag_lint.analysis.steps import (
    build_runs_in_loop,
    call_name,
    closure_out_of_reach,
    construct,
    declared_before_step,
    grouped_launch,
    lookup_loop,
    named,
    nested_out_of_reach,
    out_of_reach_of,
    reach_reason,
    reach_steps,
    reassigned_fixed,
    spec_drop_steps,
    suite_drop_steps,
    variable_for,
)
from imagetag_lint.engine import templates
from imagetag_lint.findings import Edit, Fix
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, excerpt, text
from imagetag_lint.golang.syntax import (
    arguments,
    assigned_names,
    callee,
    enclosing,
    identifiers,
    is_write,
    unparen,
)
from imagetag_lint.record import field, record
from imagetag_lint.repair.capture import ExistingName, OuterScope, Scope, capture
from imagetag_lint.repair.goroutine import (
    UNORDERED,
    UNSYNCHRONISED,
    HandOff,
    carry_out_of_goroutine,
    go_statement,
    synchronised_between,
    unordered_reads,
)
from imagetag_lint.repair.names import free_in_package, fresh_name
from imagetag_lint.repair.orphan import drop_orphan
from imagetag_lint.repair.parameter import pass_to
from imagetag_lint.repair.plan import CannotFix, Plan, Rewritten, by_hand, seal
from imagetag_lint.repair.use import use_in_function

BY_HAND = by_hand("no edit can do this soundly; follow the four steps by hand")


def plan_discard_repair(
    index: ImageFlowIndex,
    discard: Discard,
    build_name: str | None,
    deploy: DeployCall | None,
    mismatches: list[Mismatch],
) -> Plan:
    """The repair of one dropped build, with the deploy call its finding pairs it with
    (`analysis.defects`: one pairing for the message and the fix)."""
    function = discard.function
    if function is None or function.body is None:
        raise CannotFix("the build is outside a function; capture its result by hand")
    file = discard.file
    plan = Plan()
    stale = None if in_goroutine(discard.call) else stale_local(index, discard, mismatches)
    if stale is not None:  # reuse the stale local: it gets the built name, the deploy keeps reading it
        variable = text(stale)
        plan.edits.append(remove_statement(discard.file, stale))
    else:
        variable = fresh_name(index, variable_for(build_name, deploy.target if deploy else None), function)
    suite = _deployed_by_suite_tests(index, discard, deploy, variable)
    if suite is not None:
        raise CannotFix(suite)
    specs = _deployed_by_specs(index, discard, deploy, variable)
    dropped = dropped_of(index, discard)
    if specs is not None and stale is None:  # a package variable: its name must be free in the whole package
        variable = free_in_package(index, variable, function)
        specs = _deployed_by_specs(index, discard, deploy, variable)
    if specs is not None and dropped is not None:
        from imagetag_lint.repair.suite_variable import keep_in_package_variable

        try:
            return keep_in_package_variable(index, discard, dropped.fixed, variable)
        except CannotFix as refused:
            raise CannotFix(f"{specs} ({refused})") from None
    out_of_scope = _deployed_out_of_scope(index, discard, deploy)
    reassigned = reassigned_fixed(discard, out_of_scope) if out_of_scope is not None else None
    if out_of_scope is not None and reassigned is None:
        reason = reach_reason(discard, out_of_scope, variable)
        if reason is not None:
            raise CannotFix(reason)
    held = closure_out_of_reach(discard, deploy) if deploy is not None and not in_goroutine(discard.call) else None
    if deploy is not None and held is not None and grouped_launch(discard, deploy.call) is None:
        step = declared_before_step(discard, held, deploy.call, variable)
        raise CannotFix(f"the deploy call at line {deploy.call.start_point.row + 1} cannot read a name captured in the closure; {step.split(': ', 1)[1]}")
    nested = nested_out_of_reach(discard, deploy.call) if deploy is not None and not in_goroutine(discard.call) else None
    if nested is not None and deploy is not None and not build_runs_in_loop(discard, nested):
        raise CannotFix(
            f"the build runs inside {construct(nested)}, which can reach the deploy call at line "
            f"{deploy.call.start_point.row + 1} without running it: declare `{variable}` before it, keep the "
            "assignment's `=`, and set the name on every path to the deployment, by hand"
        )
    if nested is not None:  # a retry loop: the name is declared before it, and set by the last build that ran
        plan.unsafe.append(
            f"the build runs inside {construct(nested)}: the deployment gets the name of the last build "
            "that ran there, and an empty name on a path where none ran"
        )
    scope = capture(index, discard, variable, plan, nested)
    if out_of_scope is not None and reassigned is not None and scope.reaches(reassigned):
        plan.edits.append(E.replace(file, reassigned, variable))  # `img = "..."` -> `img = name`
        plan.rewrites.add((file.filename, out_of_scope.start))
        plan.message = f"capture the image name in `{variable}` and deploy it"
        return plan
    if isinstance(scope, ExistingName):
        variable = scope.name
    go = None
    hand_off: HandOff | None = None
    grouped = grouped_launch(discard, deploy.call) if deploy is not None and not in_goroutine(discard.call) else None
    if in_goroutine(discard.call) and deploy is None and not mismatches and not _deployed_here(index, discard):
        raise CannotFix(UNSYNCHRONISED)  # nothing of the launching function to carry the name to
    if in_goroutine(discard.call) or grouped is not None:
        hand_off = carry_out_of_goroutine(index, discard, scope, variable, deploy, plan, grouped)
        variable = hand_off.name
        go = grouped or go_statement(discard.call)  # found, or carrying the name out was refused
        scope = OuterScope(enclosing(go, ("block",)) if go is not None else None)
    passed = False
    for mismatch in mismatches:
        if go is not None and not synchronised_between(function, go, mismatch.sink.expr):
            continue
        if stale is not None and scope.reaches(mismatch.sink.expr):
            plan.rewrites.add((file.filename, mismatch.sink.expr.start_byte))  # it reads the reused name
            passed = True
        elif scope.reaches(mismatch.sink.expr):
            plan.edits.append(E.replace(file, mismatch.sink.expr, variable))
            plan.rewrites.add((file.filename, mismatch.sink.expr.start_byte))
            drop_orphan(index, function, mismatch.sink.expr, plan)
            passed = True
    if deploy is not None and scope.reaches(deploy.call):
        passed = pass_to(index, deploy, variable, plan, build_name, discard if hand_off is None else None, discard.call) or passed
    if not passed:
        passed = use_in_function(index, function, variable, scope, plan, build_name)
    if not passed and hand_off is not None:
        raise CannotFix(UNSYNCHRONISED)  # no deployment after a receive (or Wait) could take it
    if not passed:
        partial = _template_filled_in_parts(index, function)
        if partial is not None:
            raise CannotFix(partial)
        applier = _applies_a_constant_manifest(index, discard)
        if applier is not None:
            if applier is function:
                raise CannotFix(
                    f"`{function.name}` applies a manifest held in a package-level constant: make it a template "
                    "(`image: %s`) and format the captured name into it by hand"
                )
            raise CannotFix(
                f"`{applier.name}`, which `{function.name}` calls after the build, applies a manifest held in a "
                f"package-level constant: make it a template (`image: %s`), pass the captured name to "
                f"`{applier.name}` and format it into the manifest there, by hand"
            )
        raise CannotFix(_unpassed(index, discard, deploy, scope, variable))
    if hand_off is not None and unordered_reads(hand_off, function, plan):
        plan.unsafe.append(UNORDERED)
    plan.message = f"capture the image name in `{variable}` and deploy it"
    return plan


def _unpassed(index: ImageFlowIndex, discard: Discard, deploy: DeployCall | None, scope: Scope, variable: str) -> str:
    """Why no deployment got the captured name, in the words of what stopped it."""
    if deploy is None:
        return (
            "no deployment in this function can take the captured name; capture it and pass it "
            "to the function that deploys the image by hand"
        )
    line = deploy.call.start_point.row + 1
    if not scope.reaches(deploy.call):
        holder = out_of_reach_of(discard, deploy.call)
        where = f" (it is declared inside the block of {construct(holder)})" if holder is not None else ""
        return (
            f"the deploy call at line {line} cannot read a name captured at the build{where}; declare "
            f"`{variable}` where both can read it, assign it at the build and pass it, by hand"
        )
    args = arguments(deploy.call)
    for position in sorted(deploy.image_params):
        if position < len(args):
            passed = args[position]
            if lookup_loop(passed, deploy.function, discard.call) is not None:
                return (
                    f"`{call_name(deploy.call)}` at line {line} receives `{text(passed)}`, a lookup that serves every key "
                    f"its loop walks; put `{variable}` in the entry of this build's service by hand"
                )
            origin = index.origin(passed, deploy.function.file, deploy.function).kind
            what = "the name another build returns" if origin == "built" else "a value the analysis cannot know to be this build's name"
            return (
                f"`{call_name(deploy.call)}` at line {line} receives `{excerpt(passed)}`, {what}; the fix never "
                f"replaces such an argument: pass `{variable}` instead by hand if it is this build's"
            )
    return f"`{call_name(deploy.call)}` at line {line} cannot be given the captured name; pass `{variable}` to it by hand"


def _deployed_by_suite_tests(index: ImageFlowIndex, discard: Discard, deploy: DeployCall | None, variable: str) -> str | None:
    """Why a drop in a testify suite's method whose `Test...` methods deploy the image is left to
    a person: the name must go on the suite, a field of a type the fix does not change."""
    dropped = dropped_of(index, discard)
    function = discard.function
    if deploy is not None or dropped is None or not dropped.fixed or dropped.fixed[0].function in (None, function):
        return None
    steps = suite_drop_steps(index, function, variable)
    if steps is None:
        return None
    methods = ", ".join(sorted({f"`{site.function.name}`" for site in dropped.fixed if site.function is not None}))
    return f"the suite's test methods deploy the image ({methods}): {steps[0].split(': ', 1)[1]}; then {steps[2].split(': ', 1)[1]}"


def _deployed_by_specs(index: ImageFlowIndex, discard: Discard, deploy: DeployCall | None, variable: str) -> str | None:
    """What a drop in `BeforeSuite` whose spec closures deploy the image needs (the name in a
    package variable the spec reads), said when `repair.suite_variable` cannot write it."""
    dropped = dropped_of(index, discard)
    if deploy is not None or dropped is None or not dropped.fixed:
        return None
    results = (discard.producer.results, discard.producer.image_result)
    steps = spec_drop_steps(discard, dropped.fixed[0], variable, results, dropped.build_name)
    if steps is None:
        return None
    spec = dropped.fixed[0].function
    where = named(spec) if spec is not None else "the spec"
    return f"{where} deploys the image: {steps[0].split(': ', 1)[1]}; then, in it, {steps[3].split(': ', 1)[1]}"


def _deployed_here(index: ImageFlowIndex, discard: Discard) -> bool:
    """Does the drop's function deploy a fixed image of the build itself (its finding names one)?"""
    dropped = dropped_of(index, discard)
    return dropped is not None and bool(dropped.fixed)


def _deployed_out_of_scope(index: ImageFlowIndex, discard: Discard, deploy: DeployCall | None) -> FixedSite | None:
    """The fixed image the drop's function deploys itself, when a name captured in place cannot
    reach it (`analysis.steps.reach_steps` words the steps)."""
    if deploy is not None or in_goroutine(discard.call):
        return None
    dropped = dropped_of(index, discard)
    if dropped is None or not dropped.fixed or dropped.fixed[0].function is None:
        return None
    site = dropped.fixed[0]
    if discard.target is not None and text(discard.target) != "_":
        return None  # a kept name overwritten: its own steps
    return site if reassigned_fixed(discard, site) is not None or reach_steps(discard, site, "name") is not None else None


def _applies_a_constant_manifest(index: ImageFlowIndex, discard: Discard) -> Function | None:
    """Is the image the drop's function deploys itself in a manifest of a package-level constant?
    The function that applies it (the drop's own, or a helper of its package it calls after the
    build), or None."""
    from imagetag_lint.analysis.defects import (
        constant_applied_by_helper,
        dropped_builds,
    )

    function = discard.function
    for dropped in dropped_builds(index, discard.file):
        if dropped.discard is not discard or function is None:
            continue
        for site in dropped.fixed:
            if site.function is None:
                applied = constant_applied_by_helper(index, discard, site)
                return applied[1] if applied is not None else function
    return None


def _template_filled_in_parts(index: ImageFlowIndex, function: Function) -> str | None:
    """Why the manifest template the drop's function fills cannot take the captured name: what it
    puts on the `image:` line is only part of it, or stands elsewhere in the template too, so the
    built name (a whole reference) would not replace it alone. Asked once per function: every
    drop of a long chain in one function asks it."""
    key = ("template-filled-in-parts", id(function))
    if key not in index.cache:
        index.cache[key] = _first_fill_in_parts(index, function)
    reason = index.cache[key]
    return reason if isinstance(reason, str) else None


def _first_fill_in_parts(index: ImageFlowIndex, function: Function) -> str | None:
    for call in index.calls_in(function):
        if callee(call)[1] not in templates.TEMPLATE_CALLS:
            continue
        for fill in templates.template_fills(index, call, function.file, function):
            if fill.whole:
                continue
            where = " and ".join(
                why for why, holds in (
                    (f"is only part of the manifest template's line `image: {fill.line}`", fill.part),
                    ("also stands elsewhere in the template", fill.shared),
                ) if holds
            )
            return (
                f"`{excerpt(fill.expr)}` fills `{fill.placeholder}`, which {where}: put the captured name "
                "on the `image:` line as its whole value by hand"
            )
    return None


@record
class FileRepairs:
    """The repairs of one file's dropped builds, and the fixes of what they rewrite."""

    by_call: dict[int, Fix] = field(default_factory=dict)  # builder call's node id -> its fix
    rewrites: dict[Rewritten, Fix] = field(default_factory=dict)


class Repairs:
    """The repairs of one run, each planned once whichever rule asks first."""

    def __init__(self, index: ImageFlowIndex) -> None:
        self.index = index
        self._files: dict[int, FileRepairs] = {}

    def of_discard(self, discard: Discard) -> Fix:
        return self.of_file(discard.file).by_call.get(discard.call.id, BY_HAND)

    def resolving(self, filename: str, start_byte: int) -> Fix | None:
        """The fix of the first repair that rewrites the expression at this place, if one does."""
        for file in list(self.index.project.files()):
            if file.reported:
                fix = self.of_file(file).rewrites.get((filename, start_byte))
                if fix is not None:
                    return fix
        return None

    def of_file(self, file: SourceFile) -> FileRepairs:
        repairs = self._files.get(id(file))
        if repairs is None:
            repairs = self._files[id(file)] = self._plan_file(file)
        return repairs

    def _plan_file(self, file: SourceFile) -> FileRepairs:
        index = self.index
        repairs = FileRepairs()
        from imagetag_lint.analysis.defects import dropped_builds

        for dropped in dropped_builds(index, file):  # the drops inside functions, each paired once
            discard = dropped.discard
            try:  # each drop rewrites the stale deployments it answers for, not another build's
                plan = plan_discard_repair(index, discard, dropped.build_name, dropped.deploy, stale_of(index, discard))
            except CannotFix as reason:
                repairs.by_call[discard.call.id] = by_hand(str(reason))
                continue
            fix = seal(index, plan)
            repairs.by_call[discard.call.id] = fix
            for place in plan.rewrites:
                repairs.rewrites.setdefault(place, fix)
        return repairs


def stale_local(index: ImageFlowIndex, discard: Discard, mismatches: list[Mismatch]) -> Node | None:
    """The one local every stale deployment of the function reads (`notificationsImage :=
    GenerateImageName(...)`), when it can take the built name instead of a second variable: a
    one-name `:=` in the block of the dropped build, before it, and read only after the build."""
    function, statement = discard.function, discard.statement
    if function is None or function.body is None or statement is None or not mismatches:
        return None
    exprs = [unparen(m.sink.expr) for m in mismatches]
    if any(e.type != "identifier" for e in exprs) or len({text(e) for e in exprs}) != 1:
        return None
    definition = index.reaching_definition(exprs[0], function)
    if definition is None or definition[0].type != "short_var_declaration":
        return None
    declaration = definition[0]
    names = assigned_names(declaration)
    build_statement = statement.parent if statement.parent is not None and statement.parent.type == "if_statement" else statement
    if len(names) != 1 or declaration.parent is None or declaration.parent != build_statement.parent:
        return None
    if declaration.start_byte >= build_statement.start_byte:
        return None
    name = text(names[0])
    for use in identifiers(function.body, name):
        if use.id != names[0].id and (is_write(use) or use.start_byte < build_statement.end_byte):
            return None  # written again, or read before the build: it must keep its own value
    return names[0]


def remove_statement(file: SourceFile, name: Node) -> Edit:
    """The edit that deletes the line of the statement declaring name."""
    statement = name.parent.parent if name.parent is not None and name.parent.parent is not None else name
    start = E.line_start(file, statement.start_byte)
    end = file.source.find(b"\n", statement.end_byte)
    return E.edit(file, start, end + 1 if end != -1 else statement.end_byte, "")

