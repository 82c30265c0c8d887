"""The fixture corpus: every `// want` marker is found, and nothing else."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support import FIXTURES, wanted

from imagetag_lint.cli import main

PACKAGES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def corpus_findings(capsys_module: None = None) -> set[tuple[str, int, str]]:
    return lint_json(FIXTURES)


def lint_json(root: Path) -> set[tuple[str, int, str]]:
    import contextlib
    import io

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["--output-format", "json", "--exit-zero", "."])
    finally:
        os.chdir(cwd)
    assert code == 0, out.getvalue()
    return {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(out.getvalue())}


def test_corpus_is_large_enough() -> None:
    expected = wanted(FIXTURES)
    assert len(expected) >= 40
    assert {code for _, _, code in expected} == {"IMG001", "IMG002", "IMG003"}


@pytest.mark.parametrize("package", PACKAGES)
def test_package_findings_match_want_markers(package: str, corpus_findings: set[tuple[str, int, str]]) -> None:
    expected = {w for w in wanted(FIXTURES) if w[0].startswith(package + "/")}
    found = {f for f in corpus_findings if f[0].startswith(package + "/")}
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


def test_whole_corpus_matches(corpus_findings: set[tuple[str, int, str]]) -> None:
    assert corpus_findings == wanted(FIXTURES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_alone_gives_the_same_findings(package: str, corpus_findings: set[tuple[str, int, str]]) -> None:
    """Linting one package (as pre-commit does) still resolves other packages on demand."""
    import contextlib
    import io

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(FIXTURES)
    try:
        with contextlib.redirect_stdout(out):
            main(["--output-format", "json", "--exit-zero", package])
    finally:
        os.chdir(cwd)
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(out.getvalue())}
    assert found == {f for f in corpus_findings if f[0].startswith(package + "/")}
