"""The four steps of a finding say only what is true of the code: one name where one is meant,
"keep it" when the name is already kept, no parameter step for a helper that already takes the
image, and no deploy call where the function deploys the image itself."""

from __future__ import annotations

import json

import pytest
from support import TESTS

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
