"""One defect, one finding in Python, as in Go: the stale deployment of a dropped build (the fixed
or recomputed reference the deploy uses, here or in a helper) is a related place of the drop's
IMG001; it stands as an IMG002 or IMG003 of its own only when that IMG001 is not reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.cli import main
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import RuleSet, load_rule_set

HELPERS = package_sources(PYTHON_FIXTURES / "helpers")
DROP = ("helpers/test_helpers.py", 25, "IMG001")  # `_ = build_worker()`
FIXED_IMAGE = ("helpers/harness.py", 14, "IMG002")  # the helper's `localhost/worker:latest`
PLACES = {DROP[:2], FIXED_IMAGE[:2]}


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    return load_rule_set()


def _found(rule_set: RuleSet, select: frozenset[str], reported: set[str] | None) -> set[tuple[str, int, str]]:
    findings = lint_python_sources(HELPERS, rule_set, select, reported).findings
    findings = [f for f in findings if reported is None or f.filename in reported]  # what the driver shows
    return {(f.filename, f.span.start.row, f.code) for f in findings if (f.filename, f.span.start.row) in PLACES}


@pytest.mark.parametrize(
    ("select", "reported", "expected"),
    [
        pytest.param({"IMG001", "IMG002", "IMG003"}, None, {DROP}, id="every-rule"),
        pytest.param({"IMG002"}, None, {FIXED_IMAGE}, id="select-img002"),
        pytest.param({"IMG002", "IMG003"}, None, {FIXED_IMAGE}, id="without-img001"),
        pytest.param({"IMG001", "IMG002", "IMG003"}, {FIXED_IMAGE[0]}, {FIXED_IMAGE}, id="the-helper-file-alone"),
        pytest.param({"IMG001", "IMG002", "IMG003"}, {DROP[0]}, {DROP}, id="the-drop-file-alone"),
    ],
)
def test_the_fixed_image_of_a_drop_is_reported_once(
    rule_set: RuleSet, select: set[str], reported: set[str] | None, expected: set[tuple[str, int, str]]
) -> None:
    assert _found(rule_set, frozenset(select), reported) == expected


def test_the_drop_names_its_stale_deployment_and_fixes_it(rule_set: RuleSet) -> None:
    findings = lint_python_sources(HELPERS, rule_set).findings
    (drop,) = [f for f in findings if (f.filename, f.span.start.row, f.code) == DROP]
    assert [(r.span.filename, r.span.start.row, r.message) for r in drop.related] == [
        (FIXED_IMAGE[0], FIXED_IMAGE[1], "the deployment here gets `localhost/worker:latest` instead (a string literal)")
    ]
    assert drop.fix is not None
    assert {(e.filename, e.start.row) for e in drop.fix.edits} >= {(FIXED_IMAGE[0], FIXED_IMAGE[1])}


def test_a_recomputed_reference_is_named_by_the_drop(rule_set: RuleSet) -> None:
    sources = package_sources(PYTHON_FIXTURES / "sdk")
    findings = lint_python_sources(sources, rule_set).findings
    assert [(f.span.start.row, f.code) for f in findings] == [(5, "IMG001")]
    assert [(r.span.start.row, r.message) for r in findings[0].related] == [
        (6, 'the load here gets `image + ":" + tag` instead (a name computed apart from the build)')
    ]
    only = lint_python_sources(sources, rule_set, frozenset({"IMG003"})).findings
    assert [(f.span.start.row, f.code) for f in only] == [(6, "IMG003")]


def test_the_command_line_reports_the_helper_alone_when_its_file_alone_is_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(PYTHON_FIXTURES / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)

    def rows(*args: str) -> set[tuple[str, int, str]]:
        capsys.readouterr()
        main(["--isolated", "--output-format", "json", "--exit-zero", *args])
        return {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(capsys.readouterr().out)}

    assert rows("helpers/harness.py") == {FIXED_IMAGE}
    assert FIXED_IMAGE not in rows("helpers")
    assert DROP in rows("helpers")


@pytest.mark.parametrize(
    ("row", "capture", "use"),
    [
        pytest.param(14, "capture: keep the name its build of `shop-reports` gives in the fixture `reports_built` and yield "
                         "it (it yields no image name now)",
                     "use: `reports_built` instead of `localhost/shop-reports:e2e` in `test_requests_it`", id="a-bare-call"),
        pytest.param(24, "capture: keep the name its build of `shop-ledger` gives in the fixture `ledger_ready` and return "
                         "it (it returns no image name now)",
                     "use: `ledger_ready` instead of `localhost/shop-ledger:e2e` in `test_requests_the_pool_fixture`",
                     id="a-build-handed-to-an-executor"),
    ],
)
def test_a_fixture_that_hands_out_no_name_is_named_in_the_test_linted_alone(
    rule_set: RuleSet, row: int, capture: str, use: str
) -> None:
    """The fixture's drop is not reported: the test's copy stands alone, and its steps say which
    fixture builds the image and must hand out its name."""
    sources = package_sources(PYTHON_FIXTURES / "fixturedrops")
    test = "fixturedrops/test_fixturedrops.py"
    findings = [f for f in lint_python_sources(sources, rule_set, reported={test}).findings if f.filename == test]
    (copy,) = [f for f in findings if f.span.start.row == row]
    assert copy.code == "IMG002"
    assert (copy.steps[0], copy.steps[3]) == (capture, use)
