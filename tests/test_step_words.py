"""The four steps of a finding say only what is true of the code: one name where one is meant,
"keep it" when the name is already kept, no parameter step for a helper that already takes the
image, and no deploy call where the function deploys the image itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import TESTS, go_module
from test_fix_edits import SETUP

from imagetag_lint.cli import main

FIXTURES = TESTS / "fixtures" / "go"


def steps_of(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str, row: int, code: str
) -> list[str]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", path])
    found = json.loads(capsys.readouterr().out)
    finding = next(f for f in found if f["location"]["row"] == row and f["code"] == code)
    steps: list[str] = finding["steps"]
    return steps


def test_img003_names_the_one_variable_the_deployment_means(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "steps", 31, "IMG003")
    assert steps[0] == "capture: the built name is already in `workerImage`; keep it"  # not `apiImage` too
    assert steps[1] == 'pass: give the deployment `workerImage` instead of `infrastructure.GenerateInfraImageName("worker")`'
    assert steps[2] == "parameter: `deployService` already takes the image; keep it"
    assert steps[3] == "use: `deployService` already deploys its image parameter"


def test_img003_in_an_image_field_needs_no_parameter(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "steps", 46, "IMG003")
    assert steps == [
        "capture: the built name is already in `gatewayImage`; keep it",
        'pass: give the deployment `gatewayImage` instead of `infrastructure.GenerateInfraImageName("gateway")`',
        "parameter: none needed",
        "use: `Image: gatewayImage`",
    ]


def test_a_drop_whose_function_applies_the_manifest_itself(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "yamlmanifest", 35, "IMG001")
    assert steps[1:] == [
        "pass: nothing to pass: this function deploys the image itself",
        "parameter: none needed",
        "use: put kubernautDatastorageImage on the manifest's `image:` line instead of `localhost/kubernaut-datastorage:e2e-test`",
    ]


def test_a_helper_that_ignores_its_parameter_asks_nothing_of_its_callers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "ignoredparam", 18, "IMG003")
    assert steps == [
        "capture: nothing to capture: `deployDataStorageService` gets the image from its callers",
        "pass: nothing to change in the callers of `deployDataStorageService`",
        "parameter: `deployDataStorageService` already has `imageName string`",
        "use: deploy `imageName` instead of `localhost/kubernaut-datastorage:e2e-test`",
    ]


def test_img002_says_the_caller_already_keeps_the_built_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`SetupCart` captures the name (and only logs it), then calls `deployCart`, which hardcodes
    the image: step 1 names the variable instead of asking to capture the name again."""
    steps = steps_of(capsys, monkeypatch, "servicename", 32, "IMG002")
    assert steps[:3] == [
        "capture: `SetupCart` already keeps the built name in `cartImage`",
        "pass: pass `cartImage` to `deployCart`",
        "parameter: add an `imageName string` parameter to `deployCart` and update every caller",
    ]


def test_a_bare_call_capture_step_writes_what_the_fix_writes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "steps/capture.go", 15, "IMG001")
    assert steps[0] == (
        "capture: `inventoryImage, _ := infrastructure.BuildAndLoadImageToKind(...)` instead of dropping "
        "the name (its other results stay ignored, as before)"
    )


def test_the_steps_use_the_fresh_name_the_fix_gives(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "steps/capture.go", 29, "IMG001")
    assert steps[:2] == [
        "capture: `authImage2, err := infrastructure.BuildAndLoadImageToKind(...)` instead of dropping the name",
        "pass: call `deployAuth(..., authImage2)`",
    ]


def test_a_goroutine_started_in_a_loop_sends_its_name_in_the_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "steps/capture.go", 52, "IMG001")
    assert "send it in the result it reports" in steps[0]
    assert "outer" in steps[0] and "var " not in steps[0]  # an outer variable is what it warns against
    assert steps[1] == "pass: give the function that deploys the image the name read from each service's received result"


CAPTURED = re.compile(r"capture: (?:hoist the call out of the `if`: )?(?:`var \w+ \w+`, then )?`([^`]+?) :?= ")
OUTER = re.compile(r"an outer `(var \w+ string)`")


def test_every_img001_capture_step_names_what_its_fix_writes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across the corpus, the targets and the outer variable that step 1 names are the text the
    fix inserts: the steps describe the fix, not another one."""
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    found = json.loads(capsys.readouterr().out)
    checked = 0
    for finding in found:
        fix = finding["fix"]
        if finding["code"] != "IMG001" or fix is None or not fix["edits"]:
            continue
        inserted = "\n".join(edit["content"] for edit in fix["edits"])
        step = finding["steps"][0]
        captured = CAPTURED.match(step)
        if captured is not None:
            written = captured.group(1)
            # the statement's own names stay (`kubeContext, _, err` keeps `kubeContext`); one is new
            names = [n for n in written.split(", ") if n not in ("_", "err")]
            name = next((n for n in names if n in inserted), "")
            assert name, (finding["filename"], finding["location"]["row"], step)
            for edit in fix["edits"]:  # an inserted `targets := ` is the one step 1 shows
                targets = re.match(r"([\w, ]+) := ", edit["content"])
                if targets is not None and name in targets.group(1):
                    assert targets.group(1) == written, (finding["filename"], finding["location"]["row"], step)
            checked += 1
        outer = OUTER.search(step)
        if outer is not None:
            assert outer.group(1) in inserted, (finding["filename"], finding["location"]["row"], step)
    assert checked >= 10


def test_img002_names_the_variable_its_own_function_keeps_the_name_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "shopnames", 29, "IMG002")
    assert steps == [
        "capture: `SetupNotifier` already keeps the built name in `notifierImg`",
        "pass: nothing to pass: the name is already in this function",
        "parameter: none needed",
        "use: set `Image` to `notifierImg` instead of `notifierImage`",
    ]


def test_img002_in_a_spec_closure_uses_the_package_variable_the_suite_keeps(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`BeforeSuite` keeps the teller's name in `tellerImage`; the spec closure reads it. A
    closure has no callers, so no step adds a parameter to it."""
    steps = steps_of(capsys, monkeypatch, "ginkgosuite", 38, "IMG002")
    assert steps == [
        "capture: the `BeforeSuite` closure at line 17 already keeps the built name in the package variable `tellerImage`",
        "pass: nothing to pass: the closure reads `tellerImage` itself",
        "parameter: none needed (a closure has no callers)",
        'use: pass `tellerImage` instead of `"localhost/bookkeeper-teller:e2e"`',
    ]


def test_a_drop_in_before_suite_keeps_the_name_in_a_package_variable_the_spec_reads(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`BeforeSuite` drops the auditor's name and its spec deploys fixed text: one defect, one IMG001
    (the spec's fixed image is its related place), whose steps never add a parameter to a closure."""
    steps = steps_of(capsys, monkeypatch, "ginkgosuite", 27, "IMG001")
    assert steps == [
        "capture: keep the name in a package variable that the `BeforeSuite` closure at line 17 sets: declare "
        "`var bookkeeperAuditorImage string` at package level and write "
        "`bookkeeperAuditorImage, err = infrastructure.BuildImageForKind(...)` instead of dropping the name",
        "pass: nothing to pass: the `It` closure at line 52 reads `bookkeeperAuditorImage` itself",
        "parameter: none needed (a closure has no callers)",
        'use: pass `bookkeeperAuditorImage` instead of `"localhost/bookkeeper-auditor:e2e"`',
    ]


def test_img002_in_a_spec_closure_is_fixed_with_the_package_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unsafe: that `BeforeSuite` runs before the spec is Ginkgo's order, not one the code shows."""
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ginkgosuite"])
    found = json.loads(capsys.readouterr().out)
    fix = next(f["fix"] for f in found if f["location"]["row"] == 38 and f["code"] == "IMG002")
    assert fix["applicability"] == "unsafe"
    assert [e["content"] for e in fix["edits"]] == ["tellerImage"]
    assert not any(f["location"]["row"] == 53 for f in found)  # the drop's IMG001 names it
    auditor = next(f for f in found if f["location"]["row"] == 27 and f["code"] == "IMG001")
    assert [r["location"]["row"] for r in auditor["related"]] == [53]
    assert auditor["fix"]["applicability"] == "unsafe"
    edits = sorted((e["location"]["row"], e["content"]) for e in auditor["fix"]["edits"])
    assert edits == [(27, "bookkeeperAuditorImage"), (31, "\n\nvar bookkeeperAuditorImage string"), (53, "bookkeeperAuditorImage")]
    assert auditor["fix"]["message"].startswith("keep the image name in the package variable `bookkeeperAuditorImage`")


def test_a_drop_whose_function_deploys_its_parameter(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "layered", 27, "IMG001")
    assert steps[1:] == [
        "pass: nothing to pass: this function deploys the image itself",
        "parameter: none needed; `invoicerImage` is then no longer deployed",
        "use: `Image: platformInvoicerImage` instead of `invoicerImage`",
    ]


def test_a_raw_build_s_variable_is_the_name_to_deploy(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "rawcommands", 31, "IMG002")
    assert steps == [
        "capture: `SetupDigestWithRawBuild` already keeps the built name in `image`",
        "pass: nothing to pass: the name is already in this function",
        "parameter: none needed",
        "use: format `image` into the manifest's `image:` line instead of `localhost/kubernaut-digest:e2e`",
    ]


def test_the_scheduler_s_fresh_name_beside_a_gateway_drop_is_not_the_gateway_s(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "layered", 39, "IMG003")
    assert steps[0] == "capture: keep the name a build of `platform-scheduler` returns (no build in this function makes it)"


def test_the_steps_name_the_parameter_the_fix_adds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "paramname", 22, "IMG001")
    assert steps[2:] == [
        "parameter: add `imageName2 string` to `deployGamma` (paramname/setup.go:16) and update its call site",
        "use: `Image: imageName2` instead of `\"localhost/kubernaut-gamma:e2e\"`",
    ]


def test_two_drops_deployed_by_one_helper_each_get_a_parameter(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both builds' fixed images are in `deployPair`: the second drop's steps name a parameter of
    its own, as the fix adds it in the next round, not the first one's `imageName` again."""
    api = steps_of(capsys, monkeypatch, "pairdeploy", 13, "IMG001")
    worker = steps_of(capsys, monkeypatch, "pairdeploy", 17, "IMG001")
    assert api[1:] == [
        "pass: call `deployPair(..., shopApiImage)`",
        "parameter: add `imageName string` to `deployPair` (pairdeploy/deploy.go:11) and update its call site",
        "use: `Image: imageName` instead of `\"localhost/shop-api:e2e\"`",
    ]
    assert worker[1:] == [
        "pass: call `deployPair(..., shopWorkerImage)`",
        "parameter: add `imageName2 string` to `deployPair` (pairdeploy/deploy.go:11) and update its call site",
        "use: `Image: imageName2` instead of `\"localhost/shop-worker:e2e\"`",
    ]


def test_an_image_parameter_given_another_builds_name_is_never_this_drops(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`deployKeptPair(ctx, namespace, shopApiImage)` gives its `imageName` the api's kept name:
    the worker's drop adds a second parameter, and never passes its name in place of the api's."""
    steps = steps_of(capsys, monkeypatch, "pairdeploy", 35, "IMG001")
    assert steps[1:] == [
        "pass: call `deployKeptPair(..., shopWorkerImage)`",
        "parameter: add `imageName2 string` to `deployKeptPair` (pairdeploy/deploy.go:30) and update its call site",
        "use: `Image: imageName2` instead of `\"localhost/shop-worker:e2e\"`",
    ]


def test_a_built_name_inside_a_goroutine_is_out_of_reach_of_the_deployment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "layered", 82, "IMG003")
    assert steps[:2] == [
        "capture: the built name is in `img` inside a goroutine (line 60), out of reach here: hand it out "
        "(the result it sends, or an outer variable set before it reports)",
        'pass: give the deployment that name instead of `GenerateImageName("scheduler")`',
    ]


@pytest.mark.parametrize("row", [21, 38], ids=["if-init", "errgroup"])
def test_a_deploy_call_given_another_builds_name_is_not_the_drops(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, row: int
) -> None:
    """`deployPayments(ctx, namespace, paymentsImage)` deploys what the payments build returned:
    handing it the dropped ledger name would run the ledger in the payments pod."""
    steps = steps_of(capsys, monkeypatch, "steps/claimed.go", row, "IMG001")
    assert steps[1].startswith("pass: give `shopLedger")
    assert "no deployment of it was found" in steps[1]
    assert not any("paymentsImage" in step or "deployPayments" in step for step in steps)


def test_img002_reads_the_field_a_method_of_the_same_type_sets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`SetupSuite` keeps the name in `s.ordersImage` and calls `deployOrders`, which deploys a
    constant: the name is there already, not to be captured again in the callers."""
    steps = steps_of(capsys, monkeypatch, "steps/kept.go", 40, "IMG002")
    assert steps == [
        "capture: `SetupSuite` already keeps the built name in `s.ordersImage`",
        "pass: nothing to pass: `deployOrders` is a method of the same type and can read `s.ordersImage`",
        "parameter: none needed",
        "use: set `Image` to `s.ordersImage` instead of `ordersImage`",
    ]


def test_img002_deploys_the_map_entry_its_function_keeps_the_name_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "steps/kept.go", 55, "IMG002")
    assert steps[0] == "capture: `setupWorker` already keeps the built name in `s.images[\"worker\"]`"
    assert steps[3] == "use: pass `s.images[\"worker\"]` instead of `\"localhost/shop-orders-worker:e2e\"`"


def test_a_drop_in_a_local_closure_puts_the_name_on_the_manifest_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = steps_of(capsys, monkeypatch, "closures/wrapped.go", 41, "IMG001")
    assert steps == [
        "capture: declare `var kubernautRefundsImage string` before line 40, where both the build and the "
        "deployment at line 47 can read it, and assign the builder's result to it at the build",
        "pass: nothing to pass: the deployment reads `kubernautRefundsImage`",
        "parameter: none needed",
        "use: put kubernautRefundsImage on the manifest's `image:` line instead of `localhost/kubernaut-refunds:e2e-test`",
    ]


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        pytest.param("(" * 5000 + '"localhost/app:e2e"' + ")" * 5000, "(" * 59 + "…", id="deeply-nested"),
        pytest.param('"localhost/" +\n\t\t"app:e2e"', '"localhost/" + "app:e2e"', id="on-two-lines"),
    ],
)
def test_the_steps_quote_code_on_one_line_cut_past_a_width(
    value: str, quoted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = SETUP.replace('"localhost/app:e2e-test"', value)
    monkeypatch.chdir(go_module(tmp_path, {"e2e/setup.go": setup}))
    main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    finding = next(f for f in json.loads(capsys.readouterr().out) if f["code"] == "IMG001")
    assert finding["steps"][3] == f"use: `Image: imageName` instead of `{quoted}`"


def test_the_condition_a_hoist_keeps_is_quoted_whole_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`if _, err := F(); err != nil &&\\n\\t\\t!errors.Is(...) {`: the capture step says what to
    write, so it quotes the whole condition, on one line."""
    condition = "err != nil &&\n\t\t!errors.Is(err, context.Canceled) &&\n\t\t!errors.Is(err, context.DeadlineExceeded)"
    setup = SETUP.replace("w); err != nil {", "w); " + condition + " {").replace('"context"', '"context"\n\t"errors"')
    monkeypatch.chdir(go_module(tmp_path, {"e2e/setup.go": setup}))
    main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    finding = next(f for f in json.loads(capsys.readouterr().out) if f["code"] == "IMG001")
    assert finding["steps"][0].endswith(
        "then `if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {`"
    )
