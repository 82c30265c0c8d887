"""Names the command line needs before deciding whether to load the suppression stage."""

from __future__ import annotations

UNUSED, NO_REASON = "IMG100", "IMG101"
SUPPRESSION_CODES = frozenset({UNUSED, NO_REASON})
PREFIX = b"//imagetaglint:"
