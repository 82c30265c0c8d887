"""Every rule's documented `example` reports that rule, and its `use-instead` reports nothing.

`--explain` prints these snippets; a snippet that no longer shows its rule (or whose fix still
trips one) would teach the wrong thing. Each is a whole Go file, linted inside a copy of the
fixture module's stub packages, and it must compile there too.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from samples import lint_json
from support import FIXTURES, run_go

if sys.version_info >= (3, 11):
    import tomllib
else:  # the project's dependency on 3.10
    import tomli as tomllib

RULES = Path(__file__).resolve().parents[1] / "rules"
CODES = sorted(path.stem for path in RULES.glob("IMG*.toml"))
GO_BLOCK = re.compile(r"```go\n(.*?)```", re.DOTALL)


def snippet(code: str, section: str) -> str:
    docs = tomllib.loads((RULES / f"{code}.toml").read_text(encoding="utf-8"))["docs"]
    (block,) = GO_BLOCK.findall(docs[section])
    return str(block)


def stub_module(root: Path, source: str) -> Path:
    """The fixture module's go.mod and stub packages, with `source` as e2e/example.go."""
    shutil.copy(FIXTURES / "go.mod", root / "go.mod")
    for package in ("infrastructure", "k8s"):
        shutil.copytree(FIXTURES / package, root / package)
    (root / "e2e").mkdir()
    (root / "e2e" / "example.go").write_text(source, encoding="utf-8")
    return root


def lint_snippet(root: Path, source: str) -> list[dict[str, Any]]:
    stub_module(root, source)
    build = run_go(["vet", "./e2e"], root)
    assert build.returncode == 0, build.stderr
    return lint_json(["--isolated", "e2e"], root)[1]


def test_every_rule_is_covered() -> None:
    assert CODES == ["IMG001", "IMG002", "IMG003", "IMG100", "IMG101"]


@pytest.mark.parametrize("code", CODES)
def test_example_reports_its_rule(tmp_path: Path, code: str) -> None:
    findings = lint_snippet(tmp_path, snippet(code, "example"))
    assert code in {finding["code"] for finding in findings}, findings


@pytest.mark.parametrize("code", CODES)
def test_use_instead_reports_nothing(tmp_path: Path, code: str) -> None:
    assert lint_snippet(tmp_path, snippet(code, "use-instead")) == []
