"""Inline suppressions (`//imagetaglint:ignore`, `//imagetaglint:file-ignore`), IMG100 and IMG101."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samples import (
    DEPLOY_GO,
    DEPLOY_IMAGE_LINE,
    SETUP_BUILD_LINE,
    SETUP_GO,
    found,
    lint_json,
    run_cli,
    write_module,
)

BUILD = "\tif _, err := infrastructure.BuildAndLoadImageToKind(cfg, w); err != nil {\n"
IMAGE = '\treturn k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-test"})\n'


def lint_with(tmp_path: Path, setup: str = SETUP_GO, deploy: str = DEPLOY_GO, *args: str) -> list[dict[str, Any]]:
    write_module(tmp_path, {"e2e/setup.go": setup, "e2e/deploy.go": deploy})
    return lint_json(["e2e", *args], tmp_path)[1]


def in_setup(before: str, after: str) -> str:
    assert before in SETUP_GO
    return SETUP_GO.replace(before, after)


def in_deploy(before: str, after: str) -> str:
    assert before in DEPLOY_GO
    return DEPLOY_GO.replace(before, after)


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(in_setup(BUILD, BUILD[:-1] + " //imagetaglint:ignore IMG001 // reason\n"), id="same-line"),
        pytest.param(in_setup(BUILD, "\t//imagetaglint:ignore IMG001 // reason\n" + BUILD), id="line-above"),
        pytest.param(
            in_setup(BUILD, "\t//imagetaglint:ignore IMG001 // r\n\t// the build may be retried\n" + BUILD),
            id="comment-block-above",
        ),
        pytest.param(in_setup(BUILD, "\t//imagetaglint:ignore img001 // r\n" + BUILD), id="lower-case-code"),
        pytest.param(
            in_setup("package e2e\n", "//imagetaglint:file-ignore IMG001 // generated\npackage e2e\n"),
            id="file-ignore",
        ),
        pytest.param(
            in_setup("package e2e\n", "// Package e2e.\n//\n//imagetaglint:file-ignore IMG001 // r\n\npackage e2e\n"),
            id="file-ignore-in-doc-block",
        ),
    ],
)
def test_suppressed(tmp_path: Path, setup: str) -> None:
    findings = lint_with(tmp_path, setup)
    assert findings == []  # the stale deploy is the suppressed drop's defect: not reported apart
    alone = lint_with(tmp_path, setup, DEPLOY_GO, "--select", "IMG002")
    assert found(alone) == {("e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG002")}  # an IMG001 suppression hides no IMG002


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(in_setup(BUILD, "\t//imagetaglint:ignore IMG001 // r\n\n" + BUILD), id="blank-line-between"),
        pytest.param(in_setup(BUILD, "\t//imagetaglint:ignore IMG001 // r\n\t_ = 1\n" + BUILD), id="code-between"),
        pytest.param(in_setup(BUILD, "\t// imagetaglint:ignore IMG001 // r\n" + BUILD), id="space-after-slashes"),
        pytest.param(in_setup(BUILD, "\t/* //imagetaglint:ignore IMG001 // r */\n" + BUILD), id="block-comment"),
        pytest.param(in_setup(BUILD, '\t_ = "//imagetaglint:ignore IMG001 // r"\n' + BUILD), id="in-a-string"),
        pytest.param(in_setup(BUILD, "\t_ = `\n//imagetaglint:ignore IMG001 // r\n`\n" + BUILD), id="in-a-raw-string"),
        pytest.param(in_setup(BUILD, "\t//imagetaglint:ignore IMG002 // r\n" + BUILD), id="other-code"),
    ],
)
def test_not_suppressed(tmp_path: Path, setup: str) -> None:
    findings = lint_with(tmp_path, setup)
    assert ("e2e/setup.go", SETUP_BUILD_LINE + setup.count("\n") - SETUP_GO.count("\n"), "IMG001") in found(findings)


def test_suppression_only_reads_real_comments(tmp_path: Path) -> None:
    setup = in_setup(BUILD, '\t_ = "//imagetaglint:ignore IMG009"\n' + BUILD)
    findings = lint_with(tmp_path, setup)
    assert {f["code"] for f in findings} == {"IMG001"}  # no IMG100 about the string


def test_file_ignore_after_the_package_clause_is_reported_and_does_not_suppress(tmp_path: Path) -> None:
    setup = in_setup("package e2e\n", "package e2e\n\n//imagetaglint:file-ignore IMG001 // r\n")
    findings = lint_with(tmp_path, setup)
    unused = [f for f in findings if f["code"] == "IMG100"]
    assert {f["code"] for f in findings} == {"IMG001", "IMG100"}
    assert "must come before the package clause" in unused[0]["message"]
    assert unused[0]["fix"] is None  # the intent is clear; deleting it would lose it


def test_missing_reason_is_reported_and_still_suppresses(tmp_path: Path) -> None:
    setup = in_setup(BUILD, BUILD[:-1] + " //imagetaglint:ignore IMG001\n")
    findings = lint_with(tmp_path, setup)
    assert found(findings) == {("e2e/setup.go", 13, "IMG101")}
    (no_reason,) = [f for f in findings if f["code"] == "IMG101"]
    assert "//imagetaglint:ignore IMG001 // <why>" in no_reason["message"]
    assert no_reason["location"]["column"] == BUILD.index("{") + 3  # the comment, after `{ `


def test_empty_reason_counts_as_missing(tmp_path: Path) -> None:
    setup = in_setup(BUILD, "\t//imagetaglint:ignore IMG001 //   \n" + BUILD)
    assert {f["code"] for f in lint_with(tmp_path, setup)} == {"IMG101"}


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply JSON edits (1-based rows, character columns) from the end of the text."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(position: dict[str, int]) -> int:
        return starts[position["row"] - 1] + position["column"] - 1

    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        text = text[: offset(edit["location"])] + edit["content"] + text[offset(edit["end_location"]) :]
    return text


UNUSED_CASES = [
    pytest.param(
        "\t//imagetaglint:ignore IMG003 // the helper reads it from the environment\n" + BUILD,
        BUILD,
        "no IMG003 finding on the next line",
        id="alone-on-its-line",
    ),
    pytest.param(
        BUILD[:-1] + " //imagetaglint:ignore IMG003 // r\n",
        BUILD,
        "no IMG003 finding on this line",
        id="after-code",
    ),
    pytest.param(
        "\t//imagetaglint:ignore IMG001,IMG003 // r\n" + BUILD,
        "\t//imagetaglint:ignore IMG001 // r\n" + BUILD,
        "no IMG003 finding on the next line",
        id="one-of-two-codes",
    ),
    pytest.param(
        "\t//imagetaglint:ignore IMG003, IMG001 // r\n" + BUILD,
        "\t//imagetaglint:ignore IMG001 // r\n" + BUILD,
        "no IMG003 finding",
        id="first-of-two-codes",
    ),
    pytest.param(
        "\t//imagetaglint:ignore IMG999 // r\n" + BUILD, BUILD, "`IMG999` is not a rule code", id="unknown-code"
    ),
    pytest.param(
        "\t//imagetaglint:ignore IMG100 // r\n" + BUILD, BUILD, "cannot be suppressed inline", id="suppression-code"
    ),
]


@pytest.mark.parametrize(("before", "after", "why"), UNUSED_CASES)
def test_unused_suppression_is_reported_with_a_safe_fix(tmp_path: Path, before: str, after: str, why: str) -> None:
    setup = in_setup(BUILD, before)
    findings = lint_with(tmp_path, setup)
    (unused,) = [f for f in findings if f["code"] == "IMG100"]
    assert why in unused["message"]
    assert unused["fix"]["applicability"] == "safe"
    assert apply_edits(setup, unused["fix"]["edits"]) == in_setup(BUILD, after)


def test_unused_file_ignore_is_reported(tmp_path: Path) -> None:
    deploy = "//imagetaglint:file-ignore IMG001 // r\n" + DEPLOY_GO
    findings = lint_with(tmp_path, SETUP_GO, deploy)
    (unused,) = [f for f in findings if f["code"] == "IMG100"]
    assert "no IMG001 finding in this file" in unused["message"]
    assert apply_edits(deploy, unused["fix"]["edits"]) == DEPLOY_GO


@pytest.mark.parametrize(
    ("directive", "why"),
    [
        pytest.param("//imagetaglint:ignore // r", "names no rule code", id="no-code"),
        pytest.param("//imagetaglint:ingore IMG001 // r", "`imagetaglint:ingore` is not a directive", id="typo"),
    ],
)
def test_malformed_directive_is_reported_without_a_fix(tmp_path: Path, directive: str, why: str) -> None:
    findings = lint_with(tmp_path, in_setup(BUILD, f"\t{directive}\n" + BUILD))
    (unused,) = [f for f in findings if f["code"] == "IMG100"]
    assert why in unused["message"] and unused["fix"] is None
    assert "IMG001" in {f["code"] for f in findings}


def test_unselected_rules_are_not_judged(tmp_path: Path) -> None:
    setup = in_setup(BUILD, "\t//imagetaglint:ignore IMG003 // r\n" + BUILD)
    assert "IMG100" in {f["code"] for f in lint_with(tmp_path, setup)}
    selected = lint_with(tmp_path, setup, DEPLOY_GO, "--select", "IMG001,IMG002,IMG1")
    assert {f["code"] for f in selected} == {"IMG001"}  # IMG003 did not run: cannot say
    ignored = lint_with(tmp_path, setup, DEPLOY_GO, "--ignore", "IMG003")
    assert {f["code"] for f in ignored} == {"IMG001"}
    alone = lint_with(tmp_path, setup, DEPLOY_GO, "--select", "IMG002,IMG1")
    assert {f["code"] for f in alone} == {"IMG002"}


def test_suppression_findings_can_be_turned_off(tmp_path: Path) -> None:
    setup = in_setup(BUILD, "\t//imagetaglint:ignore IMG003\n" + BUILD)
    assert {f["code"] for f in lint_with(tmp_path, setup, DEPLOY_GO, "--ignore", "IMG1")} == {"IMG001"}
    assert {f["code"] for f in lint_with(tmp_path, setup, DEPLOY_GO, "--ignore", "IMG001,IMG1")} == {"IMG002"}


def test_unused_suppression_in_a_file_the_prefilter_skips(tmp_path: Path) -> None:
    clean = "package e2e\n\n//imagetaglint:ignore IMG001 // r\nfunc hello() {}\n"
    write_module(tmp_path, {"e2e/clean.go": clean})
    assert ("e2e/clean.go", 3, "IMG100") in found(lint_json(["e2e"], tmp_path)[1])


def test_all_suppressed_exits_zero(tmp_path: Path) -> None:
    setup = in_setup(BUILD, "\t//imagetaglint:ignore IMG001 // r\n" + BUILD)
    write_module(tmp_path, {"e2e/setup.go": setup})
    code, out, _ = run_cli(["e2e"], tmp_path)
    assert (code, out) == (0, "All checks passed in 2 files.\n")  # the stale deploy is the drop's defect
    deploy = in_deploy(IMAGE, "\t//imagetaglint:ignore IMG002 // r\n" + IMAGE)
    write_module(tmp_path, {"e2e/deploy.go": deploy})
    code, out, _ = run_cli(["e2e", "--select", "IMG002,IMG1"], tmp_path)
    assert (code, out) == (0, "All checks passed in 2 files.\n")


def test_a_suppression_of_the_fixed_image_a_drop_names_is_unused(tmp_path: Path) -> None:
    deploy = in_deploy(IMAGE, "\t//imagetaglint:ignore IMG002 // r\n" + IMAGE)
    findings = lint_with(tmp_path, SETUP_GO, deploy)
    assert found(findings) == {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001"), ("e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG100")}


def test_stdin_suppressions(tmp_path: Path) -> None:
    import contextlib
    import io

    from samples import chdir

    from imagetag_lint.cli import main

    write_module(tmp_path)
    setup = in_setup(BUILD, "\t//imagetaglint:ignore IMG001 // r\n" + BUILD).encode()
    out = io.StringIO()
    with chdir(tmp_path), contextlib.redirect_stdout(out):
        code = main(["-", "--stdin-filename", "e2e/setup.go", "--output-format", "json"], stdin=io.BytesIO(setup))
    assert (code, out.getvalue().strip()) == (0, "[]")


@pytest.mark.parametrize("code", ["IMG100", "IMG101"])
def test_suppression_rules_are_documented_and_selectable(tmp_path: Path, code: str) -> None:
    status, out, _ = run_cli(["--explain", code.lower()], tmp_path)
    assert status == 0
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert f"## {section}" in out
    assert code in run_cli(["--list-rules"], tmp_path)[1]
    write_module(tmp_path)
    assert lint_json(["--select", code, "e2e"], tmp_path) == (0, [])


DOC_COMMENT_DIRECTIVE = """// Package e2e deploys the services.
//
//imagetaglint:file-ignore IMG003 // nothing to silence
package e2e
"""
ALIGNED_FIELDS = """package e2e

import "example.com/m/k8s"

func container(imageName string) k8s.Container {
	return k8s.Container{
		Name: "svc",
		//imagetaglint:ignore IMG002 // nothing to silence
		Image: imageName,
	}
}
"""


def test_removing_a_directive_that_ends_a_doc_comment_leaves_gofmt_clean_code(tmp_path: Path) -> None:
    from support import go_module, gofmt_unformatted

    root = go_module(tmp_path, {"e2e/e2e.go": DOC_COMMENT_DIRECTIVE})
    assert gofmt_unformatted(root) == ""
    code, _, _ = run_cli(["--fix", "--exit-zero", "e2e"], root)
    assert code == 0
    assert (root / "e2e" / "e2e.go").read_text() == "// Package e2e deploys the services.\npackage e2e\n"
    assert gofmt_unformatted(root) == ""


def test_a_directive_between_two_lines_of_code_is_removed_by_hand(tmp_path: Path) -> None:
    """gofmt aligns a block of fields; a comment line may keep two blocks apart, so removing it
    could leave code gofmt would change: the fix is display-only and says to run gofmt."""
    from support import go_module, gofmt_unformatted

    root = go_module(tmp_path, {"e2e/e2e.go": ALIGNED_FIELDS})
    code, findings = lint_json(["e2e"], root)
    assert code == 1 and [f["fix"]["applicability"] for f in findings] == ["display-only"]
    assert "run gofmt" in findings[0]["fix"]["message"]
    run_cli(["--fix", "--exit-zero", "e2e"], root)
    assert (root / "e2e" / "e2e.go").read_text() == ALIGNED_FIELDS
    assert gofmt_unformatted(root) == ""
