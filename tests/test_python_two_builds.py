"""Two fixtures in reach build one repository (a release and a debug image): the steps of a fixed
copy of it name both fixtures and leave the choice to a person, and never say that no fixture
builds it."""

from __future__ import annotations

from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "twobuilds")
TESTS = "twobuilds/test_debug.py"


def _steps_at(row: int) -> tuple[tuple[str, ...], Applicability]:
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    finding = next(f for f in found if f.filename == TESTS and f.span.start.row == row)
    assert finding.fix is not None
    return finding.steps, finding.fix.applicability


def test_the_steps_name_both_fixtures_and_leave_the_choice() -> None:
    assert _steps_at(12) == (
        (
            "capture: request one of the fixtures in reach that build `shop-api` (`api_debug_image`, `api_image`): "
            "which image is meant here is yours to choose",
            "pass: request that fixture as a parameter of `test_debug_pinned`",
            "parameter: pytest passes the fixture by its name; nothing else to add",
            "use: the fixture's value instead of `localhost/shop-api:debug`",
        ),
        Applicability.DISPLAY_ONLY,
    )


def test_the_requested_one_of_the_two_is_deployed() -> None:
    steps, applicability = _steps_at(17)
    assert steps[0] == "capture: the test already requests the fixture `api_debug_image`, which builds this image"
    assert applicability == Applicability.SAFE
