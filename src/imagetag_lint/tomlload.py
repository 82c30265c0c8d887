"""TOML reading with errors that name the file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.regular import read_regular


def load_toml(path: Path) -> dict[str, Any]:
    # imported here: a run with no configuration file reads no TOML (the rules ship compiled)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        raw = read_regular(path)
    except OSError as exc:
        raise ImagetagLintError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImagetagLintError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ImagetagLintError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ImagetagLintError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ImagetagLintError(f"{where}: unknown key '{key}'")


# the names TOML gives its types: an error speaks of the file the user wrote, not of Python
TOML_TYPES = {str: "a string", int: "an integer", float: "a float", bool: "a boolean", list: "an array", dict: "a table"}


def expect(value: object, kind: type | tuple[type, ...], where: str, key: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise ImagetagLintError(f"{where}: '{key}' must be {' or '.join(TOML_TYPES[k] for k in kinds)}")
    return value


def expect_str_list(value: object, where: str, key: str) -> tuple[str, ...]:
    items = expect(value, list, where, key)
    for item in items:
        if not isinstance(item, str):
            raise ImagetagLintError(f"{where}: '{key}' must be an array of strings")
    return tuple(items)
