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
from imagetag_lint.python.project import Project
from imagetag_lint.python.reach import imported_modules
from imagetag_lint.python.syspath import SysPath, added_directories, adds_to_sys_path

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


@pytest.mark.parametrize(
    ("line", "added"),
    [
        pytest.param('sys.path.insert(0, str(Path(__file__).parent / "lib"))', ["lib"], id="pathlib"),
        pytest.param('sys.path.append(os.path.join(os.path.dirname(__file__), ".."))', [".."], id="os-path"),
        pytest.param('sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))', ["."], id="own-directory"),
        pytest.param('sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared" / "lib"))', ["../shared/lib"], id="parents"),
        pytest.param('sys.path.append(str(Path(__file__).parent.joinpath("helpers")))', ["helpers"], id="joinpath"),
        pytest.param('HERE = Path(__file__).parent\nsys.path.insert(0, str(HERE / "lib"))', ["lib"], id="module-constant"),
        pytest.param('sys.path.insert(0, "lib")', [], id="the-working-directory"),
        pytest.param('sys.path.insert(0, os.environ["E2E_LIB"])', [], id="the-environment"),
        pytest.param('sys.path.insert(0, __file__)', [], id="the-file-itself"),
        pytest.param('sys.path.append(os.path.join(ROOT, "lib"))', [], id="an-unknown-name"),
        pytest.param('HERE = Path(__file__).parent\nHERE = HERE.parent\nsys.path.insert(0, str(HERE))', [], id="a-name-assigned-twice"),
        pytest.param('paths.insert(0, str(Path(__file__).parent / "lib"))', [], id="another-list"),
    ],
)
def test_the_directories_a_module_adds_to_sys_path(line: str, added: list[str]) -> None:
    source = f"import os\nimport sys\nfrom pathlib import Path\n\n{line}\n".encode()
    assert added_directories(source) == added


def test_a_conftest_adds_its_directories_for_the_modules_below_it() -> None:
    files = {
        "e2e/conftest.py": b'import sys\nfrom pathlib import Path\nsys.path.insert(0, str(Path(__file__).parent / "lib"))\n',
        "e2e/suite/test_a.py": b'import os, sys\nsys.path.append(os.path.dirname(__file__) + "x")\nsys.path.append(os.path.join(os.path.dirname(__file__), "..", "..", ".."))\n',
        "other/test_b.py": b"import images\n",
        "e2e/helpers.py": b'import sys\nsys.path.insert(0, os.path.dirname(__file__))\n',
    }
    sys_path = SysPath((name, source) for name, source in files.items() if adds_to_sys_path(name, source))
    assert sys_path.roots("e2e/suite/test_a.py") == ["e2e/lib"]  # its own `..`s leave the run
    assert sys_path.roots("e2e/conftest.py") == ["e2e/lib"]
    assert sys_path.roots("other/test_b.py") == []
    assert sys_path.roots("e2e/helpers.py") == ["e2e/lib"]  # a helper's own setup is not followed
    known = {"e2e/lib/images.py", "e2e/images.py", "e2e/suite/test_a.py", "other/test_b.py"}
    assert module_file("e2e/suite/test_a.py", "images", 0, known, sys_path) == "e2e/lib/images.py"
    assert module_file("e2e/helpers.py", "images", 0, known, sys_path) == "e2e/images.py"  # its own directory first
    assert module_file("other/test_b.py", "images", 0, known, sys_path) is None


def test_a_test_linted_alone_finds_its_helpers_where_the_conftest_puts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit names the changed test alone: its builder is in a directory its conftest.py adds
    to `sys.path`, beside another module of the same name that another conftest.py adds."""
    shutil.copytree(PYTHON_FIXTURES / "syspath", tmp_path / "syspath", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["--isolated", "--output-format", "json", "--exit-zero", "syspath/suite/test_suite.py", "syspath/tools/test_tools.py"])
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    assert found == {w[:3] for w in wanted(package_sources(PYTHON_FIXTURES / "syspath"))}
    assert found == {("syspath/suite/test_suite.py", 9, "IMG001")}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("shop_e2e.settings", "src/shop_e2e/settings.py", id="a-module-under-src"),
        pytest.param("shop_e2e", "src/shop_e2e/__init__.py", id="a-package-under-src"),
        pytest.param("shop_e2e.deploy", None, id="two-files-so-named"),
        pytest.param("shop_e2e.missing", None, id="no-file-so-named"),
    ],
)
def test_an_import_found_nowhere_python_looks_is_the_one_file_named_so(name: str, expected: str | None) -> None:
    known = ["src/shop_e2e/__init__.py", "src/shop_e2e/settings.py", "src/shop_e2e/deploy.py",
             "old/shop_e2e/deploy.py", "tests/e2e/test_shop.py", "settings.py"]
    assert Project([], known).import_file("tests/e2e/test_shop.py", name, 0) == expected
