"""pytest's `pythonpath` setting puts directories on `sys.path`: the suite's imports find their
helpers there, also when only a test module is named on the command line (as pre-commit does)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from python_support import PYTHON_FIXTURES

from imagetag_lint.cli import main
from imagetag_lint.python.pytest_config import pythonpath_directories

TEST = "tests/e2e/test_src_layout.py"


def _rows(args: list[str], capsys: pytest.CaptureFixture[str]) -> set[tuple[str, int, str]]:
    capsys.readouterr()
    main(["--no-cache", "--output-format", "json", "--exit-zero", *args])
    return {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(capsys.readouterr().out)}


def _src_layout(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "srclayout"
    shutil.copytree(PYTHON_FIXTURES / "srclayout", root, ignore=shutil.ignore_patterns("*.fixed"))
    (root / "pyproject.toml").unlink()
    if name:
        (root / name).write_text(text, encoding="utf-8")
    return root


CONFIGS = [
    pytest.param("pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["src"]\n', id="pyproject"),
    pytest.param("pytest.ini", "[pytest]\npythonpath = src\n", id="pytest.ini"),
    pytest.param("setup.cfg", "[metadata]\nname = shop\n\n[tool:pytest]\npythonpath = src\n", id="setup.cfg"),
    pytest.param("tox.ini", "[tox]\nenvlist = py\n\n[pytest]\npythonpath =\n    src\n", id="tox.ini"),
]


@pytest.mark.parametrize(("name", "text"), CONFIGS)
def test_a_test_module_alone_finds_its_helpers_on_the_pythonpath(
    name: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_src_layout(tmp_path, name, text))
    alone = _rows([TEST], capsys)
    assert len(alone) == 3  # the module's `want` markers
    assert alone == _rows(["."], capsys)


def test_the_settings_are_looked_for_from_the_linted_files_not_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _src_layout(tmp_path, "pytest.ini", "[pytest]\npythonpath = src\n")
    monkeypatch.chdir(tmp_path)  # above the settings file, as a monorepo's root is
    assert len(_rows([f"{root.name}/{TEST}"], capsys)) == 3


def test_without_the_setting_a_test_module_alone_does_not_see_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_src_layout(tmp_path, "", ""))
    assert _rows([TEST], capsys) == set()


def test_the_first_configuration_file_up_the_tree_holds(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["src", "lib"]\n', encoding="utf-8")
    inner = tmp_path / "suite"
    inner.mkdir()
    (inner / "setup.cfg").write_text("[metadata]\nname = shop\n", encoding="utf-8")  # no pytest section: looked past
    assert pythonpath_directories(str(inner)) == (str(tmp_path / "src"), str(tmp_path / "lib"))
    (inner / "pytest.ini").write_text("[pytest]\naddopts = -ra\n", encoding="utf-8")  # pytest's file, without the setting
    assert pythonpath_directories(str(inner)) == ()


def test_a_file_that_does_not_parse_gives_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options\npythonpath = [", encoding="utf-8")
    assert pythonpath_directories(str(tmp_path)) == ()
