from __future__ import annotations

from imagetag_lint.cli import entry

if __name__ == "__main__":
    entry()
