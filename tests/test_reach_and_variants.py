"""Fixes and steps that claim only what compiles: deploy helpers defined once per build
constraint (`variants/`), drops whose deployment a name captured in place cannot reach and
helpers with several containers (`reach/`), testify suites (`testifysuite/`), and one-file runs
whose fix would edit a file they do not lint."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from support import TESTS, copy_corpus, go_module, run_go

from imagetag_lint.cli import main

FIXTURES = TESTS / "fixtures" / "go"


def findings(root: Path, *args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out):
        main(["--isolated", "--no-cache", "--output-format", "json", "--exit-zero", *args])
    found: list[dict[str, object]] = json.loads(out.getvalue())
    return found


def at(found: list[dict[str, object]], filename: str, row: int, code: str) -> dict[str, object]:
    return next(
        f for f in found
        if f["filename"] == filename and f["location"]["row"] == row and f["code"] == code  # type: ignore[index]
    )


def fix_message(finding: dict[str, object]) -> tuple[str, str]:
    fix = finding["fix"]
    assert isinstance(fix, dict)
    return fix["applicability"], fix["message"]


def test_every_build_constraint_variant_gets_the_parameter(tmp_path: Path) -> None:
    """`go vet` with the other tag compiles the other definition: it must take the argument too."""
    root = copy_corpus(tmp_path)
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["--isolated", "--no-cache", "--fix", "variants"])
    kind = (root / "variants" / "deploy_kind.go").read_text()
    openshift = (root / "variants" / "deploy_openshift.go").read_text()
    assert "func deployLedger(ctx context.Context, imageName string) error" in kind
    assert "func deployLedger(ctx context.Context, imageName string) error" in openshift
    assert "func deployVault(ctx context.Context) error" in kind  # by hand: left as it was
    assert "func (c *cluster) deployCache(ctx context.Context, imageName string) error" in kind
    assert "func (k *cluster) deployCache(ctx context.Context, imageName string) error" in openshift
    for tags in ([], ["-tags", "openshift"]):
        vet = run_go(["vet", *tags, "./variants/"], root)
        assert vet.returncode == 0, vet.stderr


def test_a_variant_that_deploys_another_image_leaves_the_fix_to_a_person() -> None:
    found = findings(FIXTURES, "variants")
    applicability, message = fix_message(at(found, "variants/setup.go", 25, "IMG001"))
    assert applicability == "display-only"
    assert "`deployVault` is defined again at variants/deploy_openshift.go:15" in message
    assert "image-registry.openshift-image-registry.svc:5000/e2e/vault:e2e" in message
    [ledger] = [f for f in found if f["location"]["row"] == 16 and f["filename"] == "variants/setup.go"]  # type: ignore[index]
    assert ledger["steps"][2] == (  # type: ignore[index]
        "parameter: add `imageName string` to each definition of `deployLedger` (one per build constraint: "
        "variants/deploy_kind.go:11, variants/deploy_openshift.go:11) and update its call site"
    )


def test_a_one_file_run_of_a_helper_reports_what_the_tree_run_does() -> None:
    """The build that makes the openshift helper's image is in a sibling: a run of the helper's
    file alone sees it, and says what the run of the tree says of that image. The fixed image a
    drop names (line 12) is that drop's related place in both runs: the drop pairs with the same
    definition of the helper whichever file the run lints."""
    path = "variants/deploy_openshift.go"
    alone = [(f["location"]["row"], f["message"]) for f in findings(FIXTURES, path) if f["code"] == "IMG002"]  # type: ignore[index]
    tree = [
        (f["location"]["row"], f["message"]) for f in findings(FIXTURES, "variants")  # type: ignore[index]
        if f["code"] == "IMG002" and f["filename"] == path
    ]
    assert alone == tree
    assert len(tree) == 1 and "the build at variants/setup.go:25" in tree[0][1]
    kind = findings(FIXTURES, "variants/deploy_kind.go")
    assert all("no build seen" not in f["message"] for f in kind)  # type: ignore[operator]


SETUP = """package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
)

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "alpha"}, w); err != nil {
		return err
	}
	return deploy(ctx)
}
"""
DEPLOY = """package e2e

import (
	"context"

	"example.com/m/k8s"
)

func deploy(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "alpha", Image: "localhost/alpha:e2e"})
}
"""


def test_a_one_file_run_does_not_promise_a_fix_of_a_file_it_does_not_lint(tmp_path: Path) -> None:
    """pre-commit names setup.go; the helper's deploy.go is a sibling the run only reads: the lint
    says by hand (and why), and --fix then writes nothing and refuses nothing."""
    root = go_module(tmp_path, {"e2e/setup.go": SETUP, "e2e/deploy.go": DEPLOY})
    [finding] = findings(root, "e2e/setup.go")
    assert fix_message(finding) == (
        "display-only",
        "the fix edits e2e/deploy.go, which this run does not lint: lint it too, or follow the four steps by hand",
    )
    out = io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(["--isolated", "--no-cache", "e2e/setup.go"])
    assert "[by hand]" in out.getvalue() and "1 to fix by hand" in out.getvalue()
    assert "fixable" not in out.getvalue()
    before = (root / "e2e" / "setup.go").read_text()
    out = io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(["--isolated", "--no-cache", "--fix", "e2e/setup.go"])
    assert (root / "e2e" / "setup.go").read_text() == before
    assert "refused" not in out.getvalue()
    assert [f["fix"]["applicability"] for f in findings(root, "e2e")] == ["safe"]  # type: ignore[index]


def test_the_sidecar_keeps_its_image_and_the_built_service_gets_the_name() -> None:
    found = findings(FIXTURES, "reach")
    sidecar = at(found, "reach/setup.go", 38, "IMG001")
    assert [r["message"] for r in sidecar["related"]] == [  # type: ignore[attr-defined,index]
        "the image is deployed here by `deployCart`",
        "with the fixed image `localhost/shop-cart:e2e`",
    ]
    assert sidecar["steps"][3] == 'use: `Image: imageName` instead of `"localhost/shop-cart:e2e"`'  # type: ignore[index]
    assert fix_message(sidecar)[0] == "safe"
    ledger = at(found, "reach/setup.go", 54, "IMG001")  # the migrate job's image is another service's
    assert fix_message(ledger)[0] == "safe"
    assert ledger["steps"][3] == 'use: `Image: imageName` instead of `"localhost/shop-ledger:e2e"`'  # type: ignore[index]


def test_a_config_filled_before_the_build_is_one_finding_with_steps_that_compile() -> None:
    found = findings(FIXTURES, "reach")
    assert not [f for f in found if f["location"]["row"] == 24]  # type: ignore[index]  # no IMG002 of its own
    steps = at(found, "reach/setup.go", 25, "IMG001")["steps"]
    assert steps[3] == (  # type: ignore[index]
        'use: `api` is filled before the build (line 24): drop `Image: "localhost/shop-api:e2e"` from it and '
        "set `api.Image = shopApiImage` after the build"
    )


def test_out_of_reach_steps_declare_the_name_where_the_deployment_reads_it() -> None:
    found = findings(FIXTURES, "reach")
    else_if = at(found, "reach/setup.go", 72, "IMG001")
    assert else_if["steps"][0].startswith(  # type: ignore[index]
        "capture: declare `var shopMailImage string` before the `if` chain at line 70; the `else if` cannot be hoisted"
    )
    assert "hoist the call" not in " ".join(else_if["steps"])  # type: ignore[arg-type]
    applicability, message = fix_message(else_if)
    assert applicability == "display-only" and "declare `var shopMailImage string`" in message
    steps = at(found, "reach/setup.go", 107, "IMG001")
    assert steps["steps"][0] == (  # type: ignore[index]
        "capture: declare `var shopWorkerImage string` before line 105, where both the build and the "
        "deployment at line 111 can read it, and assign the builder's result to it at the build"
    )
    assert "this function deploys the image itself" not in steps["steps"][1]  # type: ignore[index]
    assert "declare `var shopWorkerImage string` before line 105" in fix_message(steps)[1]
    fallback = at(found, "reach/setup.go", 83, "IMG001")
    assert fallback["steps"][3].startswith('use: `img = shopNotifyImage` instead of `img = "localhost/shop-notify:e2e"`')  # type: ignore[index]
    assert fix_message(fallback)[0] == "safe"


def test_testify_steps_read_the_suite_field() -> None:
    found = findings(FIXTURES, "testifysuite")
    kept = at(found, "testifysuite/suite_test.go", 42, "IMG002")["steps"]
    assert kept == [
        "capture: `SetupSuite` already keeps the built name in the suite field `s.image`",
        "pass: nothing to pass: `TestDeployStale` reads `s.image`",
        "parameter: none (testify calls `TestDeployStale` by reflection: it takes no parameters)",
        'use: `Image: s.image` instead of `"localhost/shop-api:e2e"`',
    ]
    dropped = at(found, "testifysuite/suite_test.go", 57, "IMG001")
    assert dropped["steps"][1] == "pass: keep it on the suite: `s.image = shopWorkerImage` (add it as a `string` field of `WorkerSuite`)"  # type: ignore[index]
    taken = at(found, "testifysuite/suite_test.go", 82, "IMG001")  # `image` holds the sidecar's image already
    assert taken["steps"][1] == (  # type: ignore[index]
        "pass: keep it on the suite: `s.shopGatewayImage = shopGatewayImage` (add it as a `string` field of `ProxySuite`)"
    )
    assert [(r["location"]["row"], r["message"]) for r in dropped["related"]] == [  # type: ignore[attr-defined,index]
        (64, "with the fixed image `localhost/shop-worker:e2e`")
    ]
    assert fix_message(dropped)[1].startswith("the suite's test methods deploy the image (`TestWorker`)")
    assert not [f for f in found if f["location"]["row"] == 64]  # type: ignore[index]  # one defect, one finding


def test_a_run_of_whole_packages_leaves_their_image_field_only_files_unparsed(tmp_path: Path) -> None:
    """A run that lints every file of a package has prefiltered them all: a file with nothing but
    an `Image:` field holds no build, so completing packages for a one-file run's sake must not
    parse it (it is parsed only when a build name asks for it)."""
    from imagetag_lint.files import discover
    from imagetag_lint.lint import lint_paths
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    (tmp_path / "go.mod").write_text("module example.com/whole\n\ngo 1.21\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "setup.go").write_text(
        "package whole\n\nfunc BuildAndLoadImageToKind(name string) (string, error) { return name, nil }\n\n"
        'func Setup() error {\n\t_, err := BuildAndLoadImageToKind("localhost/shop-api")\n\treturn err\n}\n'
    )
    (tmp_path / "b" / "spec.go").write_text(
        'package other\n\ntype Spec struct{ Image string }\n\nvar probe = Spec{Image: "busybox:1.36"}\n'
    )
    discovered, errors = discover([str(tmp_path)], tmp_path)
    assert not errors
    result = lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tmp_path)
    assert "a/setup.go" in result.sources
    assert "b/spec.go" not in result.sources


def test_a_closure_handed_to_a_runner_declares_the_name_before_the_runner() -> None:
    """The deploy call comes after the runner's statement: a name captured in the closure is out
    of its reach, so the name is declared before that statement and assigned at the build."""
    finding = at(findings(FIXTURES, "reach/handed.go"), "reach/handed.go", 16, "IMG001")
    capture = (
        "declare `var shopRunnerImage string` before line 15, where both the build and the deployment at "
        "line 21 can read it, and assign the builder's result to it at the build "
        "(`shopRunnerImage, err = infrastructure.BuildAndLoadImageToKind(...)`, with `err` declared there)"
    )
    assert finding["steps"] == [
        f"capture: {capture}",
        'pass: call `deployRunner` with `shopRunnerImage` instead of `"localhost/shop-runner:e2e"`',
        "parameter: `deployRunner` already takes the image (`image`); keep it",
        "use: `deployRunner` already deploys its image parameter",
    ]
    assert fix_message(finding) == (
        "display-only",
        f"the deploy call at line 21 cannot read a name captured in the closure; {capture}",
    )
