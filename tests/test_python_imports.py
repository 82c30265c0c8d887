"""Which file of the run an import names, by the rules of Python's import system as pytest sets it
up (the first directory above a test that is not a package is on `sys.path`, and so is the root)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from python_support import PYTHON_FIXTURES, package_sources, wanted

from imagetag_lint.cli import main
from imagetag_lint.python.imports import module_file
from imagetag_lint.python.reach import imported_modules

KNOWN = {
    "e2e/helpers.py",
    "e2e/test_flat.py",
    "e2e/pkg/__init__.py",
    "e2e/pkg/helpers.py",
    "e2e/pkg/sub/__init__.py",
    "e2e/pkg/sub/test_deep.py",
    "e2e/pkg/tools/__init__.py",
    "tools/kind.py",
}


@pytest.mark.parametrize(
    ("importer", "name", "level", "expected"),
    [
        pytest.param("e2e/test_flat.py", "helpers", 0, "e2e/helpers.py", id="beside-a-test"),
        pytest.param("e2e/test_flat.py", "tools.kind", 0, "tools/kind.py", id="from-the-root"),
        pytest.param("e2e/test_flat.py", "os.path", 0, None, id="the-standard-library"),
        pytest.param("e2e/pkg/sub/test_deep.py", "pkg.helpers", 0, "e2e/pkg/helpers.py", id="above-the-packages"),
        pytest.param("e2e/pkg/sub/test_deep.py", "helpers", 0, "e2e/helpers.py", id="not-the-package-sibling"),
        pytest.param("e2e/pkg/sub/test_deep.py", "helpers", 2, "e2e/pkg/helpers.py", id="relative-parent"),
        pytest.param("e2e/pkg/sub/test_deep.py", "", 1, "e2e/pkg/sub/__init__.py", id="relative-package"),
        pytest.param("e2e/pkg/helpers.py", "tools", 1, "e2e/pkg/tools/__init__.py", id="relative-subpackage"),
        pytest.param("e2e/test_flat.py", "helpers", 3, None, id="relative-above-the-root"),
    ],
)
def test_module_file(importer: str, name: str, level: int, expected: str | None) -> None:
    assert module_file(importer, name, level, KNOWN) == expected


def test_a_file_linted_alone_reads_the_modules_it_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit names the changed test alone: its builder is two imports away, in another
    directory (`from ..shared import build_app`, re-exported by `shared/__init__.py`)."""
    shutil.copytree(PYTHON_FIXTURES / "imports", tmp_path / "imports", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["--isolated", "--output-format", "json", "--exit-zero", "imports/suite/test_lookalike.py"])
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    wants = {w[:3] for w in wanted(package_sources(PYTHON_FIXTURES / "imports"))}
    assert found == {w for w in wants if w[0] == "imports/suite/test_lookalike.py"}
    assert len(found) == 2


def test_imports_are_read_from_the_bytes() -> None:
    source = b"""import os, helpers as h
from ..shared import build_app, deploys as d
from . import (
    conftest,  # fixtures
    # kind,
    images as imgs,
)
from e2e.lib.images import build  # a comment
"""
    assert sorted(imported_modules(source)) == [
        (0, "e2e.lib.images"), (0, "e2e.lib.images.build"), (0, "helpers"), (0, "os"),
        (1, ""), (1, "conftest"), (1, "images"), (2, "shared"), (2, "shared.build_app"), (2, "shared.deploys"),
    ]


def test_a_test_linted_alone_finds_the_fixtures_its_conftest_gathers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixtures reach the test through its conftest.py only: imported by name, by a star
    import, and from the module `pytest_plugins` names; none of them is in the test's directory."""
    shutil.copytree(PYTHON_FIXTURES / "plugins", tmp_path / "plugins", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["--isolated", "--output-format", "json", "--exit-zero", "plugins/test_services.py"])
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    wants = {w[:3] for w in wanted(package_sources(PYTHON_FIXTURES / "plugins"))}
    assert found == wants
    assert sorted(code for _, _, code in found) == ["IMG001", "IMG001", "IMG001", "IMG002"]


def test_pytest_plugins_are_read_as_imports() -> None:
    source = b"""pytest_plugins = [
    "e2e.fixtures.images",  # the builds
    'e2e.fixtures.cluster',
]
"""
    assert sorted(imported_modules(source)) == [(0, "e2e.fixtures.cluster"), (0, "e2e.fixtures.images")]
    assert list(imported_modules(b'pytest_plugins = "e2e.plugin"\n')) == [(0, "e2e.plugin")]
