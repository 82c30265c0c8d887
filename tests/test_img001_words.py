"""IMG001 says only what it saw: a build whose config names the whole reference, tag included,
is a fragile copy (a warning), not a tag the deployment cannot know (an error)."""

from __future__ import annotations

import json
import os

import pytest
from support import FIXTURES, TESTS

from imagetag_lint.cli import main

REALISTIC = TESTS / "realistic"


def img001(capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, int], dict[str, str]]:
    cwd = os.getcwd()
    os.chdir(REALISTIC)
    try:
        main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    finally:
        os.chdir(cwd)
    found = json.loads(capsys.readouterr().out)
    return {(f["filename"].rsplit("/", 1)[-1], f["location"]["row"]): f for f in found if f["code"] == "IMG001"}


def test_a_build_that_names_its_tag_is_a_warning_that_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    finding = img001(capsys)[("notifications_infrastructure.go", 35)]
    assert finding["severity"] == "warning"
    assert finding["message"].endswith(
        "the deployment must repeat `localhost/shop-email-worker:latest` by hand, and breaks when that tag changes"
    )


def test_a_build_that_leaves_the_tag_to_the_builder_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    finding = img001(capsys)[("cart_infrastructure.go", 82)]
    assert finding["severity"] == "error"
    assert finding["message"].endswith("the deployment cannot know the tag that was built")


def test_the_pass_step_of_a_reused_stale_local_says_it_already_reaches_the_deploy(capsys: pytest.CaptureFixture[str]) -> None:
    finding = img001(capsys)[("notifications_infrastructure.go", 24)]
    steps = finding["steps"]
    assert isinstance(steps, list)
    assert steps[1] == "pass: `deployNotifications` already gets `notificationsImage`; step 1 makes it the built name"


@pytest.mark.parametrize(
    ("row", "severity"),
    [
        pytest.param(22, "warning", id="table-case-tag"),
        pytest.param(38, "warning", id="tag-from-the-environment"),
        pytest.param(46, "warning", id="fixed-tag"),
        pytest.param(54, "error", id="empty-tag"),
    ],
)
def test_a_config_that_gives_the_tag_is_a_warning(row: int, severity: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`Tag: tc.tag` beside `ImageName`: the builder chooses no tag, so the deployment can repeat
    the reference (`severity/tagged.go`); an empty tag leaves it to the builder."""
    main(["--isolated", "--output-format", "json", "--exit-zero", str(FIXTURES / "severity" / "tagged.go")])
    found = {f["location"]["row"]: f for f in json.loads(capsys.readouterr().out) if f["code"] == "IMG001"}
    assert found[row]["severity"] == severity


@pytest.mark.parametrize("row", [13, 23, 35], ids=["other-tag", "env-without-default", "empty-on-a-path"])
def test_a_tag_the_deployment_cannot_repeat_is_an_error(row: int, capsys: pytest.CaptureFixture[str]) -> None:
    """A config tag `v1` whose deployment uses `v2`, and a tag that may be empty (`os.Getenv` with
    no default, `""` on a path), are broken deployments: errors, not "must repeat" warnings
    (`severity/tagdrift.go`)."""
    main(["--isolated", "--output-format", "json", "--exit-zero", str(FIXTURES / "severity" / "tagdrift.go")])
    found = {f["location"]["row"]: f for f in json.loads(capsys.readouterr().out) if f["code"] == "IMG001"}
    assert found[row]["severity"] == "error"
    assert "names the whole reference" not in found[row]["message"] and "must repeat" not in found[row]["message"]
