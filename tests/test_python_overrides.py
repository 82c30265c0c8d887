"""A test under a directory whose conftest.py overrides a fixture gets the override, as pytest
resolves fixtures: a fixed copy of the name the override hands out is a copy of that fixture's
value (a warning whose fix deploys the fixture), not a stale copy of a build the root conftest.py
runs for other tests."""

from __future__ import annotations

from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability, Severity
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "overrides")


def test_a_copy_of_the_override_s_name_deploys_the_override() -> None:
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    finding = next(f for f in found if f.filename == "overrides/sub/test_sub.py")
    assert finding.severity == Severity.WARNING
    assert "conftest.py:1" not in finding.message and "overrides/conftest.py" not in " ".join(finding.steps)
    assert finding.steps == (
        ("capture: the test already requests the fixture `search_image` (overrides/sub/conftest.py:5), "
         "which hands out this very name"),
        "pass: nothing to pass: the test receives it directly",
        "parameter: none needed",
        "use: `search_image` instead of `localhost/shop-search:prebuilt`",
    )
    assert finding.fix is not None and finding.fix.applicability == Applicability.SAFE
