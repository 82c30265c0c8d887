"""Fixes that once broke the build: each case is a module that compiles, is fixed with `--fix`
(and `--fix --unsafe-fixes`), and must still pass `go build` and `go vet`, with a second `--fix`
that changes nothing."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from samples import chdir
from support import K8S, go_module, run_go

from imagetag_lint.cli import main

HEAD = """package e2e

import (
	"context"
	"fmt"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

var _ = fmt.Sprintf

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "alpha"}, w); err != nil {
		return err
	}
"""
K8S_YAML = K8S + "\nfunc ApplyYAML(ctx context.Context, manifest string) error { return nil }\n"

YAML_HELPER_CALLED_TWICE = HEAD + """	return deploy(ctx, w)
}

func deploy(ctx context.Context, w io.Writer) error {
	manifest := fmt.Sprintf("kind: Pod\\nspec:\\n  containers:\\n  - name: %s\\n    image: localhost/alpha:e2e-test\\n", "alpha")
	fmt.Fprintln(w, manifest)
	return k8s.ApplyYAML(ctx, manifest)
}

func Redeploy(ctx context.Context, w io.Writer) error {
	return deploy(ctx, w)
}
"""

STALE_LOCAL = HEAD + """	img := "localhost/alpha:e2e-test"
	return deploy(ctx, w, img)
}

func deploy(ctx context.Context, w io.Writer, image string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "alpha", Image: image})
}
"""

STALE_LOCAL_READ_TWICE = HEAD + """	img := "localhost/alpha:e2e-test"
	fmt.Fprintln(w, "deploying", img)
	return deploy(ctx, w, img)
}

func deploy(ctx context.Context, w io.Writer, image string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "alpha", Image: image})
}
"""

STALE_LOCAL_PASSED_THRICE = HEAD + """	img := "localhost/alpha:e2e-test"
	if err := deploy(ctx, w, img); err != nil {
		return err
	}
	if err := deploy(ctx, w, img); err != nil {
		return err
	}
	return deploy(ctx, w, img)
}

func deploy(ctx context.Context, w io.Writer, image string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "alpha", Image: image})
}
"""

HELPER = """
func deploy(ctx context.Context, w io.Writer) error {
	_ = w
	return k8s.Apply(ctx, k8s.Container{Name: "alpha", Image: "localhost/alpha:e2e-test"})
}
"""

CALLER_IN_A_FILE_WITHOUT_IMAGES = """package e2e

import (
	"context"
	"io"
)

func Redeploy(ctx context.Context, w io.Writer) error {
	return deploy(ctx, w)
}
"""

QUALIFIED_CALLER_WITHOUT_IMAGES = """package e2e

import (
	"context"
	"io"

	"example.com/m/e2e/deploy"
)

func Redeploy(ctx context.Context, w io.Writer) error {
	return deploy.Deploy(ctx, w)
}
"""

QUALIFIED = HEAD.replace('"example.com/m/k8s"', '"example.com/m/e2e/deploy"') + """	return deploy.Deploy(ctx, w)
}

func Again(ctx context.Context, w io.Writer) error {
	return deploy.Deploy(ctx, w)
}
"""

EXPORTED_HELPER = """package deploy

import (
	"context"
	"io"

	"example.com/m/k8s"
)

func Deploy(ctx context.Context, w io.Writer) error {
	_ = w
	return k8s.Apply(ctx, k8s.Container{Name: "alpha", Image: "localhost/alpha:e2e-test"})
}
"""

CASES = {  # name: (files, variant, text each named file holds after the fix, text it no longer holds)
    "yaml-helper-called-twice": (
        {"e2e/setup.go": YAML_HELPER_CALLED_TWICE},
        "safe",
        {"e2e/setup.go": ['"alpha", imageName)', 'return deploy(ctx, w, alphaImage)', 'return deploy(ctx, w, "localhost/alpha:e2e-test")']},
        {"e2e/setup.go": ["w, )"]},
    ),
    "stale-local-removed": (
        {"e2e/setup.go": STALE_LOCAL},
        "safe",
        {"e2e/setup.go": ["return deploy(ctx, w, alphaImage)"]},
        {"e2e/setup.go": ["img :="]},
    ),
    "stale-local-kept-while-read": (
        {"e2e/setup.go": STALE_LOCAL_READ_TWICE},
        "safe",
        {"e2e/setup.go": ['img := "localhost/alpha:e2e-test"', "return deploy(ctx, w, alphaImage)"]},
        {},
    ),
    "stale-local-passed-three-times": (
        {"e2e/setup.go": STALE_LOCAL_PASSED_THRICE},
        "safe",
        {"e2e/setup.go": ["return deploy(ctx, w, alphaImage)"]},
        {"e2e/setup.go": ["img"]},
    ),
    "caller-in-a-file-without-images": (
        {"e2e/setup.go": HEAD + "\treturn deploy(ctx, w)\n}\n" + HELPER, "e2e/other.go": CALLER_IN_A_FILE_WITHOUT_IMAGES},
        "safe",
        {"e2e/other.go": ['return deploy(ctx, w, "localhost/alpha:e2e-test")'], "e2e/setup.go": ["deploy(ctx, w, alphaImage)"]},
        {},
    ),
    "qualified-calls-from-another-package": (
        {"e2e/setup.go": QUALIFIED, "e2e/deploy/deploy.go": EXPORTED_HELPER},
        "unsafe",
        {
            "e2e/setup.go": ["deploy.Deploy(ctx, w, alphaImage)", 'deploy.Deploy(ctx, w, "localhost/alpha:e2e-test")'],
            "e2e/deploy/deploy.go": ["imageName string", "Image: imageName"],
        },
        {},
    ),
    "qualified-caller-in-a-file-without-images": (
        {"e2e/setup.go": QUALIFIED, "e2e/deploy/deploy.go": EXPORTED_HELPER, "e2e/other.go": QUALIFIED_CALLER_WITHOUT_IMAGES},
        "unsafe",
        {"e2e/other.go": ['deploy.Deploy(ctx, w, "localhost/alpha:e2e-test")']},
        {},
    ),
}


def fix(root: Path, variant: str) -> str:
    out = io.StringIO()
    args = ["--isolated", "--fix", *(["--unsafe-fixes"] if variant == "unsafe" else []), "."]
    with chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        assert main(args) in (0, 1), out.getvalue()
    return out.getvalue()


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.go"))}


def vet(root: Path) -> str:
    result = run_go(["vet", "./..."], root)
    return "" if result.returncode == 0 else result.stderr


@pytest.mark.parametrize("case", list(CASES))
def test_the_fixed_module_still_builds(tmp_path: Path, case: str) -> None:
    files, variant, holds, lost = CASES[case]
    root = go_module(tmp_path, {"k8s/k8s.go": K8S_YAML, **files})
    assert vet(root) == "", "the case must compile before the fix"
    before = snapshot(root)
    fix(root, variant)
    after = snapshot(root)
    assert after != before, "the fix changed nothing"
    assert vet(root) == ""
    for name, texts in holds.items():
        for expected in texts:
            assert expected in after[name], f"{name} lacks {expected!r}:\n{after[name]}"
    for name, texts in lost.items():
        for gone in texts:
            assert gone not in after[name], f"{name} still holds {gone!r}:\n{after[name]}"
    fix(root, variant)
    assert snapshot(root) == after, "a second --fix changed the module"


def test_a_one_file_run_leaves_a_helper_whose_caller_it_does_not_lint(tmp_path: Path) -> None:
    """The helper's other caller is in a file this run does not lint, which --fix may not write:
    the fix is for a person, and says where that caller is (applied without that caller's edit,
    the package would no longer build)."""
    files = {"e2e/setup.go": HEAD + "\treturn deploy(ctx, w)\n}\n" + HELPER, "e2e/other.go": CALLER_IN_A_FILE_WITHOUT_IMAGES}
    root = go_module(tmp_path, files)
    before = snapshot(root)
    out = io.StringIO()
    with chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(["--isolated", "--fix", "e2e/setup.go"])
    assert snapshot(root) == before
    assert "1 to fix by hand" in out.getvalue()
    out = io.StringIO()
    with chdir(root), contextlib.redirect_stdout(out):
        main(["--isolated", "--output-format", "json", "e2e/setup.go"])
    [finding] = json.loads(out.getvalue())
    assert finding["fix"]["applicability"] == "display-only"
    assert "also called in e2e/other.go, which this run does not lint" in finding["fix"]["message"]
    assert vet(root) == ""
