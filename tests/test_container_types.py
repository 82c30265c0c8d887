"""Which `Image` fields deploy: by the type of the struct that holds them (engine/containers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import go_module, wanted

from imagetag_lint.cli import main

HEADER = """\
package e2e

import (
	"context"
	"fmt"
	"io"
	"os/exec"

	corev1 "k8s.io/api/core/v1"
)

var (
	_ = fmt.Sprint
	_ context.Context
	_ io.Writer
	_ = exec.Command
	_ corev1.Container
)

func apply(ctx context.Context, obj any) error { return nil }
"""

REPORTED = [
    pytest.param(
        HEADER.replace('corev1 "k8s.io', 'kcore "k8s.io').replace("corev1.Container", "kcore.Container")
        + """
func deploy(ctx context.Context) error {
	return apply(ctx, kcore.Container{Name: "svc", Image: "localhost/svc:e2e"}) // want IMG002
}
""",
        id="corev1-container-through-another-alias",
    ),
    pytest.param(
        HEADER
        + """
func deploy(ctx context.Context) error {
	return apply(ctx, corev1.PodSpec{Containers: []corev1.Container{{
		Name:  "svc",
		Image: "localhost/svc:e2e", // want IMG002
	}}})
}
""",
        id="elided-literal-in-a-slice-of-containers",
    ),
    pytest.param(
        HEADER
        + """
func deploy(ctx context.Context) error {
	return apply(ctx, map[string]*corev1.Container{"svc": {Name: "svc", Image: "localhost/svc:e2e"}}) // want IMG002
}
""",
        id="elided-pointer-literal-as-a-map-value",
    ),
    pytest.param(
        HEADER
        + """
func debug(ctx context.Context) error {
	return apply(ctx, corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "localhost/debug:e2e"}, // want IMG002
	})
}
""",
        id="ephemeral-container",
    ),
    pytest.param(
        HEADER
        + """
func deploy(ctx context.Context, dep *corev1.PodTemplateSpec) error {
	dep.Spec.Containers[0].Image = "localhost/svc:e2e" // want IMG002
	return apply(ctx, dep)
}
""",
        id="assignment-through-containers-index",
    ),
    pytest.param(
        HEADER
        + """
func deploy(ctx context.Context) error {
	c := corev1.Container{Name: "svc"}
	c.Image = "localhost/svc:e2e" // want IMG002
	return apply(ctx, c)
}
""",
        id="assignment-to-a-container-variable",
    ),
    pytest.param(
        HEADER
        + """
type ServiceSpec struct {
	Name  string
	Image string
}

func deployService(ctx context.Context, spec ServiceSpec) error {
	return apply(ctx, corev1.Container{Name: spec.Name, Image: spec.Image})
}

func deploy(ctx context.Context) error {
	return deployService(ctx, ServiceSpec{Name: "svc", Image: "localhost/svc:e2e"}) // want IMG002
}
""",
        id="local-struct-whose-image-reaches-a-container",
    ),
    pytest.param(
        HEADER
        + """
type Job struct{ Image string }

func runJob(ctx context.Context, job *Job, w io.Writer) error {
	fmt.Fprintf(w, "kind: Job\\nspec:\\n  containers:\\n  - image: %s\\n", job.Image)
	return nil
}

func migrate(ctx context.Context, w io.Writer) error {
	return runJob(ctx, &Job{Image: "localhost/migrations:e2e"}, w) // want IMG002
}
""",
        id="local-struct-whose-image-reaches-a-manifest",
    ),
]

NOOP = [
    pytest.param(
        HEADER
        + """
type RunOptions struct {
	Name  string
	Image string
}

func runArgs(opts RunOptions) []string { return []string{"run", "--name", opts.Name, opts.Image} }

func TestRunArgs(t interface{ Fatal(...any) }) {
	args := runArgs(RunOptions{Name: "mock", Image: "localhost/mock:test"})
	if args[3] != "localhost/mock:test" {
		t.Fatal(args)
	}
}
""",
        id="options-struct-feeding-an-argument-list",
    ),
    pytest.param(
        HEADER
        + """
type RunOptions struct{ Image string }

func run(w io.Writer) error {
	opts := RunOptions{}
	opts.Image = "localhost/mock:test"
	return exec.Command("podman", "run", opts.Image).Run()
}
""",
        id="options-struct-assigned-field",
    ),
    pytest.param(
        HEADER
        + """
type BuildRecord struct {
	Service string
	Image   string
}

func report(w io.Writer) {
	for _, row := range []BuildRecord{{Service: "svc", Image: "localhost/svc:e2e-1"}} {
		fmt.Fprintf(w, "%s\\t%s\\n", row.Service, row.Image)
	}
}
""",
        id="report-row",
    ),
    pytest.param(
        HEADER
        + """
func render(w io.Writer) {
	values := struct{ Image string }{Image: "localhost/svc:e2e"}
	fmt.Fprintln(w, values.Image)
}
""",
        id="anonymous-struct",
    ),
]


def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: str) -> set[tuple[int, str]]:
    go_module(tmp_path, {"e2e/setup.go": source})
    monkeypatch.chdir(tmp_path)
    code = main(["--output-format", "json", "e2e"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and err == "", err
    return {(f["location"]["row"], f["code"]) for f in json.loads(out)}


@pytest.mark.parametrize("source", REPORTED)
def test_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: str) -> None:
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "setup.go").write_text(source)
    expected = {(line, code) for _, line, code in wanted(tmp_path / "e2e")}
    assert expected
    assert lint(tmp_path, monkeypatch, capsys, source) == expected


@pytest.mark.parametrize("source", NOOP)
def test_noop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: str) -> None:
    assert lint(tmp_path, monkeypatch, capsys, source) == set()


def test_configured_container_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    source = HEADER.replace(')\n\nvar', '\t"example.com/m/pods"\n)\n\nvar', 1) + """
func deploy(ctx context.Context) error {
	return apply(ctx, pods.Spec{Image: "localhost/svc:e2e"})
}
"""
    (tmp_path / "pods").mkdir()
    (tmp_path / "pods" / "pods.go").write_text("package pods\n\ntype Spec struct{ Image string }\n")
    assert lint(tmp_path, monkeypatch, capsys, source) == set()
    (tmp_path / ".imagetag-lint.toml").write_text('container-types = ["example.com/m/pods.Spec"]\n')
    line = source.splitlines().index('\treturn apply(ctx, pods.Spec{Image: "localhost/svc:e2e"})') + 1
    assert lint(tmp_path, monkeypatch, capsys, source) == {(line, "IMG002")}
