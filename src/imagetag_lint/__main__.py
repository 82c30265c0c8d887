from __future__ import annotations

from imagetag_lint.cli import entry

entry()
