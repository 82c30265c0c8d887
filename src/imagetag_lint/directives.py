"""What marks a suppression comment, for the prefilter before the suppression stage is loaded."""

from __future__ import annotations

PREFIX = b"//imagetaglint:"
