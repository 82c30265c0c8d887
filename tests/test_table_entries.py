"""Ginkgo tables: an `Entry`'s arguments fill the `DescribeTable` body's parameters, so a fixed
image there is deployed, and it is evaluated when the spec tree is built, before `BeforeSuite`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import TESTS

from imagetag_lint.cli import main

FIXTURES = TESTS / "fixtures" / "go"


def table_findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ginkgosuite"])
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return [f for f in found if f["filename"] == "ginkgosuite/table_test.go"]


def test_a_drop_in_before_suite_names_the_entry_that_deploys_its_image(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One defect, one finding: the entry's fixed image is the drop's related place, not an IMG002."""
    found = table_findings(capsys, monkeypatch)
    drop = next(f for f in found if f["code"] == "IMG001")
    assert [(r["location"]["row"], r["location"]["column"]) for r in drop["related"]] == [(30, 39)]
    assert not any(f["location"]["row"] == 30 for f in found)


def test_the_entry_cannot_carry_the_name_so_the_fix_is_by_hand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Putting the package variable in the `Entry` would compile and deploy "": the entry is
    evaluated before `BeforeSuite` sets it. The steps say so; no edit is offered."""
    found = table_findings(capsys, monkeypatch)
    drop = next(f for f in found if f["code"] == "IMG001")
    assert drop["fix"]["applicability"] == "display-only"
    assert "`Entry` argument is evaluated" in drop["fix"]["message"]
    assert drop["steps"][1].endswith(
        "(an `Entry` argument is evaluated when the spec tree is built, before the `BeforeSuite` closure at line 11 runs: "
        "it cannot carry the name)"
    )
    assert drop["steps"][3] == (
        "use: deploy `bookkeeperTallierImage` in the `DescribeTable` closure at line 25 where it deploys the parameter "
        'that `"localhost/bookkeeper-tallier:e2e"` fills, and drop that argument from the `Entry`'
    )


def test_an_entry_s_fixed_local_image_with_no_build_is_img002(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its steps never put a variable in the `Entry`: the body reads it."""
    found = table_findings(capsys, monkeypatch)
    fixed = [f for f in found if f["code"] == "IMG002"]
    assert [f["location"]["row"] for f in fixed] == [39]
    assert fixed[0]["steps"][1:] == [
        "pass: nothing to pass: the table body reads that variable itself",
        "parameter: none needed (a closure has no callers)",
        (
            'use: deploy that variable in the table body where it deploys the parameter that `"localhost/bookkeeper-metrics:e2e"` '
            "fills, and drop that argument from the `Entry`"
        ),
    ]
