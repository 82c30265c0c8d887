"""Find and fix dropped image names in Go Kind E2E suites."""

from __future__ import annotations

__version__ = "0.1.0"
