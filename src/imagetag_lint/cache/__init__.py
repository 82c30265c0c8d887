"""The persistent cache: `.imagetag-lint-cache/` at the project root, unless told otherwise.

The project root is the directory of the configuration file in use (the one exclude patterns
are relative to), else the working directory. `--cache-dir DIR` and then
`IMAGETAG_LINT_CACHE_DIR` choose another place; `--no-cache` neither reads nor writes one.
"""

from __future__ import annotations

import os
from pathlib import Path

DIRECTORY_NAME = ".imagetag-lint-cache"
ENVIRONMENT_VARIABLE = "IMAGETAG_LINT_CACHE_DIR"


def cache_directory(option: str | None, config_path: Path | None, cwd: Path) -> Path:
    """Where the cache lives: the option, the environment variable, else the project root's."""
    chosen = option or os.environ.get(ENVIRONMENT_VARIABLE)
    if chosen:
        return cwd / chosen
    root = cwd / config_path.parent if config_path is not None else cwd
    return root / DIRECTORY_NAME
