"""The realistic suite (tests/realistic): a multi-package shop E2E module written the way real
suites are written, linted as a whole.

Markers on the reported line (a Go comment, or a YAML comment inside a raw-string manifest):
- `want IMG00x "regexp"`: must be reported, with a message the regexp matches;
- `todo-want IMG00x "regexp"`: a real bug the tool does not find yet; it must still be missing,
  so that the change that finds it also turns the marker into `want`;
- `todo-ok IMG00x "regexp"`: a false finding the tool still gives; it must still be reported,
  so that the change that removes it also removes the marker.
Nothing else may be reported.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from support import TESTS, run_go

from imagetag_lint.cli import main

REALISTIC = TESTS / "realistic"
MARKER = re.compile(r'(?://|#)\s*(want|todo-want|todo-ok)\s+(IMG\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?')

Key = tuple[str, int, str]


def markers(root: Path) -> dict[str, dict[Key, str]]:
    """{kind: {(file, line, code): message regexp}} for every marker under root."""
    found: dict[str, dict[Key, str]] = {"want": {}, "todo-want": {}, "todo-ok": {}}
    for path in sorted(root.rglob("*.go")):
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in MARKER.finditer(line):
                kind, code, pattern = match.groups()
                found[kind][(relative, number, code)] = pattern or ""
    return found


@pytest.fixture(scope="module")
def findings() -> dict[Key, str]:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(REALISTIC)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    finally:
        os.chdir(cwd)
    assert code == 0, out.getvalue()
    return {(f["filename"], f["location"]["row"], f["code"]): f["message"] for f in json.loads(out.getvalue())}


def test_suite_marks_every_rule() -> None:
    found = markers(REALISTIC)
    assert {code for _, _, code in found["want"]} == {"IMG001", "IMG002", "IMG003"}


def test_every_want_is_reported_with_its_message(findings: dict[Key, str]) -> None:
    for key, pattern in markers(REALISTIC)["want"].items():
        assert key in findings, f"missing: {key}"
        assert re.search(pattern, findings[key]), f"{key}: {findings[key]!r} does not match {pattern!r}"


def test_nothing_else_is_reported(findings: dict[Key, str]) -> None:
    found = markers(REALISTIC)
    unexpected = sorted(set(findings) - set(found["want"]) - set(found["todo-ok"]))
    assert not unexpected, "\n".join(f"{k}: {findings[k]}" for k in unexpected)


def test_known_gaps_are_still_missing(findings: dict[Key, str]) -> None:
    """A todo-want that is found now must become a want (and its message checked)."""
    promoted = sorted(set(markers(REALISTIC)["todo-want"]) & set(findings))
    assert not promoted, f"found now, turn these todo-want markers into want: {promoted}"


def test_known_false_findings_are_still_reported(findings: dict[Key, str]) -> None:
    """A todo-ok that is no longer reported must lose its marker."""
    for key, pattern in markers(REALISTIC)["todo-ok"].items():
        assert key in findings, f"no longer reported, remove the todo-ok marker: {key}"
        assert re.search(pattern, findings[key]), f"{key}: {findings[key]!r} does not match {pattern!r}"


@pytest.mark.parametrize("command", [["build", "./..."], ["vet", "./..."]])
def test_suite_builds(command: list[str]) -> None:
    result = run_go(command, REALISTIC)
    assert result.returncode == 0, result.stdout + result.stderr


def test_img002_is_a_warning_only_for_a_copy_of_a_fixed_build_tag() -> None:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(REALISTIC)
    try:
        with contextlib.redirect_stdout(out):
            main(["--isolated", "--output-format", "json", "--exit-zero", "--select", "IMG002", "."])
    finally:
        os.chdir(cwd)
    severities = {(f["severity"], "copies the tag" in f["message"]) for f in json.loads(out.getvalue())}
    assert severities == {("warning", True), ("error", False)}


def test_fixed_suite_builds_and_vets(tmp_path: Path) -> None:
    """`--fix --unsafe-fixes` on the suite leaves a module that `go build` and `go vet` accept."""
    import shutil

    root = tmp_path / "realistic"
    shutil.copytree(REALISTIC, root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            main(["--isolated", "--fix", "--unsafe-fixes", "--exit-zero", "."])
    finally:
        os.chdir(cwd)
    changed = [p for p in root.rglob("*.go") if p.read_bytes() != (REALISTIC / p.relative_to(root)).read_bytes()]
    assert changed, "the suite has safe fixes to apply"
    notifications = (root / "test/e2e/notifications/notifications_infrastructure.go").read_text()
    # the stale local read only by the deploy takes the built name: no second variable
    assert "\tnotificationsImage, err := infrastructure.BuildAndLoadImageToKind(" in notifications
    assert "GenerateImageName(\"notifications\")" not in notifications
    for command in (["build", "./..."], ["vet", "./..."]):
        result = run_go(command, root)
        assert result.returncode == 0, result.stdout + result.stderr
