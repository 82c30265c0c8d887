"""A factory fixture whose function builds a service but returns something else (the pod's
name): the steps of a fixed copy of that service's image say to have the factory return the
name its build gave, not to build the service in a fixture (the factory builds it already)."""

from __future__ import annotations

from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "podfactory")
TESTS = "podfactory/test_pod_factory.py"


def _finding_at(row: int) -> tuple[str, ...]:
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    finding = next(f for f in found if f.filename == TESTS and f.span.start.row == row)
    assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
    return finding.steps


def test_the_steps_name_the_factory_that_builds_the_service() -> None:
    assert _finding_at(10) == (
        ("capture: `pod_factory(\"shop-mail\")` builds `shop-mail` here, and the function the fixture `pod_factory` "
         "hands out is not shown to return an image name: make it return the name its build gave"),
        "pass: keep that name in a variable of `test_stale_copy_beside_the_factory` (`image = pod_factory(\"shop-mail\")`)",
        "parameter: none needed",
        "use: that variable instead of `localhost/shop-mail:latest`",
    )


def test_another_service_is_not_the_factory_s() -> None:
    assert _finding_at(20)[0] == (
        "capture: build `shop-cart` in a fixture that returns the name it built (no fixture in reach is shown to build it)"
    )
