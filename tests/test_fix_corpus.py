"""`--fix` on a copy of the whole fixture corpus: golden output, builds, idempotent, honest leftovers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import FIXTURES, copy_corpus, gofmt_unformatted, run_go

from imagetag_lint.cli import main

GOLDEN = sorted(FIXTURES.rglob("*.go.fixed"))


@pytest.fixture(scope="module")
def fixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_corpus(tmp_path_factory.mktemp("fixed"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert main(["--fix", "--unsafe-fixes", "--exit-zero", "--quiet", "."]) == 0
    return root


def test_there_are_golden_files() -> None:
    assert len(GOLDEN) >= 10


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixed_file_matches_golden(golden: Path, fixed_corpus: Path) -> None:
    source = golden.with_suffix("")
    fixed = fixed_corpus / source.relative_to(FIXTURES)
    assert fixed.read_bytes() == golden.read_bytes()


def test_files_without_golden_are_unchanged(fixed_corpus: Path) -> None:
    for source in FIXTURES.rglob("*.go"):
        if not source.with_name(source.name + ".fixed").exists():
            assert (fixed_corpus / source.relative_to(FIXTURES)).read_bytes() == source.read_bytes(), source


def test_fixed_corpus_builds_vets_and_is_gofmt_clean(fixed_corpus: Path) -> None:
    build = run_go(["build", "./..."], fixed_corpus)
    assert build.returncode == 0, build.stderr
    vet = run_go(["vet", "./..."], fixed_corpus)
    assert vet.returncode == 0, vet.stderr
    assert gofmt_unformatted(fixed_corpus) == ""


@pytest.mark.parametrize("fixed", [False, True], ids=["before", "after"])
def test_setups_do_what_they_did_before_the_fix(fixed: bool, fixed_corpus: Path, tmp_path: Path) -> None:
    """`fixscope/`'s Go test runs the setups: each succeeds before the fix and still does after it
    (a hoisted `err` that made a later `err := preflight()` an assignment would fail it)."""
    root = fixed_corpus if fixed else copy_corpus(tmp_path)
    result = run_go(["test", "./fixscope/"], root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_display_only_findings_remain(fixed_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fixed_corpus)
    main(["--output-format", "json", "--exit-zero", "."])
    left = json.loads(capsys.readouterr().out)
    assert left, "the corpus has cases no sound edit can fix"
    image_flow = [f for f in left if f["code"] not in ("IMG100", "IMG101")]
    assert {f["fix"]["applicability"] for f in image_flow} == {"display-only"}
    assert all(f["fix"]["message"] for f in image_flow)
    # a suppression needs a person when it has no reason, or when what it meant is unclear
    # (a misplaced file-ignore, an unknown directive): those have no fix at all
    suppressions = sorted((f["filename"], f["location"]["row"], f["code"]) for f in left if f not in image_flow)
    assert suppressions == [
        ("suppressions/suppressions.go", 7, "IMG100"),
        ("suppressions/suppressions.go", 64, "IMG101"),
        ("suppressions/suppressions.go", 75, "IMG100"),
    ]
    assert all(f["fix"] is None for f in left if f not in image_flow)


def test_second_fix_changes_nothing(fixed_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fixed_corpus)
    before = {p: p.read_bytes() for p in fixed_corpus.rglob("*.go")}
    assert main(["--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "--exit-zero", "--quiet", "."]) == 0
    assert {p: p.read_bytes() for p in fixed_corpus.rglob("*.go")} == before
    capsys.readouterr()
    assert main(["--diff", "--unsafe-fixes", "."]) == 0
    assert capsys.readouterr().out.strip() == ""


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_corpus(tmp_path)
    monkeypatch.chdir(root)
    before = {p: p.read_bytes() for p in root.rglob("*.go")}
    assert main(["--diff", "--unsafe-fixes", "."]) == 1
    diff = capsys.readouterr().out
    assert {p: p.read_bytes() for p in root.rglob("*.go")} == before
    assert "--- a/sequential/setup.go" in diff and "+++ b/sequential/setup.go" in diff
    assert "+\tkubernautDatastorageImage, err := infrastructure.BuildAndLoadImageToKind(cfg, w)" in diff
    patched = {line[6:] for line in diff.splitlines() if line.startswith("+++ b/")}
    assert patched == {str(g.relative_to(FIXTURES).with_suffix("")) for g in GOLDEN}


def test_safe_fixes_alone_leave_unsafe_ones_and_still_build(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_corpus(tmp_path)
    monkeypatch.chdir(root)
    main(["--fix", "--exit-zero", "--quiet", "."])
    capsys.readouterr()
    main(["--output-format", "json", "--exit-zero", "."])
    left = json.loads(capsys.readouterr().out)
    applicability = {f["fix"]["applicability"] for f in left if f["fix"]}  # IMG101 has no fix
    assert "unsafe" in applicability
    assert "safe" not in applicability
    handoff = (root / "handoff" / "setup.go").read_text()
    assert "var gatewayImageBuilt string" in handoff  # a hand-off whose order is proven is safe
    assert "cacheImageBuilt" not in handoff  # one that may send before the build is not
    build = run_go(["build", "./..."], root)
    assert build.returncode == 0, build.stderr
