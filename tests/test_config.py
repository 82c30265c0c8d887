"""Configuration: `[tool.imagetag-lint]` in pyproject.toml or `.imagetag-lint.toml`, nearest wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import (
    DEPLOY_IMAGE_LINE,
    SETUP_BUILD_LINE,
    found,
    lint_json,
    run_cli,
    write_module,
)

REPORTED = {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}  # the drop; the fixed image it deploys is a related place
ONLY_DEPLOY = {("e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG002")}
ONLY_SETUP = {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}


def configured(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    write_module(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("pyproject.toml", '[tool.imagetag-lint]\nselect = ["IMG002"]\n', ONLY_DEPLOY, id="select"),
        pytest.param(".imagetag-lint.toml", 'select = ["IMG002"]\n', ONLY_DEPLOY, id="own-file"),
        pytest.param("pyproject.toml", '[tool."imagetag-lint"]\nselect = ["IMG00"]\n', REPORTED, id="quoted-table"),
        pytest.param(".imagetag-lint.toml", 'ignore = ["IMG002"]\n', ONLY_SETUP, id="ignore"),
        pytest.param(".imagetag-lint.toml", 'exclude = ["e2e/deploy.go"]\n', ONLY_SETUP, id="exclude"),
        pytest.param(
            ".imagetag-lint.toml", '[per-file-ignores]\n"deploy.go" = ["IMG002"]\n', ONLY_SETUP, id="per-file-name"
        ),
        pytest.param(
            ".imagetag-lint.toml", '[per-file-ignores]\n"e2e/dep*.go" = ["IMG0"]\n', ONLY_SETUP, id="per-file-glob"
        ),
    ],
)
def test_settings(tmp_path: Path, name: str, text: str, expected: set[tuple[str, int, str]]) -> None:
    configured(tmp_path, text, name)
    assert found(lint_json([], tmp_path)[1]) == expected


def test_nearest_file_wins(tmp_path: Path) -> None:
    configured(tmp_path, 'select = ["IMG001"]\n', ".imagetag-lint.toml")
    (tmp_path / "pyproject.toml").write_text('[tool.imagetag-lint]\nselect = ["IMG002"]\n')
    assert found(lint_json([], tmp_path)[1]) == ONLY_SETUP  # same directory: .imagetag-lint.toml first
    (tmp_path / "e2e" / "pyproject.toml").write_text('[tool.imagetag-lint]\nselect = ["IMG002"]\n')
    assert found(lint_json(["."], tmp_path / "e2e")[1]) == {("deploy.go", DEPLOY_IMAGE_LINE, "IMG002")}


def test_pyproject_without_our_table_is_passed_over(tmp_path: Path) -> None:
    configured(tmp_path, 'select = ["IMG001"]\n', ".imagetag-lint.toml")
    (tmp_path / "e2e" / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.other]\nimagetag-lint = 1\n')
    assert found(lint_json(["."], tmp_path / "e2e")[1]) == {("setup.go", SETUP_BUILD_LINE, "IMG001")}


def test_per_file_ignores_are_relative_to_the_config_file(tmp_path: Path) -> None:
    configured(tmp_path, '[per-file-ignores]\n"e2e/deploy.go" = ["IMG002"]\n', ".imagetag-lint.toml")
    assert found(lint_json(["."], tmp_path / "e2e")[1]) == {("setup.go", SETUP_BUILD_LINE, "IMG001")}


def test_command_line_wins(tmp_path: Path) -> None:
    configured(tmp_path, 'select = ["IMG001"]\n', ".imagetag-lint.toml")
    assert found(lint_json(["--select", "IMG002"], tmp_path)[1]) == ONLY_DEPLOY
    assert found(lint_json(["--isolated"], tmp_path)[1]) == REPORTED
    (tmp_path / "other.toml").write_text('ignore = ["IMG001"]\n')
    assert found(lint_json(["--config", "other.toml"], tmp_path)[1]) == ONLY_DEPLOY


def test_severity_override(tmp_path: Path) -> None:
    configured(tmp_path, '[tool.imagetag-lint.severity]\nIMG002 = "warning"\n')
    severities = {f["code"]: f["severity"] for f in lint_json([], tmp_path)[1]}
    severities |= {f["code"]: f["severity"] for f in lint_json(["--select", "IMG002"], tmp_path)[1]}
    assert severities == {"IMG001": "error", "IMG002": "warning"}


CUSTOM_BUILDER = """\
package e2e

import (
	"context"

	"example.com/e2e/testenv"
)

func SetupGateway(ctx context.Context) error {
	_, err := testenv.BuildTestImage("gateway")
	if err != nil {
		return err
	}
	id := testenv.GenerateTag("gateway")
	if err := testenv.Stage("kind", id); err != nil {
		return err
	}
	return testenv.Push(ctx, testenv.GenerateTag("gateway"))
}
"""


def test_extra_builders_and_loaders(tmp_path: Path) -> None:
    configured(
        tmp_path,
        """\
[tool.imagetag-lint]
generator-patterns = ['^GenerateTag$']
[[tool.imagetag-lint.producers]]
name = "BuildTestImage"
[[tool.imagetag-lint.consumers]]
name = "Push"
kind = "load"
image-arg = 1
""",
    )
    write_module(tmp_path, {"e2e/gateway.go": CUSTOM_BUILDER})
    findings = lint_json(["e2e/gateway.go"], tmp_path)[1]
    assert {(row, code) for name, row, code in found(findings)} == {(10, "IMG001")}
    # the configured generator and loader: the load of a fresh `GenerateTag` call is the drop's stale deployment
    stale = [r for r in findings[0]["related"] if r["location"]["row"] == 18]
    assert stale and "a fresh call of `GenerateTag`" in stale[0]["message"]
    assert lint_json(["--isolated", "e2e/gateway.go"], tmp_path) == (0, [])


def test_extra_rule_directory(tmp_path: Path) -> None:
    configured(tmp_path, 'rule-dirs = ["lint-rules"]\n', ".imagetag-lint.toml")
    (tmp_path / "lint-rules").mkdir()
    (tmp_path / "lint-rules" / "IMG001.toml").write_text(
        'code = "IMG001"\nseverity = "warning"\nmessage = "our builders return the tag: keep `{call}`"\n'
    )
    (tmp_path / "lint-rules" / "image-flow.toml").write_text('[[producers]]\nname = "BuildTestImage"\n')
    write_module(tmp_path, {"e2e/gateway.go": CUSTOM_BUILDER})
    findings = {f["location"]["row"]: f for f in lint_json(["e2e/gateway.go", "e2e/setup.go"], tmp_path)[1]}
    assert findings[10]["message"] == "our builders return the tag: keep `testenv.BuildTestImage`"
    assert findings[10]["severity"] == "warning"


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        pytest.param(
            "pyproject.toml",
            '[tool.imagetag-lint]\nselct = ["IMG001"]\n',
            "pyproject.toml: [tool.imagetag-lint]: unknown key 'selct'",
            id="pyproject-key",
        ),
        pytest.param(
            ".imagetag-lint.toml",
            'select = ["IMG001"]\nexclud = []\n',
            ".imagetag-lint.toml: unknown key 'exclud'",
            id="own-file-key",
        ),
        pytest.param(
            ".imagetag-lint.toml",
            '[[producers]]\nname = "B"\nimage-reslt = 0\n',
            ".imagetag-lint.toml: producers[0]: unknown key 'image-reslt'",
            id="nested-key",
        ),
        pytest.param(".imagetag-lint.toml", 'select = "IMG001"\n', "'select' must be an array", id="wrong-type"),
        pytest.param(
            ".imagetag-lint.toml",
            'ignore = ["IMG9"]\n',
            ".imagetag-lint.toml: 'ignore': unknown rule selector 'IMG9'",
            id="unknown-selector",
        ),
        pytest.param(
            ".imagetag-lint.toml",
            '[per-file-ignores]\n"*.go" = ["IMX"]\n',
            ".imagetag-lint.toml: 'per-file-ignores.*.go': unknown rule selector 'IMX'",
            id="unknown-per-file-selector",
        ),
        pytest.param(
            ".imagetag-lint.toml", '[severity]\nIMG001 = "fatal"\n', "'severity.IMG001' must be one of", id="severity"
        ),
        pytest.param(".imagetag-lint.toml", "select = [\n", ".imagetag-lint.toml: invalid TOML", id="bad-toml"),
    ],
)
def test_config_errors_name_the_file_and_key(tmp_path: Path, name: str, text: str, problem: str) -> None:
    configured(tmp_path, text, name)
    code, out, err = run_cli([], tmp_path)
    assert (code, out) == (2, "")
    assert err.startswith("imagetag-lint: error: ") and problem in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param('select = "IMG001"\n', "'select' must be an array", id="array"),
        pytest.param('exclude = ["a", 1]\n', "'exclude' must be an array of strings", id="array-of-strings"),
        pytest.param("max-file-size = 1.5\n", "'max-file-size' must be an integer", id="integer"),
        pytest.param("max-file-size = true\n", "'max-file-size' must be an integer", id="boolean-for-integer"),
        pytest.param("severity = 1\n", "'severity' must be a table", id="table"),
        pytest.param("baseline = false\n", "'baseline' must be a string", id="string"),
        pytest.param('[[consumers]]\nname = "P"\nimage-arg = "1"\n', "consumers[0]: 'image-arg' must be an integer", id="nested"),
    ],
)
def test_type_errors_use_the_names_toml_gives_its_types(tmp_path: Path, text: str, problem: str) -> None:
    configured(tmp_path, text, ".imagetag-lint.toml")
    code, out, err = run_cli([], tmp_path)
    assert (code, out, err) == (2, "", f"imagetag-lint: error: .imagetag-lint.toml: {problem}\n")


@pytest.mark.parametrize(
    ("made", "problem"),
    [pytest.param("", "directory not found", id="missing"), pytest.param("file", "not a directory", id="a-file")],
)
def test_a_rule_directory_that_is_not_there_names_the_file_and_the_key(tmp_path: Path, made: str, problem: str) -> None:
    root = configured(tmp_path, '[tool.imagetag-lint]\nrule-dirs = ["lint-rules"]\n')
    if made:
        (root / "lint-rules").write_text("")
    (root / "e2e" / "sub").mkdir()
    code, out, err = run_cli([], root / "e2e" / "sub")  # the path as typed from where the tool runs
    expected = f"imagetag-lint: error: ../../pyproject.toml: [tool.imagetag-lint]: 'rule-dirs': ../../lint-rules: {problem}\n"
    assert (code, out, err) == (2, "", expected)
