"""The Python fixture packages: every `# want` marker is found with its message, nothing else,
and `--fix` gives the golden `.py.fixed` files, which compile and need no second fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_support import PYTHON_FIXTURES, RELATED, fix_rounds, mismatches, package_sources, related_mismatches, wanted

from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import RuleSet, load_rule_set

PACKAGES = sorted(p.name for p in PYTHON_FIXTURES.iterdir() if p.is_dir())
GOLDEN = sorted(PYTHON_FIXTURES.rglob("*.py.fixed"))


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    return load_rule_set()


def test_the_packages_cover_every_rule() -> None:
    wants = set().union(*(wanted(package_sources(PYTHON_FIXTURES / p)) for p in PACKAGES))
    related = set().union(*(wanted(package_sources(PYTHON_FIXTURES / p), RELATED) for p in PACKAGES))
    assert {code for _, _, code, _ in wants} == {"IMG001", "IMG002", "IMG003"}
    assert len(wants) + len(related) >= 30


@pytest.mark.parametrize("package", PACKAGES)
def test_findings_match_want_markers(package: str, rule_set: RuleSet) -> None:
    sources = package_sources(PYTHON_FIXTURES / package)
    result = lint_python_sources(sources, rule_set)
    assert result.errors == []
    missing, unexpected = mismatches(result.findings, wanted(sources))
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
    missing, unmarked = related_mismatches(result.findings, sources)
    assert not missing and not unmarked, f"missing related: {missing}\nunmarked: {unmarked}"


@pytest.mark.parametrize("package", PACKAGES)
def test_fixes_give_the_golden_files(package: str, rule_set: RuleSet) -> None:
    sources = package_sources(PYTHON_FIXTURES / package)
    fixed = fix_rounds(sources, rule_set)
    for name, text in sorted(fixed.items()):
        golden = PYTHON_FIXTURES / (name + ".fixed")
        expected = golden.read_bytes() if golden.exists() else sources[name]
        assert text.decode() == expected.decode(), name
        compile(text, name, "exec")
    assert fix_rounds(fixed, rule_set) == fixed


def test_every_golden_file_has_its_source() -> None:
    assert GOLDEN
    for golden in GOLDEN:
        assert Path(str(golden).removesuffix(".fixed")).is_file()
