"""What a run imports: the commit path pays for every module on every call."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import FIXTURES

from imagetag_lint.golang import parser


def test_every_analysis_code_has_a_check() -> None:
    from imagetag_lint.lint import CHECKS
    from imagetag_lint.rules import ANALYSIS_CODES

    assert tuple(CHECKS) == ANALYSIS_CODES


def _imported_after(code: str, cwd: Path) -> set[str]:
    program = f"import sys\nfrom imagetag_lint.cli import main\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", program], cwd=cwd, capture_output=True, text=True, check=True)
    return set(done.stdout.split("\n")[-2].split())


def test_start_up_imports_only_what_the_run_needs(tmp_path: Path) -> None:
    """The commit path pays for every import: --version loads no parser, a clean run no rich,
    dataclasses or libcst, and nothing imports the fixer or the suppression stage needlessly."""
    heavy = {"tree_sitter", "rich", "libcst", "dataclasses", "inspect"}
    assert not _imported_after("main(['--version'])", tmp_path) & (heavy | {"imagetag_lint.lint"})
    shutil.copytree(FIXTURES / "k8s", tmp_path / "k8s")
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    modules = _imported_after("main(['--output-format', 'json', 'k8s'])", tmp_path)
    assert "tree_sitter" in modules and not modules & {"rich", "libcst", "dataclasses", "inspect"}
    assert not modules & {"imagetag_lint.fix.apply", "imagetag_lint.suppress", "difflib", "tempfile"}


def test_the_go_grammar_loads_without_its_package_init(monkeypatch: pytest.MonkeyPatch) -> None:
    import tree_sitter_go
    from tree_sitter import Language

    direct = Language(parser._go_language())
    assert direct.name == Language(tree_sitter_go.language()).name == "go"
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)  # the fallback: a plain import
    assert Language(parser._go_language()).name == "go"
