"""One defect, one finding: a dropped build's IMG001 names the stale deployments of its function
and the fixed image its deploy call ends in as related places, and IMG003 and IMG002 do not report
them a second time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import DROP, FIXED_IMAGE, SETUP_GO, found, lint_json, write_module
from support import TESTS

from imagetag_lint.cli import main

FIXTURES = TESTS / "fixtures" / "go"


def lint(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *paths: str) -> list[dict[str, object]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", *paths])
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return findings


def rows(finding: dict[str, object]) -> dict[int, str]:
    related = finding["related"]
    assert isinstance(related, list)
    return {r["location"]["row"]: r["message"] for r in related}


def test_recomputed_references_are_related_places_of_the_drop(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = lint(capsys, monkeypatch, "mismatch")
    drop = next(f for f in findings if f["code"] == "IMG001" and f["location"]["row"] == 77)  # type: ignore[index]
    related = rows(drop)
    for row, receiver in ((81, "the load"), (84, "the deployment")):  # the load and the deploy of `tagged`
        assert f"{receiver} receives `tagged` instead (a reference put together from its parts" in related[row]
    assert not [f for f in findings if f["code"] == "IMG003" and f["location"]["row"] in (81, 84)]  # type: ignore[index]


def test_a_parameter_deployed_while_the_build_is_dropped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = lint(capsys, monkeypatch, "multifile")
    drops = [f for f in findings if f["code"] == "IMG001"]
    messages = [m for f in drops for m in rows(f).values()]
    assert any("`contextAPIImage` instead (a parameter of the function" in m for m in messages)
    assert not [f for f in findings if f["code"] == "IMG003"]


def test_without_a_drop_the_mismatch_is_its_own_finding(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that tags one generated name while the deploy gets a fresh one drops nothing: IMG003."""
    findings = lint(capsys, monkeypatch, "generated")
    assert {f["location"]["row"] for f in findings if f["code"] == "IMG003"} >= {37, 54, 66, 79}  # type: ignore[index]


def test_the_fix_of_the_drop_rewrites_its_stale_deployments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = lint(capsys, monkeypatch, "mismatch")
    drop = next(f for f in findings if f["code"] == "IMG001" and f["location"]["row"] == 77)  # type: ignore[index]
    fix = drop["fix"]
    assert isinstance(fix, dict)
    rewritten = {e["location"]["row"] for e in fix["edits"]}
    assert {81, 84} <= rewritten


# -- the fixed image a drop names: one finding at the drop, an IMG002 only where the drop is not seen


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param([], {DROP}, id="every-rule"),
        pytest.param(["--select", "IMG002"], {FIXED_IMAGE}, id="select-img002"),
        pytest.param(["--ignore", "IMG001"], {FIXED_IMAGE}, id="ignore-img001"),
        # the tree run's findings in the files linted: the drop in setup.go names the image
        pytest.param(["e2e/deploy.go"], set(), id="the-helper-file-alone"),
        pytest.param(["--select", "IMG002", "e2e/deploy.go"], {FIXED_IMAGE}, id="the-helper-file-alone-img002"),
        pytest.param(["e2e/setup.go"], {DROP}, id="the-drop-file-alone"),
    ],
)
def test_the_fixed_image_of_a_drop_is_reported_once(tmp_path: Path, args: list[str], expected: set[object]) -> None:
    code, findings = lint_json(["--isolated", *args], write_module(tmp_path))
    assert (code, found(findings)) == (1 if expected else 0, expected)


def test_the_drop_names_its_fixed_image(tmp_path: Path) -> None:
    (drop,) = lint_json(["--isolated"], write_module(tmp_path))[1]
    related = {(r["filename"], r["location"]["row"]): r["message"] for r in drop["related"]}
    assert related[FIXED_IMAGE[:2]] == "with the fixed image `localhost/datastorage:e2e-test`"


def test_a_per_file_ignore_of_the_drop_covers_its_fixed_image(tmp_path: Path) -> None:
    write_module(tmp_path)
    (tmp_path / ".imagetag-lint.toml").write_text('[per-file-ignores]\n"e2e/setup.go" = ["IMG001"]\n', encoding="utf-8")
    assert lint_json([], tmp_path) == (0, [])
    assert found(lint_json(["--select", "IMG002"], tmp_path)[1]) == {FIXED_IMAGE}


def test_the_fixed_image_of_a_helper_that_ignores_its_parameter_is_reported_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The IMG003 on the ignored parameter names the fixed image; alone, IMG002 still reports it."""
    findings = lint(capsys, monkeypatch, "ignoredparam")
    param = next(f for f in findings if f["code"] == "IMG003" and f["location"]["row"] == 18)  # type: ignore[index]
    assert "the fixed image `localhost/kubernaut-datastorage:e2e-test` is deployed instead" in rows(param)[25]
    assert {f["location"]["row"] for f in findings if f["code"] == "IMG002"} == {76}  # type: ignore[index]
    alone = lint(capsys, monkeypatch, "--select", "IMG002", "ignoredparam")
    assert {f["location"]["row"] for f in alone} == {25, 45, 63, 76}  # type: ignore[index]


def test_a_drop_names_the_manifest_its_own_function_applies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = lint(capsys, monkeypatch, "yamlmanifest")
    drop = next(f for f in findings if f["code"] == "IMG001" and f["location"]["row"] == 35)  # type: ignore[index]
    assert rows(drop)[48] == "with the fixed image `localhost/kubernaut-datastorage:e2e-test`"
    assert not [f for f in findings if f["code"] == "IMG002" and f["location"]["row"] == 48]  # type: ignore[index]


def test_a_drop_names_the_constant_manifest_its_function_applies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`k8s.ApplyManifest(ctx, dataStorageManifest)` after the drop of `BuildDataStorageImage`: the
    constant's fixed line is that drop's related place, and so it is of the audit drop that
    applies the same constant: `BuildAuditStackImage` returns `BuildDataStorageImage`'s build,
    so the wrapper chain names the datastorage repository."""
    findings = lint(capsys, monkeypatch, "wrapusers")
    drops = {f["location"]["row"]: f for f in findings if f["code"] == "IMG001"}  # type: ignore[index]
    assert rows(drops[36])[26] == "with the fixed image `localhost/kubernaut-datastorage:e2e-test`"
    assert rows(drops[53])[26] == "with the fixed image `localhost/kubernaut-datastorage:e2e-test`"
    assert not [f for f in findings if f["code"] == "IMG002" and f["location"]["row"] == 26]  # type: ignore[index]


# -- a run of some files reports the tree run's findings in those files

IMPORTED_DEPLOY_GO = """\
package deploy

import (
	"context"

	"example.com/e2e/k8s"
)

func DataStorage(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-test"})
}
"""

# the helper's package is imported by the package that drops the build
IMPORTED = {
    "e2e/deploy.go": "",
    "e2e/deploy/deploy.go": IMPORTED_DEPLOY_GO,
    "e2e/setup.go": SETUP_GO.replace('\t"example.com/e2e/infrastructure"', '\t"example.com/e2e/e2e/deploy"\n\t"example.com/e2e/infrastructure"')
    .replace("return deployDataStorage(ctx)", "return deploy.DataStorage(ctx)"),
}
# the drop's function reaches the helper through another helper: no drop pairs with the image
THROUGH_ANOTHER = {
    "e2e/all.go": "package e2e\n\nimport \"context\"\n\nfunc deployAll(ctx context.Context) error {\n\treturn deployDataStorage(ctx)\n}\n",
    "e2e/setup.go": SETUP_GO.replace("return deployDataStorage(ctx)", "return deployAll(ctx)"),
}


def tree_and_alone(root: Path, path: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    def keyed(findings: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return sorted((f["filename"], f["location"]["row"], f["code"], f["message"]) for f in findings)  # type: ignore[index]

    tree = [f for f in keyed(lint_json(["--isolated", "--no-cache"], root)[1]) if f[0] == path]
    return tree, keyed(lint_json(["--isolated", "--no-cache", path], root)[1])


@pytest.mark.parametrize(
    ("files", "helper", "expected"),
    [
        pytest.param({}, "e2e/deploy.go", [], id="caller-in-a-sibling"),
        pytest.param(IMPORTED, "e2e/deploy/deploy.go", [], id="caller-in-an-importer"),
        pytest.param(THROUGH_ANOTHER, "e2e/deploy.go", [("e2e/deploy.go", 10, "IMG002")], id="caller-of-a-caller"),
    ],
)
def test_a_run_of_the_helper_file_alone_says_what_the_tree_run_says(
    tmp_path: Path, files: dict[str, str], helper: str, expected: list[tuple[object, ...]]
) -> None:
    tree, alone = tree_and_alone(write_module(tmp_path, files), helper)
    assert alone == tree
    assert [found[:3] for found in alone] == expected


def test_a_cached_run_of_the_helper_file_sees_its_caller_change(tmp_path: Path) -> None:
    """The callers the run read are part of its cached result: once the drop no longer reaches
    the helper, the helper's fixed image is an IMG002 of its own."""
    write_module(tmp_path, IMPORTED)
    assert lint_json(["--isolated", "e2e/deploy/deploy.go"], tmp_path) == (0, [])
    write_module(tmp_path, {"e2e/setup.go": IMPORTED["e2e/setup.go"].replace("return deploy.DataStorage(ctx)", "return nil")})
    code, findings = lint_json(["--isolated", "e2e/deploy/deploy.go"], tmp_path)
    assert (code, found(findings)) == (1, {("e2e/deploy/deploy.go", 10, "IMG002")})
