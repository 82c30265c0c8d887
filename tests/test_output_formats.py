"""`--output-format github` and `json-lines`, and `--output-file` beside the text report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import (
    DEPLOY_IMAGE_LINE,
    SETUP_BUILD_LINE,
    SETUP_GO,
    lint_json,
    run_cli,
    write_module,
)

from imagetag_lint.report.github import escape_data, escape_property


def test_github_annotations(tmp_path: Path) -> None:
    write_module(tmp_path)
    code, out, _ = run_cli(["--output-format", "github"], tmp_path)
    assert code == 1
    (setup,) = out.splitlines()  # one defect: the fixed image is a related place of the drop
    assert setup.startswith(f"::error file=e2e/setup.go,line={SETUP_BUILD_LINE},col=15,")
    assert f"%0Arelated e2e/deploy.go:{DEPLOY_IMAGE_LINE}:45: with the fixed image `localhost/datastorage:e2e-test`" in setup
    code, out, _ = run_cli(["--output-format", "github", "--select", "IMG002"], tmp_path)
    assert code == 1
    (deploy,) = out.splitlines()
    assert deploy.startswith(
        f"::error file=e2e/deploy.go,line={DEPLOY_IMAGE_LINE},col=45,endLine={DEPLOY_IMAGE_LINE},endColumn=77,"
        "title=IMG002 hardcoded-image-reference::IMG002 the deployment's image is fixed text"
    )
    assert "%0Arelated e2e/setup.go:13:15: the image is built here" in deploy


def test_github_levels_and_multi_line_findings(tmp_path: Path) -> None:
    multi_line = SETUP_GO.replace("BuildAndLoadImageToKind(cfg, w)", "BuildAndLoadImageToKind(\n\t\tcfg, w)")
    write_module(tmp_path, {"e2e/setup.go": multi_line + "\n//imagetaglint:ignore IMG002 // r\nvar x = 1\n"})
    (tmp_path / ".imagetag-lint.toml").write_text('severity = { IMG001 = "note" }\n')
    _, out, _ = run_cli(["--output-format", "github", "e2e/setup.go"], tmp_path)
    build, unused = out.splitlines()
    # a region over several lines: GitHub takes no columns
    assert build.startswith("::notice file=e2e/setup.go,line=13,endLine=14,title=IMG001 discarded-image-name::")
    assert unused.startswith("::warning file=e2e/setup.go,line=20,col=1,")


@pytest.mark.parametrize(
    ("escape", "raw", "escaped"),
    [
        pytest.param(escape_data, "50% a\r\nb: c, d", "50%25 a%0D%0Ab: c, d", id="data"),
        pytest.param(escape_property, "dir:x/a,b.go%", "dir%3Ax/a%2Cb.go%25", id="property"),
    ],
)
def test_github_escaping(escape: object, raw: str, escaped: str) -> None:
    assert callable(escape) and escape(raw) == escaped


def test_json_lines_is_the_json_report_one_finding_a_line(tmp_path: Path) -> None:
    write_module(tmp_path)
    code, out, _ = run_cli(["--output-format", "json-lines"], tmp_path)
    assert code == 1
    assert [json.loads(line) for line in out.splitlines()] == lint_json([], tmp_path)[1]


@pytest.mark.parametrize("output_format", ["sarif", "json", "json-lines", "github", "text"])
def test_output_file_gets_the_format_and_the_terminal_gets_text(tmp_path: Path, output_format: str) -> None:
    write_module(tmp_path)
    plain = run_cli(["--color", "never"], tmp_path)
    code, out, err = run_cli(
        ["--output-format", output_format, "--output-file", "report.out", "--color", "always"], tmp_path
    )
    assert (code, err) == (1, "")
    assert "IMG001" in out and out.endswith("Found 1 finding in 1 file (4 linted).\n[*] 1 fixable with --fix.\n")
    written = (tmp_path / "report.out").read_text(encoding="utf-8")
    if output_format == "text":
        assert written == plain[1]  # never coloured
    else:
        assert written == run_cli(["--output-format", output_format], tmp_path)[1]


def test_output_file_that_cannot_be_written(tmp_path: Path) -> None:
    write_module(tmp_path)
    code, _, err = run_cli(["--output-format", "sarif", "--output-file", "missing/dir/report.sarif"], tmp_path)
    assert code == 2
    assert err.startswith("imagetag-lint: error: missing/dir/report.sarif: cannot write the report: ")
    assert len(err.splitlines()) == 1


def test_exit_codes_do_not_depend_on_the_format(tmp_path: Path) -> None:
    write_module(tmp_path)
    for output_format in ("text", "json", "json-lines", "sarif", "github"):
        assert run_cli(["--output-format", output_format, "-q"], tmp_path)[0] == 1
        assert run_cli(["--output-format", output_format, "--exit-zero"], tmp_path)[0] == 0
