"""IMG001 says only what it saw: a build whose config names the whole reference, tag included,
is a fragile copy (a warning), not a tag the deployment cannot know (an error)."""

from __future__ import annotations

import json
import os

import pytest
from support import TESTS

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
