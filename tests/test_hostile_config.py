"""Configuration and rule data written to hurt: patterns that only fail together, message
templates that name unknown fields or ask for huge padding, nesting deep enough to exhaust the
recursion limit. Each is one error line that names the file and the key, and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import write_module

from imagetag_lint.cli import main


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_module(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_of(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "e2e"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("imagetag-lint: error: "), err
    assert "internal error" not in err
    return err


@pytest.mark.parametrize(
    ("patterns", "problem"),
    [
        pytest.param(["^foo", "(?i)bar"], "global flags not at the start", id="global-flag"),
        pytest.param(["(?P<tag>a)", "(?P<tag>b)"], "redefinition of group name", id="duplicate-group"),
    ],
)
@pytest.mark.parametrize("key", ["local-patterns", "generator-patterns"])
def test_patterns_that_compile_alone_but_not_together(
    module: Path, capsys: pytest.CaptureFixture[str], patterns: list[str], problem: str, key: str
) -> None:
    listed = ", ".join(f"'{p}'" for p in patterns)
    (module / ".imagetag-lint.toml").write_text(f"{key} = [{listed}]\n")
    err = error_of(capsys)
    assert err.startswith(f"imagetag-lint: error: .imagetag-lint.toml: '{key}': the patterns do not combine: ")
    assert problem in err


def test_a_scoped_flag_is_accepted(module: Path) -> None:
    (module / ".imagetag-lint.toml").write_text("local-patterns = ['^foo', '(?i:bar)']\n")
    assert main(["e2e"]) == 1


def rule_dir(module: Path, message: str) -> None:
    (module / "extra").mkdir()
    (module / "extra" / "IMG001.toml").write_text(f'code = "IMG001"\nmessage = "{message}"\n')
    (module / ".imagetag-lint.toml").write_text('rule-dirs = ["extra"]\n')


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        pytest.param("dropped {nothing}", "unknown field {nothing} (this rule has {call}, {how}, {consequence})", id="unknown-field"),
        pytest.param("dropped {call:>200000000}", "{call} has a format spec or conversion", id="huge-padding"),
        pytest.param("dropped {call!r}", "{call} has a format spec or conversion", id="conversion"),
        pytest.param("dropped {call.__class__}", "unknown field {call.__class__}", id="attribute"),
        pytest.param("dropped {0}", "unknown field {0}", id="positional"),
        pytest.param("dropped {call", "expected '}' before end of string", id="unclosed"),
    ],
)
def test_rule_message_templates_are_checked_when_rules_load(
    module: Path, capsys: pytest.CaptureFixture[str], message: str, problem: str
) -> None:
    rule_dir(module, message)
    err = error_of(capsys)
    assert err.startswith("imagetag-lint: error: ") and "extra/IMG001.toml: 'message' is not a valid template: " in err
    assert problem in err


def test_a_template_with_the_rules_own_fields_is_used(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rule_dir(module, "dropped {call} ({how})")
    assert main(["--output-format", "json", "e2e"]) == 1
    assert '"message": "dropped infrastructure.BuildAndLoadImageToKind (' in capsys.readouterr().out


def test_deeply_nested_toml_is_an_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    depth = 100_000
    (module / ".imagetag-lint.toml").write_text("select = " + "[" * depth + "]" * depth + "\n")
    err = error_of(capsys)
    assert err == f"imagetag-lint: error: .imagetag-lint.toml: invalid TOML: arrays or tables nested too deeply\n"


def test_deeply_nested_baseline_json_is_an_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    depth = 100_000
    (module / "baseline.json").write_text('{"imagetag-lint-baseline": 1, "findings": ' + "[" * depth + "]" * depth + "}")
    err = error_of(capsys, "--isolated", "--baseline", "baseline.json")
    assert err == "imagetag-lint: error: baseline.json: not a baseline: arrays or objects nested too deeply\n"


def test_a_severity_that_is_not_a_string_names_its_key(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / ".imagetag-lint.toml").write_text("[severity]\nIMG001 = 3\n")
    expected = f"imagetag-lint: error: .imagetag-lint.toml: 'severity.IMG001' must be a string\n"
    assert error_of(capsys) == expected
