"""The goroutine hand-off is a safe fix only where the code proves the write happens before the read.

The fixture corpus checks the findings and the golden `.go.fixed` files; this checks what the
corpus does not: each hand-off's `fix.applicability` in the JSON report, by the function it is in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import FIXTURES, finding_at

from imagetag_lint.cli import main

EXPECTED = {
    ("handoff/setup.go", "SetupRangeCount"): "safe",  # `for range 2` drains both single sends
    ("handoff/setup.go", "SetupSingleReceive"): "safe",  # one goroutine, one send, one receive
    ("handoff/setup.go", "SetupExplicitDone"): "safe",  # wg.Add(1), Done after the write, Wait
    ("handoff/setup.go", "SetupDeferredDone"): "safe",  # wg.Add(1), defer Done before the write, Wait
    ("handoff/setup.go", "SetupUnreported"): "display-only",  # no send, no Done: nothing to wait on
    ("handoff/setup.go", "SetupSendBeforeBuild"): "unsafe",  # a send in a branch before the write
    ("handoff/setup.go", "SetupSelect"): "unsafe",  # the receive may lose to a timeout
    ("handoff/setup.go", "SetupEarlyReturn"): "unsafe",  # a return between the go and the drain
    ("handoff/setup.go", "SetupUncountedReceives"): "unsafe",  # `for range steps`: no literal count
    ("handoff/setup.go", "SetupDoneBeforeBuild"): "unsafe",  # wg.Done() in a branch before the write
    ("handoff/setup.go", "SetupSharedChannel"): "unsafe",  # the caller's channel: unseen senders
    ("handoff/closed.go", "SetupClosedDone"): "display-only",  # reports by `defer close(done)`, waited for in a select
    ("handoff/group.go", "SetupAuditLogWithGeneratedName"): "safe",  # one send, `if err := <-done`, then the deployment
    ("handoff/group.go", "SetupTrackerAfterReceive"): "safe",  # one send, `err := <-done`, then the deployment
    ("handoff/group.go", "SetupFanoutWithGroup"): "safe",  # an errgroup closure, read after `g.Wait()`
    ("handoff/group.go", "SetupFanoutDeployedEarly"): "display-only",  # deployed before `g.Wait()`
    ("handoff/group.go", "SetupFanoutWithLookalikeGroup"): "unsafe",  # Go and Wait of a type of its own
    ("handoff/group.go", "SetupFanoutWithReplacedGroup"): "unsafe",  # waits on another group
    ("parallel/setup.go", "SetupAIAnalysisInfrastructureParallel"): "safe",  # `for i := 0; i < 3; i++`
    ("parallel/setup.go", "SetupHolmesGPTInfrastructureParallel"): "safe",  # wg.Add(2), defer Done, Wait
    ("parallel/setup.go", "SetupServicesParallel"): "display-only",  # goroutines started in a loop
}


def _function_at(filename: str, row: int) -> str:
    """The name of the Go function whose declaration is the last one at or above the row."""
    name = ""
    lines = (FIXTURES / filename).read_text().splitlines()
    for line in lines[:row]:
        match = re.match(r"func (\w+)\(", line)
        if match:
            name = match.group(1)
    return name


@pytest.fixture(scope="module")
def applicability(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    report = tmp_path_factory.mktemp("handoff") / "report.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(FIXTURES)
        main(["--output-format", "json", "--output-file", str(report), "--exit-zero", "--select", "IMG001", "handoff", "parallel"])
    found: dict[tuple[str, str], set[str]] = {}
    for finding in json.loads(report.read_text()):
        key = (finding["filename"], _function_at(finding["filename"], finding["location"]["row"]))
        found.setdefault(key, set()).add(finding["fix"]["applicability"])
    # a function with several dropped builds (the fan-out) must give them all the same answer
    assert all(len(kinds) == 1 for kinds in found.values()), found
    return {key: kinds.pop() for key, kinds in found.items()}


def test_every_hand_off_case_is_found(applicability: dict[tuple[str, str], str]) -> None:
    assert sorted(applicability) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED), ids=lambda case: case[1])
def test_hand_off_applicability(case: tuple[str, str], applicability: dict[tuple[str, str], str]) -> None:
    assert applicability[case] == EXPECTED[case]


def test_an_unproven_hand_off_says_why(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    main(["--output-format", "json", "--exit-zero", "--select", "IMG001", "handoff"])
    unsafe = [f for f in json.loads(capsys.readouterr().out) if f["fix"]["applicability"] == "unsafe"]
    assert unsafe
    assert all("cannot prove" in f["fix"]["message"] for f in unsafe)


def test_the_steps_name_the_outer_variable_the_fix_adds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Step 1 and 2 say what the fix does (an outer variable, read after the receive), in the
    JSON report and the text report alike."""
    monkeypatch.chdir(FIXTURES)
    report = tmp_path / "report.json"
    main(["--output-format", "json", "--output-file", str(report), "--exit-zero", "--select", "IMG001", "handoff/setup.go"])
    first = json.loads(report.read_text())[0]
    assert first["steps"][0].startswith("capture: `gatewayImage, err := infrastructure.BuildAndLoadImageToKind(...)` inside the goroutine")
    assert "`var gatewayImageBuilt string` declared before the `go` statement" in first["steps"][0]
    assert "a field of the struct" not in first["steps"][0]
    assert first["steps"][1] == "pass: call `deploy` with `gatewayImageBuilt` instead of `image`"
    golden = (FIXTURES / "handoff" / "setup.go.fixed").read_text()
    assert "\tvar gatewayImageBuilt string\n\tgo func() {" in golden  # what the steps describe
    assert "return deploy(ctx, namespace, gatewayImageBuilt)" in golden
    text = tmp_path / "report.txt"
    main(["--output-file", str(text), "--exit-zero", "--select", "IMG001", "handoff/setup.go"])
    assert first["steps"][0] in text.read_text()


def _handoff_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, object]]:
    monkeypatch.chdir(FIXTURES)
    report = tmp_path / "report.json"
    main(["--output-format", "json", "--output-file", str(report), "--exit-zero", "--select", "IMG001", "handoff/setup.go"])
    return {_function_at(f["filename"], f["location"]["row"]): f for f in json.loads(report.read_text())}


def test_a_goroutine_without_a_channel_is_not_told_to_use_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fix = _handoff_findings(tmp_path, monkeypatch)["SetupUnreported"]["fix"]
    assert isinstance(fix, dict)
    assert "channel" not in fix["message"]
    assert "no send, no `Done()`" in fix["message"]


def test_step_one_keeps_the_error_variable_the_goroutine_assigns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`_, buildErr = F()` is captured as `var x string` then `x, buildErr = F()`, as the golden
    file shows; not as `x, err := F()`, which would shadow nothing and leave buildErr unset."""
    steps = _handoff_findings(tmp_path, monkeypatch)["SetupDeferredDone"]["steps"]
    assert isinstance(steps, list)
    assert steps[0].startswith(
        "capture: `var notifierImage string`, then `notifierImage, buildErr = "
        "infrastructure.BuildAndLoadImageToKind(...)` inside the goroutine"
    )
    golden = (FIXTURES / "handoff" / "setup.go.fixed").read_text()
    assert "\t\tvar notifierImage string\n\t\tnotifierImage, buildErr = infrastructure.BuildAndLoadImageToKind(" in golden


def _steps_at(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str, row: int) -> list[str]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", path])
    found = json.loads(capsys.readouterr().out)
    steps: list[str] = next(f["steps"] for f in found if f["location"]["row"] == row and f["code"] == "IMG001")
    return steps


def test_a_goroutine_s_name_goes_where_its_function_deploys_after_the_receive(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No deploy function, no fixed `Image:`: the function deploys a generated name itself."""
    assert _steps_at(capsys, monkeypatch, "handoff/group.go", 19)[1:] == [
        "pass: nothing to pass: this function deploys the image itself",
        "parameter: none needed; `img` is then no longer deployed",
        "use: `Image: kubernautAuditlogImageBuilt` instead of `img`",
    ]


def test_an_errgroup_closure_s_name_is_declared_before_g_go_and_read_after_g_wait(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _steps_at(capsys, monkeypatch, "handoff/group.go", 89)[:2] == [
        "capture: `kubernautFanoutWorkerImage, err := infrastructure.BuildAndLoadImageToKind(...)` inside the closure "
        "and assign it to an outer `var kubernautFanoutWorkerImageBuilt string` declared before the `g.Go` at line 88, "
        "before the closure returns; read it only after `g.Wait()`",
        'pass: call `deploy` with `kubernautFanoutWorkerImageBuilt` instead of `"localhost/kubernaut-fanout-worker:e2e"`',
    ]


def test_a_goroutine_that_closes_its_channel_is_not_said_to_report_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`defer close(done)` reports, and the launching function waits in a `select`: the reason is
    those two, not "no send, no `Done()`" nor "make the launching function wait"."""
    monkeypatch.chdir(FIXTURES)
    main(["--output-format", "json", "--exit-zero", "--select", "IMG001", "handoff/closed.go"])
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["fix"]["message"] == (
        "the goroutine reports by closing `done`, and the analysis orders a read of the name only after a send or a "
        "`Done()`, not after a close, and `SetupClosedDone` waits for it in a `select` (line 20), whose order the "
        "analysis does not prove either: carry the name out by hand, in a variable the goroutine sets before `done` "
        "is closed and the launching function reads after it receives from it"
    )
    assert "before the goroutine closes `done`; read it only after the receive" in finding["steps"][0]


def test_a_built_name_sent_in_the_received_result_is_deployed_from_that_field(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "handoff/results.go", 32, "IMG003")
    assert finding["steps"][:2] == [
        "capture: the built name reaches `SetupGatewayFromResult` in `r.image`: the goroutine sends `img` in the "
        "`image` field of its result on `results` (line 25), and `r := <-results` receives it (line 27)",
        'pass: give the deployment `r.image` instead of `infrastructure.GenerateInfraImageName("gateway")`',
    ]
    assert finding["fix"]["applicability"] == "safe"
    assert [e["content"] for e in finding["fix"]["edits"]] == ["r.image"]


def test_a_result_that_does_not_carry_the_name_leaves_it_out_of_reach(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "handoff/results.go", 48, "IMG003")
    assert "out of reach here: hand it out" in finding["steps"][0]
    assert finding["fix"]["applicability"] == "display-only"
