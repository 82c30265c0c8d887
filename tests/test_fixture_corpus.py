"""The fixture corpus: every `// want` marker is found with its message, nothing else is, and
every `// todo-want` (a known gap) is still missing."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest
from support import FIXTURES, Found, Want, markers, parse_marker, unmatched

from imagetag_lint.cli import main

PACKAGES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def corpus_findings() -> list[Found]:
    return lint_json(FIXTURES, ".")


@pytest.fixture(scope="module")
def corpus_markers() -> list[Want]:
    return markers(FIXTURES)


def lint_json(root: Path, target: str) -> list[Found]:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["--output-format", "json", "--exit-zero", target])
    finally:
        os.chdir(cwd)
    assert code == 0, out.getvalue()
    return sorted((f["filename"], f["location"]["row"], f["code"], f["message"]) for f in json.loads(out.getvalue()))


def in_package(package: str, items: list[Found]) -> list[Found]:
    return [f for f in items if f[0].startswith(package + "/")]


def test_corpus_is_large_enough(corpus_markers: list[Want]) -> None:
    wants = [want for want in corpus_markers if not want.todo]
    assert len(wants) >= 40
    assert {want.code for want in wants} == {"IMG001", "IMG002", "IMG003", "IMG100", "IMG101"}


def test_every_corpus_marker_says_which_message(corpus_markers: list[Want]) -> None:
    """A bare `// want IMG001` would accept any IMG001 on the line; the corpus pins the message."""
    assert [str(want) for want in corpus_markers if not want.patterns] == []


@pytest.mark.parametrize("package", PACKAGES)
def test_package_findings_match_want_markers(
    package: str, corpus_findings: list[Found], corpus_markers: list[Want]
) -> None:
    wants = [want for want in corpus_markers if not want.todo and want.path.startswith(package + "/")]
    missing, unexpected = unmatched(wants, in_package(package, corpus_findings))
    assert not missing and not unexpected, (
        "missing:\n" + "\n".join(map(str, missing)) + "\nunexpected:\n" + "\n".join(map(str, unexpected))
    )


def test_whole_corpus_matches(corpus_findings: list[Found], corpus_markers: list[Want]) -> None:
    assert unmatched([want for want in corpus_markers if not want.todo], corpus_findings) == ([], [])


def test_known_gaps_are_still_missing(corpus_findings: list[Found], corpus_markers: list[Want]) -> None:
    """A `// todo-want` that starts being found must become a `// want`."""
    gaps = [want for want in corpus_markers if want.todo]
    assert gaps, "the corpus documents its known gaps with todo-want markers"
    found = [str(want) for want in gaps if any(want.met_by(finding) for finding in corpus_findings)]
    assert found == [], "now reported, promote to `// want`"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_alone_gives_the_same_findings(package: str, corpus_findings: list[Found]) -> None:
    """Linting one package (as pre-commit does) still resolves other packages on demand."""
    assert lint_json(FIXTURES, package) == in_package(package, corpus_findings)


def test_marker_with_several_codes_and_patterns() -> None:
    line = 'x := f() // want IMG001 "discarded" "`f`" IMG003 "a \\"quoted\\" parameter"'
    assert parse_marker(line, "a.go", 3) == [
        Want("a.go", 3, "IMG001", ("discarded", "`f`")),
        Want("a.go", 3, "IMG003", ('a \\"quoted\\" parameter',)),
    ]
    assert Want("a.go", 3, "IMG003", ('a \\"quoted\\" parameter',)).matches("IMG003", 'a "quoted" parameter')


def test_bare_yaml_and_todo_markers() -> None:
    assert parse_marker("\timage: localhost/a:e2e # want IMG002", "a.go", 1) == [Want("a.go", 1, "IMG002")]
    assert parse_marker('f() // todo-want IMG001 "f"', "a.go", 2) == [Want("a.go", 2, "IMG001", ("f",), todo=True)]
    assert parse_marker("f() // wanted later", "a.go", 2) == []
    assert parse_marker('f() /* want IMG101 "no reason" */ //imagetaglint:ignore IMG002', "a.go", 5) == [
        Want("a.go", 5, "IMG101", ("no reason",))
    ]


@pytest.mark.parametrize(
    "line",
    [
        'f() // want IMG001 "unclosed',
        "f() // want IMG001 discarded",
        'f() // want IMG001 "("',
        'f() // want "no code"',
        "f() /* want */",
    ],
)
def test_malformed_marker_is_an_error(line: str) -> None:
    with pytest.raises(ValueError, match="^a.go:4: "):
        parse_marker(line, "a.go", 4)


def test_a_pattern_is_searched_in_the_message() -> None:
    want = Want("a.go", 1, "IMG002", ("localhost/app", "`Image` field"))
    assert want.matches("IMG002", "fixed text `localhost/app:e2e` (a string literal in the `Image` field)")
    assert not want.matches("IMG002", "fixed text `localhost/other:e2e` (a string literal in the `Image` field)")
    assert not want.matches("IMG003", "fixed text `localhost/app:e2e` (a string literal in the `Image` field)")
    finding = ("a.go", 1, "IMG002", "fixed text `localhost/other:e2e` (in the `Image` field)")
    assert unmatched([want], [finding]) == ([want], [finding])
