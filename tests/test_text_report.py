"""The text report: fix markers, summaries that say what happened, --statistics, code frames."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from samples import run_cli, write_module

from imagetag_lint.findings import Edit, Finding, Fix, Position, Span
from imagetag_lint.report.summary import (
    Fixable,
    NotWritten,
    fix_hint,
    summarize,
    summary_lines,
    written,
)
from imagetag_lint.report.text import cut_around, help_line

EXAMPLE = Path(__file__).parent.parent / "examples" / "kind-e2e"
PYTHON_FIXTURES = Path(__file__).parent / "fixtures" / "python"
HEADER = re.compile(r"^(\S+):(\d+):\d+: (IMG\d{3}) (\[\*\]|\[unsafe\]|\[by hand\]) \[[a-z-]+\] ", re.MULTILINE)


def finding(filename: str, applicability: str | None, row: int = 1) -> Finding:
    span = Span(filename, 0, 1, Position(row, 1), Position(row, 2))
    edits = (Edit(filename, 0, 1, "x", Position(row, 1), Position(row, 2)),)
    fix = None if applicability is None else Fix(applicability, "fix it", edits)
    return Finding("IMG001", "dropped", span, fix=fix)


# -- markers ------------------------------------------------------------------------------------


def _example_with_an_unproven_hand_off(tmp_path: Path) -> Path:
    """The example, with its receive loop counting `cap(results)` times: a count the analysis does
    not prove, so the goroutine hand-off (and the hardcoded image it rewrites) is an unsafe fix."""
    root = shutil.copytree(EXAMPLE, tmp_path / "kind-e2e")
    setup = root / "e2e" / "setup.go"
    source = setup.read_text(encoding="utf-8")
    assert "for i := 0; i < 2; i++ {" in source
    setup.write_text(source.replace("for i := 0; i < 2; i++ {", "for i := 0; i < cap(results); i++ {"), encoding="utf-8")
    return root


def test_each_finding_is_marked_as_its_fix_applies(tmp_path: Path) -> None:
    root = _example_with_an_unproven_hand_off(tmp_path)
    _, text, _ = run_cli(["--isolated", "--color", "never"], root)
    _, json_out, _ = run_cli(["--isolated", "--output-format", "json"], root)
    import json

    applicability = {(f["filename"], f["location"]["row"]): f["fix"]["applicability"] for f in json.loads(json_out)}
    marks = {(name, int(row)): mark for name, row, _, mark in HEADER.findall(text)}
    expected = {"safe": "[*]", "unsafe": "[unsafe]", "display-only": "[by hand]"}
    assert marks == {place: expected[kind] for place, kind in applicability.items()}
    assert set(marks.values()) == {"[*]", "[unsafe]"}


def test_summary_counts_files_with_findings_and_what_fix_can_do(tmp_path: Path) -> None:
    root = _example_with_an_unproven_hand_off(tmp_path)
    code, out, _ = run_cli(["--isolated", "--color", "never"], root)
    assert code == 1
    assert out.splitlines()[-2:] == [
        "Found 4 findings in 2 files (3 linted).",
        "[*] 3 fixable with --fix (1 more with --unsafe-fixes).",
    ]


def test_summary_after_fix_says_what_was_fixed_and_what_is_left(tmp_path: Path) -> None:
    root = _example_with_an_unproven_hand_off(tmp_path)
    code, out, _ = run_cli(["--isolated", "--fix", "--color", "never"], root)
    assert code == 1
    assert out.splitlines()[-3:] == [
        "Fixed 3 findings in 2 files.",
        "Found 1 finding in 1 file (3 linted).",
        "1 fixable with --fix --unsafe-fixes.",
    ]
    code, out, _ = run_cli(["--isolated", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix"], root)
    assert (code, out) == (1, "Fixed 1 finding in 1 file.\nNo findings left in 3 files.\n")
    assert run_cli(["--isolated"], root)[:2] == (0, "All checks passed in 3 files.\n")


def test_summary_never_claims_a_fix_that_was_not_written(tmp_path: Path) -> None:
    root = write_module(tmp_path)
    (root / "e2e" / "setup.go").chmod(0o444)
    code, out, err = run_cli(["--fix", "--color", "never"], root)
    assert code == 2
    assert "All checks passed" not in out and "Fixed" not in out
    # the drop's one fix edits both files: neither is written, and it is one finding left
    assert out.splitlines()[-4:] == [
        "Not written: e2e/setup.go (file is read-only; not fixed); its 1 fix did not happen.",
        "Not written: e2e/deploy.go (not fixed: the fix also changes e2e/setup.go, which could not be written).",
        "Found 1 finding in 1 file (4 linted).",
        "[*] 1 fixable with --fix.",
    ]
    assert "e2e/setup.go: file is read-only; not fixed" in err


def test_summary_with_an_unreadable_input_never_says_all_checks_passed(tmp_path: Path) -> None:
    write_module(tmp_path)
    code, out, _ = run_cli(["--select", "IMG003", ".", "missing.go"], tmp_path)
    assert (code, out) == (2, "No findings in 4 files; 1 path could not be read.\n")


def test_summary_counts_an_unreadable_directory_as_a_path_not_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests run as root, so chmod would not stop a listing: refuse this one directory instead."""
    write_module(tmp_path)
    locked = tmp_path / "unr"
    locked.mkdir()
    real_scandir = os.scandir

    def refusing_scandir(path: Any) -> Any:
        if os.path.abspath(os.fspath(path)) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    code, out, err = run_cli(["--select", "IMG003", "unr"], tmp_path)
    assert (code, out) == (2, "No findings in 0 files; 1 path could not be read.\n")
    assert "unr/: cannot read directory: permission denied" in err
    (tmp_path / "bad.go").write_bytes(b"\0")
    code, out, _ = run_cli(["--select", "IMG003", "unr", "bad.go"], tmp_path)
    assert out == "No findings in 0 files; 1 file could not be linted; 1 path could not be read.\n"


# -- the summary's words from plain counts -----------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "hint"),
    [
        pytest.param(Fixable(), "", id="nothing"),
        pytest.param(Fixable(safe=3), "[*] 3 fixable with --fix.", id="safe"),
        pytest.param(Fixable(safe=3, unsafe=2), "[*] 3 fixable with --fix (2 more with --unsafe-fixes).", id="both"),
        pytest.param(Fixable(unsafe=2), "2 fixable with --fix --unsafe-fixes.", id="unsafe"),
        pytest.param(Fixable(safe=1, by_hand=4), "[*] 1 fixable with --fix; 4 to fix by hand.", id="by-hand"),
        pytest.param(Fixable(by_hand=1), "1 to fix by hand.", id="only-by-hand"),
    ],
)
def test_fix_hint(counts: Fixable, hint: str) -> None:
    assert fix_hint(counts) == hint


def test_summary_counts_files_with_findings_not_files_linted() -> None:
    findings = [finding("a.go", "safe"), finding("a.go", "unsafe", 2), finding("b.go", None)]
    assert summary_lines(summarize(findings, files_linted=26)) == [
        "Found 3 findings in 2 files (26 linted).",
        "[*] 1 fixable with --fix (1 more with --unsafe-fixes); 1 to fix by hand.",
    ]


def test_fixes_in_a_file_not_written_are_still_findings() -> None:
    applied = [finding("a.go", "safe"), finding("b.go", "safe"), finding("b.go", "safe", 3)]
    fixed, not_written = written(applied, [("b.go", "file is read-only; not fixed")])
    assert fixed == applied[:1]
    assert not_written == [NotWritten("b.go", "file is read-only; not fixed", tuple(applied[1:]))]
    on_disk = applied[1:]  # the report lints the files again: the fixes not written left their findings
    assert summary_lines(summarize(on_disk, 2, 0, (), fixed, not_written)) == [
        "Fixed 1 finding in 1 file.",
        "Not written: b.go (file is read-only; not fixed); its 2 fixes did not happen.",
        "Found 2 findings in 1 file (2 linted).",
        "[*] 2 fixable with --fix.",
    ]


def test_fixes_of_findings_the_fixes_led_to_are_counted_apart() -> None:
    """A fix may lead to a finding of its own that a later round fixes: it is no finding of the
    text as read, so "Fixed N findings" does not count it, and the line says it apart."""
    applied = [finding("a.go", "safe"), finding("a.go", "safe", 2), finding("a.go", "safe", 3)]
    fixed, not_written = written(applied, [])
    assert summary_lines(summarize([], 2, 0, (), fixed, not_written, led_to=applied[2:])) == [
        "Fixed 2 findings in 1 file, and 1 finding that those fixes led to.",
        "No findings left in 2 files.",
    ]


def test_a_finding_the_fixes_led_to_is_not_left_when_its_file_is_not_written() -> None:
    """The file was not written: the report lints it again from disk, where the finding the
    fixes led to is not, and the summary counts what is there."""
    applied = [finding("a.go", "safe"), finding("a.go", "safe", 2)]
    fixed, not_written = written(applied, [("a.go", "file is read-only; not fixed")])
    on_disk = applied[:1]
    assert summary_lines(summarize(on_disk, 1, 0, (), fixed, not_written, led_to=applied[1:]))[-2:] == [
        "Found 1 finding in 1 file (1 linted).",
        "[*] 1 fixable with --fix.",
    ]


# -- --statistics -------------------------------------------------------------------------------


def test_statistics_prints_only_the_table(tmp_path: Path) -> None:
    root = shutil.copytree(EXAMPLE, tmp_path / "kind-e2e")
    code, out, err = run_cli(["--isolated", "--statistics"], root)
    assert (code, err) == (1, "")
    assert out == (
        "    3  IMG001  discarded-image-name\n"
        "    1  IMG003  untracked-image-reference\n"
    )


# -- code frames of long lines --------------------------------------------------------------------

LONG = "\tif _, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: \"shop-catalog\"}, w); err != nil {"


@pytest.mark.parametrize(
    ("line", "start", "carets", "room", "expected"),
    [
        pytest.param("short line", 6, 4, 40, ("short line", 6, 4), id="fits"),
        pytest.param("a" * 30 + "TARGET" + "b" * 30, 30, 6, 20, ("…aaaaaaTARGETbbbbbb…", 7, 6), id="middle"),
        pytest.param("TARGET" + "b" * 50, 0, 6, 20, ("TARGET" + "b" * 13 + "…", 0, 6), id="start"),
        pytest.param("a" * 50 + "TARGET", 50, 6, 20, ("…" + "a" * 13 + "TARGET", 14, 6), id="end"),
        pytest.param("a" * 10 + "T" * 40 + "b" * 10, 10, 40, 20, ("…" + "a" * 4 + "T" * 14 + "…", 5, 15), id="wide-span"),
    ],
)
def test_cut_around_the_caret(line: str, start: int, carets: int, room: int, expected: tuple[str, int, int]) -> None:
    window, new_start, new_carets = cut_around(line, start, carets, room)
    assert (window, new_start, new_carets) == expected
    assert len(window) <= room
    shown = window[new_start : new_start + new_carets].strip("…")
    assert shown and shown in line[start : start + carets]  # the carets still point at the span


def test_long_lines_are_cut_to_the_width(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shutil.copytree(EXAMPLE, tmp_path / "kind-e2e")
    monkeypatch.setenv("COLUMNS", "60")
    _, out, _ = run_cli(["--isolated", "--color", "never", "e2e/setup.go"], root)
    frame = [line for line in out.splitlines() if re.match(r"\s+(\d+)? \| ", line)]
    assert frame and all(len(line) <= 60 for line in frame)
    i = next(i for i, line in enumerate(frame) if line.startswith("   63 | "))
    code, carets = frame[i], frame[i + 1]
    assert "…" in code and "infra.BuildAndLoadImageToKind" in code
    assert code[carets.index("^") :].startswith("infra.BuildAndLoadImageToKind")
    monkeypatch.delenv("COLUMNS")
    _, whole, _ = run_cli(["--isolated", "--color", "never", "e2e/setup.go"], root)
    assert "…" not in whole  # a pipe without COLUMNS keeps lines of ordinary length whole


def _one_long_line(items: int) -> str:
    """`items` fixed local images on one line: one finding per image (no build here, or a dropped
    build's IMG001 would name them all as its related places)."""
    images = ", ".join(['{Image: "localhost/app:v1"}'] * items)
    return (
        'package e2e\n\nimport (\n\t"io"\n)\n\n'
        "type Container struct{ Image string }\n\nfunc Setup(w io.Writer) []Container {\n"
        f"\treturn []Container{{{images}}}\n}}\n"
    )


def test_a_long_line_in_a_pipe_gives_output_linear_in_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No terminal and no COLUMNS: every finding on the line shows a frame of bounded width,
    not the whole line (which made 100 KB of code print 120 MB)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    sizes = []
    for items in (300, 1200):
        root = write_module(tmp_path / str(items), {"e2e/setup.go": _one_long_line(items), "e2e/deploy.go": ""})
        code, out, err = run_cli(["--isolated", "--color", "never", "e2e/setup.go"], root)
        assert code == 1, err
        assert out.count("IMG002") >= items
        frames = [line for line in out.splitlines() if re.match(r"\s+\d+ \| ", line)]
        assert max(len(line) for line in frames) <= 1000
        sizes.append(len(out))
    assert sizes[1] <= 5 * sizes[0], f"output: {sizes[0]} characters for 300 images, {sizes[1]} for 1,200"


# -- the help line --------------------------------------------------------------------------------


def test_help_line_leaves_out_a_reason_the_message_gives() -> None:
    reason = "`build` runs once per row of `services`, whose rows the analysis cannot read"
    message = f"the deployment's image is fixed text `localhost/x:e2e`; {reason}"
    by_hand = "no edit can do this soundly; follow the four steps by hand"
    assert help_line(message, f"{reason}; {by_hand}") == by_hand
    # a reason the message does not give stays, and so does a message of one clause
    assert help_line(message, f"`x` has a default value; {by_hand}") == f"`x` has a default value; {by_hand}"
    assert help_line(message, "deploy `imageName`") == "deploy `imageName`"


def test_python_help_lines_do_not_repeat_the_message() -> None:
    out = run_cli(["--no-cache", "--output-format", "text", "--color", "never", "handoffs"], cwd=PYTHON_FIXTURES)[1]
    blocks = [block for block in out.split("\n\n") if " IMG00" in block and "\n  help: " in block]
    assert blocks
    for block in blocks:
        message = block.split("\n", 1)[0]
        help_text = block.split("\n  help: ", 1)[1].split("\n", 1)[0]
        assert help_text.partition("; ")[0] not in message or "; " not in help_text, block
