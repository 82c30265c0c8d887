"""A deploy helper with another caller: the drop's fix hands that caller the fixed text it deployed
before (README, step 3), so it still deploys an image no build makes. The IMG001 says so before
`--fix` runs: the call is a related place, and step 3 names it (`fixtures/go/keptcallers`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, copy_corpus

from imagetag_lint.cli import main


def findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str) -> list[dict[str, object]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", path])
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def finding_at(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str, row: int, code: str) -> dict[str, Any]:
    [finding] = [f for f in findings(capsys, monkeypatch, path) if f["location"]["row"] == row and f["code"] == code]  # type: ignore[index]
    return finding


def test_the_other_caller_is_a_related_place(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    finding = finding_at(capsys, monkeypatch, "keptcallers/tenants.go", 16, "IMG001")
    related = finding["related"]
    assert isinstance(related, list)
    kept = [r for r in related if r["location"]["row"] == 24]
    assert [r["message"] for r in kept] == [
        "`RedeployTenants` also calls `deployTenants` here; step 3 passes it the fixed image "
        "`localhost/kubernaut-tenants:e2e`, so it still deploys that image: the build at "
        "keptcallers/tenants.go:16 (`infrastructure.BuildAndLoadImageToKind`) names only the repository "
        "`kubernaut-tenants`, so the builder chooses the tag"
    ]


def test_step_three_names_the_other_call_site_and_the_fix_stays_safe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = finding_at(capsys, monkeypatch, "keptcallers/tenants.go", 16, "IMG001")
    steps = finding["steps"]
    assert isinstance(steps, list)
    assert steps[2] == (
        "parameter: add `imageName string` to `deployTenants` (keptcallers/tenants.go:28) and update all 2 call "
        "sites; the other call site, in `RedeployTenants` (keptcallers/tenants.go:24), gets "
        "`localhost/kubernaut-tenants:e2e` and still deploys that fixed image"
    )
    fix = finding["fix"]
    assert isinstance(fix, dict) and fix["applicability"] == "safe"


def test_a_caller_whose_own_drop_is_fixed_is_not_named(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`sequential/`: two drops deploy through `deployDataStorage`; each fix passes its own built
    name, so neither names the other's call, while the third caller, which builds nothing, is named."""
    found = findings(capsys, monkeypatch, "sequential")
    by_row = {f["location"]["row"]: f for f in found if f["code"] == "IMG001"}  # type: ignore[index]
    for row, other in ((51, 91), (87, 54)):
        related = by_row[row]["related"]
        assert isinstance(related, list)
        kept = [r["location"]["row"] for r in related if "also calls" in r["message"]]
        assert other not in kept and 164 in kept


def test_calls_after_the_build_get_the_built_name(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`SetupLedger` calls the helper before its build and twice after it (`go deployLedger(...)`,
    then `return deployLedger(...)`): the calls after the build can read the captured name, so the
    fix hands it to both (golden `ledger.go.fixed`), and only the call before it is said to keep
    the fixed image."""
    finding = finding_at(capsys, monkeypatch, "keptcallers/ledger.go", 19, "IMG001")
    kept = [r["location"]["row"] for r in finding["related"] if "also calls" in r["message"]]
    assert kept == [16]
    assert finding["steps"][2] == (
        "parameter: add `imageName string` to `deployLedger` (keptcallers/ledger.go:28) and update all 3 call sites; "
        "the call after the build (keptcallers/ledger.go:24) gets `kubernautDocketImage` too; the other call site, in "
        "`SetupLedger` (keptcallers/ledger.go:16), gets `localhost/kubernaut-docket:e2e` and still deploys that fixed image"
    )
    assert finding["fix"]["applicability"] == "safe"


def test_fixed_text_before_the_build_is_not_told_to_read_the_name_declared_after_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`SmokeAudit` hands the helper fixed text, then builds and keeps the name in `auditImage`:
    the name does not exist yet at that call, so the steps do not say to pass it there, and no
    edit is offered (passing it would not compile)."""
    finding = finding_at(capsys, monkeypatch, "keptcallers/ledger.go", 43, "IMG002")
    assert finding["steps"] == [
        "capture: `SmokeAudit` keeps the built name in `auditImage`, declared at line 46, after this text",
        "pass: nothing can be passed here: the name does not exist yet where this text is",
        "parameter: none needed",
        (
            'use: after the build (line 46), pass `auditImage` instead of `"localhost/kubernaut-tollbooth:e2e"`; '
            "before it, the image does not exist yet"
        ),
    ]
    assert finding["fix"] == {
        "applicability": "display-only",
        "message": "this text comes before the build at line 46 that declares `auditImage`: no edit can deploy that name here",
        "edits": [],
    }


def test_fixed_text_after_the_if_that_keeps_the_name_gets_no_edit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fixscope/scopes.go`: `if sierraImage, err := build(...); ...` keeps the name in the `if`
    alone; fixed text after the `if` cannot read it (`Image: sierraImage` there would not compile)."""
    finding = finding_at(capsys, monkeypatch, "fixscope/scopes.go", 21, "IMG002")
    assert finding["steps"][:2] == [
        "capture: `SetupSierra` keeps the built name in `sierraImage` (line 16), out of reach here: this text is outside "
        "the `if` statement that declares it",
        "pass: nothing to pass: declare `sierraImage` before that `if` statement, where this text can read it, and "
        "assign it at the build",
    ]
    assert finding["fix"]["applicability"] == "display-only" and finding["fix"]["edits"] == []


OTHER_CALLERS = {
    "oc.go": '''package oc

import (
	"context"
	"os"

	"example.com/e2e/infrastructure"
	"example.com/e2e/k8s"
)

func Setup(ctx context.Context) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "oc-ctl"}, os.Stdout); err != nil {
		return err
	}
	return deployCtl(ctx)
}

func Restart(ctx context.Context) error {
	return deployCtl(ctx)
}

func deployCtl(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Deployment{Name: "ctl", Namespace: "e2e", Spec: k8s.PodSpec{Containers: []k8s.Container{{Name: "ctl", Image: "localhost/oc-ctl:e2e"}}}})
}
''',
    "oc_test.go": '''package oc

import (
	"context"
	"testing"
)

func TestAgain(t *testing.T) {
	if err := deployCtl(context.Background()); err != nil {
		t.Fatal(err)
	}
}
''',
}


def test_a_test_caller_the_next_run_takes_for_a_fixture_is_not_said_to_stay_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the fix a test that builds nothing hands the helper fixed text, which IMG002 takes for
    a unit test's fixture: the related place says so instead of "still deploys", and the second
    run reports the other caller only (the two runs agree)."""
    root = copy_corpus(tmp_path)
    (root / "oc").mkdir()
    for name, source in OTHER_CALLERS.items():
        (root / "oc" / name).write_text(source, encoding="utf-8")
    monkeypatch.chdir(root)
    main(["--isolated", "--output-format", "json", "--exit-zero", "oc"])
    [finding] = json.loads(capsys.readouterr().out)
    words = {r["filename"].rsplit("/", 1)[-1]: r["message"] for r in finding["related"] if "also calls" in r["message"]}
    assert "so it still deploys that image" in words["oc.go"]
    assert "so it still deploys" not in words["oc_test.go"] and "no finding after the fix" in words["oc_test.go"]
    main(["--isolated", "--fix", "--exit-zero", "--quiet", "oc"])
    capsys.readouterr()
    main(["--isolated", "--output-format", "json", "--exit-zero", "oc"])
    after = json.loads(capsys.readouterr().out)
    assert {f["filename"].rsplit("/", 1)[-1] for f in after} == {"oc.go"}


def test_a_helper_called_only_before_the_kept_build_is_not_told_to_get_that_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fixscope/scopes.go`: `PrimeLighthouse` calls `deployLighthouse` and only then builds and
    keeps the name: the steps do not say to pass `lighthouseImage` to that call."""
    finding = finding_at(capsys, monkeypatch, "fixscope/scopes.go", 40, "IMG002")
    assert not any("lighthouseImage" in step for step in finding["steps"])
    assert finding["steps"][0] == "capture: name the image the builder returns for `lighthouse` in the callers of `deployLighthouse`"


FOLLOW_UP = '''package followup

import (
	"context"
	"io"
	"log"

	"example.com/e2e/infrastructure"
	"example.com/e2e/k8s"
)

func SetupAPI(ctx context.Context, w io.Writer) error {
	_, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "followup-api"}, w)
	if err != nil {
		return err
	}
	return deployAPI(ctx)
}

func RebuildAPI(ctx context.Context, w io.Writer) error {
	img, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "followup-api"}, w)
	if err != nil {
		return err
	}
	log.Printf("built %s", img)
	return deployAPI(ctx)
}

func deployAPI(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Deployment{Name: "api", Namespace: "e2e", Spec: k8s.PodSpec{Containers: []k8s.Container{{Name: "api", Image: "localhost/followup-api:e2e"}}}})
}
'''


def test_a_caller_that_keeps_its_own_build_s_name_gets_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`RebuildAPI` builds the same service and keeps the name in `img`, then calls the helper:
    the fix passes `img` there (not the fixed text, which the next round would have replaced),
    step 3 says so, no related place says it keeps the fixed image, and one round fixes all."""
    root = copy_corpus(tmp_path)
    (root / "followup").mkdir()
    (root / "followup" / "api.go").write_text(FOLLOW_UP, encoding="utf-8")
    monkeypatch.chdir(root)
    main(["--isolated", "--no-cache", "--output-format", "json", "--exit-zero", "followup"])
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["steps"][2].endswith("the call in `RebuildAPI` (followup/api.go:26) gets `img`, the name its own build keeps")
    assert not any("also calls" in r["message"] for r in finding["related"])
    main(["--isolated", "--no-cache", "--fix", "followup"])
    assert "Fixed 1 finding in 1 file." in capsys.readouterr().out
    fixed = (root / "followup" / "api.go").read_text(encoding="utf-8")
    assert "return deployAPI(ctx, img)" in fixed and '"localhost/followup-api:e2e")' not in fixed
