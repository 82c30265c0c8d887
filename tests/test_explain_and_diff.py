"""--explain takes a code or a name, IMG001's text is real Go in four steps; --diff is the whole output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import go_module, run_go

from imagetag_lint.cli import main
from imagetag_lint.rules import load_rule_set

RULES = load_rule_set(()).rules


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_takes_the_rule_name(capsys: pytest.CaptureFixture[str], code: str) -> None:
    by_code = run(capsys, "--explain", code)
    assert by_code[0] == 0
    assert run(capsys, "--explain", RULES[code].name) == by_code
    assert run(capsys, "--explain", RULES[code].name.upper()) == by_code


def img001_go_blocks(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    out = run(capsys, "--explain", "discarded-image-name")[1]
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", out, re.DOTALL | re.MULTILINE))
    return {title: re.search(r"```go\n(.*?)```", sections[title], re.DOTALL).group(1) for title in ("Example", "Use instead")}  # type: ignore[union-attr]


def test_img001_explanation_shows_the_four_steps(capsys: pytest.CaptureFixture[str]) -> None:
    fixed = img001_go_blocks(capsys)["Use instead"]
    steps = re.findall(r"// (\d)\. (\w+):", fixed)
    assert steps == [("1", "capture"), ("2", "pass"), ("3", "parameter"), ("4", "use")]
    assert "dataStorageImage, err := infrastructure.BuildAndLoadImageToKind(cfg, w)" in fixed
    assert "deployDataStorage(ctx, dataStorageImage)" in fixed
    assert "imageName string" in fixed and "Image: imageName," in fixed


def test_img001_explanation_is_real_go(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = img001_go_blocks(capsys)
    for title, source in blocks.items():
        directory = tmp_path / title.replace(" ", "-")
        directory.mkdir()
        # the blocks are whole files written against the rule docs' stub module (example.com/e2e)
        root = go_module(directory, {"e2e/e2e.go": source.replace('"example.com/e2e/', '"example.com/m/')})
        for command in (["build", "./..."], ["vet", "./..."]):
            done = run_go(command, root)
            assert done.returncode == 0, (title, done.stderr)
    example, fixed = (tmp_path / t.replace(" ", "-") for t in ("Example", "Use instead"))

    def codes(root: Path) -> list[str]:
        code = main(["--isolated", "--output-format", "json", str(root)])
        findings = json.loads(capsys.readouterr().out)
        assert code == (1 if findings else 0)
        return sorted(f["code"] for f in findings)

    assert codes(example) == ["IMG001"]  # its fixed image is the drop's related place, not a second finding
    assert codes(fixed) == []


@pytest.mark.parametrize(
    ("flags", "dropped"),
    [
        pytest.param(["--output-format", "json"], "--output-format json", id="json"),
        pytest.param(["--output-format", "sarif"], "--output-format sarif", id="sarif"),
        pytest.param(["--statistics"], "--statistics", id="statistics"),
        pytest.param(["--output-file", "x.json"], "--output-file", id="output-file"),
        pytest.param(["--output-format", "github", "--statistics"], "--output-format github and --statistics", id="two"),
    ],
)
def test_diff_with_another_report_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, flags: list[str], dropped: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--diff", *flags)
    assert (code, out) == (2, "")
    assert err == f"imagetag-lint: error: --diff prints only the fixes as a unified diff; drop {dropped}\n"
    assert not (tmp_path / "x.json").exists()


def test_diff_with_text_output_prints_the_diff(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).parent.parent / "examples" / "kind-e2e"
    code, out, err = run(capsys, "--isolated", "--diff", "--output-format", "text", str(example))
    assert code == 1 and out.startswith("--- a/") and "+++ b/" in out
    assert err == "Would apply 4 fixes in 2 files.\n"


BROKEN = Path(__file__).parent / "fixtures" / "elision" / "guarded"


def test_a_fix_in_a_file_with_syntax_errors_is_by_hand(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`--fix` leaves a file with syntax errors alone, so the report marks its fixes by hand and
    says why, and `--diff` does not pass an unapplied fix off as nothing to fix."""
    monkeypatch.chdir(BROKEN)
    code, out, err = run(capsys, "--no-cache", "--output-format", "json", "e2e/comma/setup.go")
    fix = json.loads(out)[0]["fix"]
    assert (code, fix["applicability"]) == (1, "display-only")
    assert fix["message"] == "e2e/comma/setup.go has syntax errors; fix them first, then rerun --fix"
    code, out, err = run(capsys, "--no-cache", "e2e/comma/setup.go")
    assert "IMG001 [by hand]" in out and "1 to fix by hand." in out and "[*]" not in out
    code, out, err = run(capsys, "--no-cache", "--diff", "e2e/comma/setup.go")
    assert (code, out) == (0, "") and "e2e/comma/setup.go:13:3: syntax error" in err
