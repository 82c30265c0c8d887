"""--fix on small packages: line endings, BOM, modes, races with other writers, names, safety."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from support import go_module, run_go

from imagetag_lint.cli import main
from imagetag_lint.errors import InputError
from imagetag_lint.findings import Edit, Position
from imagetag_lint.fix.write import write_atomic
from imagetag_lint.fix.edits import OverlapError, apply_edits, overlaps

SETUP = '''package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w); err != nil {
		return err
	}
	return deployApp(ctx)
}

func deployApp(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "app", Image: "localhost/app:e2e-test"})
}
'''

FIXED = '''package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func Setup(ctx context.Context, w io.Writer) error {
	appImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w)
	if err != nil {
		return err
	}
	return deployApp(ctx, appImage)
}

func deployApp(ctx context.Context, imageName string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "app", Image: imageName})
}
'''


def fix(root: Path, *extra: str) -> int:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return main(["--fix", "--quiet", *extra, "."])
    finally:
        os.chdir(cwd)


def findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        main(["--output-format", "json", "--exit-zero", "."])
    finally:
        os.chdir(cwd)
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_sequential_fix_is_the_four_steps(tmp_path: Path) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": SETUP})
    assert fix(root) == 0
    assert (root / "e2e/setup.go").read_text() == FIXED
    assert run_go(["build", "./..."], root).returncode == 0


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    root = go_module(tmp_path, {})
    (root / "e2e").mkdir()
    (root / "e2e/setup.go").write_bytes(SETUP.replace("\n", "\r\n").encode())
    fix(root)
    data = (root / "e2e/setup.go").read_bytes()
    assert data == FIXED.replace("\n", "\r\n").encode()


def test_bom_is_kept(tmp_path: Path) -> None:
    root = go_module(tmp_path, {})
    (root / "e2e").mkdir()
    (root / "e2e/setup.go").write_bytes(b"\xef\xbb\xbf" + SETUP.encode())
    fix(root)
    assert (root / "e2e/setup.go").read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_file_mode_is_kept(tmp_path: Path) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": SETUP})
    target = root / "e2e/setup.go"
    target.chmod(0o640)
    fix(root)
    assert target.read_text() == FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_read_only_file_is_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": SETUP})
    target = root / "e2e/setup.go"
    target.chmod(0o444)
    assert fix(root) == 2
    assert target.read_text() == SETUP
    assert "e2e/setup.go: file is read-only; not fixed" in capsys.readouterr().err


def test_file_changed_since_read_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "a.go"
    target.write_bytes(b"package a\n// changed by someone else\n")
    with pytest.raises(InputError, match="changed on disk since it was read"):
        write_atomic(target, b"package a\n", b"package a\n// fixed\n")
    assert target.read_bytes() == b"package a\n// changed by someone else\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.go"]  # no temporary file left behind


def test_existing_name_is_not_reused(tmp_path: Path) -> None:
    clash = SETUP.replace("func Setup(ctx context.Context, w io.Writer) error {\n", "func Setup(ctx context.Context, w io.Writer) error {\n\tappImage := \"unrelated\"\n\t_ = appImage\n")
    root = go_module(tmp_path, {"e2e/setup.go": clash})
    fix(root)
    text = (root / "e2e/setup.go").read_text()
    assert "appImage2, err := infrastructure.BuildAndLoadImageToKind(" in text
    assert "return deployApp(ctx, appImage2)" in text
    assert run_go(["build", "./..."], root).returncode == 0


def test_exported_deploy_function_makes_the_fix_unsafe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = SETUP.replace("deployApp", "DeployApp")
    root = go_module(tmp_path, {"e2e/setup.go": exported})
    found = findings(root, capsys)
    assert {f["fix"]["applicability"] for f in found} == {"unsafe"}  # type: ignore[index]
    fix(root)
    assert (root / "e2e/setup.go").read_text() == exported  # --fix alone applies only safe fixes
    fix(root, "--unsafe-fixes")
    assert (root / "e2e/setup.go").read_text() == FIXED.replace("deployApp", "DeployApp")


def test_other_call_sites_keep_their_image(tmp_path: Path) -> None:
    other = SETUP + '''
func Redeploy(ctx context.Context) error {
	return deployApp(ctx)
}
'''
    root = go_module(tmp_path, {"e2e/setup.go": other})
    fix(root)
    text = (root / "e2e/setup.go").read_text()
    assert "return deployApp(ctx, appImage)" in text
    assert 'return deployApp(ctx, "localhost/app:e2e-test")' in text
    assert run_go(["build", "./..."], root).returncode == 0


def test_deploy_function_in_another_file(tmp_path: Path) -> None:
    setup, deploy = SETUP.split("func deployApp")
    root = go_module(tmp_path, {
        "e2e/setup.go": setup.replace('\t"example.com/m/k8s"\n', ""),
        "e2e/deploy.go": 'package e2e\n\nimport (\n\t"context"\n\n\t"example.com/m/k8s"\n)\n\nfunc deployApp' + deploy,
    })
    fix(root)
    assert "func deployApp(ctx context.Context, imageName string) error" in (root / "e2e/deploy.go").read_text()
    assert "return deployApp(ctx, appImage)" in (root / "e2e/setup.go").read_text()
    assert run_go(["build", "./..."], root).returncode == 0


def test_two_builders_sharing_one_helper_converge(tmp_path: Path) -> None:
    shared = SETUP + '''
func SetupAgain(ctx context.Context, w io.Writer) error {
	_, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w)
	if err != nil {
		return err
	}
	return deployApp(ctx)
}
'''
    root = go_module(tmp_path, {"e2e/setup.go": shared})
    fix(root)
    text = (root / "e2e/setup.go").read_text()
    assert text.count("deployApp(ctx, appImage)") == 2
    assert "localhost/app:e2e-test" not in text
    assert run_go(["build", "./..."], root).returncode == 0


def test_unused_import_is_removed(tmp_path: Path) -> None:
    generated = '''package e2e

import (
	"context"
	"io"

	"example.com/m/gen"
	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w); err != nil {
		return err
	}
	return deploy(ctx, gen.GenerateAppImageName("app"))
}

func deploy(ctx context.Context, image string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "app", Image: image})
}
'''
    root = go_module(tmp_path, {
        "e2e/setup.go": generated,
        "gen/gen.go": 'package gen\n\nfunc GenerateAppImageName(s string) string { return s }\n',
    })
    fix(root)
    text = (root / "e2e/setup.go").read_text()
    assert "example.com/m/gen" not in text
    assert "return deploy(ctx, appImage)" in text
    assert run_go(["build", "./..."], root).returncode == 0


def test_overlapping_edits_are_refused() -> None:
    def at(start: int, end: int, content: str) -> Edit:
        return Edit("a.go", start, end, content, Position(1, start + 1), Position(1, end + 1))

    assert overlaps(at(2, 5, "x"), at(4, 6, "y"))
    assert overlaps(at(3, 3, "x"), at(3, 3, "y"))
    assert not overlaps(at(2, 4, "x"), at(4, 6, "y"))
    assert not overlaps(at(4, 4, "x"), at(4, 6, "y"))
    with pytest.raises(OverlapError):
        apply_edits(b"0123456789", [at(2, 5, "x"), at(4, 6, "y")])
    assert apply_edits(b"0123456789", [at(8, 9, "Z"), at(0, 1, "A"), at(4, 4, "-")]) == b"A123-4567Z9"


def test_hoisting_turns_a_later_redeclaration_into_an_assignment(tmp_path: Path) -> None:
    later = SETUP.replace("\treturn deployApp(ctx)\n", "\terr := deployApp(ctx)\n\treturn err\n")
    root = go_module(tmp_path, {"e2e/setup.go": later})
    fix(root)
    text = (root / "e2e/setup.go").read_text()
    assert "appImage, err := infrastructure.BuildAndLoadImageToKind(" in text
    assert "\terr = deployApp(ctx, appImage)\n" in text
    assert run_go(["build", "./..."], root).returncode == 0
