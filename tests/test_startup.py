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
    from imagetag_lint.registry import ANALYSIS_CODES

    assert tuple(CHECKS) == ANALYSIS_CODES


def test_the_registry_names_each_rule_module_by_its_code() -> None:
    from importlib import import_module

    from imagetag_lint.registry import RULES, RuleKind
    from imagetag_lint.rules import load_rule_set

    analyses = [rule for rule in RULES if rule.kind is RuleKind.ANALYSIS]
    assert [import_module(rule.module).CODE for rule in analyses] == [rule.code for rule in analyses]
    assert sorted(load_rule_set().rules) == sorted(rule.code for rule in RULES)


def _imported_after(code: str, cwd: Path) -> set[str]:
    program = f"import sys\nfrom imagetag_lint.cli import main\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", program], cwd=cwd, capture_output=True, text=True, check=True)
    return set(done.stdout.split("\n")[-2].split())


def test_start_up_imports_only_what_the_run_needs(tmp_path: Path) -> None:
    """The commit path pays for every import: --version loads no parser, a clean run no rich,
    dataclasses or libcst, and nothing imports the fixer or the suppression stage needlessly."""
    heavy = {"tree_sitter", "rich", "libcst", "dataclasses", "inspect", "shutil"}
    assert not _imported_after("main(['--version'])", tmp_path) & (heavy | {"imagetag_lint.lint"})
    shutil.copytree(FIXTURES / "k8s", tmp_path / "k8s")
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    modules = _imported_after("main(['--output-format', 'json', 'k8s'])", tmp_path)
    assert "tree_sitter" in modules and not modules & {"rich", "libcst", "dataclasses", "inspect", "tomllib", "shutil"}
    assert not modules & {"imagetag_lint.fix.apply", "imagetag_lint.repair.plan", "imagetag_lint.suppress", "difflib", "tempfile"}


def test_fingerprints_load_no_openssl(tmp_path: Path) -> None:
    """`hashlib` maps OpenSSL's libcrypto (3.5 MiB resident); a report's fingerprints need only
    SHA-256, from CPython's own module, and give the digests hashlib gives (baselines stay valid)."""
    import hashlib

    from imagetag_lint.fingerprint import digest

    shutil.copytree(FIXTURES / "k8s", tmp_path / "k8s")
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    modules = _imported_after("main(['--output-format', 'sarif', '--no-cache', 'k8s'])", tmp_path)
    assert "imagetag_lint.fingerprint" in modules and not modules & {"hashlib", "_hashlib"}
    assert digest("IMG001 deploy") == hashlib.sha256(b"IMG001 deploy").hexdigest()[:32]


def test_the_go_grammar_loads_without_its_package_init(monkeypatch: pytest.MonkeyPatch) -> None:
    import tree_sitter_go
    from tree_sitter import Language

    direct = Language(parser._go_language())
    assert direct.name == Language(tree_sitter_go.language()).name == "go"
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)  # the fallback: a plain import
    assert Language(parser._go_language()).name == "go"


def test_the_program_exits_with_mains_code_and_flushed_output(tmp_path: Path) -> None:
    """`python -m imagetag_lint` (like the console script) leaves with os._exit once output is flushed."""
    import json

    from support import wanted

    done = subprocess.run(
        [sys.executable, "-m", "imagetag_lint", "--output-format", "json", "."],
        cwd=FIXTURES, capture_output=True, text=True, check=False,
    )
    findings = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(done.stdout)}
    assert (done.returncode, done.stderr) == (1, "")
    assert findings == wanted(FIXTURES)  # every byte of a long report made it out
    assert subprocess.run([sys.executable, "-m", "imagetag_lint", "--version"], capture_output=True, check=False).returncode == 0


def test_a_closed_output_pipe_is_an_error_exit_without_a_traceback(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "k8s", tmp_path / "k8s")
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "imagetag_lint", "--output-format", "json", "k8s"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before anything is written
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2
    assert "Traceback" not in error


def test_the_compiled_rules_match_the_toml_files() -> None:
    """rules/compiled.json is what the built-in rules load from; regenerate it with
    `python -m imagetag_lint.rules` after editing a TOML file in rules/."""
    from imagetag_lint.rules import COMPILED_FILE, builtin_rules_dir, compile_rules

    directory = builtin_rules_dir()
    assert (directory / COMPILED_FILE).read_text(encoding="utf-8") == compile_rules(directory)


def test_the_compiled_rules_load_like_the_toml_files(tmp_path: Path) -> None:
    from imagetag_lint import rules

    compiled = rules.load_rule_set()
    for path in rules.builtin_rules_dir().glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "builtin_rules_dir", lambda: tmp_path)  # no compiled file here
        assert rules.load_rule_set() == compiled
