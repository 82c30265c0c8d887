"""A fix hands a deployment only the name of a build shown to make its repository: the
two-service suite in `tests/fixtures/python/services` (its markers and golden file are checked
by test_python_fixtures); here, which fixture or name each fix offers, and the steps of the
findings left to fix by hand."""

from __future__ import annotations

import pytest
from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Finding
from imagetag_lint.fix.edits import apply_edits
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "services")
TESTS = "services/test_services.py"


@pytest.fixture(scope="module")
def findings() -> dict[int, Finding]:
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    return {f.span.start.row: f for f in found if f.filename == TESTS}


def _line(text: str) -> int:
    lines = SOURCES[TESTS].decode().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def _fixed_text(finding: Finding) -> str:
    """The lines the finding's fix changes, as they read after it."""
    assert finding.fix is not None and finding.fix.edits
    fixed = apply_edits(SOURCES[TESTS], list(finding.fix.edits)).decode().splitlines()
    before = SOURCES[TESTS].decode().splitlines()
    return "\n".join(new for old, new in zip(before, fixed) if old != new)


@pytest.mark.parametrize(
    ("where", "offered"),
    [
        pytest.param("def test_worker(core_api):", "worker_image", id="the-fixture-of-that-repository"),
        pytest.param("def test_worker_beside_the_api(", "worker_image", id="not-the-requested-api-fixture"),
        pytest.param("def test_api_printed(", "api_image", id="a-printed-fixture"),
        pytest.param("def test_api_recomputed(", "api_image", id="a-recomputed-name"),
        pytest.param("def test_worker_recomputed(", "worker_image", id="a-recomputed-name-of-another-service"),
    ],
)
def test_a_test_gets_the_fixture_that_builds_what_it_deploys(findings: dict[int, Finding], where: str, offered: str) -> None:
    finding = findings[min(row for row in findings if row > _line(where))]  # the test's one finding
    assert finding.fix is not None and finding.fix.applicability == Applicability.SAFE
    assert offered in _fixed_text(finding)
    other = ({"api_image", "worker_image"} - {offered}).pop()
    assert f"image={other}" not in _fixed_text(finding) and f"{other})" not in _fixed_text(finding)
    assert not any("caller" in step for step in finding.steps)


def test_no_fixture_builds_it_so_the_steps_are_by_hand_and_speak_of_fixtures(findings: dict[int, Finding]) -> None:
    finding = findings[_line("def test_cron(") + 1]
    assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
    assert "conftest.py:11" in finding.steps[0] and "from a fixture" in finding.steps[0]
    assert not any("caller" in step or "api_image" in step for step in finding.steps)


def test_a_drop_of_another_service_hands_its_name_to_no_deployment(findings: dict[int, Finding]) -> None:
    drop = findings[_line("def test_drop_of_another_service(") + 1]
    assert drop.code == "IMG001" and drop.related == ()
    assert drop.fix is not None and drop.fix.applicability == Applicability.DISPLAY_ONLY


def test_two_drops_bind_two_names_each_for_its_own_service(findings: dict[int, Finding]) -> None:
    first = _line('    build_image("shop-api")  # want')
    api, worker = findings[first], findings[first + 1]
    assert [r.span.start.row for r in api.related] == [first + 3]
    assert [r.span.start.row for r in worker.related] == [first + 2]
    names = {_fixed_text(api).split()[0], _fixed_text(worker).split()[0]}
    assert names == {"image", "built_image"}
    assert _fixed_text(api).endswith('_pod("api", image))  # related IMG001 "gets `localhost/shop-api:dev` instead"') or \
        _fixed_text(api).endswith('_pod("api", built_image))  # related IMG001 "gets `localhost/shop-api:dev` instead"')


def test_a_registry_image_beside_an_unread_fixture_is_related_but_fixed_by_hand() -> None:
    sources = package_sources(PYTHON_FIXTURES / "fixtures")
    found = lint_python_sources(sources, load_rule_set()).findings
    drop = next(f for f in found if f.code == "IMG001" and "never reads it" in f.message)
    assert [r.message for r in drop.related] == ["the deployment here gets `daskdev/dask:latest` instead (a string literal)"]
    assert drop.fix is not None and drop.fix.applicability == Applicability.DISPLAY_ONLY
    assert "no build `docker_image` runs is shown to make `daskdev/dask`" in drop.fix.message


def _shared_findings() -> dict[str, Finding]:
    sources = package_sources(PYTHON_FIXTURES / "shared_helpers")
    found = lint_python_sources(sources, load_rule_set()).findings
    lines = sources["shared_helpers/test_shared.py"].decode().splitlines()
    return {lines[f.span.start.row - 1].strip(): f for f in found if f.filename == "shared_helpers/test_shared.py"}


def test_a_helper_two_tests_share_is_named_in_the_steps_and_the_fix_says_why_by_hand() -> None:
    finding = next(f for line, f in _shared_findings().items() if line.startswith("build_billing()"))
    assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
    assert finding.fix.message.startswith("`_deploy_billing` is also called from `test_billing_")
    assert finding.steps[1] == "pass: call `_deploy_billing` with `image`"
    assert "its other callers (`test_billing_" in finding.steps[2]


def test_a_helper_with_a_default_parameter_is_by_hand_and_the_fix_says_why() -> None:
    finding = next(f for line, f in _shared_findings().items() if line.startswith("build_quotas()"))
    assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
    assert finding.fix.message.startswith("`_deploy_quotas`'s parameter `namespace` has a default value")


def test_a_repository_built_in_many_places_is_named_by_three_and_a_count() -> None:
    """Five conftests that build `shop-api`: the message names three of them and counts the rest."""
    build = ('import subprocess\n\n\ndef build_api(tag):\n'
             '    subprocess.run(["podman", "build", "-t", f"localhost/shop-api:{tag}", "."], check=True)\n')
    sources = {f"suite{n}/conftest.py": build.encode() for n in range(5)}
    sources["suite0/test_api.py"] = (b'import subprocess\n\n\ndef test_api():\n'
                                     b'    subprocess.run(["kubectl", "run", "api", "--image=localhost/shop-api:e2e"])\n')
    found = lint_python_sources(sources, load_rule_set()).findings
    [finding] = [f for f in found if f.code == "IMG002"]
    assert "the builds at suite0/conftest.py:5, suite1/conftest.py:5, suite2/conftest.py:5 and 2 other places " in finding.message
