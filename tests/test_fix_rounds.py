"""Fix rounds: fixes that cannot disturb each other share a round, and rounds that never end
stop and say what they left, and a fix that changes nothing is never applied nor counted (a
helper with 201 call sites fixed in one run is in test_fix_builds.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import go_module

from imagetag_lint import lint
from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.cli import main
from imagetag_lint.findings import Applicability, Finding, Fix
from imagetag_lint.fix.apply import MAX_ROUNDS, Lint, choose, fix_all
from imagetag_lint.fix.edits import edit
from imagetag_lint.fix.tracking import carried
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import parse
from imagetag_lint.lint import LintResult


def _toggling_lint(path: str) -> Lint:
    """A lint whose one finding's fix always turns `x = 1` into `x = 2` and back: it never ends."""

    def lint(overlay: dict[str, bytes]) -> LintResult:
        source = overlay.get(path, b"package e2e\n\nvar x = 1\n")
        file = SourceFile("e2e.go", str(Path(path).parent), source, parse(source), "e2e", {})
        start = source.index(b"= ") + 2
        other = "2" if source[start : start + 1] == b"1" else "1"
        fix = Fix(Applicability.SAFE, "toggle", (edit(file, start, start + 1, other),))
        finding = Finding("IMG002", "toggled", file.span_bytes(start, start + 1), fix=fix)
        return LintResult(findings=[finding], sources={"e2e.go": file}, paths={"e2e.go": path})

    return lint


def test_rounds_that_never_end_stop_and_say_what_was_left(tmp_path: Path) -> None:
    outcome = fix_all(_toggling_lint(str(tmp_path / "e2e.go")), unsafe=False)
    rounds = MAX_ROUNDS + 2  # the bound grows with the fixes the first round offers
    assert outcome.rejected == [f"--fix stopped after {rounds} rounds with 1 more fixes to apply; run it again"]
    assert len(outcome.applied) == rounds


def _finding(file: SourceFile, start: int, end: int, content: str) -> Finding:
    fix = Fix(Applicability.SAFE, "fix", (edit(file, start, end, content),))
    return Finding("IMG002", "found", file.span_bytes(start, end), fix=fix)


def _one_declaration(filename: str, offset: int) -> tuple[str, int]:
    return filename, 0


def test_fixes_that_put_names_in_place_of_literals_share_a_declaration() -> None:
    source = b'package e2e\n\nfunc f(image string) {\n\ta := "localhost/a:v1"\n\tb := "localhost/a:v1"\n\t_, _ = a, b\n}\n'
    file = SourceFile("e2e.go", "/m", source, parse(source), "e2e", {})
    literals = [i for i in range(len(source)) if source.startswith(b'"localhost', i)]
    names = [_finding(file, i, i + len(b'"localhost/a:v1"'), "image") for i in literals]
    other = _finding(file, source.index(b"_, _"), source.index(b"_, _") + 1, "c")  # not a literal
    sources = {"e2e.go": file}
    assert [fix for fix, _ in choose(names, (Applicability.SAFE,), _one_declaration, sources)] == [f.fix for f in names]
    assert [fix for fix, _ in choose([other, *names], (Applicability.SAFE,), _one_declaration, sources)] == [other.fix]
    assert [fix for fix, _ in choose([*names, other], (Applicability.SAFE,), _one_declaration, sources)] == [f.fix for f in names]


def _one_edit_lint(path: str, source: bytes, at: bytes, content: str) -> Lint:
    """A lint whose one finding's fix inserts content before `at`, once (the fixed text has no
    finding)."""

    def lint(overlay: dict[str, bytes]) -> LintResult:
        text = overlay.get(path, source)
        file = SourceFile("e2e.go", str(Path(path).parent), text, parse(text), "e2e", {})
        if text != source:
            return LintResult(findings=[], sources={"e2e.go": file}, paths={"e2e.go": path})
        start = text.index(at)
        fix = Fix(Applicability.SAFE, "insert", (edit(file, start, start, content),))
        return LintResult(findings=[Finding("IMG001", "found", file.span_bytes(start, start), fix=fix)], sources={"e2e.go": file}, paths={"e2e.go": path})

    return lint


SPREAD = b"package e2e\n\nfunc deploy(image string, args ...string) {}\n\nfunc f(flags []string) {\n\tdeploy(flags...)\n}\n"


def test_an_argument_after_a_spread_is_a_syntax_error_and_is_rolled_back(tmp_path: Path) -> None:
    """`deploy(flags..., "x")` parses in tree-sitter's Go grammar, but Go rejects it: the fix
    that writes it is rolled back and reported."""
    path = str(tmp_path / "e2e.go")
    outcome = fix_all(_one_edit_lint(path, SPREAD, b")\n}", ', "x"'), unsafe=False)
    assert outcome.applied == []
    assert outcome.rejected == ["e2e.go:6: the fix would leave a syntax error in e2e.go; rolled back"]
    assert outcome.changed == []


def test_an_argument_before_a_spread_is_kept(tmp_path: Path) -> None:
    path = str(tmp_path / "e2e.go")
    outcome = fix_all(_one_edit_lint(path, SPREAD, b"flags...", '"x", '), unsafe=False)
    assert outcome.rejected == []
    assert outcome.fixed[path] == SPREAD.replace(b"deploy(flags...)", b'deploy("x", flags...)')


def _lint_with_fix(path: str, source: bytes, edits: list[tuple[bytes, int, str]]) -> Lint:
    """A lint whose one finding stays, with a fix of these edits (each at the first `at`, over
    `length` bytes, writing `content`), however often it is applied."""

    def lint(overlay: dict[str, bytes]) -> LintResult:
        text = overlay.get(path, source)
        file = SourceFile("e2e.go", str(Path(path).parent), text, parse(text), "e2e", {})
        fix = Fix(Applicability.SAFE, "fix", tuple(edit(file, (at := text.index(a)), at + n, c) for a, n, c in edits))
        finding = Finding("IMG003", "found", file.span_bytes(0, 1), fix=fix)
        return LintResult(findings=[finding], sources={"e2e.go": file}, paths={"e2e.go": path})

    return lint


NOOP = b"package e2e\n\nvar img = 1\n"


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([(b"img", 3, "img")], id="an edit that writes the bytes it replaces"),
        pytest.param([(b"img", 0, "")], id="an empty insertion"),
        pytest.param([(b"img", 0, "i"), (b"img", 1, "")], id="edits that undo each other"),
    ],
)
def test_a_fix_that_changes_nothing_is_never_applied_nor_counted(tmp_path: Path, edits: list[tuple[bytes, int, str]]) -> None:
    outcome = fix_all(_lint_with_fix(str(tmp_path / "e2e.go"), NOOP, edits), unsafe=False)
    assert outcome.applied == []
    assert outcome.rejected == []
    assert outcome.changed == []


def test_the_report_promises_no_fix_that_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule's fix whose edits put back the bytes they replace is shown as by hand, and `--fix`
    neither writes nor counts it."""
    source = "package e2e\n\nfunc f() { _, _ = infrastructure.BuildAndLoadImageToKind(cfg, w) }\n"
    go_module(tmp_path, {"e2e/e2e.go": source})

    def check(ctx: RuleContext, file: SourceFile) -> Iterator[Finding]:
        start = file.source.index(b"cfg")
        fix = Fix(Applicability.SAFE, "keep it", (edit(file, start, start + 3, "cfg"),))
        yield Finding("IMG003", "found", file.span_bytes(start, start + 3), fix=fix)

    monkeypatch.setattr(lint, "CHECKS", {"IMG003": check})
    monkeypatch.chdir(tmp_path)
    assert main(["--isolated", "--no-cache", "--output-format", "json", "."]) == 1
    fix = json.loads(capsys.readouterr().out)[0]["fix"]
    assert fix == {"applicability": "display-only", "message": "the planned edits change nothing; follow the four steps by hand", "edits": []}
    assert main(["--isolated", "--no-cache", "--fix", "."]) == 1
    assert "Fixed" not in capsys.readouterr().out
    assert (tmp_path / "e2e/e2e.go").read_text() == source

@pytest.mark.parametrize(
    ("before", "after", "key", "moved"),
    [
        pytest.param(b"a\nb := f()\n", b"x\ny\na\nb := f()\n", ("e.go", 2, 6, "IMG001"), ("e.go", 4, 6, "IMG001"), id="lines-above"),
        pytest.param(b"if _, err := f(); err != nil {\n", b"img, err := f()\nif err != nil {\n", ("e.go", 1, 14, "IMG001"), ("e.go", 1, 13, "IMG001"), id="line-rewritten-around-it"),
        pytest.param(b'deploy(ctx, "a")\n', b"deploy(ctx, img)\n", ("e.go", 1, 13, "IMG002"), None, id="its-text-replaced"),
    ],
)
def test_a_finding_of_the_text_as_read_is_carried_through_the_edits(
    before: bytes, after: bytes, key: tuple[str, int, int, str], moved: tuple[str, int, int, str] | None
) -> None:
    assert carried({key}, {"e.go": (before, after)}) == ({moved} if moved else set())
    assert carried({key}, {"other.go": (before, after)}) == {key}


def _rule_lint(path: str, source: bytes, rules: list[tuple[str, bytes, bytes]]) -> Lint:
    """A lint with a finding of code wherever old stands in the text, whose fix writes new there."""

    def lint(overlay: dict[str, bytes]) -> LintResult:
        text = overlay.get(path, source)
        file = SourceFile("e2e.go", str(Path(path).parent), text, parse(text), "e2e", {})
        findings = []
        for code, old, new in rules:
            start = text.find(old)
            if start != -1:
                fix = Fix(Applicability.SAFE, "fix", (edit(file, start, start + len(old), new.decode()),))
                findings.append(Finding(code, "found", file.span_bytes(start, start + len(old)), fix=fix))
        return LintResult(findings=findings, sources={"e2e.go": file}, paths={"e2e.go": path})

    return lint


def test_a_fix_of_a_finding_an_earlier_fix_led_to_is_counted_apart(tmp_path: Path) -> None:
    """`a` and `b` are found in the text as read; `b`'s fix waits a round (one declaration takes
    one fix a round). `a`'s fix leads to a finding of its own, fixed in a later round: it alone
    is among the findings the fixes led to, while `b`, fixed later too, is a finding as read."""
    source = b"package e2e\n\nfunc f() {\n\ta := 1\n\tb := 2\n\t_, _ = a, b\n}\n"
    rules = [("IMG001", b"b := 2", b"b := 3"), ("IMG001", b"a := 1\n", b"a := 10\n"), ("IMG002", b"a := 10\n", b"a := 100\n")]
    outcome = fix_all(_rule_lint(str(tmp_path / "e2e.go"), source, rules), unsafe=False)
    assert [(f.code, f.span.start.row) for f in outcome.applied] == [("IMG001", 5), ("IMG001", 4), ("IMG002", 4)]
    assert [(f.code, f.span.start.row) for f in outcome.led_to] == [("IMG002", 4)]
    assert outcome.fixed[str(tmp_path / "e2e.go")] == source.replace(b"1", b"100").replace(b"b := 2", b"b := 3")
