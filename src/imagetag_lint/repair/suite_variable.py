"""A drop in a Ginkgo `BeforeSuite` whose spec closure deploys the build's fixed image: the two
closures share only the package, so the name goes in a package variable the suite node sets and
the spec reads. Unsafe: that `BeforeSuite` runs before the spec is Ginkgo's order, not one the
code shows. The same for a drop in `TestMain` before `m.Run()` and the tests that deploy it."""

from __future__ import annotations

from imagetag_lint.analysis.deployments import FixedSite
from imagetag_lint.analysis.discards import Discard
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.analysis.steps import on_process_one_only, setup_label
from imagetag_lint.enums import SiteKind
from imagetag_lint.fix import edits as E
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import STRING_TYPES, is_inside
from imagetag_lint.repair.names import words_in
from imagetag_lint.repair.plan import CannotFix, Plan


def order(setup: str) -> str:
    """Why the fix is unsafe: the order it relies on is the framework's."""
    return f"that `{setup}` runs before the spec is Ginkgo's order, not one the code shows"


def keep_in_package_variable(index: ImageFlowIndex, discard: Discard, sites: tuple[FixedSite, ...], variable: str) -> Plan:
    """`var name string` after the suite node's declaration, `name, err = Build(...)` at the build
    (an assignment: `:=` would declare a local that hides it), `name` for each fixed image."""
    if discard.function is not None and on_process_one_only(discard.function):
        raise CannotFix("the name must pass through the first function's `[]byte` to the second, an edit this fix does not make")
    target = _blank_target(discard)
    declaration = _top_level(discard.call)
    if target is None or declaration is None:
        raise CannotFix("the build is not an assignment (`_, err = ...`) that can set a package variable")
    if any(s.kind is SiteKind.YAML or s.node.type not in STRING_TYPES or s.function is None for s in sites):
        raise CannotFix("the spec's image is not a string literal that the package variable can replace")
    if any(s.function is not None and not is_inside(s.node, s.function.node) for s in sites):
        raise CannotFix("an `Entry` argument is evaluated when the spec tree is built, before the suite node sets the variable: the table body must read it")
    if any(not s.file.filename.endswith("_test.go") for s in sites):
        raise CannotFix("a helper of a non-test file deploys the image, and it cannot read a variable that a `_test.go` file declares: the tests must pass it the name")
    if any(s.file.package != discard.file.package for s in sites):
        raise CannotFix(f"a test in package `{sites[0].file.package if sites else ''}` reads only what package `{discard.file.package}` exports: the variable must be exported and that package imported")
    if any(variable.encode() in words_in(index, s.function) for s in sites if s.function is not None):
        raise CannotFix(f"a spec already uses the name `{variable}`")
    plan = Plan()
    if target.parent is not None and target.parent.parent is not None and target.parent.parent.type == "short_var_declaration":
        # `_, err := Build(...)` would declare a local `name` hiding the package variable: declare
        # `err` before it and assign (a statement of a block, so `err` keeps its scope)
        statement = target.parent.parent
        operator = next(child for child in statement.children if child.type == ":=")
        error = next(text(n) for n in target.parent.named_children if n.id != target.id)
        plan.edits.append(E.insert(discard.file, statement.start_byte, f"var {error} error\n{E.line_indent(discard.file, statement.start_byte)}"))
        plan.edits.append(E.replace(discard.file, operator, "="))
    plan.edits.append(E.insert(discard.file, declaration.end_byte, f"\n\nvar {variable} string{_blank_line_after(discard, declaration)}"))
    plan.edits.append(E.replace(discard.file, target, variable))
    for site in sites:
        plan.edits.append(E.replace(site.file, site.node, variable))
        plan.rewrites.add((site.file.filename, site.start))
    if discard.function is not None and discard.function.name == "TestMain" and discard.function.node.type != "func_literal":
        plan.unsafe.append(
            f"the tests read `{variable}`, which `TestMain` sets before `m.Run()`; a path of `TestMain` "
            "that skips the build would leave it empty"
        )
        plan.message = f"keep the image name in the package variable `{variable}` and deploy it in the tests"
        return plan
    plan.unsafe.append(order(setup_label(discard.function) if discard.function is not None else "BeforeSuite"))
    plan.message = f"keep the image name in the package variable `{variable}` and deploy it in the spec"
    return plan


def _blank_line_after(discard: Discard, declaration: Node) -> str:
    """A newline that keeps a blank line between the new `var` and the next declaration when the
    file has none there (gofmt accepts `}` and `func` on adjacent lines, not `var` and `func`)."""
    rest = discard.file.source[declaration.end_byte :]
    following = rest.split(b"\n", 2)
    if len(following) < 2 or not following[1].strip():
        return ""
    return "\n"


def _blank_target(discard: Discard) -> Node | None:
    """The `_` that takes the image result in `_, err = Build(...)`."""
    holder = discard.call.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    left = statement.child_by_field_name("left") if statement is not None else None
    if statement is None or left is None or statement.type not in ("assignment_statement", "short_var_declaration"):
        return None
    targets = left.named_children
    image = discard.producer.image_result
    if statement.type == "short_var_declaration" and not _declares_only_err(statement, targets, image):
        return None
    if image >= len(targets) or text(targets[image]) != "_":
        return None
    return targets[image]


def _declares_only_err(statement: Node, targets: list[Node], image: int) -> bool:
    """Is the `:=` a statement of a block that declares only `err` beside the dropped name
    (`_, err := Build(...)`)? Then `var err error` before it keeps what it declares."""
    holder = statement.parent
    return (
        holder is not None and holder.type in ("block", "statement_list") and len(targets) == 2
        and text(targets[1 - image]) == "err" if image in (0, 1) else False
    )


def _top_level(node: Node) -> Node | None:
    """The declaration of the file (`var _ = BeforeSuite(...)`) that holds the node."""
    current: Node | None = node
    while current is not None and current.parent is not None and current.parent.type != "source_file":
        current = current.parent
    return current if current is not None and current.parent is not None else None
