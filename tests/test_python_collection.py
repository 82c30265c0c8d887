"""A fix that requests a fixture adds a parameter: only where pytest passes fixtures. A
`unittest.TestCase` method, a `Test`-less class's method, a nested function and a `test_*`
function of a module pytest does not collect get steps by hand that say why (the golden files of
the `uncollected` package show they are left as they are)."""

from __future__ import annotations

import pytest
from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Finding
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set


@pytest.fixture(scope="module")
def findings() -> dict[tuple[str, int], Finding]:
    result = lint_python_sources(package_sources(PYTHON_FIXTURES / "uncollected"), load_rule_set())
    return {(f.filename.removeprefix("uncollected/"), f.span.start.row): f for f in result.findings}


@pytest.mark.parametrize(
    ("where", "why"),
    [
        pytest.param(("test_cases.py", 11), "`test_api_pinned` is a method of `ApiTest`, a unittest test case (it derives "
                     "from `unittest.TestCase`): pytest runs it through unittest, which passes it no fixture", id="unittest"),
        pytest.param(("test_cases.py", 16), "`test_api_used` is a method of `UsesFixtureTest`, a unittest test case", id="usefixtures"),
        pytest.param(("test_cases.py", 26), "`test_api_derived` is a method of `DerivedTest`, a unittest test case", id="derived"),
        pytest.param(("test_cases.py", 31), "pytest does not collect the class `ApiChecks`", id="class-name"),
        pytest.param(("test_cases.py", 36), "pytest does not collect `test_nested`, a function nested in another", id="nested"),
        pytest.param(("smoke.py", 7), "pytest does not collect `uncollected/smoke.py` (its name matches neither `test_*.py` "
                     "nor `*_test.py`): whatever calls `test_cluster_can_run_api` passes it no fixture", id="module-name"),
    ],
)
def test_no_fixture_parameter_where_pytest_passes_none(findings: dict[tuple[str, int], Finding], where: tuple[str, int],
                                                       why: str) -> None:
    fix = findings[where].fix
    assert fix is not None and fix.applicability == Applicability.DISPLAY_ONLY and not fix.edits
    assert fix.message.startswith(why)
    assert fix.message.endswith("follow the four steps by hand")


@pytest.mark.parametrize("where", [("test_cases.py", 43), ("test_cases.py", 47), ("api_test.py", 7)],
                         ids=["test-class", "function", "suffix-module"])
def test_collected_tests_get_the_fixture(findings: dict[tuple[str, int], Finding], where: tuple[str, int]) -> None:
    fix = findings[where].fix
    assert fix is not None and fix.applicability == Applicability.SAFE
    assert fix.message == "request the fixture `api_image` and deploy it"


def test_the_steps_say_to_move_the_test(findings: dict[tuple[str, int], Finding]) -> None:
    finding = findings[("smoke.py", 7)]
    assert finding.steps[0].startswith("capture: move `test_cluster_can_run_api` where pytest passes it fixtures")
