"""A suite kept in a Go module of its own inside the repository's module (`e2e/go.mod` with
`replace example.com/suite => ../`) calls the builder wrappers and deploy helpers of the
repository's packages: the `replace` to the directory that holds it is followed, so a dropped
wrapper result there is reported as it is inside one module, from every place a run starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import chdir

from imagetag_lint.cli import main

ROOT_MOD = "module example.com/suite\n\ngo 1.22\n"
SUITE_MOD = """module example.com/suite/e2e

go 1.22

require (
	example.com/suite v0.0.0
	example.com/stub v0.0.0
)

replace example.com/suite => ../

replace example.com/stub => ./stub
"""
STUB_MOD = "module example.com/stub\n\ngo 1.22\n"
INFRA = """package infra

import "io"

type ImageBuildConfig struct{ ImageName, Tag string }

func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":" + cfg.Tag, nil
}
"""
FRAMEWORK = """package framework

import (
	"io"

	"example.com/suite/infra"
)

// BuildService builds one service and returns the reference it built.
func BuildService(svc string, w io.Writer) (string, error) {
	return infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: svc}, w)
}
"""
# a module replaced by a directory below the suite's (a vendored stand-in) stays external
STUB = """package stub

import (
	"io"

	"example.com/suite/infra"
)

func BuildService(svc string, w io.Writer) (string, error) {
	return infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: svc}, w)
}
"""
ORDERS = """package suites

import (
	"io"
	"testing"

	"example.com/stub"
	"example.com/suite/pkg/framework"
)

func TestOrders(t *testing.T) {
	if _, err := framework.BuildService("orders", io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := stub.BuildService("billing", io.Discard); err != nil {
		t.Fatal(err)
	}
}
"""


def make_tree(root: Path) -> Path:
    files = {
        "go.mod": ROOT_MOD,
        "infra/infra.go": INFRA,
        "pkg/framework/framework.go": FRAMEWORK,
        "e2e/go.mod": SUITE_MOD,
        "e2e/stub/go.mod": STUB_MOD,
        "e2e/stub/stub.go": STUB,
        "e2e/suites/orders_test.go": ORDERS,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def findings(cwd: Path, paths: list[str], capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int, str]]:
    with chdir(cwd):
        main(["--isolated", "--no-cache", "--output-format", "json", "--exit-zero", *paths])
    return sorted((f["filename"], f["location"]["row"], f["message"].split(";")[0]) for f in json.loads(capsys.readouterr().out))


DROP = "the image name returned by `framework.BuildService` is discarded (assigned to `_` in an `if` init statement)"


@pytest.mark.parametrize(("start", "paths", "prefix"), [
    ("", ["."], "e2e/"),
    ("e2e", ["."], ""),
    ("", ["e2e/suites"], "e2e/"),
    ("e2e", ["suites/orders_test.go"], ""),
])
def test_a_suite_module_sees_the_wrappers_of_the_module_it_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str, paths: list[str], prefix: str
) -> None:
    root = make_tree(tmp_path / "repo")
    assert findings(root / start, paths, capsys) == [(prefix + "suites/orders_test.go", 12, DROP)]


@pytest.mark.parametrize("replaces", [
    "replace (\n\texample.com/suite => ../\n\texample.com/stub => ./stub\n)\n",  # the block gofmt and `go mod edit` write
    "replace example.com/suite v0.0.0 => ../\r\nreplace example.com/stub => ./stub // a stand-in\r\n",  # CRLF, a version, a comment
])
def test_the_replace_is_read_in_each_form_go_mod_takes(tmp_path: Path, capsys: pytest.CaptureFixture[str], replaces: str) -> None:
    root = make_tree(tmp_path / "repo")
    (root / "e2e" / "go.mod").write_bytes(SUITE_MOD.split("replace ")[0].encode() + replaces.encode())
    assert findings(root / "e2e", ["suites/orders_test.go"], capsys) == [("suites/orders_test.go", 12, DROP)]


# the Kubernetes layout: the root module replaces a module kept below it (`staging/`) by its
# directory; that module stays one of its own, and a call into it is not followed
MONO_MOD = """module example.com/mono

go 1.22

require example.com/e2eutil v0.0.0

replace example.com/e2eutil => ./staging/src/example.com/e2eutil
"""
STAGED_MOD = "module example.com/e2eutil\n\ngo 1.22\n"
STAGED_DEPLOY = """package deploy

import "context"

type Container struct{ Name, Image string }

func Apply(ctx context.Context, c Container) error { return nil }

// DeployAPI deploys the shop API.
func DeployAPI(ctx context.Context, namespace string) error {
	return Apply(ctx, Container{Name: "api", Image: "localhost/shop-api:e2e"})
}
"""
ROOT_SETUP = """package suite

import (
	"context"
	"fmt"
	"io"

	"example.com/e2eutil/deploy"
	"example.com/mono/infra"
)

func SetupAPI(ctx context.Context, ns string, w io.Writer) error {
	_, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-api"}, w)
	if err != nil {
		return err
	}
	return deploy.DeployAPI(ctx, ns)
}

func SetupWorker(ctx context.Context, ns string, w io.Writer) error {
	_, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-worker"}, w)
	fmt.Fprintln(w, "built the worker")
	return err
}
"""


def test_a_call_into_a_replaced_module_below_is_not_said_to_deploy_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mono"
    files = {
        "go.mod": MONO_MOD,
        "infra/infra.go": INFRA,
        "staging/src/example.com/e2eutil/go.mod": STAGED_MOD,
        "staging/src/example.com/e2eutil/deploy/deploy.go": STAGED_DEPLOY,
        "test/e2e/suite/setup.go": ROOT_SETUP,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    with chdir(root):
        main(["--isolated", "--no-cache", "--output-format", "json", "--exit-zero", "test"])
    found = {f["location"]["row"]: f for f in json.loads(capsys.readouterr().out)}
    assert sorted(found) == [13, 21]
    api, worker = found[13], found[21]
    assert api["message"].endswith(
        "the tag that was built is lost; `deploy.DeployAPI` after it runs code of `example.com/e2eutil`, "
        "a module the analysis does not follow, which may deploy it"
    )
    assert [(r["location"]["row"], r["message"]) for r in api["related"]] == [
        (17, "a call into `example.com/e2eutil`, a module the analysis does not follow"),
    ]
    assert api["steps"][1].startswith("pass: give `shopApiImage` to what deploys the image; `deploy.DeployAPI` (line 17)")
    # a call of the standard library runs no deployment: nothing is known to deploy the worker
    assert worker["message"].endswith("the tag that was built is lost, and no deployment of it was found")
    assert worker["related"] == []
