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


def lookup_findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[tuple[int, str], dict[str, Any]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ranges/lookups.go"])
    return {(f["location"]["row"], f["code"]): f for f in json.loads(capsys.readouterr().out)}


def test_a_looked_up_map_entry_is_the_drop_s_deployment(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`images[svc]` in a loop over `"reorder"` and `"cache"` deploys both entries: the reorder
    entry is the related place, and the name goes there, never in place of the lookup (that
    would run the reorder image as the cache too)."""
    drop = lookup_findings(capsys, monkeypatch)[(17, "IMG001")]
    assert [r["location"]["row"] for r in drop["related"]] == [21, 16]
    assert drop["steps"][1] == (
        "pass: nothing to pass: `images[svc]` (line 21) looks up each service's entry of `images`, "
        "so it serves several services and stays as it is"
    )
    assert drop["steps"][3] == (
        "use: `images` is filled before the build (line 16): drop `\"reorder\": \"localhost/kubernaut-reorder:e2e\"` "
        "from it and set `images[\"reorder\"] = kubernautReorderImage` after the build"
    )
    assert drop["fix"]["applicability"] == "safe"
    edits = [(e["location"]["row"], e["content"]) for e in drop["fix"]["edits"]]
    assert (16, "") in edits  # the entry goes from the literal
    assert (19, '\n\timages["reorder"] = kubernautReorderImage') in edits  # and is set after the build


def test_a_map_filled_after_the_build_takes_the_name_in_its_entry(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = lookup_findings(capsys, monkeypatch)[(31, "IMG001")]
    assert drop["steps"][3] == (
        "use: put `\"restock\": kubernautRestockImage` in `images` in place of `\"restock\": \"localhost/kubernaut-restock:e2e\"`"
    )
    assert drop["fix"]["applicability"] == "safe"
    assert (36, "kubernautRestockImage") in [(e["location"]["row"], e["content"]) for e in drop["fix"]["edits"]]


def test_an_aligned_map_filled_before_the_build_is_by_hand(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    drop = lookup_findings(capsys, monkeypatch)[(55, "IMG001")]
    assert drop["fix"]["applicability"] == "display-only"
    assert "set `images[\"picker\"] = kubernautPickerImage` after the build by hand" in drop["fix"]["message"]


def test_a_lookup_of_a_changing_map_is_never_replaced_wholesale(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = lookup_findings(capsys, monkeypatch)[(83, "IMG001")]
    assert [r["location"]["row"] for r in drop["related"]] == [88]  # no entry is known to be deployed
    assert drop["steps"][1] == (
        "pass: `deployment` gets `images[svc]`, a lookup that serves every key the loop at line 86 walks: put "
        "`kubernautStockerImage` in the entry of this build's service, never in place of `images[svc]`"
    )
    assert "a lookup that serves every key its loop walks" in drop["fix"]["message"]


def test_a_looked_up_local_entry_without_a_build_is_an_img002_where_it_is_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = lookup_findings(capsys, monkeypatch)
    assert found[(69, "IMG002")]["location"]["column"] == 41
    assert "a map entry that `images[svc]` looks up" in found[(69, "IMG002")]["message"]
    assert not any(code == "IMG002" and row != 69 for row, code in found)  # the pulled `redis:7` entries


def keyed_findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[tuple[int, str], dict[str, Any]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ranges/keyed.go"])
    return {(f["location"]["row"], f["code"]): f for f in json.loads(capsys.readouterr().out)}


def test_a_lookup_with_a_fixed_key_deploys_its_entry(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`Image: images["cart"]` deploys the cart entry: it is the related place, and the name goes
    there (the literal emptied, the entry set after the build), not "no deployment was found"."""
    drop = keyed_findings(capsys, monkeypatch)[(19, "IMG001")]
    assert drop["message"].endswith("the deployment cannot know the tag that was built")
    assert [r["location"]["row"] for r in drop["related"]] == [17]
    assert drop["steps"][1] == (
        "pass: nothing to pass: `images[\"cart\"]` (line 23) reads the \"cart\" entry of `images`, which step 4 sets to the name"
    )
    assert drop["fix"]["applicability"] == "safe"
    edits = [(e["location"]["row"], e["content"]) for e in drop["fix"]["edits"]]
    assert (16, "{}") in edits  # the only entry goes, as gofmt writes an empty literal
    assert (19, '\n\timages["cart"] = kubernautCartImage') in edits


def test_a_fixed_key_lookup_handed_to_a_helper_keeps_the_lookup(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "call `deployment` with the name instead of `images["basket"]`, a value the analysis
    cannot know": the entry the lookup reads is known, and takes the name."""
    drop = keyed_findings(capsys, monkeypatch)[(30, "IMG001")]
    assert [r["location"]["row"] for r in drop["related"]] == [35, 34]
    assert drop["steps"][3] == (
        "use: put `\"basket\": kubernautBasketImage` in `images` in place of `\"basket\": \"localhost/kubernaut-basket:e2e\"`"
    )
    assert drop["fix"]["applicability"] == "safe"
    assert (34, "kubernautBasketImage") in [(e["location"]["row"], e["content"]) for e in drop["fix"]["edits"]]


def test_a_fixed_key_entry_read_before_the_build_is_by_hand(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    drop = keyed_findings(capsys, monkeypatch)[(47, "IMG001")]
    assert [r["location"]["row"] for r in drop["related"]] == [51, 45]
    assert drop["fix"]["applicability"] == "display-only"
    assert "set `images[\"wallet\"] = kubernautWalletImage` after the build by hand" in drop["fix"]["message"]


def test_a_lookup_with_a_constant_key_deploys_its_entry(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`images[kettleKey]` with `const kettleKey = "kettle"` (of the package, or of the function)
    reads the kettle entry as `images["kettle"]` does: related place, steps and fix alike."""
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ranges/keyconst.go"])
    found = {(f["location"]["row"], f["code"]): f for f in json.loads(capsys.readouterr().out)}
    assert sorted(found) == [(20, "IMG001"), (31, "IMG001"), (43, "IMG002")]
    kettle, ladle = found[20, "IMG001"], found[31, "IMG001"]
    assert kettle["message"].endswith("the deployment cannot know the tag that was built")
    assert [r["location"]["row"] for r in kettle["related"]] == [18]
    assert kettle["steps"][1] == (
        "pass: nothing to pass: `images[kettleKey]` (line 24) reads the \"kettle\" entry of `images`, which step 4 sets to the name"
    )
    assert kettle["fix"]["applicability"] == "safe"
    assert (20, '\n\timages["kettle"] = kubernautKettleImage') in [(e["location"]["row"], e["content"]) for e in kettle["fix"]["edits"]]
    assert ladle["steps"][3] == "use: put `ladleKey: kubernautLadleImage` in `images` in place of `ladleKey: \"localhost/kubernaut-ladle:e2e\"`"
    assert "the map entry that `images[colanderKey]` reads for" in found[43, "IMG002"]["message"]


@pytest.mark.parametrize(
    ("row", "helper", "variable", "entry", "lookup"),
    [
        (32, "deploySpoons", "kubernautSpoonImage", ("spoonKey", '"localhost/kubernaut-spoon:e2e"', 17), ("images[svc]", 21)),
        (46, "deployForks", "kubernautForkImage", ('"fork"', '"localhost/kubernaut-fork:e2e"', 40), ('images["fork"]', 41)),
    ],
)
def test_a_map_entry_of_a_deploy_helper_takes_the_helper_s_new_parameter(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    row: int,
    helper: str,
    variable: str,
    entry: tuple[str, str, int],
    lookup: tuple[str, int],
) -> None:
    """The map is filled in the helper the build's function calls after it: the steps pass the
    name and put the parameter in the entry, as the fix does, not "filled before the build" (it is
    another function's) or "nothing to pass"."""
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", "ranges/helpers.go"])
    drop = {(f["location"]["row"], f["code"]): f for f in json.loads(capsys.readouterr().out)}[(row, "IMG001")]
    key, value, line = entry
    assert drop["steps"][1:] == [
        f"pass: call `{helper}(..., {variable})`",
        f"parameter: add `imageName string` to `{helper}` (ranges/helpers.go:{15 if row == 32 else 39}) and update its call site",
        f"use: `{key}: imageName` in `images` in place of `{key}: {value}`; `{lookup[0]}` (line {lookup[1]}) stays as it is",
    ]
    assert drop["fix"]["applicability"] == "safe"
    assert (line, "imageName") in [(e["location"]["row"], e["content"]) for e in drop["fix"]["edits"]]
