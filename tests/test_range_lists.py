"""A `range` over a list written in the loop: each element is deployed through the loop's
variable, so a drop's fix puts the built name in the list, and its steps say so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import TESTS

from imagetag_lint.cli import main

FIXTURES = TESTS / "fixtures" / "go"


def range_findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[tuple[int, str], dict[str, Any]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ranges"])
    return {(f["location"]["row"], f["code"]): f for f in json.loads(capsys.readouterr().out)}


def test_the_drop_s_fix_replaces_the_element_of_its_service(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The weigher's element takes the built name; the scale's stays for its own IMG002."""
    found = range_findings(capsys, monkeypatch)
    drop = found[(52, "IMG001")]
    assert [r["location"]["row"] for r in drop["related"]] == [60, 57]
    assert drop["fix"]["applicability"] == "safe"
    assert [(e["location"]["row"], e["content"]) for e in drop["fix"]["edits"]] == [
        (52, "kubernautWeigherImage"), (57, "kubernautWeigherImage"),
    ]
    assert (58, "IMG002") in found


def test_the_steps_put_the_name_in_the_list(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "call `deployment` with the name instead of `img`": that would deploy it for every element."""
    found = range_findings(capsys, monkeypatch)
    assert found[(52, "IMG001")]["steps"][1:] == [
        "pass: nothing to pass: the `range` loop at line 56 hands each element of its list to the deployment",
        "parameter: `deployment` already takes the image (`image`); keep it",
        'use: put `kubernautWeigherImage` in that list in place of `"localhost/kubernaut-weigher:e2e"`',
    ]
    assert found[(22, "IMG001")]["steps"][1:] == [
        "pass: nothing to pass: the `range` loop at line 25 hands each element of its list to the deployment",
        "parameter: none needed",
        'use: put `kubernautQueueImage` in that list in place of `"localhost/kubernaut-queue:e2e"`',
    ]
