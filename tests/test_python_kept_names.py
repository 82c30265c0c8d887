"""A fixed copy of an image beside a variable that holds the name its build gave (`image =
build("shop-audit")`, or the tag a build used): the steps and the fix deploy that variable,
by hand when the variable is not shown to be set where the copy is deployed."""

from __future__ import annotations

from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Finding
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "keptnames")


def _finding_at(filename: str, row: int) -> Finding:
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    return next(f for f in found if f.filename == f"keptnames/{filename}" and f.span.start.row == row)


def _kept_steps(variable: str, verb: str, old: str) -> tuple[str, ...]:
    return (f"capture: the build's name is already in `{variable}`", f"pass: {verb} `{variable}` instead of `{old}`",
            "parameter: none needed", f"use: `{variable}` in place of `{old}`")


def test_a_variable_read_by_a_load_is_deployed() -> None:
    finding = _finding_at("test_kept.py", 21)
    assert finding.steps == _kept_steps("image", "deploy", "localhost/shop-audit:e2e")
    assert finding.fix is not None and finding.fix.applicability == Applicability.SAFE


def test_a_fixture_s_load_of_a_fixed_copy_loads_the_tag_its_build_used() -> None:
    finding = _finding_at("conftest.py", 20)
    assert finding.steps == _kept_steps("tag", "load", "acme/shop-operator:latest")
    assert finding.fix is not None and finding.fix.message == "load `tag`, the name the build used"


def test_a_variable_not_shown_set_where_deployed_is_by_hand() -> None:
    for row in (44, 51):  # bound in a `with` that may suppress; read before only on a branch
        finding = _finding_at("test_kept.py", row)
        assert finding.steps == _kept_steps("image", "deploy", "localhost/shop-tax:e2e")
        assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
        assert finding.fix.message.startswith("`image` is assigned in a block the deployment comes after")


def test_a_variable_of_another_service_is_not_deployed() -> None:
    finding = _finding_at("test_kept.py", 57)
    assert all("`image`" not in step for step in finding.steps)


def test_a_deleted_variable_is_not_deployed() -> None:
    finding = _finding_at("test_kept.py", 65)
    assert all("`image`" not in step for step in finding.steps)
