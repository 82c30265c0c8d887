"""What marks a suppression comment, for the prefilter before the suppression stage is loaded."""

from __future__ import annotations

PREFIX = b"//imagetaglint:"
PYTHON_PREFIX = b"imagetaglint:"  # after `#` and optional blanks: `# imagetaglint: ignore[IMG001] why`
