"""Paths in the configuration are relative to its file, wherever the tool runs; paths in messages
are relative to the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import (
    DEPLOY_IMAGE_LINE,
    SETUP_BUILD_LINE,
    found,
    lint_json,
    run_cli,
    write_module,
)


def project(tmp_path: Path, text: str) -> Path:
    """A module with a config file at its root and one more E2E package below `suite/`."""
    write_module(tmp_path)
    write_module(tmp_path / "suite")
    (tmp_path / ".imagetag-lint.toml").write_text(text, encoding="utf-8")
    return tmp_path


# the drop; the fixed image in deploy.go is its related place, not a finding of its own
ROOT_E2E = {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}
HERE = {("setup.go", SETUP_BUILD_LINE, "IMG001")}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(".", ROOT_E2E, id="root"),
        pytest.param("suite", set(), id="subdirectory"),
        pytest.param("e2e", HERE, id="sibling"),
        # the working directory itself is what was asked for: linted even though it is excluded
        pytest.param("suite/e2e", HERE, id="inside-the-excluded-directory"),
    ],
)
def test_exclude_is_relative_to_the_config_file(tmp_path: Path, where: str, expected: set[tuple[str, int, str]]) -> None:
    root = project(tmp_path, 'exclude = ["suite/e2e/"]\n')
    assert found(lint_json([], root / where)[1]) == expected


def test_excluded_directory_named_on_the_command_line_is_linted(tmp_path: Path) -> None:
    root = project(tmp_path, 'exclude = ["suite/"]\n')
    assert {name.split("/")[0] for name, _, _ in found(lint_json([], root)[1])} == {"e2e"}
    assert {name.split("/")[0] for name, _, _ in found(lint_json(["suite"], root)[1])} == {"suite"}


def test_pattern_without_a_directory_matches_at_any_depth(tmp_path: Path) -> None:
    root = project(tmp_path, 'exclude = ["deploy.go"]\n')
    assert found(lint_json([], root / "suite")[1]) == {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}


def test_per_file_ignores_from_a_subdirectory(tmp_path: Path) -> None:
    root = project(tmp_path, '[per-file-ignores]\n"suite/e2e/deploy.go" = ["IMG002"]\n')
    alone = ["--select", "IMG002"]  # with IMG001 on, the drops report these fixed images as related places
    from_root = found(lint_json(alone, root)[1])
    assert ("suite/e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG002") not in from_root
    assert ("e2e/deploy.go", DEPLOY_IMAGE_LINE, "IMG002") in from_root
    # from suite/ the same file is `e2e/deploy.go`: still ignored; the root's e2e/deploy.go is not named
    assert found(lint_json(alone, root / "suite")[1]) == set()
    assert found(lint_json([], root / "suite")[1]) == {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}
    assert ("deploy.go", DEPLOY_IMAGE_LINE, "IMG002") in found(lint_json(alone, root / "e2e")[1])


def test_config_errors_name_the_file_relative_to_the_working_directory(tmp_path: Path) -> None:
    root = project(tmp_path, 'selct = ["IMG001"]\n')
    code, out, err = run_cli([], root / "suite" / "e2e")
    assert (code, out) == (2, "")
    assert err == "imagetag-lint: error: ../../.imagetag-lint.toml: unknown key 'selct'\n"
    assert str(tmp_path) not in err


def test_baseline_note_names_the_file_relative_to_the_working_directory(tmp_path: Path) -> None:
    root = project(tmp_path, 'baseline = "known.json"\n')
    assert run_cli(["--write-baseline", "known.json"], root)[0] == 0
    code, out, _ = run_cli([], root / "suite")
    assert code == 0
    assert "../known.json" in out and str(tmp_path) not in out
