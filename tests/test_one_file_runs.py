"""A run of one file (pre-commit names the files it changed) reports what the run of the tree
reports in that file, for every Go file of the fixture corpus: the drops, deploy helpers, builds
and constants in the files it does not lint are read, not reported."""

from __future__ import annotations

import json

import pytest
from support import TESTS

from imagetag_lint.cli import main

FIXTURES = TESTS / "fixtures" / "go"
FILES = sorted(path.relative_to(FIXTURES).as_posix() for path in FIXTURES.rglob("*.go"))

Found = tuple[str, int, str, str]


def lint(capsys: pytest.CaptureFixture[str], *paths: str) -> list[Found]:
    main(["--isolated", "--no-cache", "--output-format", "json", "--exit-zero", *paths])
    findings = json.loads(capsys.readouterr().out)
    return sorted((f["filename"], f["location"]["row"], f["code"], f["message"]) for f in findings)


def test_every_file_alone_reports_what_the_tree_run_reports_in_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    tree = lint(capsys, ".")
    differing = [path for path in FILES if lint(capsys, path) != [f for f in tree if f[0] == path]]
    assert differing == []
    assert len(FILES) > 100 and tree  # the corpus, not an empty directory
