"""Hand-written build helpers that return the tag they built are producers (engine/returned_builds.py):
each case is a helper and a test that calls it, and the drops the run reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagetag_lint.cli import main

TEST_FILE = """package e2e

import (
	"fmt"
	"os/exec"
	"testing"
	"time"
)

type Container struct {
	Name  string
	Image string
}

func deploy(t *testing.T, c Container) {
	t.Logf("deploying %%v", c)
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if err := exec.Command(name, args...).Run(); err != nil {
		t.Fatal(err)
	}
}

%s

func TestAPI(t *testing.T) {
	%s
	deploy(t, Container{Name: "api", Image: "localhost/shop-api:e2e"})
	_ = fmt.Sprint(time.Now())
}
"""

UNIQUE_TAG = 'tag := fmt.Sprintf("localhost/%s:e2e-%d", svc, time.Now().UnixNano())'


def dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str], helper: str, call: str) -> list[str]:
    (tmp_path / "go.mod").write_text("module example.com/suite\n\ngo 1.22\n", encoding="utf-8")
    (tmp_path / "api_test.go").write_text(TEST_FILE % (helper, call), encoding="utf-8")
    main(["--no-cache", "--output-format", "json", "--exit-zero", str(tmp_path)])
    return [f["message"].split(";")[0] for f in json.loads(capsys.readouterr().out) if f["code"] == "IMG001"]


@pytest.mark.parametrize(
    ("helper", "call", "expected"),
    [
        pytest.param(
            f'func buildAndLoad(t *testing.T, svc string) string {{\n\t{UNIQUE_TAG}\n\trun(t, "docker", "build", "-t", tag, ".")\n\trun(t, "kind", "load", "docker-image", tag)\n\treturn tag\n}}',
            'buildAndLoad(t, "shop-api")',
            ["the image name returned by `buildAndLoad` is discarded (the call is a statement of its own)"],
            id="runner-statement",
        ),
        pytest.param(
            f'func buildAndLoad(t *testing.T, svc string) (string, error) {{\n\t{UNIQUE_TAG}\n\tif err := exec.Command("podman", "build", "-t", tag, ".").Run(); err != nil {{\n\t\treturn "", err\n\t}}\n\treturn tag, nil\n}}',
            'if _, err := buildAndLoad(t, "shop-api"); err != nil {\n\t\tt.Fatal(err)\n\t}',
            ["the image name returned by `buildAndLoad` is discarded (assigned to `_` in an `if` init statement)"],
            id="raw-build-with-error",
        ),
        pytest.param(
            f'func buildAndLoad(t *testing.T, svc string) string {{\n\t{UNIQUE_TAG}\n\trun(t, "docker", "build", "-t", tag, ".")\n\treturn tag\n}}',
            'img := buildAndLoad(t, "shop-api")\n\t_ = img',
            ["the image name returned by `buildAndLoad` is discarded (`img` is only read by `_ = img`)"],
            id="read-only-by-blank",
        ),
        pytest.param(
            f'func buildAndLoad(t *testing.T, svc string) string {{\n\t{UNIQUE_TAG}\n\trun(t, "docker", "build", "-t", tag, ".")\n\treturn "built " + tag\n}}',
            'buildAndLoad(t, "shop-api")',
            [],
            id="returns-a-log-line",
        ),
        pytest.param(
            f'func buildAndLoad(t *testing.T, svc string) string {{\n\t{UNIQUE_TAG}\n\trun(t, "kind", "load", "docker-image", tag)\n\treturn tag\n}}',
            'buildAndLoad(t, "shop-api")',
            [],
            id="only-loads",
        ),
        pytest.param(
            f'func buildAndLoad(t *testing.T, svc string) string {{\n\t{UNIQUE_TAG}\n\trun(t, "docker", "build", "-t", tag, ".")\n\ttag = svc\n\treturn tag\n}}',
            'buildAndLoad(t, "shop-api")',
            [],
            id="tag-set-anew",
        ),
        pytest.param(
            'func buildTagged(t *testing.T, image string) string {\n\trun(t, "docker", "build", "-t", image, ".")\n\treturn image\n}',
            'img := "localhost/shop-api:e2e"\n\tbuildTagged(t, img)',
            [],
            id="returns-the-name-the-caller-holds",
        ),
        pytest.param(
            'func buildTagged(t *testing.T, image string) string {\n\trun(t, "docker", "build", "-t", image, ".")\n\treturn image\n}',
            'buildTagged(t, fmt.Sprintf("localhost/shop-api:e2e-%d", time.Now().Unix()))',
            ["the image name returned by `buildTagged` is discarded (the call is a statement of its own)"],
            id="returns-a-name-made-in-the-call",
        ),
    ],
)
def test_a_helper_that_returns_its_build_is_a_producer(
    helper: str, call: str, expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dropped(tmp_path, capsys, helper, call) == expected
