"""The steps and fix messages of findings whose repair depends on where the built name is: a build
that tags the reference it is given returns nothing to capture, a constant manifest is applied
by the building function itself, and a kept name overwritten with fixed text needs only that line
deleted (`tests/fixtures/go/stepplaces/`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import FIXTURES, finding_at

from imagetag_lint.cli import main


def test_a_build_that_tags_its_argument_has_no_name_to_capture(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces", 22, "IMG002")
    assert finding["steps"] == [
        "capture: nothing to capture: `infrastructure.BuildImageWithTag` returns no name; it tags the reference "
        "it is given, `localhost/kubernaut-finder:dev`",
        "pass: nothing to pass: `SetupFinder` builds and deploys the image itself",
        "parameter: none needed",
        'use: pass `localhost/kubernaut-finder:dev`, the reference the build tags, instead of `"localhost/kubernaut-finder:e2e"`',
    ]
    assert finding["fix"]["applicability"] == "display-only"
    assert finding["fix"]["message"].startswith("deploy `localhost/kubernaut-finder:dev`, the reference the build at line 19 tags")


def test_a_drop_whose_function_applies_a_constant_manifest_says_so_in_its_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces", 38, "IMG001")
    assert finding["steps"][1] == "pass: nothing to pass: this function deploys the image itself"
    assert finding["fix"]["message"] == (
        "`SetupMailer` applies a manifest held in a package-level constant: make it a template "
        "(`image: %s`) and format the captured name into it by hand"
    )


def test_a_constant_manifest_a_helper_pipes_to_kubectl_is_the_drops_one_finding(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "stepplaces/applied.go"])
    found = json.loads(capsys.readouterr().out)
    assert [(f["location"]["row"], f["code"]) for f in found] == [(17, "IMG001")]
    (finding,) = found
    assert "no deployment of it was found" not in finding["message"]
    assert [(r["location"]["row"], r["message"]) for r in finding["related"]] == [
        (22, "the manifest `semaphoreGatewayManifest` is applied here by `applySemaphoreGateway`"),
        (38, "with the fixed image `localhost/kubernaut-semaphore-gateway:e2e`"),
    ]
    assert finding["steps"][1:] == [
        "pass: call `applySemaphoreGateway(..., img)`: `applySemaphoreGateway` applies the manifest `semaphoreGatewayManifest`",
        "parameter: add `imageName string` to `applySemaphoreGateway` (stepplaces/applied.go:25) and update its call site",
        "use: make `semaphoreGatewayManifest` a template (`image: %s`) and format `imageName` into it instead of "
        "`localhost/kubernaut-semaphore-gateway:e2e`",
    ]
    assert finding["fix"]["applicability"] == "display-only"
    assert finding["fix"]["message"] == (
        "`applySemaphoreGateway`, which `SetupSemaphoreGateway` calls after the build, applies a manifest held in a "
        "package-level constant: make it a template (`image: %s`), pass the captured name to `applySemaphoreGateway` "
        "and format it into the manifest there, by hand"
    )


def test_a_constant_manifest_applied_by_the_building_function_needs_no_parameter(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces", 70, "IMG002")
    assert finding["fix"]["message"] == (
        "`SetupMailer` applies `mailRelayManifest` itself: make it a template (`image: %s`) and format the name "
        "its build returns into it by hand"
    )
    assert finding["steps"] == [
        "capture: `SetupMailer` already keeps the built name in `relayImage`",
        "pass: nothing to pass: `SetupMailer` applies the manifest `mailRelayManifest` itself",
        "parameter: none needed",
        "use: make `mailRelayManifest` a template (`image: %s`) and format `relayImage` into it instead of `kubernaut-mail-relay:e2e`",
    ]


def test_a_name_overwritten_with_fixed_text_is_kept_by_deleting_the_overwrite(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces", 76, "IMG001")
    assert finding["steps"] == [
        "capture: `img` already holds the name `infrastructure.BuildAndLoadImageToKind` returns; delete "
        '`img = "localhost/kubernaut-quotes:e2e"` (line 80), which overwrites it with fixed text',
        "pass: nothing to pass: this function deploys the image itself",
        "parameter: none needed",
        "use: nothing to change where `img` is deployed: it then holds the built name",
    ]
    assert finding["fix"]["message"] == '`img` already holds the built name: delete `img = "localhost/kubernaut-quotes:e2e"`, which overwrites it'


def test_a_name_overwritten_by_another_build_still_gets_its_own_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "sequential"])
    found = json.loads(capsys.readouterr().out)
    finding = next(f for f in found if f["code"] == "IMG001" and "overwritten" in f["message"])
    assert finding["steps"][0].startswith("capture: `kubernautEffectivenessmonitorImage, err := ")


def finding_in(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str, row: int) -> dict[str, Any]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", path])
    found = json.loads(capsys.readouterr().out)
    finding: dict[str, Any] = next(f for f in found if f["location"]["row"] == row)
    return finding


def test_a_function_that_runs_the_build_itself_deploys_the_reference_it_tags(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_in(capsys, monkeypatch, "stepplaces/raw.go", 25)
    assert finding["steps"] == [
        "capture: nothing to capture: the build command this function runs at line 14 (`exec.CommandContext`) "
        "tags `localhost/kubernaut-lookup:e2e`",
        "pass: nothing to pass: `SetupLookupWithRawBuild` builds and deploys the image itself",
        "parameter: none needed",
        'use: set `Image` to `localhost/kubernaut-lookup:e2e`, the reference the build tags, instead of `"localhost/kubernaut-lookup:v2"`',
    ]
    assert finding["fix"]["message"].startswith("deploy `localhost/kubernaut-lookup:e2e`, the reference the build at line 14 tags")


def test_a_build_tagged_with_a_computed_reference_is_deployed_by_its_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_in(capsys, monkeypatch, "placeholders/setup.go", 71)
    assert "no build seen" not in finding["message"]
    assert finding["related"][0]["message"] == (
        "the image is built here by `exec.CommandContext` as `ref` (`localhost/kubernaut-portal` and a tag the code makes)"
    )
    assert finding["steps"] == [
        "capture: `SetupGatewayWithPlaceholder` already keeps the built name in `ref`",
        "pass: nothing to pass: the name is already in this function",
        "parameter: none needed",
        'use: pass `ref` instead of `gatewayRepo+":latest"`',
    ]
    assert finding["fix"]["message"].startswith("deploy `ref`, the name the build at line 65 tags")


def test_a_replaced_real_reference_is_still_deployed_where_the_manifest_is_applied_as_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `SetupSignalReplaced` replaces `localhost/kubernaut-signal:e2e` with its build: that real
    # reference is no placeholder, so the manifest `SetupSignalAsWritten` applies deploys it
    finding = finding_in(capsys, monkeypatch, "placeholders/realref.go", 38)
    assert [r["message"] for r in finding["related"]] == ["with the fixed image `localhost/kubernaut-signal:e2e`"]
    assert finding["steps"][3] == (
        "use: make the manifest a template (`image: %s`) and format kubernautSignalImage into it instead of "
        "`localhost/kubernaut-signal:e2e`"
    )


def test_a_kept_name_overwritten_by_a_generator_is_fixed_by_deleting_the_overwrite(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces/overwrite.go", 21, "IMG003")
    assert finding["steps"] == [
        "capture: `img` already holds the name `infrastructure.BuildAndLoadImageToKind` returns; delete "
        '`img = infrastructure.GenerateInfraImageName("lantern")` (line 20), which overwrites it with a new name '
        "from `infrastructure.GenerateInfraImageName`",
        "pass: `deployService` already gets `img`; step 1 makes it the built name",
        "parameter: `deployService` already takes the image; keep it",
        "use: `deployService` already deploys its image parameter",
    ]
    assert [r["message"] for r in finding["related"]] == [
        "`img` gets the name `infrastructure.BuildAndLoadImageToKind` returns here",
        '`img = infrastructure.GenerateInfraImageName("lantern")` overwrites it here, before the deployment reads it',
    ]
    fix = finding["fix"]
    assert fix["applicability"] == "safe"
    assert [(e["location"]["row"], e["end_location"]["row"], e["content"]) for e in fix["edits"]] == [(20, 21, "")]


def test_a_name_overwritten_by_a_generator_before_any_read_is_one_finding(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "stepplaces/overwrite.go"])
    found = [f for f in json.loads(capsys.readouterr().out) if 26 <= f["location"]["row"] <= 33]
    assert [f["code"] for f in found] == ["IMG001"]
    assert found[0]["steps"][0] == (
        "capture: `img` already holds the name `infrastructure.BuildAndLoadImageToKind` returns; delete "
        '`img = infrastructure.GenerateInfraImageName("almanac")` (line 31), which overwrites it with a new name '
        "from `infrastructure.GenerateInfraImageName`"
    )
    assert found[0]["fix"]["message"] == (
        '`img` already holds the built name: delete `img = infrastructure.GenerateInfraImageName("almanac")`, which overwrites it'
    )


def test_an_overwrite_whose_value_is_read_besides_the_deployment_is_deleted_by_hand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces/overwrite.go", 45, "IMG003")
    assert finding["fix"] == {
        "applicability": "display-only",
        "message": 'line 44 reads the `img` that `img = infrastructure.GenerateInfraImageName("inkwell")` sets, besides '
        'the deployment: delete `img = infrastructure.GenerateInfraImageName("inkwell")` (line 43) by hand if it too '
        "should get the built name",
        "edits": [],
    }


def test_a_kept_name_overwritten_with_fixed_text_after_a_read_is_fixed_by_deleting_the_overwrite(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces/overwrite.go", 97, "IMG002")
    assert finding["steps"] == [
        'capture: `img` already holds the built name; delete `img = "localhost/kubernaut-kestrel:e2e"` (line 96), '
        "which overwrites it with fixed text",
        "pass: nothing to pass: the name is already in this function",
        "parameter: none needed",
        "use: nothing to change where `img` is deployed: it then holds the built name",
    ]
    fix = finding["fix"]
    assert fix["applicability"] == "safe"
    assert [(e["location"]["row"], e["end_location"]["row"], e["content"]) for e in fix["edits"]] == [(96, 97, "")]


def test_a_deferred_closure_is_no_overwrite_before_the_deployment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "stepplaces/deferred.go"])
    found = {(f["location"]["row"], f["code"]): f for f in json.loads(capsys.readouterr().out)}
    assert sorted(found) == [(33, "IMG003"), (39, "IMG001"), (53, "IMG001"), (69, "IMG001"), (84, "IMG001"), (91, "IMG001")]
    compass, sextant = found[33, "IMG003"], found[39, "IMG001"]
    assert [r["message"] for r in compass["related"]][1] == (
        '`img = infrastructure.GenerateInfraImageName("compass")` overwrites it here, before the deployment reads it'
    )
    assert compass["fix"]["applicability"] == "safe"
    assert [(e["location"]["row"], e["end_location"]["row"], e["content"]) for e in compass["fix"]["edits"]] == [(32, 33, "")]
    assert sextant["steps"][0] == (
        "capture: `img` already holds the name `infrastructure.BuildAndLoadImageToKind` returns; delete "
        '`img = infrastructure.GenerateInfraImageName("sextant")` (line 46), which overwrites it with a new name '
        "from `infrastructure.GenerateInfraImageName`"
    )
    assert found[69, "IMG001"]["steps"][0].endswith(  # deferred by a closure that returns before the deployment
        'delete `img = "localhost/kubernaut-gnomon:e2e"` (line 74), which overwrites it with fixed text'
    )


@pytest.mark.parametrize(
    ("line", "function", "write_line"),
    [(53, "buildAstrolabe", 54), (84, "buildSundial", 83), (91, "buildOrrery", 90)],
)
def test_a_named_result_cleared_by_a_deferred_closure_says_the_closure_replaces_the_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, line: int, function: str, write_line: int
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces/deferred.go", line, "IMG001")
    assert "(`img`, the function's result, is overwritten by a deferred closure after `return` sets it)" in finding["message"]
    assert finding["steps"] == [
        "capture: the result `img` already gets the name `infrastructure.BuildAndLoadImageToKind` returns; delete "
        f'`img = ""` (line {write_line}), which a deferred closure runs after `return`, overwriting the result with fixed text',
        f"pass: `{function}` returns `img` to its callers; step 1 leaves the built name in it",
        "parameter: none needed",
        "use: nothing to change in the callers: the result they get then holds the built name",
    ]
    assert finding["fix"]["message"] == '`img` already holds the built name: delete `img = ""`, which overwrites it'


@pytest.mark.parametrize(
    ("row", "related", "steps"),
    [
        pytest.param(
            36,
            19,
            [
                "capture: `SetupCourierService` already keeps the name `infrastructure.BuildImageForKind` returns in `courierImage`",
                "pass: nothing to pass: `SetupCourierService` applies the manifest `courierManifest` itself",
                "parameter: none needed",
                "use: make `courierManifest` a template (`image: %s`) and format `courierImage` into it instead of "
                "`localhost/kubernaut-courier:e2e`",
            ],
            id="constant-manifest",
        ),
        pytest.param(
            48,
            43,
            [
                "capture: `SetupPostmasterService` already keeps the name `infrastructure.BuildImageForKind` returns in `postmasterImage`",
                "pass: nothing to pass: the name is already in this function",
                "parameter: none needed",
                'use: set `Image` to `postmasterImage` instead of `"localhost/kubernaut-postmaster:e2e"`',
            ],
            id="container",
        ),
    ],
)
def test_a_build_of_unknown_repository_beside_fixed_text_is_named_with_its_kept_name(
    row: int, related: int, steps: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "stepplaces/unnamed.go", row, "IMG002")
    assert "no build seen" not in finding["message"]
    assert [(r["location"]["row"], r["message"]) for r in finding["related"]] == [
        (related, "`infrastructure.BuildImageForKind` builds an image here; the analysis cannot tell its repository"),
    ]
    assert finding["steps"] == steps
