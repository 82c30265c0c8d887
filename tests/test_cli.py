"""The command line: every flag, and the exit codes 0 (clean), 1 (findings), 2 (usage, config, input)."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from samples import (
    CLEAN_GO,
    DEPLOY_GO,
    DEPLOY_IMAGE_LINE,
    SETUP_BUILD_LINE,
    SETUP_GO,
    write_module,
)
from support import FIXTURES

from imagetag_lint import __version__
from imagetag_lint.cli import main
from imagetag_lint.rules import DOC_SECTIONS, builtin_rules_dir, load_rule_set

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPORTED = {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}  # one defect: the drop names the fixed image it deploys
ONLY_SETUP = {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}
ONLY_DEPLOY = {("e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG002")}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
RULE_CODES = sorted(load_rule_set().rules)


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The buggy sample module, as the working directory."""
    write_module(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    code = main(list(args), stdin=None if stdin is None else io.BytesIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str, stdin: bytes | None = None) -> tuple[int, list[Any]]:
    code, out, err = run(capsys, "--output-format", "json", *args, stdin=stdin)
    assert code != 2, err
    return code, json.loads(out)


def found(findings: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    return {(f["filename"], f["location"]["row"], f["code"]) for f in findings}


def one_error(err: str) -> str:
    """The single `imagetag-lint: error: ...` line that a usage or config error prints."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("imagetag-lint: error: "), err
    assert "Traceback" not in err
    return lines[0].removeprefix("imagetag-lint: error: ")


# -- exit codes -------------------------------------------------------------------------------


def test_clean_module_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_module(tmp_path, {"e2e/setup.go": CLEAN_GO, "e2e/deploy.go": ""})
    monkeypatch.chdir(tmp_path)
    assert run(capsys) == (0, "All checks passed in 3 files.\n", "")


def test_findings_exit_1(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--color", "never")
    assert (code, err) == (1, "")
    assert out.endswith("Found 1 finding in 1 file (4 linted).\n[*] 1 fixable with --fix.\n")


def test_no_argument_lints_the_working_directory(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys) == run_json(capsys, ".")
    assert found(run_json(capsys)[1]) == REPORTED


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        pytest.param(["--bogus"], "unrecognized arguments: --bogus", id="unknown-flag"),
        pytest.param(["--color", "sometimes"], "argument --color: invalid choice: 'sometimes'", id="bad-color"),
        pytest.param(["--output-format", "xml"], "argument --output-format: invalid choice: 'xml'", id="bad-format"),
        pytest.param(["--select"], "argument --select: expected one argument", id="missing-value"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    module: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert one_error(err).startswith(problem)


# -- --version, --help, --list-rules, --explain -----------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"imagetag-lint {__version__}\n", "")


def test_help_exits_0_and_documents_every_flag_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--help")
    assert (code, err) == (0, "")
    assert out.startswith("usage: imagetag-lint")
    for flag in (
        "--output-format", "--output-file", "--baseline", "--write-baseline", "--new-from-rev", "--fix",
        "--unsafe-fixes", "--diff", "--show-fixes", "--exit-non-zero-on-fix", "--select", "--ignore",
        "--config", "--isolated", "--exit-zero", "--statistics", "--explain", "--list-rules", "--color",
        "--stdin-filename", "--quiet", "--verbose", "--version",
    ):  # fmt: skip
        assert flag in out, flag
    assert "Exit codes: 0 nothing found, 1 findings remain, 2 usage, config or input" in " ".join(out.split())


def rule_data(code: str) -> dict[str, Any]:
    return tomllib.loads((builtin_rules_dir() / f"{code}.toml").read_text(encoding="utf-8"))


def test_list_rules_has_one_line_per_rule_from_the_rule_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--list-rules")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == RULE_CODES
    for line, rule in zip(lines, RULE_CODES):
        data = rule_data(rule)
        assert line.split()[1] == data["name"]
        assert line.endswith(data["summary"])


@pytest.mark.parametrize("code", RULE_CODES)
def test_explain_renders_the_rule_file(capsys: pytest.CaptureFixture[str], code: str) -> None:
    exit_code, out, err = run(capsys, "--explain", code)
    assert (exit_code, err) == (0, "")
    data = rule_data(code)
    assert out.startswith(f"# {code} ({data['name']})\n\n{data['summary']}. Severity: {data['severity']}.\n")
    # every section of the rule file, under its title, in the documented order
    headings = [line[3:] for line in out.splitlines() if line.startswith("## ")]
    assert headings == [title for key, title in DOC_SECTIONS.items() if key in data["docs"]]
    for key, body in data["docs"].items():
        assert f"## {DOC_SECTIONS[key]}\n\n{body.strip()}\n" in out


def test_explain_img001_has_the_five_sections(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--explain", "IMG001")[1]
    headings = [line[3:] for line in out.splitlines() if line.startswith("## ")]
    assert headings == ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"]
    assert "```go" in out  # the examples stay code blocks


def test_explain_takes_lower_case_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--explain", "img002") == run(capsys, "--explain", "IMG002")


@pytest.mark.parametrize("code", ["IMG999", "IMG", "E501", "img9"])
def test_explain_unknown_code_exits_2(capsys: pytest.CaptureFixture[str], code: str) -> None:
    exit_code, out, err = run(capsys, "--explain", code)
    assert (exit_code, out) == (2, "")
    assert one_error(err) == f"unknown rule '{code}': give a code (IMG001) or a name (discarded-image-name)"


# -- --select and --ignore --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--select", "IMG001"], ONLY_SETUP, id="select-code"),
        pytest.param(["--select", "img002"], ONLY_DEPLOY, id="select-lower-case"),
        pytest.param(["--select", "IMG00"], REPORTED, id="select-prefix"),
        pytest.param(["--select", "IMG"], REPORTED, id="select-family"),
        pytest.param(["--select", "ALL"], REPORTED, id="select-all"),
        pytest.param(["--select", "IMG001, IMG002"], REPORTED, id="select-list-with-spaces"),
        pytest.param(["--select", "IMG003"], set(), id="select-other-rule"),
        pytest.param(["--ignore", "IMG002"], ONLY_SETUP, id="ignore-code"),
        pytest.param(["--ignore", "IMG00"], set(), id="ignore-prefix"),
        pytest.param(["--ignore", "IMG001,IMG003"], ONLY_DEPLOY, id="ignore-list"),
        pytest.param(["--select", "IMG0", "--ignore", "IMG001"], ONLY_DEPLOY, id="ignore-wins-over-select"),
    ],
)
def test_select_and_ignore(
    module: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: set[tuple[str, int, str]]
) -> None:
    code, findings = run_json(capsys, *args)
    assert found(findings) == expected
    assert code == (1 if expected else 0)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        pytest.param(["--select", "IMG9"], "--select: unknown rule selector 'IMG9'", id="select-prefix"),
        pytest.param(["--select", "IMG001,NOPE"], "--select: unknown rule selector 'NOPE'", id="select-in-list"),
        pytest.param(["--ignore", "FOO"], "--ignore: unknown rule selector 'FOO'", id="ignore"),
        pytest.param(["--select", "IMG001", "--ignore", "IMG0011"], "--ignore: unknown rule selector 'IMG0011'", id="too-long"),
    ],
)
def test_unknown_selector_exits_2_with_one_line(
    module: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert one_error(err) == problem


# -- --statistics, --exit-zero, --quiet -------------------------------------------------------


def test_statistics_counts_findings_per_rule(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "e2e" / "more.go").write_text(SETUP_GO.replace("SetupDataStorage", "SetupMore"), encoding="utf-8")
    code, out, _ = run(capsys, "--statistics", "--color", "never")
    assert code == 1
    assert out == "    2  IMG001  discarded-image-name\n"  # only the table
    _, out, _ = run(capsys, "--statistics", "--select", "IMG002,IMG1", "--color", "never")
    assert out == "    1  IMG002  hardcoded-image-reference\n"  # the fixed image alone, once IMG001 is off
    (module / "e2e" / "more.go").write_text(
        SETUP_GO.replace("SetupDataStorage", "SetupMore").replace(" err != nil {", " err != nil { //imagetaglint:ignore IMG001", 1),
        encoding="utf-8",
    )
    _, out, _ = run(capsys, "--statistics", "--color", "never")
    assert out == "    1  IMG001  discarded-image-name\n    1  IMG101  suppression-without-reason\n"


def test_statistics_on_a_clean_run_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_module(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "--statistics", "--select", "IMG003") == (0, "", "")


def test_exit_zero_still_reports(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--exit-zero", "--color", "never")
    assert (code, err) == (0, "")
    assert "e2e/setup.go:13:15: IMG001" in out and out.endswith("Found 1 finding in 1 file (4 linted).\n[*] 1 fixable with --fix.\n")


def test_exit_zero_does_not_hide_input_errors(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--exit-zero", ".", "missing.go")
    assert code == 2
    assert one_error(err) == "missing.go: no such file or directory"


def test_quiet_prints_findings_without_the_summary(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loud = run(capsys, "--color", "never")[1]
    code, out, err = run(capsys, "--quiet", "--color", "never")
    assert (code, err) == (1, "")
    assert out == loud.removesuffix("Found 1 finding in 1 file (4 linted).\n[*] 1 fixable with --fix.\n")
    assert "e2e/setup.go:13:15: IMG001" in out
    assert run(capsys, "-q", "--color", "never")[1] == out


def test_quiet_clean_run_prints_nothing(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "-q", "k8s") == (0, "", "")


# -- --color and NO_COLOR ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "no_color", "coloured"),
    [
        pytest.param(["--color", "always"], False, True, id="always"),
        pytest.param(["--color", "never"], False, False, id="never"),
        pytest.param([], False, False, id="auto-not-a-terminal"),
        pytest.param(["--color", "auto"], True, False, id="auto-NO_COLOR"),
        pytest.param(["--color", "always"], True, True, id="always-beats-NO_COLOR"),
    ],
)
def test_color(
    module: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    plain_env: None,
    args: list[str],
    no_color: bool,
    coloured: bool,
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, *args)
    assert code == 1
    assert bool(ANSI.search(out)) is coloured
    assert "e2e/setup.go:13:15:" in ANSI.sub("", out)


def test_color_never_touches_machine_formats(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--color", "always", "--output-format", "json")[1]
    assert not ANSI.search(out)
    json.loads(out)


# -- stdin --------------------------------------------------------------------------------------


def test_stdin_with_a_filename(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = run_json(capsys, "-", "--stdin-filename", "e2e/setup.go", stdin=SETUP_GO.encode())
    assert code == 1
    assert found(findings) == ONLY_SETUP  # only the file read from stdin is reported


def test_stdin_without_a_filename_is_called_dash(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = run_json(capsys, "-", stdin=SETUP_GO.encode())
    assert (code, found(findings)) == (1, {("-", SETUP_BUILD_LINE, "IMG001")})


def test_stdin_filename_alone_reads_stdin(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = run_json(capsys, "--stdin-filename", "e2e/setup.go", stdin=SETUP_GO.encode())
    assert (code, found(findings)) == (1, ONLY_SETUP)


def test_stdin_siblings_on_disk_resolve_the_deploy_function(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """deployDataStorage lives in e2e/deploy.go: the buffer's package is read from disk."""
    _, findings = run_json(capsys, "-", "--stdin-filename", "e2e/setup.go", stdin=SETUP_GO.encode())
    (finding,) = findings
    assert [(r["filename"], r["location"]["row"]) for r in finding["related"]] == [
        ("e2e/setup.go", 16),
        ("e2e/deploy.go", DEPLOY_IMAGE_LINE),
    ]
    # the fix would edit e2e/deploy.go, which the run only reads: by hand, and it says so
    assert finding["fix"]["applicability"] == "display-only"
    assert finding["fix"]["message"].startswith("the fix edits e2e/deploy.go, which this run does not lint")


def test_text_output_says_why_a_fix_is_by_hand(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A one-file run that cannot edit the deploy helper's file says so under the finding."""
    code, out, _ = run(capsys, "--output-format", "text", "--color", "never", "e2e/setup.go")
    assert code == 1
    assert " IMG001 [by hand] " in out
    assert "\n  help: the fix edits e2e/deploy.go, which this run does not lint: " in out
    # named outside the package, the same text has nothing to resolve the deploy function with
    _, alone = run_json(capsys, "-", "--stdin-filename", "elsewhere/setup.go", stdin=SETUP_GO.encode())
    assert [r["filename"] for r in alone[0]["related"]] == []


def test_stdin_stands_in_for_the_file_on_disk(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = b"package e2e\n\nfunc SetupDataStorage() {}\n"
    assert run_json(capsys, "-", "--stdin-filename", "e2e/setup.go", stdin=clean) == (0, [])
    (module / "e2e" / "setup.go").write_bytes(clean)
    code, findings = run_json(capsys, "-", "--stdin-filename", "e2e/setup.go", stdin=SETUP_GO.encode())
    assert (code, found(findings)) == (1, ONLY_SETUP)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        pytest.param(["-", "e2e"], "'-' (stdin) cannot be combined with other paths", id="dash-and-path"),
        pytest.param(
            ["--stdin-filename", "x.go", "e2e"],
            "--stdin-filename names the file read from stdin: pass - as the path",
            id="filename-and-path",
        ),
    ],
)
def test_stdin_usage_errors(module: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str) -> None:
    code, out, err = run(capsys, *args, stdin=b"package e2e\n")
    assert (code, out) == (2, "")
    assert one_error(err) == problem


def test_stdin_input_error_exits_2(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-", "--stdin-filename", "x.go", "--output-format", "json", stdin=b"package x\0")
    assert (code, json.loads(out)) == (2, [])
    assert one_error(err) == "x.go: binary file (contains NUL bytes); not linted"


# -- --output-format json: the contract -------------------------------------------------------

POSITION = {"row", "column"}


def check_position(position: dict[str, Any]) -> None:
    assert set(position) == POSITION
    assert all(isinstance(v, int) and v >= 1 for v in position.values()), position


def check_contract(finding: dict[str, Any]) -> None:
    assert {"code", "message", "filename", "location", "end_location", "related", "fix"} <= set(finding)
    assert re.fullmatch(r"IMG\d{3}", finding["code"])
    assert isinstance(finding["message"], str) and finding["message"]
    assert isinstance(finding["filename"], str) and not finding["filename"].startswith("/")
    check_position(finding["location"])
    check_position(finding["end_location"])
    assert (finding["location"]["row"], finding["location"]["column"]) <= (
        finding["end_location"]["row"],
        finding["end_location"]["column"],
    )
    for related in finding["related"]:
        assert {"filename", "location", "message"} <= set(related)
        check_position(related["location"])
    fix = finding["fix"]
    if fix is None:
        assert finding["code"] not in {"IMG001", "IMG002", "IMG003"}  # these always say what to do
        return
    assert set(fix) == {"applicability", "message", "edits"}
    assert fix["applicability"] in {"safe", "unsafe", "display-only"}
    assert isinstance(fix["message"], str)
    for edit in fix["edits"]:
        assert set(edit) == {"filename", "content", "location", "end_location"}
        assert isinstance(edit["content"], str)
        check_position(edit["location"])
        check_position(edit["end_location"])


def test_json_contract(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup = SETUP_GO.replace(" err != nil {\n\t\treturn err", " err != nil { //imagetaglint:ignore IMG001\n\t\treturn err", 1)
    (module / "e2e" / "setup.go").write_text(setup, encoding="utf-8")
    code, findings = run_json(capsys, "--select", "IMG")
    assert code == 1
    assert {f["code"] for f in findings} == {"IMG101"}  # the suppressed drop still names the fixed image
    code, alone = run_json(capsys, "--select", "IMG002")
    assert code == 1
    findings += alone
    assert {f["code"] for f in findings} == {"IMG002", "IMG101"}
    for finding in findings:
        check_contract(finding)
    fixes = {f["code"]: f["fix"] for f in findings}
    assert fixes["IMG101"] is None  # nothing to fix: only a person knows the reason
    assert fixes["IMG002"]["applicability"] == "safe"


def text_at(path: Path, position: dict[str, int]) -> str:
    line = path.read_text(encoding="utf-8").splitlines()[position["row"] - 1]
    return line[position["column"] - 1 :]


def test_json_positions_are_1_based_characters(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deploy = DEPLOY_GO.replace("\treturn k8s.Apply(", "\t/* café ☕ */ return k8s.Apply(")
    (module / "e2e" / "deploy.go").write_text(deploy, encoding="utf-8")
    build = {f["code"]: f for f in run_json(capsys)[1]}["IMG001"]
    image = {f["code"]: f for f in run_json(capsys, "--select", "IMG002")[1]}["IMG002"]
    assert text_at(module / "e2e" / "setup.go", build["location"]).startswith(
        "infrastructure.BuildAndLoadImageToKind(cfg, w);"
    )
    assert build["end_location"] == {"row": SETUP_BUILD_LINE, "column": build["location"]["column"] + 46}
    assert image["location"]["row"] == DEPLOY_IMAGE_LINE
    assert text_at(module / "e2e" / "deploy.go", image["location"]) == '"localhost/datastorage:e2e-test"})'
    assert text_at(module / "e2e" / "deploy.go", image["end_location"]) == "})"


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: dict[str, int]) -> int:
        return starts[position["row"] - 1] + position["column"] - 1

    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        text = text[: offset(edit["location"])] + edit["content"] + text[offset(edit["end_location"]) :]
    return text


def test_json_fix_edits_give_what_fix_writes(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (finding,) = run_json(capsys, "--select", "IMG001")[1]
    edits = finding["fix"]["edits"]
    expected = {
        name: apply_edits((module / name).read_text(encoding="utf-8"), [e for e in edits if e["filename"] == name])
        for name in {e["filename"] for e in edits}
    }
    assert run(capsys, "--fix", "--select", "IMG001", "-q")[0] == 0
    assert {name: (module / name).read_text(encoding="utf-8") for name in expected} == expected


@pytest.mark.parametrize(
    ("cwd", "arg", "setup_name", "deploy_name"),
    [
        pytest.param(".", "e2e", "e2e/setup.go", "e2e/deploy.go", id="from-the-root"),
        pytest.param("e2e", ".", "setup.go", "deploy.go", id="from-the-package"),
        pytest.param(".", "{root}/e2e", "e2e/setup.go", "e2e/deploy.go", id="absolute-argument"),
        pytest.param("k8s", "../e2e", "../e2e/setup.go", "../e2e/deploy.go", id="from-a-sibling"),
    ],
)
def test_json_filenames_are_relative_to_the_working_directory(
    module: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cwd: str,
    arg: str,
    setup_name: str,
    deploy_name: str,
) -> None:
    monkeypatch.chdir(module / cwd)
    findings = {f["code"]: f for f in run_json(capsys, arg.format(root=module))[1]}
    assert set(findings) == {"IMG001"}  # the fixed image it deploys is a related place
    assert findings["IMG001"]["filename"] == setup_name
    alone = run_json(capsys, "--select", "IMG002", arg.format(root=module))[1]
    assert [f["filename"] for f in alone] == [deploy_name]
    assert {r["filename"] for r in findings["IMG001"]["related"]} == {setup_name, deploy_name}
    assert {e["filename"] for e in findings["IMG001"]["fix"]["edits"]} == {setup_name, deploy_name}


def test_json_contract_holds_across_the_fixture_corpus(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    code, findings = run_json(capsys, "--exit-zero")
    assert code == 0 and len(findings) > 90
    for finding in findings:
        check_contract(finding)
    assert {f["fix"]["applicability"] for f in findings if f["fix"]} == {"safe", "unsafe", "display-only"}
    assert {f["code"] for f in findings if not f["fix"]} == {"IMG100", "IMG101"}  # for a person to settle


def test_json_clean_run_is_an_empty_list(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--output-format", "json", "k8s") == (0, "[]\n", "")


# -- --config -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("other.toml", 'select = ["IMG002"]\n', id="own-format"),
        pytest.param("conf/pyproject.toml", '[tool.imagetag-lint]\nselect = ["IMG002"]\n', id="pyproject"),
    ],
)
def test_config_file(module: Path, capsys: pytest.CaptureFixture[str], name: str, text: str) -> None:
    (module / name).parent.mkdir(exist_ok=True)
    (module / name).write_text(text, encoding="utf-8")
    (module / ".imagetag-lint.toml").write_text('select = ["IMG001"]\n', encoding="utf-8")
    assert found(run_json(capsys)[1]) == ONLY_SETUP  # the nearest file, when none is named
    assert found(run_json(capsys, "--config", name)[1]) == ONLY_DEPLOY
    assert found(run_json(capsys, "--config", name, "--isolated")[1]) == REPORTED  # --isolated ignores them all


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        pytest.param(["--config", "missing.toml"], "missing.toml: config file not found", id="missing"),
        pytest.param(["--config", "e2e"], "e2e: config file not found", id="a-directory"),
        pytest.param(["--config", "pyproject.toml"], "pyproject.toml: no [tool.imagetag-lint] table", id="no-table"),
    ],
)
def test_config_file_problems_exit_2(
    module: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    (module / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert one_error(err) == problem
