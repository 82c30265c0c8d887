"""How bad a Python drop is: a deployment that copies the fixed tag a build uses works until that
tag changes (a warning); one that deploys a tag no build makes, or a name made afresh, is an error."""

from __future__ import annotations

import pytest
from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Severity
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set


def _severities(package: str) -> dict[tuple[str, int], Severity]:
    result = lint_python_sources(package_sources(PYTHON_FIXTURES / package), load_rule_set())
    return {(f.filename, f.span.start.row): f.severity for f in result.findings if f.code == "IMG001"}


@pytest.mark.parametrize(
    ("package", "filename", "row", "severity"),
    [
        pytest.param("versiontags", "versiontags/test_versions.py", 8, Severity.WARNING, id="the-tag-the-build-uses"),
        pytest.param("versiontags", "versiontags/test_versions.py", 12, Severity.ERROR, id="another-version-never-built"),
        pytest.param("versiontags", "versiontags/test_versions.py", 16, Severity.ERROR, id="an-older-push-never-built"),
        pytest.param("freshhelpers", "freshhelpers/test_fresh_helpers.py", 10, Severity.ERROR, id="a-time-stamp-helper"),
        pytest.param("freshhelpers", "freshhelpers/test_fresh_helpers.py", 14, Severity.ERROR, id="a-uuid-helper"),
        pytest.param("loadedcopy", "loadedcopy/test_payroll.py", 1, Severity.WARNING, id="the-fixed-name-a-fixture-returns"),
        pytest.param("tags", "tags/test_tags.py", 74, Severity.WARNING, id="another-name-of-the-build"),
        pytest.param("tags", "tags/test_tags.py", 85, Severity.ERROR, id="another-name-of-the-build-never-loaded"),
        pytest.param("tags", "tags/test_tags.py", 89, Severity.WARNING, id="another-name-a-helper-may-load"),
    ],
)
def test_severity_of_a_drop(package: str, filename: str, row: int, severity: Severity) -> None:
    assert _severities(package)[(filename, row)] == severity


@pytest.mark.parametrize(
    ("row", "severity"),
    [
        pytest.param(21, Severity.WARNING, id="a-copy-of-another-name-of-the-build"),
        pytest.param(82, Severity.ERROR, id="another-name-of-the-build-never-loaded"),
    ],
)
def test_severity_of_a_copied_name(row: int, severity: Severity) -> None:
    result = lint_python_sources(package_sources(PYTHON_FIXTURES / "tags"), load_rule_set())
    (found,) = [f for f in result.findings if f.code == "IMG002" and f.span.start.row == row]
    assert found.severity == severity
