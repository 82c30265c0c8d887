"""A fix that adds a parameter to an exported deploy helper must update every call, and the engine
follows calls within one Go module only: a caller in another module that builds with the helper's
own files (its go.mod replaces the helper's module by that directory, or a go.work uses both)
makes the fix one for a person, whether the run lints that module, one file of the helper's
module, or a tree whose caller is excluded; an import path in a raw string is an import too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import stdout_of
from support import run_go

from imagetag_lint.files import workspace_uses
from imagetag_lint.golang.lexing import imports_path, quoted_imports

STAGING = "staging/src/example.com/e2eutil"
ROOT_MOD = """module example.com/mono

go 1.22

require example.com/e2eutil v0.0.0

replace example.com/e2eutil => ./staging/src/example.com/e2eutil
"""
STAGING_MOD = "module example.com/e2eutil\n\ngo 1.22\n"
INFRA = """package infra

import "io"

type ImageBuildConfig struct{ ImageName string }

func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":e2e", nil
}
"""
DEPLOY = """package deploy

import "context"

type Container struct{ Name, Image string }

func apply(ctx context.Context, namespace string, c Container) error { return nil }

// DeployAPI deploys the shop API.
func DeployAPI(ctx context.Context, namespace string, replicas int) error {
	return apply(ctx, namespace, Container{Name: "api", Image: "localhost/shop-api:e2e"})
}
"""
SETUP = """package e2e

import (
	"context"
	"io"

	"example.com/e2eutil/deploy"
	"example.com/e2eutil/infra"
)

func SetupShop(ctx context.Context, namespace string, w io.Writer) error {
	if _, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-api"}, w); err != nil {
		return err
	}
	return deploy.DeployAPI(ctx, namespace, 2)
}
"""
REDEPLOY = """package other

import (
	"context"

	d `example.com/e2eutil/deploy`
)

func Redeploy(ctx context.Context, ns string) error {
	return d.DeployAPI(ctx, ns, 1)
}
"""
TOOL = """package main

import (
	"context"
	"log"

	%s
)

func main() {
	if err := deploy.DeployAPI(context.Background(), "default", 1); err != nil {
		log.Fatal(err)
	}
}
"""
# a root-module program that uses the staging module but not the helper: it must keep building
INFRA_TOOL = """package main

import (
	"fmt"

	"example.com/e2eutil/infra"
)

func main() {
	fmt.Println(infra.ImageBuildConfig{})
}
"""
IMPORTED = '"example.com/e2eutil/deploy"'


def make_mono(root: Path, caller: str | None, tool: str = "cmd/tool/main.go", redeploy: bool = False) -> Path:
    """A root module that replaces the staging module by its directory, and a caller of
    `deploy.DeployAPI` in the root module at tool (importing it as caller says)."""
    files = {
        "go.mod": ROOT_MOD,
        f"{STAGING}/go.mod": STAGING_MOD,
        f"{STAGING}/infra/build.go": INFRA,
        f"{STAGING}/deploy/deploy.go": DEPLOY,
        f"{STAGING}/e2e/setup.go": SETUP,
        tool: TOOL % caller if caller is not None else INFRA_TOOL,
    }
    if redeploy:
        files[f"{STAGING}/other/redeploy.go"] = REDEPLOY
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def drop_fix(root: Path, paths: list[str]) -> dict[str, str]:
    found = json.loads(stdout_of(root, [*paths, "--output-format", "json", "--no-cache"]))
    fix: dict[str, str] = next(f for f in found if f["code"] == "IMG001")["fix"]
    return fix


def assert_builds(directory: Path) -> None:
    for command in (["build", "./..."], ["vet", "./..."]):
        done = run_go(command, directory)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("paths", "where"),
    [
        pytest.param([STAGING], "(a file this run does not lint)", id="staging-module"),
        pytest.param([f"{STAGING}/e2e/setup.go"], "(a file this run does not lint)", id="one-file"),
        pytest.param(["."], "of the run", id="whole-tree"),
    ],
)
@pytest.mark.parametrize("imported", [IMPORTED, "`example.com/e2eutil/deploy`"], ids=["quoted", "raw-string"])
def test_a_caller_in_a_module_that_replaces_the_helpers_makes_the_fix_by_hand(
    tmp_path: Path, paths: list[str], where: str, imported: str
) -> None:
    root = make_mono(tmp_path / "mono", imported)
    fix = drop_fix(root, paths)
    assert fix["applicability"] == "display-only"
    assert fix["message"].startswith(f"cmd/tool/main.go, in another Go module {where}, imports `DeployAPI`'s package")
    stdout_of(root, [*paths, "--fix", "--unsafe-fixes", "--no-cache"])
    assert (root / STAGING / "deploy" / "deploy.go").read_text() == DEPLOY
    assert_builds(root)


def test_an_excluded_caller_in_another_module_makes_the_fix_by_hand(tmp_path: Path) -> None:
    root = make_mono(tmp_path / "mono", IMPORTED, tool="hack/tool/main.go")
    (root / ".imagetag-lint.toml").write_text('exclude = ["hack/"]\n')
    for paths in (["."], [STAGING]):
        fix = drop_fix(root, paths)
        assert fix["applicability"] == "display-only"
        assert fix["message"].startswith("hack/tool/main.go, in another Go module (a file this run does not lint),")
    stdout_of(root, [".", "--fix", "--unsafe-fixes", "--no-cache"])
    assert_builds(root)


def test_a_go_work_that_uses_the_helpers_module_makes_its_other_modules_callers_count(tmp_path: Path) -> None:
    root = make_mono(tmp_path / "mono", IMPORTED)
    (root / "go.mod").write_text("module example.com/mono\n\ngo 1.22\n\nrequire example.com/e2eutil v0.0.0\n")
    (root / "go.work").write_text(f"go 1.22\n\nuse (\n\t.\n\t./{STAGING} // the helpers\n)\n")
    fix = drop_fix(root, [STAGING])
    assert fix["applicability"] == "display-only"
    assert fix["message"].startswith("cmd/tool/main.go, in another Go module (a file this run does not lint),")


@pytest.mark.parametrize("paths", [[STAGING], ["."]], ids=["staging-module", "whole-tree"])
def test_without_a_caller_in_another_module_the_fix_is_applied_and_both_modules_build(
    tmp_path: Path, paths: list[str]
) -> None:
    """The root module uses the staging module, not the helper; the raw-string import of the
    helper in the staging module is a caller the fix updates."""
    root = make_mono(tmp_path / "mono", None, redeploy=True)
    assert drop_fix(root, paths)["applicability"] == "unsafe"
    stdout_of(root, [*paths, "--fix", "--unsafe-fixes", "--no-cache"])
    assert "imageName string" in (root / STAGING / "deploy" / "deploy.go").read_text()
    assert 'd.DeployAPI(ctx, ns, 1, "localhost/shop-api:e2e")' in (root / STAGING / "other" / "redeploy.go").read_text()
    assert_builds(root / STAGING)
    assert_builds(root)


def test_a_raw_string_import_in_a_file_the_run_does_not_lint_is_a_caller(tmp_path: Path) -> None:
    root = make_mono(tmp_path / "mono", None, redeploy=True)
    fix = drop_fix(root, [f"{STAGING}/e2e/setup.go"])
    assert fix["applicability"] == "display-only"
    assert f"is also called in {STAGING}/other/redeploy.go, which this run does not lint" in fix["message"]


@pytest.mark.parametrize(
    ("text", "uses"),
    [
        pytest.param(b"go 1.22\n\nuse ./a\nuse \"./b c\"\n", ["./a", "./b c"], id="lines"),
        pytest.param(b"go 1.22\nuse (\n\t. // root\n\t../x\n)\ngodebug (\n\tdefault=go1.21\n)\n", [".", "../x"], id="block"),
        pytest.param(b"go 1.22\nuser ./a\n", [], id="not-use"),
    ],
)
def test_workspace_uses(text: bytes, uses: list[str]) -> None:
    assert workspace_uses(text) == uses


def test_a_raw_string_import_path_is_given_in_double_quotes() -> None:
    source = b'package p\n\nimport (\n\t"io"\n\td `example.com/m/x`\n)\n\nvar s = `example.com/m/y`\n'
    assert quoted_imports(source) == b'"io" "example.com/m/x"'
    assert imports_path(source, "example.com/m/x")
    assert not imports_path(source, "example.com/m/y")  # a string outside the header is no import
