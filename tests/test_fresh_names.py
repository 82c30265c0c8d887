"""A name the fix adds never differs from a name in scope only by case."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import go_module, run_go

from imagetag_lint.cli import main

SETUP = """package e2e

import (
	"context"
	"fmt"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func Setup(ctx context.Context, w io.Writer) error {
	dataStorageImage := "localhost/datastorage:e2e"
	fmt.Fprintln(w, "expected", dataStorageImage)
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "datastorage"}, w); err != nil {
		return err
	}
	return k8s.Apply(ctx, k8s.Container{Name: "datastorage", Image: "localhost/datastorage:e2e"})
}
"""


def test_the_captured_name_does_not_differ_from_a_local_only_by_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    go_module(tmp_path, {"e2e/setup.go": SETUP})
    monkeypatch.chdir(tmp_path)
    main(["--isolated", "--fix", "e2e"])
    capsys.readouterr()
    fixed = (tmp_path / "e2e" / "setup.go").read_text()
    assert "datastorageImage, err := infrastructure.BuildAndLoadImageToKind" not in fixed
    assert "datastorageImage2, err := infrastructure.BuildAndLoadImageToKind" in fixed
    assert "Image: datastorageImage2" in fixed
    result = run_go(["vet", "./..."], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
