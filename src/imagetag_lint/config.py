"""Configuration: `[tool.imagetag-lint]` in pyproject.toml or `.imagetag-lint.toml`, nearest wins."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from imagetag_lint.enums import Severity
from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.record import field, record
from imagetag_lint.regular import read_regular
from imagetag_lint.rules import ImageFlow, flow_of, parse_severity
from imagetag_lint.tomlload import check_keys, expect, expect_str_list, load_toml

CONFIG_FILE = ".imagetag-lint.toml"
_FLOW_SETTINGS = {
    "generator-patterns",
    "image-fields",
    "build-name-fields",
    "build-tag-fields",
    "pull-policy-fields",
    "local-prefixes",
    "local-patterns",
    "container-types",
}
KEYS = {
    "select",
    "ignore",
    "exclude",
    "per-file-ignores",
    "rule-dirs",
    "severity",
    "producers",
    "consumers",
    "baseline",
    "max-file-size",
    "python",  # [tool.imagetag-lint.python]: producers and generator-patterns of Python code
} | _FLOW_SETTINGS


@record(frozen=True)
class Config:
    """The settings read from `.imagetag-lint.toml` or `[tool.imagetag-lint]` in `pyproject.toml`."""

    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rule_dirs: tuple[Path, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    flow: ImageFlow = field(default_factory=ImageFlow)
    baseline: Path | None = None
    max_file_size: int | None = None


def find_config(start: Path) -> Path | None:
    """The nearest `.imagetag-lint.toml`, or pyproject.toml with our table, at or above start.

    The path is relative to start (the working directory), so that messages naming the file, and
    the paths the file names (rule directories, the baseline), read as the user would type them."""
    start = start.absolute()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return Path(os.path.relpath(candidate, start))
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_our_table(Path(os.path.relpath(pyproject, start))):
            return Path(os.path.relpath(pyproject, start))
    return None


def _has_our_table(pyproject: Path) -> bool:
    try:
        if b"imagetag-lint" not in read_regular(pyproject):  # most pyproject.toml files: no parse
            return False
    except OSError:
        return False
    tool = load_toml(pyproject).get("tool")
    return isinstance(tool, dict) and "imagetag-lint" in tool


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = load_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("imagetag-lint")
        if table is None:
            raise ImagetagLintError(f"{path}: no [tool.imagetag-lint] table")
        where = f"{path}: [tool.imagetag-lint]"
    else:
        table = data
        where = str(path)
    return parse_config(expect(table, dict, where, "tool.imagetag-lint"), path, where)


def parse_config(table: dict[str, Any], path: Path, where: str) -> Config:
    check_keys(table, KEYS, where)
    base = path.parent
    values: dict[str, Any] = {"path": path}
    if "select" in table:
        values["select"] = expect_str_list(table["select"], where, "select")
    for key in ("ignore", "exclude"):
        if key in table:
            values[key] = expect_str_list(table[key], where, key)
    if "per-file-ignores" in table:
        ignores = expect(table["per-file-ignores"], dict, where, "per-file-ignores")
        values["per_file_ignores"] = tuple(
            (pattern, expect_str_list(codes, where, f"per-file-ignores.{pattern}"))
            for pattern, codes in ignores.items()
        )
    if "rule-dirs" in table:
        values["rule_dirs"] = _rule_dirs(expect_str_list(table["rule-dirs"], where, "rule-dirs"), base, where)
    if "severity" in table:
        severity = expect(table["severity"], dict, where, "severity")
        values["severity"] = {code: parse_severity(level, where, f"severity.{code}") for code, level in severity.items()}
    if "baseline" in table:
        values["baseline"] = base / expect(table["baseline"], str, where, "baseline")
    if "max-file-size" in table:
        size = expect(table["max-file-size"], int, where, "max-file-size")
        if size <= 0:
            raise ImagetagLintError(f"{where}: 'max-file-size' must be positive")
        values["max_file_size"] = size
    values["flow"] = _flow(table, where)
    return Config(**values)


def _rule_dirs(names: tuple[str, ...], base: Path, where: str) -> tuple[Path, ...]:
    """The rule directories, each checked here, where the error can name the file and the key."""
    for name in names:
        directory = base / name
        if not directory.is_dir():
            problem = "not a directory" if directory.exists() else "directory not found"
            raise ImagetagLintError(f"{where}: 'rule-dirs': {directory}: {problem}")
    return tuple(base / name for name in names)


def _flow(table: dict[str, Any], where: str) -> ImageFlow:
    return flow_of(table, {key: table[key] for key in _FLOW_SETTINGS if key in table}, where)
