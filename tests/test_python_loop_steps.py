"""A build dropped in a `for` loop that builds one service a pass, deployed after the loop: the
steps keep each service's name in a dict filled in the loop and deploy that service's entry (one
variable would hold only the last service's name), by hand."""

from __future__ import annotations

from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Finding
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "blocks")


def _finding_at(row: int) -> Finding:
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    return next(f for f in found if f.filename == "blocks/test_blocks.py" and f.span.start.row == row)


def test_the_steps_keep_each_service_s_name_and_deploy_its_entry() -> None:
    finding = _finding_at(82)
    assert finding.steps == (
        ("capture: `images = {}` before the loop and `images[svc] = build(svc)` in it: the loop builds one image "
         "a pass, and one variable would keep only the last one's name"),
        'pass: deploy `images["shop-a"]` instead of `localhost/shop-a:e2e`',
        "parameter: none needed",
        'use: `images["shop-a"]` in place of `localhost/shop-a:e2e`',
    )
    assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
    assert finding.fix.message.startswith("the loop builds one image a pass")


def test_a_deployment_in_the_loop_deploys_the_pass_s_name() -> None:
    finding = _finding_at(88)
    assert finding.steps[0] == "capture: `image = build(...)` instead of dropping the name"
    assert finding.fix is not None and finding.fix.applicability == Applicability.SAFE


def test_a_loop_that_builds_one_fixed_service_keeps_the_block_steps() -> None:
    finding = _finding_at(32)  # `while`: build("mail"), then break
    assert finding.steps[0] == "capture: `image = build(...)` instead of dropping the name"


def test_futures_collected_one_per_service_keep_each_result() -> None:
    sources = package_sources(PYTHON_FIXTURES / "handoffs")
    found = lint_python_sources(sources, load_rule_set()).findings
    finding = next(f for f in found if f.filename == "handoffs/test_fanout.py" and f.span.start.row == 18)
    assert finding.steps[0] == (
        "capture: keep what the `result()` of each future of `pool.submit(build, ...)` returns (the one that "
        "builds the deployed service's image gives `image`) instead of dropping it")
    assert finding.fix is not None and finding.fix.applicability == Applicability.DISPLAY_ONLY
    assert finding.fix.message.startswith("a thread or an executor runs `build`")
