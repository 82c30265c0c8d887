"""The bundled example (`examples/kind-e2e`): a Go module that builds, with the bug in its main forms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import gofmt_unformatted, run_go

from imagetag_lint.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "kind-e2e"

# (file, line, code, applicability): every form of the bug the example holds, and its fix
EXPECTED = {
    ("e2e/setup.go", 22, "IMG001", "safe"),  # dropped in a goroutine fan-out drained by a counted loop
    ("e2e/setup.go", 63, "IMG001", "safe"),  # dropped in an `if` init statement
    ("e2e/manifests.go", 13, "IMG001", "safe"),  # dropped, and deployed from a YAML manifest
    ("e2e/manifests.go", 40, "IMG003", "safe"),  # a fresh generated name at the deploy
}
# (file, line) of a drop: the hardcoded `Image:` its deploy ends in (or the `image:` line of the
# manifest its function applies), a related place of the same finding (one defect, one finding),
# not an IMG002 of its own
FIXED_IMAGE_OF_THE_DROP = {
    ("e2e/manifests.go", 13): ("e2e/manifests.go", 27),
    ("e2e/setup.go", 22): ("e2e/setup.go", 55),
    ("e2e/setup.go", 63): ("e2e/setup.go", 75),
}


def _lint_json(root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    monkeypatch.chdir(root)
    assert main(["--output-format", "json", "--isolated", "--exit-zero", "."]) == 0
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return findings


def _keys(findings: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {
        (f["filename"], f["location"]["row"], f["code"], f["fix"]["applicability"])  # type: ignore[index]
        for f in findings
    }


def test_example_builds_and_vets() -> None:
    for command in (["build", "./..."], ["vet", "./..."]):
        done = run_go(command, EXAMPLE)
        assert done.returncode == 0, done.stderr
    assert gofmt_unformatted(EXAMPLE) == ""


def test_example_reports_every_form(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _lint_json(EXAMPLE, capsys, monkeypatch)
    assert _keys(findings) == EXPECTED
    related = {
        (f["filename"], f["location"]["row"]): {(r["filename"], r["location"]["row"]) for r in f["related"]}  # type: ignore[index,union-attr,attr-defined]
        for f in findings
    }
    for drop, fixed_image in FIXED_IMAGE_OF_THE_DROP.items():
        assert fixed_image in related[drop]


def test_correct_service_is_not_reported(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = (EXAMPLE / "e2e" / "setup.go").read_text(encoding="utf-8").splitlines()
    cart = range(lines.index("func setupCart(ctx context.Context, namespace string, w io.Writer) error {") + 1, len(lines) + 1)
    reported = {(f["filename"], f["location"]["row"]) for f in _lint_json(EXAMPLE, capsys, monkeypatch)}  # type: ignore[index]
    assert not {row for name, row in reported if name == "e2e/setup.go" and row in cart}


def test_fixed_example_builds_and_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = shutil.copytree(EXAMPLE, tmp_path / "kind-e2e")
    monkeypatch.chdir(root)
    assert main(["--fix", "--unsafe-fixes", "--isolated", "--quiet", "."]) == 0
    capsys.readouterr()
    assert _lint_json(root, capsys, monkeypatch) == []
    for command in (["build", "./..."], ["vet", "./..."]):
        done = run_go(command, root)
        assert done.returncode == 0, done.stderr
    assert gofmt_unformatted(root) == ""
