"""The fixture corpus is real Go: it builds, vets and is gofmt-clean with the test extra's Go."""

from __future__ import annotations

from support import FIXTURES, gofmt_unformatted, run_go


def test_fixture_corpus_builds_and_vets() -> None:
    build = run_go(["build", "./..."], FIXTURES)
    assert build.returncode == 0, build.stderr
    vet = run_go(["vet", "./..."], FIXTURES)
    assert vet.returncode == 0, vet.stderr


def test_fixture_corpus_is_gofmt_clean() -> None:
    assert gofmt_unformatted(FIXTURES) == ""
