"""A container literal in a Go unit test is a fixture only when nothing can deploy it: the calls it
reaches are the test's `t` and packages that only read, format or compare. A module whose path
has no dot (`module e2e`) looks like the standard library by its import paths, so the packages
that only inspect are named, not guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import run_go

from imagetag_lint.cli import main

K8S = """package k8s

import "context"

type Container struct {
	Name  string
	Image string
}

func Apply(ctx context.Context, obj any) error { return nil }
"""

SUITE = """package e2e

import (
	"context"
	"reflect"
	"testing"

	"e2e/k8s"
)

func TestApplied(t *testing.T) {
	c := k8s.Container{Name: "a", Image: "localhost/a:e2e"}
	if err := k8s.Apply(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func TestInspected(t *testing.T) {
	c := k8s.Container{Name: "b", Image: "localhost/b:e2e"}
	if !reflect.DeepEqual(c, k8s.Container{Name: "b", Image: "localhost/b:e2e"}) {
		t.Fatal(c)
	}
}
"""


def test_a_package_of_a_dotless_module_can_deploy(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "go.mod").write_text("module e2e\n\ngo 1.22\n")
    for name, content in {"k8s/k8s.go": K8S, "e2e/suite_test.go": SUITE}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    vet = run_go(["vet", "./..."], tmp_path)
    assert vet.returncode == 0, vet.stderr
    monkeypatch.chdir(tmp_path)
    main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    found = json.loads(capsys.readouterr().out)
    assert [(f["location"]["row"], f["code"]) for f in found] == [(12, "IMG002")]  # TestApplied's, not TestInspected's
