"""A small buggy Go module for the integration tests (pre-commit, git, baselines, formats).

`e2e/setup.go` drops the name the builder returns (IMG001 on SETUP_BUILD_LINE); `e2e/deploy.go`
deploys a hardcoded reference to the same image (DEPLOY_IMAGE_LINE). The drop and the stale deploy
are one defect: one IMG001, whose related places name the fixed image. The fixed image is an IMG002
of its own only when IMG001 is not selected (`--select IMG002`); a run of deploy.go alone reads its
callers, sees the drop, and reports nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imagetag_lint.cli import main

GO_MOD = "module example.com/e2e\n\ngo 1.22\n"

SETUP_GO = """\
package e2e

import (
	"context"
	"io"

	"example.com/e2e/infrastructure"
)

// SetupDataStorage builds the data storage image and deploys it.
func SetupDataStorage(ctx context.Context, w io.Writer) error {
	cfg := infrastructure.ImageBuildConfig{ImageName: "datastorage"}
	if _, err := infrastructure.BuildAndLoadImageToKind(cfg, w); err != nil {
		return err
	}
	return deployDataStorage(ctx)
}
"""
SETUP_BUILD_LINE = 13

DEPLOY_GO = """\
package e2e

import (
	"context"

	"example.com/e2e/k8s"
)

func deployDataStorage(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-test"})
}
"""
DEPLOY_IMAGE_LINE = 10

DROP = ("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")  # what a run of every rule reports
FIXED_IMAGE = ("e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG002")  # reported alone with --select IMG002

INFRASTRUCTURE_GO = """\
package infrastructure

import "io"

type ImageBuildConfig struct{ ImageName string }

func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":e2e-1234", nil
}
"""

K8S_GO = """\
package k8s

import "context"

type Container struct{ Image string }

func Apply(ctx context.Context, c Container) error { return nil }
"""

CLEAN_GO = """\
package e2e

import "fmt"

func hello() { fmt.Println("no images here") }
"""


def write_module(root: Path, files: dict[str, str] | None = None) -> Path:
    """The buggy module under root (plus or minus files: a value of "" deletes)."""
    layout = {
        "go.mod": GO_MOD,
        "e2e/setup.go": SETUP_GO,
        "e2e/deploy.go": DEPLOY_GO,
        "infrastructure/infrastructure.go": INFRASTRUCTURE_GO,
        "k8s/k8s.go": K8S_GO,
        **(files or {}),
    }
    for name, content in layout.items():
        path = root / name
        if not content:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """main(args) in cwd: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def stdout_of(cwd: Path, args: list[str]) -> str:
    """What main(args) in cwd writes to standard output, whatever its exit code."""
    return run_cli(args, cwd)[1]


def lint_json(args: list[str], cwd: Path) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = run_cli(["--output-format", "json", *args], cwd)
    assert code != 2, err
    return code, json.loads(out)


def found(findings: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    return {(f["filename"], f["location"]["row"], f["code"]) for f in findings}
