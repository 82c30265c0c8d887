"""A builder handed to another function as a value: the function that calls its func-typed
parameter and drops the result drops the built name (`tests/fixtures/go/passedbuilders/`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samples import lint_json
from support import FIXTURES, go_module

RUNNER = """package runner

import (
	"io"

	"example.com/m/infrastructure"
)

func Run(w io.Writer, build func(infrastructure.ImageBuildConfig, io.Writer) (string, error)) error {
	_, err := build(infrastructure.ImageBuildConfig{ImageName: "app"}, w)
	return err
}
"""

SUITE = """package suite

import (
	"io"

	"example.com/m/infrastructure"
	"example.com/m/runner"
)

func Setup(w io.Writer) error {
	return runner.Run(w, %s)
}

func describe(cfg infrastructure.ImageBuildConfig, w io.Writer) (string, error) { return cfg.ImageName, nil }

var _ = infrastructure.BuildAndLoadImageToKind
"""


def _findings(path: str) -> list[dict[str, Any]]:
    _, findings = lint_json(["--isolated", path], FIXTURES)
    return findings


@pytest.mark.parametrize(
    ("row", "handed"),
    [(19, "infrastructure.BuildAndLoadImageToKind"), (45, "buildPacker"), (77, "infrastructure.BuildImageForKind")],
)
def test_the_drop_names_the_builder_a_caller_hands_in(row: int, handed: str) -> None:
    drop = next(f for f in _findings("passedbuilders/builders.go") if f["location"]["row"] == row)
    assert drop["code"] == "IMG001"
    assert [r["message"] for r in drop["related"]] == [f"`{handed}` is handed in here as `build`"]
    # nothing in the function deploys: where the name must go is for a person to say
    assert drop["fix"]["applicability"] == "display-only"


def test_a_function_handed_only_what_builds_nothing_drops_nothing() -> None:
    rows = {f["location"]["row"] for f in _findings("passedbuilders/builders.go")}
    assert rows == {19, 45, 77}


@pytest.mark.parametrize(("handed", "reported"), [("infrastructure.BuildAndLoadImageToKind", True), ("describe", False)])
def test_a_helper_with_no_builder_token_is_read_when_a_caller_hands_it_one(tmp_path: Path, handed: str, reported: bool) -> None:
    """`runner.go` names no builder: only the caller in another package shows it builds."""
    go_module(tmp_path, {"runner/runner.go": RUNNER, "suite/suite.go": SUITE % handed})
    _, findings = lint_json(["--isolated", "."], tmp_path)
    assert [f["code"] for f in findings] == (["IMG001"] if reported else [])
    if reported:
        assert findings[0]["related"][0]["filename"] == "suite/suite.go"


def test_a_parameter_replaced_before_the_call_is_not_the_builder_handed_in(tmp_path: Path) -> None:
    replaced = RUNNER.replace("\t_, err := build(", "\tbuild = func(infrastructure.ImageBuildConfig, io.Writer) (string, error) { return \"\", nil }\n\t_, err := build(")
    go_module(tmp_path, {"runner/runner.go": replaced, "suite/suite.go": SUITE % "infrastructure.BuildAndLoadImageToKind"})
    _, findings = lint_json(["--isolated", "."], tmp_path)
    assert findings == []
