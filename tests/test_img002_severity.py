"""IMG002's two severities, and messages that say only what the analysis saw of the builds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import FIXTURES, go_module

from imagetag_lint.cli import main

HEADER = """\
package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func deployApp(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "app", Image: "localhost/app:e2e"})
}
"""

CASES = [
    pytest.param(
        'infrastructure.ImageBuildConfig{ImageName: "app"}',
        "error",
        r"the build at e2e/setup\.go:\d+ \(`infrastructure\.BuildAndLoadImageToKind`\) names only the repository `app`, so the builder chooses the tag",
        id="build-names-only-the-repository",
    ),
    pytest.param(
        'infrastructure.ImageBuildConfig{ImageName: "localhost/app:v2"}',
        "error",
        r"the build at e2e/setup\.go:\d+ .* tags this repository `localhost/app:v2`, not this reference",
        id="build-tags-another-reference",
    ),
    pytest.param(
        'infrastructure.ImageBuildConfig{ImageName: "localhost/app:e2e"}',
        "warning",
        r"it copies the tag the build at e2e/setup\.go:\d+ .* gives the image, and breaks when that tag changes",
        id="fixed-copy-of-the-build-tag",
    ),
    pytest.param(
        'infrastructure.ImageBuildConfig{ImageName: "other"}',
        "error",
        r"the `localhost/` prefix marks it as built locally, and no build seen in this package or the packages this file imports names its repository",
        id="no-build-of-this-repository-seen",
    ),
]


def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], config: str = "") -> list[dict[str, object]]:
    monkeypatch.chdir(tmp_path)
    if config:
        (tmp_path / ".imagetag-lint.toml").write_text(config)
    main(["--output-format", "json", "--select", "IMG002", "e2e"])
    out, err = capsys.readouterr()
    assert err == "", err
    found: list[dict[str, object]] = json.loads(out)
    return found


def module(tmp_path: Path, build_config: str) -> None:
    build = f"""
func SetupApp(ctx context.Context, w io.Writer) error {{
	image, err := infrastructure.BuildAndLoadImageToKind({build_config}, w)
	if err != nil {{
		return err
	}}
	_ = image
	return deployApp(ctx)
}}
"""
    go_module(tmp_path, {"e2e/setup.go": HEADER + build})


@pytest.mark.parametrize(("build_config", "severity", "message"), CASES)
def test_severity_and_message_follow_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], build_config: str, severity: str, message: str
) -> None:
    module(tmp_path, build_config)
    [finding] = lint(tmp_path, monkeypatch, capsys)
    assert finding["severity"] == severity
    assert re.search(message, str(finding["message"])), finding["message"]
    assert "dynamic tag" not in str(finding["message"])


def test_configured_severity_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    module(tmp_path, 'infrastructure.ImageBuildConfig{ImageName: "localhost/app:e2e"}')
    [finding] = lint(tmp_path, monkeypatch, capsys, '[severity]\nIMG002 = "error"\n')
    assert finding["severity"] == "error"


def test_sarif_level_is_the_finding_severity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    module(tmp_path, 'infrastructure.ImageBuildConfig{ImageName: "localhost/app:e2e"}')
    monkeypatch.chdir(tmp_path)
    main(["--output-format", "sarif", "--select", "IMG002", "e2e"])
    sarif = json.loads(capsys.readouterr().out)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["warning"]


def test_text_output_labels_the_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    module(tmp_path, 'infrastructure.ImageBuildConfig{ImageName: "localhost/app:e2e"}')
    monkeypatch.chdir(tmp_path)
    main(["--color", "never", "--select", "IMG002", "e2e"])
    assert "IMG002 [*] [hardcoded-image-reference] warning: the deployment's image" in capsys.readouterr().out


def test_the_corpus_severities(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """fixtures/go/severity: the copy of a static build tag (in the name, or a fixed `Tag`) is a
    warning, another tag an error (its IMG001s are `tests/test_img001_words.py`'s)."""
    monkeypatch.chdir(FIXTURES)
    main(["--output-format", "json", "--exit-zero", "severity"])
    found = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"], f["message"].split("`")[1]) for f in found if f["code"] == "IMG002"] == [
        ("IMG002", "warning", "localhost/kubernaut-pricing:e2e"),
        ("IMG002", "error", "localhost/kubernaut-quote:e2e"),
        ("IMG002", "warning", "localhost/kubernaut-receipts:v4"),  # `ImageName` and a fixed `Tag`
        ("IMG002", "error", "localhost/kubernaut-envreceipts:e2e"),  # `Tag: tag` from the environment
        ("IMG002", "error", "localhost/kubernaut-madereceipts:v2"),  # a tag the code puts together
    ]


def test_a_build_helper_that_takes_a_struct_parameter_names_its_build(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """fixtures/go/rawcommands/specs.go: `podman build -t s.Image` of an `ImageSpec` parameter builds
    the `Image:` its callers give, as a string parameter would: a copy of it is the warning."""
    monkeypatch.chdir(FIXTURES)
    main(["--output-format", "json", "--exit-zero", "rawcommands/specs.go"])
    found = json.loads(capsys.readouterr().out)
    assert [(f["severity"], f["message"].split("`")[1], [r["message"] for r in f["related"]]) for f in found] == [
        ("warning", "localhost/inventory-api:e2e", ["the image is built here by `buildAndLoadSpec` as `localhost/inventory-api:e2e`"]),
        ("error", "localhost/inventory-worker:v2", ["the image is built here by `buildSpecPointer` as `localhost/inventory-worker:e2e`"]),
        ("error", "localhost/inventory-overridden:e2e", []),  # the helper sets `s.Image` itself before it builds
    ]
    # a copy of the build's tag: one value for both, not a choice between two equal references
    assert found[0]["fix"]["message"].startswith("the build at line 34 tags this very reference: hold it in one constant")
    assert found[0]["steps"][3].startswith("use: read `localhost/inventory-api:e2e` from one constant or variable")


def test_a_tag_variable_set_again_before_the_deployment_is_named_as_such(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """fixtures/go/rawcommands/tagvariable.go: `tag` is set to other text between the build and the
    deployment, so neither the help nor the steps say it holds the built name there."""
    monkeypatch.chdir(FIXTURES)
    main(["--output-format", "json", "--exit-zero", "rawcommands/tagvariable.go"])
    (sweeper,) = [f for f in json.loads(capsys.readouterr().out) if "kubernaut-sweeper" in f["message"]]
    assert sweeper["fix"] == {
        "applicability": "display-only",
        "message": "`SetupSweeperByTag` sets `tag` again between the build at line 43 and this deployment: "
        "deploy the name the build tagged by hand",
        "edits": [],
    }
    assert sweeper["steps"][0] == (
        "capture: `SetupSweeperByTag` keeps the built name in `tag`, then sets `tag` again before this deployment: "
        "keep the built name in a variable nothing else writes"
    )
