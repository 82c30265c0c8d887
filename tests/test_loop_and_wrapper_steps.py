"""Steps and fix messages that stay true where the build is not a plain statement beside its
deployment: a build retried in a loop, a deploy argument the analysis cannot know, a builder
wrapped in `must(...)`, a Ginkgo hand-off that already carries data, and a `TestMain` drop."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import FIXTURES, finding_at

from imagetag_lint.cli import main


def test_a_retried_build_keeps_its_assignment_and_is_declared_before_the_loop(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "retryloop/retry.go", 23)
    assert finding["steps"][0] == (
        "capture: declare `var secScannerImage string` before the `for` at line 22, where the deployment at "
        "line 31 can read it, and keep the assignment as it is: `if secScannerImage, err = "
        "infrastructure.BuildAndLoadImageToKind(...); err == nil {` (`=`, not `:=`, which would declare names "
        "that hide the ones read after it)"
    )
    assert finding["steps"][1] == 'pass: call `deploy` with `secScannerImage` instead of `"localhost/sec-scanner:e2e"`'
    assert finding["fix"]["applicability"] == "unsafe"
    assert "the build runs inside the `for` at line 22" in finding["fix"]["message"]


def test_a_retried_statement_names_the_loop_too(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    step = finding_at(capsys, monkeypatch, "retryloop/retry.go", 37)["steps"][0]
    assert "before the `for` at line 36" in step
    assert "`secAuditorImage, err = infrastructure.BuildAndLoadImageToKind(...)`" in step
    assert ":= infrastructure" not in step


def test_an_assigned_if_init_keeps_its_form(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    finding = finding_at(capsys, monkeypatch, "retryloop/retry.go", 52)
    assert finding["steps"][0] == (
        "capture: `var secCheckerImage string` before the `if`, then `if secCheckerImage, err = "
        "infrastructure.BuildAndLoadImageToKind(...); err != nil {` (it keeps its `=` and its condition)"
    )
    assert finding["fix"]["applicability"] == "safe"


def test_an_unknown_deploy_argument_is_the_reason_given(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    finding = finding_at(capsys, monkeypatch, "retryloop/table.go", 21)
    assert finding["fix"]["applicability"] == "display-only"
    assert finding["fix"]["message"] == (
        "`deploy` at line 24 receives `s.image`, a value the analysis cannot know to be this build's name; "
        "the fix never replaces such an argument: pass `imageName` instead by hand if it is this build's"
    )


def test_a_must_statement_is_captured_through_must(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    finding = finding_at(capsys, monkeypatch, "mustwrap/must.go", 29)
    assert finding["steps"][0] == (
        "capture: `paymentsFraudImage := must(infrastructure.BuildAndLoadImageToKind(...))` instead of dropping "
        "the name (`must` still checks the error and returns the name)"
    )
    assert finding["fix"]["applicability"] == "safe"


def test_a_loop_that_may_not_run_the_build_is_left_to_a_person(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "retryloop/retry.go", 65)
    assert finding["steps"][0].endswith(
        "; the `for` at line 64 can reach the deployment without running this build: set `secPatientImage` on those paths too"
    )
    assert finding["fix"]["applicability"] == "display-only"
    assert finding["fix"]["message"].startswith(
        "the build runs inside the `for` at line 64, which can reach the deploy call at line 72 without running it"
    )


def test_a_synchronized_suite_that_returns_data_keeps_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "ginkgosuite/synchronized_json_test.go", 35)
    capture, passed = finding["steps"][:2]
    assert "return []byte(" not in capture
    assert capture.startswith(
        "capture: the `SynchronizedBeforeSuite` closure at line 26 already returns `data` (line 45) to the second "
        "function: keep that return and add the name to `built` before it is encoded into `data` "
        '(`built["mint-vault"] = mintVaultImageBuilt`), rather than return the name in its place'
    )
    assert capture.endswith(
        "the build runs in the closure handed to `g.Go` at line 34: assign the name there to a `var mintVaultImageBuilt "
        "string` of the function declared before that line, and read it only after `g.Wait()`"
    )
    assert "string(data)" not in passed
    assert finding["fix"]["applicability"] == "display-only"


def test_a_synchronized_suite_that_returns_another_name_keeps_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = finding_at(capsys, monkeypatch, "ginkgosuite/synchronized_test.go", 13)["steps"][0]
    assert capture.startswith(
        "capture: the `SynchronizedBeforeSuite` closure at line 11 already returns `[]byte(registrarImage)` (line 21) "
        "to the second function: keep that return and make it carry this name beside what it carries now"
    )


def test_a_test_main_drop_is_one_finding_with_the_tests_images(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "testmaindrop"])
    found = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["location"]["row"]) for f in found] == [("IMG001", 28)]
    finding = found[0]
    assert [(r["location"]["row"], r["message"]) for r in finding["related"]] == [
        (47, "with the fixed image `localhost/inv-worker:e2e`"),
        (51, "with the fixed image `localhost/inv-worker:e2e`"),
    ]
    assert finding["steps"][:3] == [
        "capture: keep the name in a package variable that `TestMain` sets before `m.Run()`: declare `var "
        "invWorkerImage string` at package level and write `invWorkerImage, err = "
        "infrastructure.BuildAndLoadImageToKind(...)` instead of dropping the name",
        "pass: nothing to pass: `TestWorker` reads `invWorkerImage` itself",
        "parameter: none needed (`go test` calls `TestWorker`)",
    ]
    assert finding["fix"]["applicability"] == "unsafe"
    assert "`TestMain` sets before `m.Run()`" in finding["fix"]["message"]


def test_a_declared_build_in_a_loop_is_set_from_a_name_of_its_own(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "retryloop/declared.go", 15)
    assert finding["steps"][0] == (
        "capture: declare `var secDeclaredImage string` before the `for` at line 14, where the deployment at line 19 "
        "can read it, and set it at the build: name the result there (`built, err := "
        "infrastructure.BuildAndLoadImageToKind(...)`) and write `secDeclaredImage = built` where `err` is nil "
        "(`secDeclaredImage, err := ...` there would declare another `secDeclaredImage` inside the `for` at line 14)"
    )
    assert finding["fix"]["message"].startswith(
        "the deploy call at line 19 cannot read a name captured at the build (it is declared inside the block of the "
        "`for` at line 14)"
    )


def test_a_hoisted_if_keeps_its_whole_condition(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    step = finding_at(capsys, monkeypatch, "retryloop/condition.go", 16)["steps"][0]
    assert step == (
        "capture: hoist the call out of the `if`: `secCachedImage, err := infrastructure.BuildAndLoadImageToKind(...)`, "
        "then `if err != nil && !errors.Is(err, errCached) {`"
    )


def test_a_retry_over_an_int_range_runs_the_build(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    finding = finding_at(capsys, monkeypatch, "retryloop/counted.go", 15)
    assert "can reach the deployment without running this build" not in finding["steps"][0]
    assert finding["fix"]["applicability"] == "unsafe"


def test_a_must_with_a_type_argument_is_captured_through_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "mustwrap/generic.go", 12)
    assert finding["steps"][0] == (
        "capture: `paymentsLedgerImage := must[string](infrastructure.BuildAndLoadImageToKind(...))` instead of "
        "dropping the name (`must[string]` still checks the error and returns the name)"
    )
    assert finding["fix"]["applicability"] == "safe"


@pytest.mark.parametrize(("row", "variable", "helper"), [(34, "paymentsRefundsImage", "must"), (40, "paymentsPayoutsImage", "check")])
def test_a_check_that_returns_nothing_stays_the_error_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, row: int, variable: str, helper: str
) -> None:
    finding = finding_at(capsys, monkeypatch, "mustcheck/check.go", row)
    assert finding["steps"][0] == (
        f"capture: `{variable}, err := infrastructure.BuildAndLoadImageToKind(...)`, then `{helper}({variable}, err)` "
        "in place of the statement (the error is still checked) instead of dropping the name"
    )
    assert finding["fix"]["applicability"] == "display-only"


def test_a_must_in_a_group_closure_keeps_the_must(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from imagetag_lint.analysis.steps import wrapped_capture
    from imagetag_lint.golang.parser import parse

    tree = parse(b"package a\nfunc f() { g.Go(func() error { must(build(x)); return nil }) }\n")
    build = next(n for n in _calls(tree.root_node) if n.child_by_field_name("function").text == b"build")
    assert wrapped_capture("img", build) == "`img := must(build(...))`"


def _calls(node: Any) -> Any:
    if node.type == "call_expression":
        yield node
    for child in node.children:
        yield from _calls(child)


def test_a_build_inside_the_ranged_loop_deploys_the_name_in_place_of_the_loop_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "ranges/inside.go", 16)
    assert finding["steps"][1] == (
        "pass: call `deployment` with `kubernautBalancerImage` instead of `img` (the `range` list is read before "
        "the loop's body declares `kubernautBalancerImage`, so the name cannot go in it)"
    )
    assert "in that list" not in finding["steps"][3]


def test_a_must_in_a_loop_keeps_the_must(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    finding = finding_at(capsys, monkeypatch, "mustwrap/loop.go", 15)
    assert finding["steps"][0] == (
        "capture: declare `var runPodImage string` before the `for` at line 14, where the deployment at line 17 "
        "can read it, and set it at the build: `runPodImage = must(infrastructure.BuildAndLoadImageToKind(...))`"
    )
    assert finding["fix"]["applicability"] == "display-only"
