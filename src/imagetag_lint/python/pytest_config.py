"""The directories pytest's `pythonpath` setting puts on `sys.path`, so that the suite's imports
find its helpers there (`pythonpath = ["src"]` for a `src/` layout).

pytest reads its settings from the first of these files that has them, in the working directory
or the nearest directory above it: `pytest.ini` (also `.pytest.ini`; it counts even without a
`[pytest]` section), `pyproject.toml` (`[tool.pytest.ini_options]`), `tox.ini` (`[pytest]`) and
`setup.cfg` (`[tool:pytest]`). The entries are relative to that file's directory. A file that
cannot be read or parsed gives none.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from imagetag_lint.reads import is_file, read_at_most

LARGEST = 1 << 20  # a configuration file larger than this is no pytest configuration
# in the order pytest tries them in each directory, with the section that holds its settings
INI_FILES = (("pytest.ini", "pytest"), (".pytest.ini", "pytest"), ("pyproject.toml", ""), ("tox.ini", "pytest"),
             ("setup.cfg", "tool:pytest"))


def pythonpath_directories(start: str) -> tuple[str, ...]:
    """The absolute directories of the `pythonpath` setting of the pytest configuration that
    holds for `start` (a directory), in the order given."""
    directory = os.path.abspath(start)
    while True:
        for name, section in INI_FILES:
            path = os.path.join(directory, name)
            if not is_file(path):
                continue
            found = _settings(path, section, always=name.endswith("pytest.ini"))
            if found is not None:
                return tuple(os.path.normpath(os.path.join(directory, entry)) for entry in _entries(found))
        parent = os.path.dirname(directory)
        if parent == directory:
            return ()
        directory = parent


def _settings(path: str, section: str, always: bool) -> dict[str, Any] | None:
    """The pytest settings the file holds, or None when it holds none (pytest looks further)."""
    try:
        source = read_at_most(path, LARGEST)
    except OSError:
        return None
    if source is None:
        return None
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not section:
        return _toml_settings(text)
    import configparser  # only a run whose suite has such a file

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, path)
    except configparser.Error:
        return {} if always else None
    if not parser.has_section(section):
        return {} if always else None
    return dict(parser.items(section))


def _toml_settings(text: str) -> dict[str, Any] | None:
    if "ini_options" not in text:  # most pyproject.toml files: no parse
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    tool = data.get("tool")
    table = tool.get("pytest", {}).get("ini_options") if isinstance(tool, dict) and isinstance(tool.get("pytest"), dict) else None
    return table if isinstance(table, dict) else None


def _entries(settings: dict[str, Any]) -> list[str]:
    """`pythonpath`: a TOML list of strings, or words split by white space (an ini file's)."""
    value = settings.get("pythonpath")
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return []
